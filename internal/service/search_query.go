package service

import (
	"regexp"
	"strings"
)

// blobQuery is a code search split as GitLab's Gitlab::Search::Query splits
// it: the words searched, and the filename:, path: and extension: filters
// (a leading "-" excludes) that its FileFinder applies to the paths found.
type blobQuery struct {
	term    string
	filters []blobFilter
}

type blobFilter struct {
	negated bool
	match   *regexp.Regexp
}

// blobFilterPatterns are FileFinder's matchers around a filter's value:
// filename matches the end of the path, path anywhere in it, extension
// the end after a dot; all ignore case.
var blobFilterPatterns = []struct{ name, before, after string }{
	{"filename", "", "$"},
	{"path", "", ""},
	{"extension", `\.`, "$"},
}

// parseBlobQuery splits a search at white space outside double quotes and
// takes out the filter tokens ("path:lib", `-filename:"a b"`, with "*" for
// any run of characters). What is left, joined by single spaces, is the
// term; with nothing left the term is "*", as GitLab's is.
func parseBlobQuery(raw string) blobQuery {
	var q blobQuery
	var rest []string
	for _, tok := range splitOutsideQuotes(raw) {
		if f, ok := parseBlobFilter(tok); ok {
			q.filters = append(q.filters, f)
			continue
		}
		rest = append(rest, tok)
	}
	q.term = strings.Join(rest, " ")
	if q.term == "" {
		q.term = "*"
	}
	return q
}

func parseBlobFilter(tok string) (blobFilter, bool) {
	negated := strings.HasPrefix(tok, "-")
	name, value, ok := strings.Cut(strings.TrimPrefix(tok, "-"), ":")
	if !ok {
		return blobFilter{}, false
	}
	for _, p := range blobFilterPatterns {
		if p.name != name {
			continue
		}
		// GitLab joins the parts between colons without them, and takes
		// off quotes after checking the value is not empty.
		value = strings.ReplaceAll(value, ":", "")
		if value == "" {
			return blobFilter{}, false
		}
		value = strings.TrimSuffix(strings.TrimPrefix(value, `"`), `"`)
		rx := strings.ReplaceAll(regexp.QuoteMeta(strings.ToLower(value)), `\*`, ".*?")
		return blobFilter{negated: negated, match: regexp.MustCompile("(?i)" + p.before + rx + p.after)}, true
	}
	return blobFilter{}, false
}

// keep reports whether a found path passes the filters: every including
// one matches it and no excluding one does.
func (q blobQuery) keep(path string) bool {
	for _, f := range q.filters {
		if f.match.MatchString(path) == f.negated {
			return false
		}
	}
	return true
}

// splitOutsideQuotes splits s at each white-space character followed by an
// even number of double quotes, dropping empty parts: GitLab's
// TOKEN_WITH_QUOTES_REGEXP.
func splitOutsideQuotes(s string) []string {
	quotesAfter := make([]int, len(s)+1)
	for i := len(s) - 1; i >= 0; i-- {
		quotesAfter[i] = quotesAfter[i+1]
		if s[i] == '"' {
			quotesAfter[i]++
		}
	}
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(" \t\n\v\f\r", s[i]) >= 0 && quotesAfter[i+1]%2 == 0 {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// rubyRegexpEscape is Ruby's Regexp.escape, which GitLab applies to the
// name it looks files up by.
func rubyRegexpEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\f':
			b.WriteString(`\f`)
		case '\v':
			b.WriteString(`\v`)
		case ' ', '[', ']', '{', '}', '(', ')', '|', '-', '*', '.', '\\', '?', '+', '^', '$', '#':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// pathWithoutExtension is a path without its last component's extension,
// as Ruby's Pathname#sub_ext with an empty one gives it: leading dots start no
// extension (".gitignore" keeps its name), a final dot is one.
func pathWithoutExtension(p string) string {
	base := p[strings.LastIndexByte(p, '/')+1:]
	name := strings.TrimLeft(base, ".")
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 {
		return p
	}
	return p[:len(p)-(len(name)-dot)]
}
