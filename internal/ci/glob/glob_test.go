package glob

import (
	"strings"
	"testing"
	"time"
)

// TestMatch holds Ruby's File.fnmatch? documentation examples that apply
// with FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB, and the patterns of
// GitLab's rules:changes and rules:exists documentation.
func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		// Ruby's documentation.
		{"cat", "cat", true},
		{"cat", "category", false},
		{"c{at,ub}s", "cats", true},
		{"c{at,ub}s", "cubs", true},
		{"c{at,ub}s", "cas", false},
		{"c?t", "cat", true},
		{"c??t", "cat", false},
		{"c*", "cats", true},
		{"c*t", "c/a/b/t", false},
		{"ca[a-z]", "cat", true},
		{"ca[^t]", "cat", false},
		{"ca[!t]", "cab", true},
		{"cat", "CAT", false},
		{"?", "/", false},
		{"*", "/", false},
		{"[/]", "/", false},
		{`\?`, "?", true},
		{`\?`, "a", false},
		{`\a`, "a", true},
		{`[\?]`, "?", true},
		{"*", ".profile", true},
		{".*", ".profile", true},
		{"**/*.rb", "main.rb", true},
		{"**/*.rb", "./main.rb", true},
		{"**/*.rb", "lib/song.rb", true},
		{"**.rb", "main.rb", true},
		{"**.rb", "lib/song.rb", false},
		{"*", "dave/.profile", false},
		{"*/*", "dave/.profile", true},
		{"**/foo", "a/b/c/foo", true},
		{"**/foo", "/a/b/c/foo", true},
		{"**/foo", "c:/a/b/c/foo", true},
		{"**/foo", "a/.b/c/foo", true},
		{"**/foo", "a/b/c/foox", false},

		// GitLab's rules:changes and rules:exists examples.
		{"Dockerfile", "Dockerfile", true},
		{"Dockerfile", "sub/Dockerfile", false},
		{"docker/scripts/*", "docker/scripts/build.sh", true},
		{"docker/scripts/*", "docker/scripts/sub/build.sh", false},
		{"dockerfiles/**/*", "dockerfiles/a/b/Dockerfile", true},
		{"dockerfiles/**/*", "dockerfiles/Dockerfile", true},
		{"dockerfiles/**/*", "other/Dockerfile", false},
		{"more_scripts/*.{rb,py,sh}", "more_scripts/x.py", true},
		{"more_scripts/*.{rb,py,sh}", "more_scripts/x.js", false},
		{"**/*.json", "a/b/c.json", true},
		{"**/*.json", "c.json", true},
		{"**/*.json", "c.json5", false},
		{"*.md", "README.md", true},
		{"*.md", "docs/README.md", false},
		{"**/*.md", ".gitlab/issue_templates/bug.md", true},

		// Stars, classes, braces and escapes.
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"*.{js,ts}", ".eslintrc.js", true},
		{"src/{a,b/{c,d}}/*.go", "src/b/d/x.go", true},
		{"src/{a,b/{c,d}}/*.go", "src/b/e/x.go", false},
		{"{,lib/}x", "x", true},
		{"{,lib/}x", "lib/x", true},
		{"a{b", "a{b", false}, // an unclosed brace matches nothing
		{"a}b", "a}b", true},
		{`a\{b,c}`, "a{b,c}", true},
		{"[a-c]x", "bx", true},
		{"[a-c]x", "dx", false},
		{"[]x", "]x", false},
		{"[!]x", "zx", true},
		{"[abc", "[abc", false}, // an unclosed class matches nothing
		{"x[é-ë]", "xê", true},
		{"?", "é", true},
		{"a/**", "a/b", true},
		{"a/**", "a/b/c", false}, // ** without a slash is a plain *
		{"a/**/", "a/b/", true},
		{"**/", "a/", true},
		{"a/*/b", "a//b", true},
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"a/", "a", false},
		{"a", "a/", false},
		{"a\x00", "a\x00", false},
	} {
		if got := Match(tc.pattern, tc.path); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

// TestHostilePatterns: brace explosions and star pile-ups stay fast.
func TestHostilePatterns(t *testing.T) {
	long := strings.Repeat("a/", 200) + strings.Repeat("a", 200)
	for _, pattern := range []string{
		strings.Repeat("{a,b}", 40),
		strings.Repeat("{", 5000) + strings.Repeat("a,", 5000) + strings.Repeat("}", 5000),
		strings.Repeat("**/", 200) + "b",
		strings.Repeat("*a", 300) + "b",
		strings.Repeat("**/*a*/", 50) + "b",
	} {
		start := time.Now()
		Match(pattern, long)
		if d := time.Since(start); d > time.Second {
			t.Errorf("Match(%.30q…) took %v", pattern, d)
		}
	}
	// The budget only cuts what no configuration writes.
	if !Match(strings.Repeat("{a,b}", 10), strings.Repeat("b", 10)) {
		t.Error("1024 alternatives: no match")
	}
}
