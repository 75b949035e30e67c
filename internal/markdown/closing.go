package markdown

import (
	"regexp"
	"strings"
)

// closingPattern is GitLab's default issue_closing_pattern (gitlab.yml),
// with its %{issue_ref} as issue references are written: "#1",
// "project#1", "group/project#1". JIRA-style keys ("ABC-1") match as in
// GitLab and name no issue here.
var closingPattern = regexp.MustCompile(`\b((?:[Cc]los(?:e[sd]?|ing)|\b[Ff]ix(?:e[sd]|ing)?|\b[Rr]esolv(?:e[sd]?|ing)|\b[Ii]mplement(?:s|ed|ing)?)(:?) +(?:(?:issues? +)?` +
	issueRefPattern + `(?:(?: *,? +and +| *,? *)?)|([A-Z][A-Z0-9_]+-\d+))+)`)

const issueRefPattern = `(?:[A-Za-z0-9_.\-/]*#\d+)`

// ClosingRefs returns the issue references that text closes when a merge
// request or commit carrying it lands, as GitLab's ClosingIssueExtractor
// finds them: the references inside every match of the closing pattern
// ("Closes #1", "fixes #2 and group/project#3", "Resolves: #4, #5"), in
// order, each once.
func ClosingRefs(text string) []Ref {
	var out []Ref
	seen := map[string]bool{}
	for _, span := range closingPattern.FindAllString(text, -1) {
		for _, m := range scanRefs(span) {
			if m.ref.Kind != KindIssue {
				continue
			}
			key := strings.ToLower(m.ref.Project) + "#" + m.ref.Original
			if !seen[key] {
				seen[key] = true
				out = append(out, m.ref)
			}
		}
	}
	return out
}
