package service

import (
	"net/url"
	"path"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzValidPath checks that an accepted namespace or project path is one
// URL path segment that needs no escaping, moves nowhere when cleaned,
// and keeps GitLab's rules (length, suffixes, reserved names).
func FuzzValidPath(f *testing.F) {
	for _, s := range []string{"my-group", "a.b_c", "..", ".", "-lead", "x.git", "admin", "Tree", "a/b", "x\x00", "ünï"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, p string, topLevel bool) {
		if ValidPath(p, topLevel) != "" {
			return
		}
		if p == "" || len(p) > MaxNameLength || p == "." || p == ".." {
			t.Fatalf("ValidPath(%q) accepted", p)
		}
		if url.PathEscape(p) != p || strings.ContainsAny(p, "/\\%?#") {
			t.Fatalf("accepted path %q needs escaping in a URL", p)
		}
		if path.Clean("/"+p) != "/"+p {
			t.Fatalf("accepted path %q moves when cleaned", p)
		}
		lower := strings.ToLower(p)
		if strings.HasPrefix(p, "-") || strings.HasSuffix(p, ".git") ||
			strings.HasSuffix(p, ".atom") || strings.HasSuffix(p, ".") || reservedProjectPaths[lower] ||
			topLevel && reservedTopLevel[lower] {
			t.Fatalf("ValidPath(%q, %v) accepted a path GitLab refuses", p, topLevel)
		}
		if acceptedTop := ValidPath(p, true) == ""; !topLevel && acceptedTop == reservedTopLevel[lower] {
			t.Fatalf("ValidPath(%q) differs between levels beyond the reserved names", p)
		}
	})
}

// FuzzValidName checks an accepted display name is printable UTF-8 of at
// most 255 characters that starts with a letter, digit, emoji or '_',
// holds no path or markup characters, and is not blank.
func FuzzValidName(f *testing.F) {
	for _, s := range []string{"My Group", "Ünïcode (test)", "_x.y-z", "", "   ", "-x", "a/b", "bad\xff", "😀 emoji", "a+b"} {
		f.Add(s, "")
	}
	f.Add("a+b", "+")
	f.Fuzz(func(t *testing.T, name, extra string) {
		if ValidName(name, extra) != "" {
			return
		}
		if !utf8.ValidString(name) || strings.TrimSpace(name) == "" || utf8.RuneCountInString(name) > MaxNameLength {
			t.Fatalf("ValidName(%q) accepted", name)
		}
		for i, r := range name {
			if i == 0 && !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || unicode.Is(unicode.So, r)) {
				t.Fatalf("accepted name %q starts with %q", name, r)
			}
			if strings.ContainsRune(extra, r) {
				continue
			}
			if unicode.IsControl(r) || strings.ContainsRune("/\\<>&\"'`%", r) {
				t.Fatalf("accepted name %q holds %q", name, r)
			}
		}
	})
}

// FuzzPathFromName checks a path derived from a name holds only path
// characters, with no leading or trailing dash or dot and no doubled
// dash, and that ValidPath refuses it only for a reason it names.
func FuzzPathFromName(f *testing.F) {
	for _, s := range []string{"Hello World", "  My  Project! ", "v1.2", "ünïcode", "x.git", "Admin", "...", "-a-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		p := PathFromName(name)
		if PathFromName(p) != p {
			t.Fatalf("PathFromName(%q) = %q is not a fixed point", name, p)
		}
		if p == "" {
			return
		}
		if strings.Trim(p, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != "" || strings.Contains(p, "--") ||
			strings.Trim(p, "-.") != p {
			t.Fatalf("PathFromName(%q) = %q", name, p)
		}
		switch msg := ValidPath(p, false); msg {
		case "", "is a reserved name", "is too long (maximum is 255 characters)", PathMessage:
			if msg == PathMessage && !strings.HasSuffix(p, ".git") && !strings.HasSuffix(p, ".atom") {
				t.Fatalf("PathFromName(%q) = %q, which ValidPath refuses: %s", name, p, msg)
			}
		default:
			t.Fatalf("PathFromName(%q) = %q, which ValidPath refuses: %s", name, p, msg)
		}
	})
}
