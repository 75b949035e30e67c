package service

import (
	"regexp"
	"strings"
	"testing"
)

// TestParseBlobQuery: GitLab's Gitlab::Search::Query split of a code
// search into its term and its filename:, path: and extension: filters.
func TestParseBlobQuery(t *testing.T) {
	for _, tc := range []struct {
		raw, term string
		keep      map[string]bool // path → kept
	}{
		{raw: "needle", term: "needle", keep: map[string]bool{"a.go": true}},
		{raw: "  two   words\tapart ", term: "two words apart"},
		{raw: `"a quoted phrase" x`, term: `"a quoted phrase" x`},
		{raw: "x extension:GO", term: "x", keep: map[string]bool{"lib/a.go": true, "a.gob": false, "go": false}},
		{raw: "x filename:a.go", term: "x", keep: map[string]bool{"lib/a.go": true, "lib/ba.go": true, "a.gox": false, "aXgo": false}},
		{raw: "x path:lib/*.go", term: "x", keep: map[string]bool{"src/lib/a.go": true, "lib/sub/b.go": true, "lib/a.rb": false}},
		{raw: "x -path:vendor", term: "x", keep: map[string]bool{"vendor/a.go": false, "a.go": true}},
		{raw: "x path:lib -extension:md", term: "x", keep: map[string]bool{"lib/a.go": true, "lib/a.md": false, "a.go": false}},
		{raw: `x path:"my dir"`, term: "x", keep: map[string]bool{"my dir/a": true, "mydir/a": false}},
		{raw: "path:lib", term: "*", keep: map[string]bool{"lib/a": true, "a": false}},
		{raw: "x path:", term: "x path:"}, // an empty value is no filter
		{raw: "x path:a:b", term: "x", keep: map[string]bool{"ab": true, "a:b": false}},
		{raw: "x Path:lib", term: "x Path:lib"},     // filter names are lower case
		{raw: "x folder:lib", term: "x folder:lib"}, // and only these three
	} {
		q := parseBlobQuery(tc.raw)
		if q.term != tc.term {
			t.Fatalf("%q: term %q, want %q", tc.raw, q.term, tc.term)
		}
		for p, want := range tc.keep {
			if q.keep(p) != want {
				t.Fatalf("%q: keep(%q) = %v", tc.raw, p, !want)
			}
		}
	}
}

func TestRubyRegexpEscape(t *testing.T) {
	for in, want := range map[string]string{
		"lib/a_b": "lib/a_b", "README.md": `README\.md`, "a b": `a\ b`, "x-y*z?": `x\-y\*z\?`,
		"[](){}|^$+#\\": `\[\]\(\)\{\}\|\^\$\+\#\\`, "t\tn\n": `t\tn\n`, "ü": "ü",
	} {
		if got := rubyRegexpEscape(in); got != want {
			t.Fatalf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestPathWithoutExtension(t *testing.T) {
	for in, want := range map[string]string{
		"README.md": "README", "lib/a.b.go": "lib/a.b", ".gitignore": ".gitignore", "a/.env.local": "a/.env",
		"Makefile": "Makefile", "dir.d/file": "dir.d/file", "foo.": "foo", "..a.b": "..a",
	} {
		if got := pathWithoutExtension(in); got != want {
			t.Fatalf("%q: %q, want %q", in, got, want)
		}
	}
}

// FuzzParseBlobQuery: any search parses without panicking into a term that
// is never empty and holds no filter token, and filters that compile.
func FuzzParseBlobQuery(f *testing.F) {
	for _, s := range []string{"needle", `a "b c" path:x*`, `-filename:\*`, "path:\"", "extension:", `path:\\*`, "x\x00y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q := parseBlobQuery(raw)
		if q.term == "" {
			t.Fatalf("%q: empty term", raw)
		}
		for _, f := range q.filters {
			if _, err := regexp.Compile(f.match.String()); err != nil {
				t.Fatalf("%q: filter %v", raw, err)
			}
		}
		for _, tok := range strings.Fields(q.term) {
			if _, ok := parseBlobFilter(tok); ok && !strings.Contains(q.term, `"`) {
				t.Fatalf("%q: filter %q left in the term %q", raw, tok, q.term)
			}
		}
		_ = q.keep("some/path.go")
		_ = rubyRegexpEscape(q.term)
	})
}
