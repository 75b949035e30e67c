package junit

import (
	"encoding/json"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

func suite(t *testing.T, name, xml string) *Suite {
	t.Helper()
	s, _ := Parse([]byte(xml), name, Options{})
	return s
}

// TestDuplicates holds GitLab's TestSuite#add_test_case: a case is keyed
// by suite, class and name within its status; a repeat replaces it in
// place, yet its time still counts.
func TestDuplicates(t *testing.T) {
	s := suite(t, "rspec", `<testsuite name="S">
	  <testcase classname="C" name="a" time="1"><failure>first</failure></testcase>
	  <testcase classname="C" name="b" time="5"/>
	  <testcase classname="C" name="a" time="2"><failure>second</failure></testcase>
	  <testcase classname="C" name="a" time="3"/>
	  <testcase classname="D" name="a" time="4"/>
	</testsuite>`)
	if s.TotalCount != 4 || s.FailedCount != 1 || s.SuccessCount != 3 || s.TotalTime != 15 {
		t.Errorf("suite %+v", s)
	}
	if out := s.TestCases[0].SystemOutput; out != "second" {
		t.Errorf("replaced failure output %v, want second", out)
	}
}

// TestReport holds how a pipeline's report gathers its jobs' files:
// suites by name, in order; a file that failed spoils only its suite.
func TestReport(t *testing.T) {
	rspec1 := suite(t, "rspec", `<testsuite name="models"><testcase classname="User" name="valid" time="0.5"/></testsuite>`)
	jest := suite(t, "jest", `<testsuites><testsuite name="ui"><testcase classname="Button" name="click" time="0.25"><skipped/></testcase></testsuite></testsuites>`)
	rspec2 := suite(t, "rspec", `<testsuite name="models">
	  <testcase classname="User" name="valid" time="0.5"/>
	  <testcase classname="User" name="invalid" time="2"><failure>boom</failure></testcase>
	</testsuite>`)
	r := NewReport(rspec1, jest, rspec2)
	if len(r.TestSuites) != 2 || r.TestSuites[0].Name != "rspec" || r.TestSuites[1].Name != "jest" {
		t.Fatalf("suites %+v", r.TestSuites)
	}
	rs := r.TestSuites[0]
	if rs.TotalCount != 2 || rs.FailedCount != 1 || rs.SuccessCount != 1 || rs.TotalTime != 3 {
		t.Errorf("rspec %+v", rs)
	}
	if r.TotalCount != 3 || r.SuccessCount != 1 || r.FailedCount != 1 || r.SkippedCount != 1 || r.TotalTime != 3.25 {
		t.Errorf("report %+v", r)
	}
	if m := Merge(NewReport(rspec1), NewReport(jest, rspec2)); !jsonEqual(t, m, r) {
		t.Error("Merge of the parts differs from the report of all")
	}

	bad := suite(t, "rspec", `<testsuite><testcase`)
	r = NewReport(rspec2, bad, jest)
	rs = r.TestSuites[0]
	if rs.SuiteError == nil || rs.TotalCount != 0 || len(rs.TestCases) != 0 || rs.TotalTime != 2.5 {
		t.Errorf("rspec with a bad file %+v", rs)
	}
	if r.TotalCount != 1 || r.SkippedCount != 1 || r.TotalTime != 2.75 {
		t.Errorf("report with a bad file %+v", r)
	}
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(x) == string(y)
}

// TestJSON holds the entity's shape: GitLab's field names, null for what
// the XML lacks, attachment_url only when there is one, empty arrays.
func TestJSON(t *testing.T) {
	out, err := json.Marshal(NewReport())
	if err != nil || string(out) != `{"total_time":0,"total_count":0,"success_count":0,"failed_count":0,"skipped_count":0,"error_count":0,"test_suites":[]}` {
		t.Errorf("empty report: %s, %v", out, err)
	}
	s := suite(t, "rspec", `<testsuite name="S"><testcase classname="C" name="n" file="spec/c_spec.rb" time="1.5"><failure>f</failure><system-out>[[ATTACHMENT|a.png]]</system-out></testcase><testcase/></testsuite>`)
	s.TestCases[0].AttachmentURL = "https://lablet.example/g/p/-/jobs/1/artifacts/file/a.png"
	out, err = json.Marshal(NewReport(s))
	want := `{"total_time":1.5,"total_count":1,"success_count":0,"failed_count":1,"skipped_count":0,"error_count":0,"test_suites":[` +
		`{"name":"rspec","total_time":1.5,"total_count":1,"success_count":0,"failed_count":1,"skipped_count":0,"error_count":0,"suite_error":null,"test_cases":[` +
		`{"status":"failed","name":"n","classname":"C","file":"spec/c_spec.rb","execution_time":1.5,"system_output":"f\n\nSystem Out:\n\n[[ATTACHMENT|a.png]]","stack_trace":null,"recent_failures":null,"attachment_url":"https://lablet.example/g/p/-/jobs/1/artifacts/file/a.png"}]}]}`
	if err != nil || string(out) != want {
		t.Errorf("report JSON\n got %s\nwant %s", out, want)
	}

	// The official client reads it.
	var r gitlab.PipelineTestReport
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	c := r.TestSuites[0].TestCases[0]
	if r.FailedCount != 1 || r.TestSuites[0].Name != "rspec" || c.Classname != "C" || c.File != "spec/c_spec.rb" || c.ExecutionTime != 1.5 || c.AttachmentURL == "" {
		t.Errorf("client-go read %+v / %+v", r, c)
	}
}

// TestReportOfBuiltSuites: suites made outside Parse merge by the same
// key, read from their exported fields.
func TestReportOfBuiltSuites(t *testing.T) {
	class := "C"
	mk := func(name string, time float64) *Case {
		return &Case{Status: StatusSuccess, Name: name, Classname: &class, SuiteName: "S", ExecutionTime: time}
	}
	a := &Suite{Name: "job", Counts: Counts{TotalTime: 3}, TestCases: []*Case{mk("x", 1), mk("y", 2)}}
	b := &Suite{Name: "job", Counts: Counts{TotalTime: 4}, TestCases: []*Case{mk("x", 4)}}
	r := NewReport(a, b)
	s := r.TestSuites[0]
	if len(r.TestSuites) != 1 || s.TotalCount != 2 || s.TotalTime != 7 || s.TestCases[0].ExecutionTime != 4 {
		t.Errorf("report %+v, suite %+v", r, s)
	}
}
