package junit

import (
	"encoding/json"
	"strings"
	"testing"
)

func parseOK(t *testing.T, xml string) *Suite {
	t.Helper()
	s, err := Parse([]byte(xml), "rspec", Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

// TestParseSpec holds the cases of GitLab's junit_spec.rb.
func TestParseSpec(t *testing.T) {
	for _, xml := range []string{`<testsuite></testsuite>`, `<testsuites><testsuite /></testsuites>`} {
		if s := parseOK(t, xml); s.TotalCount != 0 || len(s.TestCases) != 0 {
			t.Errorf("%s: %d cases, want none", xml, s.TotalCount)
		}
	}

	s := parseOK(t, `<testsuites>
	  <testsuite name='Math'>
	    <testcase classname='Calculator' name='sumTest1' time='0.01'></testcase>
	  </testsuite>
	</testsuites>`)
	if len(s.TestCases) != 1 {
		t.Fatalf("%d cases, want 1", len(s.TestCases))
	}
	c := s.TestCases[0]
	if c.SuiteName != "Math" || deref(c.Classname) != "Calculator" || c.Name != "sumTest1" || c.ExecutionTime != 0.01 || c.Status != StatusSuccess {
		t.Errorf("case = %+v", c)
	}
	if s.Name != "rspec" || s.SuccessCount != 1 || s.TotalCount != 1 || s.TotalTime != 0.01 {
		t.Errorf("suite = %+v", s)
	}
}

// TestStatuses holds junit_spec.rb's "when there is <testcase>" table and
// GitLab's system output: the failure's text, then System Out and System
// Err.
func TestStatuses(t *testing.T) {
	for _, tc := range []struct {
		content, status string
		output          any
	}{
		{`<failure>Some failure</failure>`, StatusFailed, "Some failure"},
		{`<error>Some error</error>`, StatusError, "Some error"},
		{`<skipped/>`, StatusSkipped, nil},
		{`<skipped></skipped>`, StatusSkipped, nil},
		{`<skipped>not today</skipped>`, StatusSkipped, "not today"},
		{`<foo>Some foo</foo>`, StatusSuccess, nil},
		{``, StatusSuccess, nil},
		{`<failure message="m" type="AssertionError">trace</failure><system-out>out</system-out><system-err>err</system-err>`,
			StatusFailed, "trace\n\nSystem Out:\n\nout\n\nSystem Err:\n\nerr"},
		{`<error>e</error><system-err></system-err>`, StatusError, "e\n\nSystem Err:\n\n"},
		// An element of attributes only is a Ruby hash: a string when
		// joined, an object when returned as is.
		{`<failure message="expected 1"/>`, StatusFailed, `{"message"=>"expected 1"}`},
		{`<failure>one</failure><failure>two</failure>`, StatusFailed, "one\n\ntwo"},
		{`<failure/>`, StatusFailed, ""},
		// failure wins over error and skipped, error over skipped.
		{`<skipped/><error>e</error><failure>f</failure>`, StatusFailed, "f"},
		{`<skipped/><error>e</error>`, StatusError, "e"},
	} {
		s := parseOK(t, `<testsuite name='Math'><testcase classname='Calculator' name='sumTest1' time='0.01'>
		  `+tc.content+`
		</testcase></testsuite>`)
		if len(s.TestCases) != 1 {
			t.Errorf("%s: %d cases", tc.content, len(s.TestCases))
			continue
		}
		c := s.TestCases[0]
		if c.Status != tc.status || c.SystemOutput != tc.output {
			t.Errorf("%s: status %q output %#v, want %q %#v", tc.content, c.Status, c.SystemOutput, tc.status, tc.output)
		}
	}

	s := parseOK(t, `<testsuite><testcase name="x"><skipped message="flaky" type="pending"/></testcase></testsuite>`)
	out, err := json.Marshal(s.TestCases[0].SystemOutput)
	if err != nil || string(out) != `{"message":"flaky","type":"pending"}` {
		t.Errorf("skipped with attributes: %s, %v", out, err)
	}
}

// TestNesting holds junit_spec.rb's PHPUnit and two-suite cases: nested
// suites, and the job's suite name for cases of a nameless <testsuite>.
func TestNesting(t *testing.T) {
	s := parseOK(t, `<testsuites>
	  <testsuite name="Project Test Suite" tests="1">
	    <testsuite name="XXX\\FrontEnd\\LogControllerTest" file="/x/LogControllerTest.php">
	      <testcase name="testIndexAction" class="XXX\\FrontEnd\\LogControllerTest" file="/x/LogControllerTest.php" line="9" time="1.376748"/>
	    </testsuite>
	  </testsuite>
	</testsuites>`)
	if len(s.TestCases) != 1 || s.TestCases[0].SuiteName != `XXX\\FrontEnd\\LogControllerTest` ||
		s.TestCases[0].Name != "testIndexAction" || deref(s.TestCases[0].File) != "/x/LogControllerTest.php" {
		t.Errorf("PHPUnit: %+v", s.TestCases)
	}

	s = parseOK(t, `<testsuites>
	  <testsuite name='Math'>
	    <testcase classname='Calculator' name='sumTest1' time='0.01'></testcase>
	    <testcase classname='Calculator' name='sumTest2' time='0.02'></testcase>
	  </testsuite>
	  <testsuite>
	    <testcase classname='Statemachine' name='happy path' time='100'></testcase>
	    <testcase classname='Statemachine' name='unhappy path' time='200'></testcase>
	  </testsuite>
	  <testcase name='directly under testsuites' time='1e-3'/>
	</testsuites>`)
	var got []string
	for _, c := range s.TestCases {
		got = append(got, c.SuiteName+"/"+c.Name)
	}
	// Slowest first; the nameless suite's cases take the job's name.
	want := "rspec/unhappy path,rspec/happy path,Math/sumTest2,Math/sumTest1,rspec/directly under testsuites"
	if strings.Join(got, ",") != want {
		t.Errorf("cases = %s, want %s", strings.Join(got, ","), want)
	}
	if s.TotalCount != 5 || s.TotalTime != 300.031 {
		t.Errorf("total %d, time %v", s.TotalCount, s.TotalTime)
	}
	// A case outside any suite is not read: GitLab wants one level.
	if s := parseOK(t, `<testcase name="x"/>`); s.TotalCount != 0 {
		t.Errorf("bare testcase: %d cases", s.TotalCount)
	}
}

// TestAttachment holds junit_spec.rb's attachment cases.
func TestAttachment(t *testing.T) {
	for content, want := range map[string]string{
		`<failure>f</failure><system-out>[[ATTACHMENT|some/path.png]]</system-out>`:                               "some/path.png",
		`<failure>f</failure><system-out>[[ATTACHMENT|some/path.png]] [[ATTACHMENT|some/path.html]]</system-out>`: "some/path.png",
		`<failure>f</failure><system-out>[[attachment]some/path.png]]</system-out>`:                               "",
		`<error>e</error><system-out>[[ATTACHMENT|shot.png]]</system-out>`:                                        "shot.png",
		`<system-out>[[ATTACHMENT|passed.png]]</system-out>`:                                                      "",
	} {
		s := parseOK(t, `<testsuites><testsuite><testcase classname='C' name='n'>`+content+`</testcase></testsuite></testsuites>`)
		if got := s.TestCases[0].Attachment; got != want {
			t.Errorf("%s: attachment %q, want %q", content, got, want)
		}
	}
}

// TestBadInput: GitLab's suite_error for what it cannot read, no cases,
// no counts; and no error for a blank file.
func TestBadInput(t *testing.T) {
	for name, tc := range map[string]struct{ xml, prefix string }{
		"malformed": {`<testsuite><testcase name='a'></testcase><testcase name='b'></testcase</testsuite>`, "JUnit XML parsing failed: "},
		"json":      {`{"testsuite":"abc"}`, "JUnit XML parsing failed: "},
		"two roots": {`<testsuite/><testsuite/>`, "JUnit XML parsing failed: "},
		"entities": {`<!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
			<testsuite><testcase name="&b;"/></testsuite>`, "JUnit XML parsing failed: "},
		"external entity": {`<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><testsuite><testcase name="&x;"/></testsuite>`, "JUnit XML parsing failed: "},
		"too deep":        {strings.Repeat("<testsuite>", maxDepth+1) + strings.Repeat("</testsuite>", maxDepth+1), "JUnit XML parsing failed: "},
		"text testcase":   {`<testsuite><testcase>just text</testcase></testsuite>`, "JUnit data parsing failed: "},
		"yaml type":       {`<testsuite><testcase name="x" type="yaml"><failure>f</failure></testcase></testsuite>`, "JUnit data parsing failed: Disallowed type attribute"},
		"time element":    {`<testsuite><testcase name="x"><time a="1"/></testcase></testsuite>`, "JUnit data parsing failed: undefined method `to_f'"},
	} {
		s, err := Parse([]byte(tc.xml), "rspec", Options{})
		if err == nil || !strings.HasPrefix(err.Error(), tc.prefix) {
			t.Errorf("%s: error %v, want %q…", name, err, tc.prefix)
			continue
		}
		if s == nil || s.SuiteError == nil || *s.SuiteError != err.Error() || s.TotalCount != 0 || len(s.TestCases) != 0 || s.Name != "rspec" {
			t.Errorf("%s: suite %+v", name, s)
		}
	}
	for _, blank := range []string{"", " \n\t"} {
		s, err := Parse([]byte(blank), "rspec", Options{})
		if err != nil || s.SuiteError != nil || s.TotalCount != 0 {
			t.Errorf("blank %q: %+v, %v", blank, s, err)
		}
	}
	huge := make([]byte, maxXMLSize+1)
	if _, err := Parse(huge, "rspec", Options{}); err == nil || err.Error() != "JUnit data parsing failed: The XML file must be less than 30 MB." {
		t.Errorf("huge: %v", err)
	}
}

// TestMaxTestCases holds GitLab's per-report limit.
func TestMaxTestCases(t *testing.T) {
	xml := `<testsuite><testcase name="a"/><testcase name="b"/><testcase name="c"/></testsuite>`
	if s, err := Parse([]byte(xml), "j", Options{MaxTestCases: 3}); err != nil || s.TotalCount != 3 {
		t.Errorf("at the limit: %+v, %v", s, err)
	}
	s, err := Parse([]byte(xml), "j", Options{MaxTestCases: 2})
	if err == nil || err.Error() != "JUnit data parsing failed: number of test cases exceeded the limit of 2" || s.TotalCount != 0 {
		t.Errorf("over the limit: %+v, %v", s, err)
	}
}

// TestTimes: Ruby's to_f reads a leading number and ignores the rest.
func TestTimes(t *testing.T) {
	for in, want := range map[string]float64{
		"0.5": 0.5, " 2": 2, "1_000.5": 1000.5, "1e3": 1000, ".5": 0.5, "-1": -1,
		"3s": 3, "1,5": 1, "abc": 0, "": 0, "1e": 1, "0x1A": 0, "1e999": 0,
	} {
		s := parseOK(t, `<testsuite><testcase name="x" time="`+in+`"/></testsuite>`)
		if got := s.TestCases[0].ExecutionTime; got != want {
			t.Errorf("time %q = %v, want %v", in, got, want)
		}
	}
	s := parseOK(t, `<testsuite><testcase name="x"/></testsuite>`)
	if s.TestCases[0].ExecutionTime != 0 || s.TestCases[0].Classname != nil || s.TestCases[0].File != nil {
		t.Errorf("no attributes: %+v", s.TestCases[0])
	}
	if s := parseOK(t, `<testsuite><testcase classname="c"/></testsuite>`); s.TestCases[0].Name != "(No name)" {
		t.Errorf("no name: %q", s.TestCases[0].Name)
	}
}
