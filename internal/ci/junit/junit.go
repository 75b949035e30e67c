// Package junit reads JUnit XML test reports (artifacts:reports:junit)
// into GitLab's pipeline test report: the shape of GET
// /projects/:id/pipelines/:pipeline_id/test_report.
//
// It follows GitLab's parser (lib/gitlab/ci/parsers/test/junit.rb) over
// ActiveSupport's XML-to-hash conversion, and GitLab's report classes
// (lib/gitlab/ci/reports/test_report.rb, test_suite.rb): all test cases
// of a job go into one suite named after the job, a case is known by its
// <testsuite> name, class name and name (a repeated one replaces the
// earlier), and a file that does not parse leaves its suite with a
// suite_error and no counts.
package junit

import (
	"cmp"
	"math"
	"slices"
)

// Test case statuses, in the order GitLab lists them.
const (
	StatusError   = "error"
	StatusFailed  = "failed"
	StatusSuccess = "success"
	StatusSkipped = "skipped"
)

var statusOrder = []string{StatusError, StatusFailed, StatusSuccess, StatusSkipped}

// Counts are the totals of a report or a suite.
type Counts struct {
	TotalTime    float64 `json:"total_time"`
	TotalCount   int     `json:"total_count"`
	SuccessCount int     `json:"success_count"`
	FailedCount  int     `json:"failed_count"`
	SkippedCount int     `json:"skipped_count"`
	ErrorCount   int     `json:"error_count"`
}

func (c *Counts) add(o Counts) {
	c.TotalTime = addTime(c.TotalTime, o.TotalTime)
	c.TotalCount += o.TotalCount
	c.SuccessCount += o.SuccessCount
	c.FailedCount += o.FailedCount
	c.SkippedCount += o.SkippedCount
	c.ErrorCount += o.ErrorCount
}

// Report is a pipeline's test report (GitLab's TestReportEntity).
type Report struct {
	Counts
	TestSuites []*Suite `json:"test_suites"`
}

// Suite is the test suite of one job, or of the jobs sharing its name
// (TestSuiteEntity with details).
type Suite struct {
	Name string `json:"name"`
	Counts
	SuiteError *string `json:"suite_error"`
	TestCases  []*Case `json:"test_cases"`
}

// Case is one test case (TestCaseEntity). A string attribute the XML
// lacks is null, as in GitLab; name falls back to "(No name)".
type Case struct {
	Status        string  `json:"status"`
	Name          string  `json:"name"`
	Classname     *string `json:"classname"`
	File          *string `json:"file"`
	ExecutionTime float64 `json:"execution_time"`
	// SystemOutput is a string for failed and errored cases, and
	// whatever the <skipped> element converts to for skipped ones: null,
	// a string, or an object of its attributes, as GitLab returns it.
	SystemOutput any     `json:"system_output"`
	StackTrace   *string `json:"stack_trace"`
	// RecentFailures is filled in by the caller, who knows the history.
	RecentFailures *RecentFailures `json:"recent_failures"`
	// AttachmentURL is the caller's URL for Attachment, if any.
	AttachmentURL string `json:"attachment_url,omitempty"`

	// SuiteName is the enclosing <testsuite>'s name, else the suite's.
	SuiteName string `json:"-"`
	// Attachment is the artifact path named by "[[ATTACHMENT|path]]" in
	// a failed or errored case's system-out.
	Attachment string `json:"-"`
}

// key is GitLab's "#{suite_name}_#{classname}_#{name}", from the
// exported fields so that cases made elsewhere merge too (a nameless case
// and one named "(No name)" share it).
func (c *Case) key() string {
	classname := ""
	if c.Classname != nil {
		classname = *c.Classname
	}
	return c.SuiteName + "_" + classname + "_" + c.Name
}

// RecentFailures counts a test's recent failures on the base branch.
type RecentFailures struct {
	Count      int    `json:"count"`
	BaseBranch string `json:"base_branch"`
}

// suiteBuilder collects cases as GitLab's TestSuite does: by status, then
// by key, a repeated key replacing the case in place. Its callers sum the
// time.
type suiteBuilder struct {
	name      string
	totalTime float64
	err       *string
	byStatus  map[string][]*Case
	index     map[string]int // status + "\x00" + key → position
}

func newBuilder(name string) *suiteBuilder {
	return &suiteBuilder{name: name, byStatus: map[string][]*Case{}, index: map[string]int{}}
}

func (b *suiteBuilder) add(c *Case) {
	k := c.Status + "\x00" + c.key()
	if i, ok := b.index[k]; ok {
		b.byStatus[c.Status][i] = c
	} else {
		b.index[k] = len(b.byStatus[c.Status])
		b.byStatus[c.Status] = append(b.byStatus[c.Status], c)
	}
}

// suite renders the builder: counts, and the cases ordered by status
// (error, failed, success, skipped), slowest first within each. A suite
// with an error has no cases and counts nothing, but keeps its time.
func (b *suiteBuilder) suite() *Suite {
	s := &Suite{Name: b.name, Counts: Counts{TotalTime: b.totalTime}, SuiteError: b.err, TestCases: []*Case{}}
	if b.err != nil {
		return s
	}
	for _, status := range statusOrder {
		cases := slices.Clone(b.byStatus[status])
		slices.SortStableFunc(cases, func(x, y *Case) int { return cmp.Compare(y.ExecutionTime, x.ExecutionTime) })
		s.TestCases = append(s.TestCases, cases...)
	}
	s.ErrorCount = len(b.byStatus[StatusError])
	s.FailedCount = len(b.byStatus[StatusFailed])
	s.SuccessCount = len(b.byStatus[StatusSuccess])
	s.SkippedCount = len(b.byStatus[StatusSkipped])
	s.TotalCount = s.ErrorCount + s.FailedCount + s.SuccessCount + s.SkippedCount
	return s
}

// NewReport makes a pipeline's report of suites, which several jobs or
// files may share by name: as GitLab adds every file of every job to the
// suite of the job's name, suites of one name become one (in the order
// names first appear), their cases merged by key, their times summed, and
// an error in any of them is the merged suite's error.
func NewReport(suites ...*Suite) *Report {
	var order []*suiteBuilder
	byName := map[string]*suiteBuilder{}
	for _, s := range suites {
		if s == nil {
			continue
		}
		b := byName[s.Name]
		if b == nil {
			b = newBuilder(s.Name)
			byName[s.Name] = b
			order = append(order, b)
		}
		for _, c := range s.TestCases {
			b.add(c)
		}
		// The suite's total, not its cases': it also holds replaced
		// duplicates and the cases of a file that failed half-way.
		b.totalTime = addTime(b.totalTime, s.TotalTime)
		if s.SuiteError != nil {
			b.err = s.SuiteError
		}
	}
	r := &Report{TestSuites: make([]*Suite, 0, len(order))}
	for _, b := range order {
		s := b.suite()
		r.TestSuites = append(r.TestSuites, s)
		r.add(s.Counts)
	}
	return r
}

// Merge sums reports: their suites grouped by name as NewReport does.
func Merge(reports ...*Report) *Report {
	var suites []*Suite
	for _, r := range reports {
		if r != nil {
			suites = append(suites, r.TestSuites...)
		}
	}
	return NewReport(suites...)
}

// addTime sums times without reaching infinity, which JSON cannot carry.
func addTime(a, b float64) float64 {
	if s := a + b; !math.IsInf(s, 0) {
		return s
	}
	return math.Copysign(math.MaxFloat64, a+b)
}
