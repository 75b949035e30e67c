package junit

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzParse holds that any input parses without panicking, in bounded
// time, into a suite whose counts add up, that carries its error when
// there is one, and that JSON can carry.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`<testsuites><testsuite name="a"><testcase classname="c" name="n" time="1"><failure message="m">t</failure><system-out>[[ATTACHMENT|x]]</system-out></testcase></testsuite></testsuites>`,
		`<testsuite><testsuite><testcase name="x" type="array"><skipped a="b"/><skipped/></testcase></testsuite></testsuite>`,
		`<?xml version="1.0" encoding="ISO-8859-1"?><testsuite><testcase name="caf` + "\xe9" + `"/></testsuite>`,
		`<!DOCTYPE x [<!ENTITY a "b">]><testsuite>&a;</testsuite>`,
		`<testsuite><testcase time="1e308"/><testcase time="1e308"/><testcase name="z" time="1e308"/></testsuite>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		s, err := Parse(data, "job", Options{MaxTestCases: 1000})
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("Parse took %v", d)
		}
		if s == nil {
			t.Fatal("Parse returned no suite")
		}
		if (err != nil) != (s.SuiteError != nil) {
			t.Fatalf("error %v, suite_error %v", err, s.SuiteError)
		}
		if s.TotalCount != s.SuccessCount+s.FailedCount+s.SkippedCount+s.ErrorCount || s.TotalCount != len(s.TestCases) {
			t.Fatalf("counts do not add up: %+v", s)
		}
		if err != nil && s.TotalCount != 0 {
			t.Fatalf("suite with an error counts %d cases", s.TotalCount)
		}
		if _, err := json.Marshal(NewReport(s, s)); err != nil {
			t.Fatalf("JSON: %v", err)
		}
	})
}
