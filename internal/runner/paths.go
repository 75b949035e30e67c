package runner

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// pattern is one path pattern of artifacts:paths, cache:paths or
// exclude, relative to the project directory; ** matches any number of
// directories.
type pattern []string

// compilePattern checks a pattern: it must stay inside the project
// directory, as GitLab Runner requires.
func compilePattern(p string) (pattern, error) {
	clean := path.Clean(strings.ReplaceAll(p, "\\", "/"))
	if strings.HasPrefix(clean, "/") || clean == ".." || strings.HasPrefix(clean, "../") {
		return nil, fmt.Errorf("%s: not inside the project directory", p)
	}
	if clean == "." {
		return pattern{"**"}, nil
	}
	segs := strings.Split(clean, "/")
	for _, s := range segs {
		if _, err := path.Match(s, ""); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return segs, nil
}

// match reports whether the slash-separated relative name matches.
func (p pattern) match(name string) bool {
	return matchSegs(p, strings.Split(name, "/"))
}

func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchSegs(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// fileSet is what a set of patterns selects under a directory.
type fileSet struct {
	include   []pattern
	exclude   []pattern
	untracked bool
}

// selectFiles lists, in walk order and relative with slashes, the files,
// symlinks and directories under dir that an include pattern matches (a
// matched directory brings everything under it) and no exclude pattern
// matches (nor any of their parents). Warnings name patterns that matched
// nothing, as GitLab Runner prints them.
func selectFiles(ctx context.Context, dir string, set fileSet) (names []string, warnings []string, err error) {
	untracked := map[string]bool{}
	if set.untracked {
		if untracked, err = untrackedFiles(ctx, dir); err != nil {
			return nil, nil, err
		}
	}
	matched := make([]bool, len(set.include))
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() && rel == ".git" {
			return filepath.SkipDir
		}
		if excluded(set.exclude, rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		keep := untracked[rel]
		for i, pat := range set.include {
			if pat.match(rel) || underMatch(pat, rel) {
				matched[i] = true
				keep = true
			}
		}
		if keep {
			names = append(names, rel)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list files: %w", err)
	}
	for i, ok := range matched {
		if !ok {
			warnings = append(warnings, strings.Join(set.include[i], "/")+": no matching files")
		}
	}
	return names, warnings, nil
}

// underMatch: some parent directory of rel matches pat.
func underMatch(pat pattern, rel string) bool {
	for i := strings.LastIndexByte(rel, '/'); i > 0; i = strings.LastIndexByte(rel[:i], '/') {
		if pat.match(rel[:i]) {
			return true
		}
	}
	return false
}

func excluded(ex []pattern, rel string) bool {
	return slices.ContainsFunc(ex, func(p pattern) bool { return p.match(rel) || underMatch(p, rel) })
}

// untrackedFiles lists the files git does not track, ignored ones too,
// as artifacts:untracked has it.
func untrackedFiles(ctx context.Context, dir string) (map[string]bool, error) {
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "ls-files", "--others", "-z")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("list untracked files: %w", err)
	}
	files := map[string]bool{}
	for _, name := range bytes.Split(out, []byte{0}) {
		if len(name) > 0 {
			files[string(name)] = true
		}
	}
	return files, nil
}

func compilePatterns(list []string) ([]pattern, []string) {
	var out []pattern
	var warnings []string
	for _, p := range list {
		pat, err := compilePattern(p)
		if err != nil {
			warnings = append(warnings, err.Error())
			continue
		}
		out = append(out, pat)
	}
	return out, warnings
}
