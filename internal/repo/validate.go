package repo

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// checkRefFormat implements git check-ref-format rules for a full ref name
// ("refs/heads/x") in Go, so no process is needed and nothing user-supplied
// ever reaches git unvetted.
func checkRefFormat(ref string) error {
	bad := func(why string) error { return fmt.Errorf("%w: %q: %s", ErrInvalidRef, ref, why) }
	switch {
	case ref == "" || ref == "@":
		return bad("empty or @")
	case strings.HasPrefix(ref, "/") || strings.HasSuffix(ref, "/"):
		return bad("begins or ends with /")
	case strings.HasSuffix(ref, "."):
		return bad("ends with .")
	case strings.Contains(ref, ".."):
		return bad("contains ..")
	case strings.Contains(ref, "@{"):
		return bad("contains @{")
	case !strings.Contains(ref, "/"):
		return bad("one-level ref")
	case len(ref) > 1024:
		return bad("too long")
	}
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte(" ~^:?*[\\", c) >= 0 {
			return bad("forbidden character")
		}
	}
	for _, comp := range strings.Split(ref, "/") {
		switch {
		case comp == "":
			return bad("empty component")
		case strings.HasPrefix(comp, "."):
			return bad("component begins with .")
		case strings.HasSuffix(comp, ".lock"):
			return bad("component ends with .lock")
		}
	}
	return nil
}

// MaxRefComponent is the longest part of a branch or tag name between
// slashes: a loose ref's lock file, "<part>.lock", must fit in a 255-byte
// file name. git (and so GitLab's Gitaly) fails to write a longer one when
// it gets there; lablet refuses it up front, as an invalid name.
const MaxRefComponent = 250

// checkShortName validates a branch or tag name as git does for
// "check-ref-format --branch": a valid ref below its prefix that cannot be
// mistaken for an option, for HEAD ("@" is HEAD too), for a full ref, or
// (as GitLab refuses) for an object id; it must also be UTF-8, which JSON
// can carry, and each part must fit a file name (MaxRefComponent). It is
// the one check every branch and tag name from a user goes through.
func checkShortName(prefix, name string) (string, error) {
	if strings.HasPrefix(name, "-") || name == "HEAD" || name == "@" || strings.HasPrefix(name, "refs/") ||
		isHexID(name, 40) || !utf8.ValidString(name) {
		return "", fmt.Errorf("%w: %q", ErrInvalidRef, name)
	}
	for part := range strings.SplitSeq(name, "/") {
		if len(part) > MaxRefComponent {
			return "", fmt.Errorf("%w: %.64q…: a part is longer than %d bytes", ErrInvalidRef, name, MaxRefComponent)
		}
	}
	full := prefix + name
	if err := checkRefFormat(full); err != nil {
		return "", err
	}
	return full, nil
}

// BranchRef returns refs/heads/<name> after validating name.
func BranchRef(name string) (string, error) { return checkShortName("refs/heads/", name) }

// TagRef returns refs/tags/<name> after validating name.
func TagRef(name string) (string, error) { return checkShortName("refs/tags/", name) }

// ValidatePath checks a repository-relative file path from a user: no
// absolute paths, no empty, "." or ".." segments, no NUL or newline (which
// would break the cat-file protocol), and no component that a client's
// file system takes for ".git" (isDotGit): git refuses such paths in an
// index, so a commit holding one could not be checked out, and a git
// without those checks would write into its own .git directory.
func ValidatePath(p string) error {
	bad := func(why string) error { return fmt.Errorf("%w: %q: %s", ErrInvalidPath, p, why) }
	if p == "" {
		return bad("empty")
	}
	if strings.HasPrefix(p, "/") {
		return bad("absolute path")
	}
	if strings.ContainsAny(p, "\x00\n\r") {
		return bad("control character")
	}
	if len(p) > 4096 {
		return bad("too long")
	}
	for _, seg := range strings.Split(p, "/") {
		switch {
		case seg == "":
			return bad("empty segment")
		case seg == "." || seg == "..":
			return bad("relative segment")
		}
		// On NTFS a backslash separates directories too.
		for _, part := range strings.Split(seg, "\\") {
			if isDotGit(part) {
				return bad(".git component")
			}
		}
	}
	return nil
}

// isDotGit reports whether a path component names the .git directory on
// some file system: ".git" in any case; on NTFS also its short name
// "git~1", and either with trailing spaces or dots or an alternate data
// stream (":…"), which NTFS drops; on HFS+ ".git" with code points it
// ignores (joiners, direction marks, BOM) anywhere.
func isDotGit(comp string) bool {
	ntfs := comp
	if i := strings.IndexByte(ntfs, ':'); i >= 0 {
		ntfs = ntfs[:i]
	}
	ntfs = strings.TrimRight(ntfs, " .")
	if strings.EqualFold(ntfs, ".git") || strings.EqualFold(ntfs, "git~1") {
		return true
	}
	// git's is_hfs_dotgit reads the name as UTF-8 and stops at a
	// malformed sequence as at its end: ".git" followed by one is .git.
	var hfs strings.Builder
	for i := 0; i < len(comp); {
		r, size := utf8.DecodeRuneInString(comp[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
		switch {
		case r >= 0x200c && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x206a && r <= 0x206f, r == 0xfeff:
			continue
		}
		hfs.WriteRune(r)
	}
	return strings.EqualFold(hfs.String(), ".git")
}

// isHexID reports whether s looks like an object id (or abbreviation).
func isHexID(s string, minLen int) bool {
	if len(s) < minLen || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
