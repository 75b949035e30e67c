package glob

import (
	"strings"
	"testing"
	"time"
)

// FuzzMatch holds that any pattern and path match without panicking, in
// bounded time; that a pattern without special characters matches
// exactly itself; and that escaping a path's special characters makes a
// pattern matching that path.
func FuzzMatch(f *testing.F) {
	for _, s := range [][2]string{
		{"dockerfiles/**/*", "dockerfiles/a/b"},
		{"*.{rb,py,sh}", "x.py"},
		{"[!a-z]?\\*", "A.*"},
		{"{{{a,b},{c,d}},e}**/", "e/"},
		{"**/**/**/*a*a*a*b", "a/a/a/aaaaaaaaaaaaaaaaaaaaaaaa"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		start := time.Now()
		got := Match(pattern, path)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("Match(%q, %q) took %v", pattern, path, d)
		}
		if strings.IndexByte(pattern, 0) >= 0 || strings.IndexByte(path, 0) >= 0 {
			return
		}
		if !strings.ContainsAny(pattern, `*?[{}\`) && got != (pattern == path) {
			t.Fatalf("Match(%q, %q) = %v for a pattern without wildcards", pattern, path, got)
		}
		if escaped := escape(path); !Match(escaped, path) {
			t.Fatalf("Match(%q, %q) = false for the escaped path", escaped, path)
		}
	})
}

func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(`*?[{}\`, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
