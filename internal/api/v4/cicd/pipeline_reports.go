package cicd

import (
	"net/http"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/ci/junit"
	"github.com/lablet/lablet/internal/service"
)

// testReportSummary is TestReportSummaryEntity.
type testReportSummary struct {
	Total      testReportTotal    `json:"total"`
	TestSuites []testSuiteSummary `json:"test_suites"`
}

type testReportTotal struct {
	Time       float64 `json:"time"`
	Count      int     `json:"count"`
	Success    int     `json:"success"`
	Failed     int     `json:"failed"`
	Skipped    int     `json:"skipped"`
	Error      int     `json:"error"`
	SuiteError *string `json:"suite_error"`
}

// testSuiteSummary is TestSuiteSummaryEntity.
type testSuiteSummary struct {
	Name string `json:"name"`
	junit.Counts
	BuildIDs   []int64 `json:"build_ids"`
	SuiteError *string `json:"suite_error"`
}

// getPipelineTestReport is GET /projects/:id/pipelines/:pipeline_id/test_report.
func getPipelineTestReport(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := pipelineIDParam(r)
	if err != nil {
		return err
	}
	rep, err := a.Service().PipelineTestReport(r.Context(), c.Identity(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, rep)
}

// getPipelineTestReportSummary is GET …/test_report_summary.
func getPipelineTestReportSummary(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := pipelineIDParam(r)
	if err != nil {
		return err
	}
	sum, err := a.Service().PipelineTestReportSummary(r.Context(), c.Identity(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	t := sum.Total
	out := testReportSummary{Total: testReportTotal{Time: t.TotalTime, Count: t.TotalCount, Success: t.SuccessCount,
		Failed: t.FailedCount, Skipped: t.SkippedCount, Error: t.ErrorCount, SuiteError: t.SuiteError},
		TestSuites: make([]testSuiteSummary, len(sum.Suites))}
	for i, s := range sum.Suites {
		out.TestSuites[i] = testSuiteSummaryOf(s)
	}
	return v4.WriteOK(w, out)
}

func testSuiteSummaryOf(s service.TestSuiteSummary) testSuiteSummary {
	return testSuiteSummary{Name: s.Name, Counts: s.Counts, BuildIDs: s.BuildIDs, SuiteError: s.SuiteError}
}
