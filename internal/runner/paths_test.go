package runner

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestPatternMatch(t *testing.T) {
	cases := []struct {
		pattern, name string
		want          bool
	}{
		{"*.txt", "a.txt", true},
		{"*.txt", "d/a.txt", false},
		{"**/*.txt", "a.txt", true},
		{"**/*.txt", "d/e/a.txt", true},
		{"d/**", "d/e/f", true},
		{"d/**/f", "d/f", true},
		{"d/**/f", "d/x/y/f", true},
		{"d/**/f", "d/x/y/g", false},
		{"bin/", "bin", true},
		{"./out/*.log", "out/x.log", true},
		{"report-?.xml", "report-1.xml", true},
		{"report-?.xml", "report-10.xml", false},
	}
	for _, c := range cases {
		p, err := compilePattern(c.pattern)
		if err != nil {
			t.Fatalf("%s: %v", c.pattern, err)
		}
		if got := p.match(c.name); got != c.want {
			t.Errorf("%q matches %q = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
}

func TestPatternOutsideProjectRefused(t *testing.T) {
	for _, p := range []string{"/etc/passwd", "../x", "a/../../x", "[", ".."} {
		if _, err := compilePattern(p); err == nil {
			t.Errorf("%q accepted", p)
		}
	}
}

func TestSelectFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"bin/app", "bin/app.o", "bin/sub/lib.o", "docs/a.md", "docs/x/b.md", "top.txt", ".git/config"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755)
		os.WriteFile(filepath.Join(dir, f), nil, 0o644)
	}
	inc, _ := compilePatterns([]string{"bin/", "**/*.md", "nothing/*"})
	exc, _ := compilePatterns([]string{"**/*.o", "docs/x"})
	names, warnings, err := selectFiles(context.Background(), dir, fileSet{include: inc, exclude: exc})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bin", "bin/app", "bin/sub", "docs/a.md"}
	if !slices.Equal(names, want) {
		t.Errorf("selected %v, want %v", names, want)
	}
	if !slices.Equal(warnings, []string{"nothing/*: no matching files"}) {
		t.Errorf("warnings %v", warnings)
	}
}
