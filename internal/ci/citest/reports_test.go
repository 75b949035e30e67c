package citest_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// reportsYAML: a parallel job whose two instances write a junit report
// each (one success, one failure), and a job whose report is not XML.
const reportsYAML = `
rspec:
  parallel: 2
  script:
    - |
      cat > report.xml <<XML
      <testsuites><testsuite name="unit">
      <testcase classname="spec.a" name="passes $CI_NODE_INDEX" time="0.5"/>
      <testcase classname="spec.a" name="fails $CI_NODE_INDEX" time="1"><failure>boom $CI_NODE_INDEX</failure></testcase>
      </testsuite></testsuites>
      XML
  artifacts:
    reports:
      junit: report.xml
broken:
  script:
    - echo '<testsuite><testcase' > bad.xml
  artifacts:
    reports:
      junit: bad.xml
plain:
  script: echo no reports
`

// TestPipelineTestReports runs a pipeline whose jobs upload junit reports
// and reads them back: the parallel jobs share one suite named after
// their group, the unreadable report is its suite's error, and the
// summary names the jobs behind each suite.
func TestPipelineTestReports(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	p, info := pipelineProject(t, c, "reports", map[string]string{".gitlab-ci.yml": reportsYAML})
	pl := pipelineWait(t, c, p.ID, info.ID, "success", "failed", "canceled")
	jobs := pipelineJobs(t, c, p.ID, pl.ID)
	if pl.Status != "success" {
		for n, j := range jobs {
			t.Logf("%s: %s\n%s", n, j.Status, pipelineTrace(t, c, p.ID, j.ID))
		}
		t.Fatalf("pipeline %s, want success", pl.Status)
	}

	rep, _, err := c.Pipelines.GetPipelineTestReport(p.ID, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.TotalCount != 4 || rep.SuccessCount != 2 || rep.FailedCount != 2 || rep.TotalTime != 3 {
		t.Errorf("report totals = %d cases, %d success, %d failed, %v s; want 4, 2, 2, 3",
			rep.TotalCount, rep.SuccessCount, rep.FailedCount, rep.TotalTime)
	}
	suites := map[string]*gitlab.PipelineTestSuites{}
	for _, su := range rep.TestSuites {
		suites[su.Name] = su
	}
	if len(rep.TestSuites) != 2 || suites["rspec"] == nil || suites["broken"] == nil {
		t.Fatalf("suites = %+v, want rspec and broken", rep.TestSuites)
	}
	rspec := suites["rspec"]
	var names []string
	for _, tc := range rspec.TestCases {
		names = append(names, tc.Status+":"+tc.Name)
		if tc.Classname != "spec.a" {
			t.Errorf("case %s classname %q", tc.Name, tc.Classname)
		}
	}
	// Failed before passed, the slowest first in each status.
	if len(names) != 4 || !strings.HasPrefix(names[0], "failed:fails ") || !strings.HasPrefix(names[1], "failed:fails ") ||
		!strings.HasPrefix(names[2], "success:passes ") {
		t.Errorf("rspec cases = %v", names)
	}
	for _, tc := range rspec.TestCases {
		if tc.Status == "failed" && !strings.HasPrefix(tc.SystemOutput.(string), "boom ") {
			t.Errorf("failed case output = %v", tc.SystemOutput)
		}
	}
	if suites["broken"].TotalCount != 0 || len(suites["broken"].TestCases) != 0 {
		t.Errorf("broken suite = %+v, want no cases", suites["broken"])
	}

	sum, _, err := c.Pipelines.GetPipelineTestReportSummary(p.ID, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total.Count != 4 || sum.Total.Failed != 2 || sum.Total.Success != 2 || sum.Total.SuiteError == nil {
		t.Errorf("summary total = %+v", sum.Total)
	}
	byName := map[string]gitlab.PipelineTestSuiteSummary{}
	for _, su := range sum.TestSuites {
		byName[su.Name] = su
	}
	ids := byName["rspec"].BuildIDs
	slices.Sort(ids)
	want := []int64{jobs["rspec 1/2"].ID, jobs["rspec 2/2"].ID}
	slices.Sort(want)
	if !slices.Equal(ids, want) || byName["rspec"].TotalCount != 4 || byName["rspec"].SuiteError != nil {
		t.Errorf("rspec summary = %+v, want build ids %v", byName["rspec"], want)
	}
	if e := byName["broken"].SuiteError; e == nil || !strings.HasPrefix(*e, "JUnit XML parsing failed") {
		t.Errorf("broken suite error = %v", e)
	}
	if len(sum.TestSuites) != 2 {
		t.Errorf("summary suites = %+v, want rspec and broken", sum.TestSuites)
	}

	// Another project's pipeline id, and a caller who cannot see the
	// project, are 404.
	other, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("other")})
	if err != nil {
		t.Fatal(err)
	}
	stranger := s.NewUser(t, "stranger")
	for _, r := range []labtest.Request{
		{Method: http.MethodGet, Path: "/projects/" + strconv.FormatInt(other.ID, 10) + "/pipelines/" + strconv.FormatInt(pl.ID, 10) + "/test_report", Token: s.RootToken},
		{Method: http.MethodGet, Path: "/projects/" + strconv.FormatInt(p.ID, 10) + "/pipelines/" + strconv.FormatInt(pl.ID, 10) + "/test_report_summary", Token: stranger.Token},
	} {
		if resp := s.Do(t, r); resp.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", r.Path, resp.Status)
		}
	}
}
