package repo

import (
	"errors"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// gitCheckRefFormat asks the installed git whether ref is a valid ref
// name; ok is false when git can't be asked.
func gitCheckRefFormat(t *testing.T, ref string) (valid, ok bool) {
	if strings.ContainsRune(ref, 0) {
		return false, false // not an argument a process can receive
	}
	bin, err := exec.LookPath("git")
	if err != nil {
		return false, false
	}
	cmd := exec.Command(bin, "check-ref-format", ref)
	cmd.Env = []string{"GIT_CONFIG_NOSYSTEM=1", "HOME=" + t.TempDir()}
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		// 129 is git's usage error: a ref starting with "-" reads as an
		// option (check-ref-format takes no "--"), which is no verdict.
		return false, exit.ExitCode() != 129
	}
	if err != nil {
		t.Fatalf("git check-ref-format: %v", err)
	}
	return true, true
}

// FuzzCheckRefFormat checks lablet's ref name rules against git's own:
// every name lablet accepts, git accepts (lablet may be stricter, never
// laxer, since names reach git and the file system).
func FuzzCheckRefFormat(f *testing.F) {
	for _, s := range []string{"refs/heads/main", "refs/heads/a/b", "refs/tags/v1.0", "refs/heads/.x", "refs/heads/x.lock",
		"refs/heads/a..b", "refs/heads/a@{b", "refs/heads/a b", "refs/heads/a\\b", "refs/heads//a", "refs/heads/a/",
		"refs/heads/@", "refs/heads/ü", "refs/heads/a.", "main", "refs/heads/x\x7f", "refs/heads/-x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		err := checkRefFormat(ref)
		if err != nil {
			if !errors.Is(err, ErrInvalidRef) {
				t.Fatalf("checkRefFormat(%q) = %v, not ErrInvalidRef", ref, err)
			}
			return
		}
		if len(ref) > 1024 || !strings.Contains(ref, "/") {
			t.Fatalf("checkRefFormat(%q) accepted", ref)
		}
		for _, comp := range strings.Split(ref, "/") {
			if comp == "" || comp == "." || comp == ".." {
				t.Fatalf("accepted ref %q has component %q", ref, comp)
			}
		}
		if valid, ok := gitCheckRefFormat(t, ref); ok && !valid {
			t.Fatalf("lablet accepts ref %q, git refuses it", ref)
		}
	})
}

// FuzzBranchRef checks branch and tag names from users: an accepted
// name gives prefix+name, a valid ref that git can't read as an option,
// HEAD or an object id.
func FuzzBranchRef(f *testing.F) {
	for _, s := range []string{"main", "feature/x", "-x", "HEAD", "@", "refs/heads/x", "0123456789abcdef0123456789abcdef01234567", "a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, kind := range []struct {
			prefix string
			fn     func(string) (string, error)
		}{{"refs/heads/", BranchRef}, {"refs/tags/", TagRef}} {
			full, err := kind.fn(name)
			if err != nil {
				if !errors.Is(err, ErrInvalidRef) {
					t.Fatalf("%s%q: %v, not ErrInvalidRef", kind.prefix, name, err)
				}
				continue
			}
			if full != kind.prefix+name || checkRefFormat(full) != nil {
				t.Fatalf("ref of %q = %q", name, full)
			}
			if strings.HasPrefix(name, "-") || name == "HEAD" || name == "@" || strings.HasPrefix(name, "refs/") ||
				isHexID(name, 40) {
				t.Fatalf("ambiguous name %q accepted", name)
			}
		}
	})
}

// gitVerifyPath asks the installed git whether it would take p into an
// index, with the NTFS and HFS protections on (the strictest client's
// view); ok is false when git can't be asked.
func gitVerifyPath(t *testing.T, repoDir, p string) (valid, ok bool) {
	if repoDir == "" || strings.ContainsAny(p, "\x00\n") {
		return false, false
	}
	cmd := exec.Command("git", "-c", "core.protectNTFS=true", "-c", "core.protectHFS=true", "update-index", "--add",
		"--cacheinfo", "100644,e69de29bb2d1d6434b8b29ae775ad8c2e48c5391,"+p)
	cmd.Dir = repoDir
	cmd.Env = []string{"GIT_CONFIG_NOSYSTEM=1", "HOME=" + repoDir, "GIT_INDEX_FILE=" + filepath.Join(t.TempDir(), "index")}
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return false, true
	}
	if err != nil {
		t.Fatalf("git update-index: %v", err)
	}
	return true, true
}

// FuzzValidatePath checks repository file paths from users: an accepted
// path is relative, clean, stays inside the repository wherever it is
// joined, holds no NUL or line break (which would break the cat-file
// protocol), and git itself would take it: no component a client's file
// system reads as .git (".GIT", ".git.", "git~1", ".git::$DATA", .git
// with ignorable Unicode on HFS+).
func FuzzValidatePath(f *testing.F) {
	for _, s := range []string{"README.md", "a/b/c.txt", "/etc/passwd", "../x", "a/../../x", "a//b", "a/", ".git/config",
		"a/.GIT/x", "a\nb", "a\x00b", ".", "a/./b", "...", "a:b", "con/x", "a\\b", ".gitmodules"} {
		f.Add(s)
	}
	// One empty repository for git to judge paths in.
	repoDir := ""
	if _, err := exec.LookPath("git"); err == nil {
		repoDir = f.TempDir()
		if out, err := exec.Command("git", "init", "-q", repoDir).CombinedOutput(); err != nil {
			f.Fatalf("git init: %v\n%s", err, out)
		}
	}
	f.Fuzz(func(t *testing.T, p string) {
		if err := ValidatePath(p); err != nil {
			if !errors.Is(err, ErrInvalidPath) {
				t.Fatalf("ValidatePath(%q) = %v, not ErrInvalidPath", p, err)
			}
			return
		}
		if path.Clean(p) != p || path.IsAbs(p) || p == "." || p == ".." || strings.HasPrefix(p, "../") {
			t.Fatalf("accepted path %q is not clean and relative", p)
		}
		if strings.ContainsAny(p, "\x00\n\r") {
			t.Fatalf("accepted path %q holds NUL or a line break", p)
		}
		for _, seg := range strings.Split(p, "/") {
			if strings.EqualFold(seg, ".git") {
				t.Fatalf("accepted path %q has a .git component", p)
			}
		}
		root := "/srv/repo"
		if j := filepath.Join(root, p); !strings.HasPrefix(j, root+"/") {
			t.Fatalf("accepted path %q joins to %q, outside %s", p, j, root)
		}
		if valid, ok := gitVerifyPath(t, repoDir, p); ok && !valid {
			t.Fatalf("lablet accepts path %q, git refuses it", p)
		}
	})
}
