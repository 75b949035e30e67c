package service

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/blob"
	"github.com/lablet/lablet/internal/ci/junit"
	"github.com/lablet/lablet/internal/model"
)

// maxJUnitFile bounds one decompressed report file: a little more than
// the parser accepts, so that it still says the file is too large.
const maxJUnitFile = 30<<20 + 1

// TestReportSummary is GitLab's pipeline test report summary: totals and
// one entry per suite with the jobs that fed it.
type TestReportSummary struct {
	Total  TestSuiteSummary
	Suites []TestSuiteSummary
}

// TestSuiteSummary is one suite's counts (GitLab's TestSuiteSummary).
type TestSuiteSummary struct {
	Name string
	junit.Counts
	BuildIDs   []int64
	SuiteError *string
}

// jobSuite is the suite one job's junit reports make.
type jobSuite struct {
	jobID int64
	suite *junit.Suite
}

// PipelineTestReport is GET /projects/:id/pipelines/:pipeline_id/test_report:
// the junit reports of the pipeline's latest jobs, one suite per job name.
func (s *Service) PipelineTestReport(ctx context.Context, id *auth.Identity, ref string, pipelineID int64) (*junit.Report, error) {
	suites, err := s.pipelineSuites(ctx, id, ref, pipelineID)
	if err != nil {
		return nil, err
	}
	list := make([]*junit.Suite, len(suites))
	for i, js := range suites {
		list[i] = js.suite
	}
	return junit.NewReport(list...), nil
}

// PipelineTestReportSummary is GET …/test_report_summary: the counts of
// the test report without its cases, with the ids of each suite's jobs.
func (s *Service) PipelineTestReportSummary(ctx context.Context, id *auth.Identity, ref string, pipelineID int64) (*TestReportSummary, error) {
	suites, err := s.pipelineSuites(ctx, id, ref, pipelineID)
	if err != nil {
		return nil, err
	}
	out := &TestReportSummary{Suites: []TestSuiteSummary{}}
	index := map[string]int{}
	for _, js := range suites {
		i, ok := index[js.suite.Name]
		if !ok {
			i = len(out.Suites)
			index[js.suite.Name] = i
			out.Suites = append(out.Suites, TestSuiteSummary{Name: js.suite.Name, BuildIDs: []int64{}})
		}
		addSummary(&out.Suites[i], js)
		addSummary(&out.Total, js)
	}
	return out, nil
}

// addSummary adds one job's suite: counts summed, the first error kept.
func addSummary(sum *TestSuiteSummary, js jobSuite) {
	c := js.suite.Counts
	sum.TotalTime += c.TotalTime
	sum.TotalCount += c.TotalCount
	sum.SuccessCount += c.SuccessCount
	sum.FailedCount += c.FailedCount
	sum.SkippedCount += c.SkippedCount
	sum.ErrorCount += c.ErrorCount
	sum.BuildIDs = append(sum.BuildIDs, js.jobID)
	if sum.SuiteError == nil {
		sum.SuiteError = js.suite.SuiteError
	}
}

// pipelineSuites reads the junit artifacts of the pipeline's latest jobs
// (retried ones replaced, erased or expired ones gone), one suite per job.
func (s *Service) pipelineSuites(ctx context.Context, id *auth.Identity, ref string, pipelineID int64) ([]jobSuite, error) {
	v, err := s.pipelineFor(ctx, id, ref, pipelineID, access.ReadPipeline)
	if err != nil {
		return nil, err
	}
	jobs := map[int64]*model.Job{}
	ids := make([]int64, 0, len(v.Jobs))
	for _, j := range v.Jobs {
		if j.ErasedAt == nil {
			jobs[j.ID] = j
			ids = append(ids, j.ID)
		}
	}
	arts, err := s.db.Queries().ArtifactsOfJobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byJob := map[int64][]*model.JobArtifact{}
	for _, a := range arts {
		if a.FileType == "junit" && (a.ExpireAt == nil || a.ExpireAt.After(s.Now())) {
			byJob[a.JobID] = append(byJob[a.JobID], a)
		}
	}
	var out []jobSuite
	for _, jid := range ids {
		if len(byJob[jid]) == 0 {
			continue
		}
		name := testSuiteName(jobs[jid].Name)
		var suites []*junit.Suite
		for _, a := range byJob[jid] {
			got, err := s.readJUnit(ctx, a, name)
			if err != nil {
				return nil, err
			}
			suites = append(suites, got...)
		}
		if r := junit.NewReport(suites...); len(r.TestSuites) > 0 {
			out = append(out, jobSuite{jobID: jid, suite: r.TestSuites[0]})
		} else {
			out = append(out, jobSuite{jobID: jid, suite: &junit.Suite{Name: name, TestCases: []*junit.Case{}}})
		}
	}
	return out, nil
}

// readJUnit parses a junit artifact: a gzip stream of one member per
// report file, as GitLab Runner uploads it. A file that does not parse
// is a suite with its error; a missing blob is no report.
func (s *Service) readJUnit(ctx context.Context, a *model.JobArtifact, suite string) ([]*junit.Suite, error) {
	body, _, err := s.blobs.Open(ctx, a.BlobKey)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service: open junit artifact %d: %w", a.ID, err)
	}
	defer body.Close()
	br := bufio.NewReader(body)
	zr, err := gzip.NewReader(br)
	if err != nil {
		return []*junit.Suite{junitError(suite, err)}, nil
	}
	var suites []*junit.Suite
	for {
		zr.Multistream(false)
		data, err := io.ReadAll(io.LimitReader(zr, maxJUnitFile))
		if err != nil {
			return append(suites, junitError(suite, err)), nil
		}
		parsed, _ := junit.Parse(data, suite, junit.Options{}) // a parse error is the suite's suite_error
		suites = append(suites, parsed)
		if err := zr.Reset(br); errors.Is(err, io.EOF) {
			return suites, nil
		} else if err != nil {
			return append(suites, junitError(suite, err)), nil
		}
	}
}

// junitError is the suite of a report GitLab could not read.
func junitError(suite string, err error) *junit.Suite {
	msg := "JUnit data parsing failed: " + err.Error()
	return &junit.Suite{Name: suite, SuiteError: &msg, TestCases: []*junit.Case{}}
}

// parallelSuffix is the " 1/3" GitLab's group_name drops from a parallel
// job's name (matrix jobs keep their full names, as in GitLab).
var parallelSuffix = regexp.MustCompile(`\s+\d+/\d+\s*$`)

// testSuiteName is the suite a job's reports go to (Ci::Build#test_suite_name).
func testSuiteName(job string) string {
	return strings.TrimSpace(parallelSuffix.ReplaceAllString(job, ""))
}
