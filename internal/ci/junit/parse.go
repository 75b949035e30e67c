package junit

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
)

// Options are a parse's limits.
type Options struct {
	// MaxTestCases fails a file with more cases than this (GitLab's
	// max_test_cases_per_report plan limit); 0 is no limit.
	MaxTestCases int
}

// attachmentTag is GitLab's ATTACHMENT_TAG_REGEX.
var attachmentTag = regexp.MustCompile(`\[\[ATTACHMENT\|([^\[\]|]+?)\]\]`)

// Parse reads one JUnit XML file of a job into the suite named suite
// (GitLab names it after the job). A file GitLab cannot read gives a
// suite whose SuiteError says why, worded as GitLab's ("JUnit XML parsing
// failed: …", "JUnit data parsing failed: …"), and that error too; a
// blank file is an empty suite.
func Parse(data []byte, suite string, opt Options) (*Suite, error) {
	b := newBuilder(suite)
	if err := parseInto(b, data, opt); err != nil {
		msg := "JUnit data parsing failed: " + err.Error()
		if errors.As(err, new(syntaxError)) {
			msg = "JUnit XML parsing failed: " + err.Error()
		}
		b.err = &msg
		return b.suite(), errors.New(msg)
	}
	return b.suite(), nil
}

func parseInto(b *suiteBuilder, data []byte, opt Options) error {
	if len(data) > maxXMLSize {
		return fmt.Errorf("The XML file must be less than %d MB.", maxXMLSize>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 { // XmlConverter: nothing, no error
		return nil
	}
	e, err := parseXML(data)
	if err != nil {
		return err
	}
	doc := newHash()
	toHash(e, doc)
	root, err := convert(doc)
	if err != nil {
		return err
	}
	parsed := 0
	return allCases(root, false, func(tc *hash) error {
		c, err := newCase(tc, b.name)
		if err != nil {
			return err
		}
		b.add(c)
		b.totalTime = addTime(b.totalTime, c.ExecutionTime)
		parsed++
		if opt.MaxTestCases > 0 && parsed > opt.MaxTestCases {
			return fmt.Errorf("number of test cases exceeded the limit of %d", opt.MaxTestCases)
		}
		return nil
	})
}

// allCases is GitLab's all_cases: one top-level <testsuites>, then any
// nesting of <testsuite> (PHPUnit nests them); the cases directly under
// <testsuites> count too.
func allCases(root any, nested bool, yield func(*hash) error) error {
	if !present(root) {
		return nil
	}
	for _, node := range flatten(root) {
		h, ok := node.(*hash)
		if !ok {
			continue
		}
		if !nested {
			if err := allCases(h.get("testsuites"), true, yield); err != nil {
				return err
			}
		} else if err := eachCase(h.get("testcase"), h.get("name"), yield); err != nil {
			return err
		}
		if err := allCases(h.get("testsuite"), true, yield); err != nil {
			return err
		}
	}
	return nil
}

func eachCase(testcase, suiteName any, yield func(*hash) error) error {
	if !present(testcase) {
		return nil
	}
	for _, tc := range flatten(testcase) {
		h, ok := tc.(*hash)
		if !ok {
			// Ruby's String#[]= on a <testcase> that converted to text.
			return errors.New("string not matched")
		}
		h.set("suite_name", suiteName)
		if err := yield(h); err != nil {
			return err
		}
	}
	return nil
}

// newCase is GitLab's create_test_case.
func newCase(data *hash, suite string) (*Case, error) {
	var systemOut, systemErr any
	if data.has("system_out") {
		systemOut = "System Out:\n\n" + toS(data.get("system_out"))
	}
	if data.has("system_err") {
		systemErr = "System Err:\n\n" + toS(data.get("system_err"))
	}
	c := &Case{Status: StatusSuccess}
	switch {
	case data.has("failure"):
		c.Status, c.SystemOutput = StatusFailed, join([]any{data.get("failure"), systemOut, systemErr})
	case data.has("error"):
		c.Status, c.SystemOutput = StatusError, join([]any{data.get("error"), systemOut, systemErr})
	case data.has("skipped"):
		c.Status, c.SystemOutput = StatusSkipped, data.get("skipped")
	}
	if c.Status == StatusFailed || c.Status == StatusError {
		switch out := data.get("system_out").(type) {
		case nil:
		case string:
			if m := attachmentTag.FindStringSubmatch(out); m != nil {
				c.Attachment = m[1]
			}
		default: // GitLab fails on a <system-out> that is not text
			return nil, fmt.Errorf("undefined method `match' for %s", inspect(out))
		}
	}
	c.SuiteName = suite
	if v := data.get("suite_name"); v != nil {
		c.SuiteName = toS(v)
	}
	c.Name = "(No name)"
	if name := data.get("name"); name != nil {
		c.Name = toS(name)
	}
	c.Classname, c.File = optional(data.get("classname")), optional(data.get("file"))
	t, err := toF(data.get("time"))
	if err != nil {
		return nil, err
	}
	c.ExecutionTime = t
	return c, nil
}

func optional(v any) *string {
	if v == nil {
		return nil
	}
	s := toS(v)
	return &s
}
