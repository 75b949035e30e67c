package service

import (
	"strings"
	"testing"
)

func TestValidPath(t *testing.T) {
	for path, ok := range map[string]bool{
		"my-group": true, "a.b_c": true, "_x": true, "v1.0": true,
		"": false, "-lead": false, "x.git": false, "x.atom": false, "a/b": false, "..": false,
		"a b": false, "x\x00": false, "dot.": false, strings.Repeat("a", 256): false,
	} {
		if got := ValidPath(path, false) == ""; got != ok {
			t.Errorf("ValidPath(%q) ok = %v, want %v", path, got, ok)
		}
	}
	if ValidPath("admin", true) == "" || ValidPath("admin", false) != "" {
		t.Error("admin is reserved only at the top level")
	}
	if ValidPath("Tree", false) == "" {
		t.Error("tree is reserved below namespaces, case-insensitively")
	}
}

func TestValidName(t *testing.T) {
	for name, ok := range map[string]bool{
		"My Group": true, "Ünïcode (test)": true, "_x.y-z": true,
		"": false, "   ": false, "-x": false, "a/b": false, "bad\xff": false, strings.Repeat("n", 256): false,
	} {
		if got := ValidName(name, "") == ""; got != ok {
			t.Errorf("ValidName(%q) ok = %v, want %v", name, got, ok)
		}
	}
	if ValidName("a+b", "+") != "" || ValidName("a+b", "") == "" {
		t.Error("extra punctuation is honoured")
	}
}

func TestPathFromName(t *testing.T) {
	for name, want := range map[string]string{
		"Hello World": "hello-world", "  My  Project! ": "my-project", "v1.2": "v1.2",
	} {
		if got := PathFromName(name); got != want {
			t.Errorf("PathFromName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestValidBranchName(t *testing.T) {
	long, tooLong := strings.Repeat("a", 250), strings.Repeat("a", 251)
	for name, ok := range map[string]bool{
		"main": true, "feature/x": true, "merge-requests/1/head": true, long: true, "x/" + long + "/y": true,
		"": false, "-x": false, "HEAD": false, "refs/heads/x": false, "a..b": false, "x.lock": false,
		tooLong: false, "x/" + tooLong: false, "x\xff": false, "a b": false,
		"0123456789012345678901234567890123456789": false,
	} {
		if got := ValidBranchName(name); got != ok {
			t.Errorf("ValidBranchName(%.40q) = %v, want %v", name, got, ok)
		}
		if got := ValidTagName(name); got != ok {
			t.Errorf("ValidTagName(%.40q) = %v, want %v", name, got, ok)
		}
	}
}

func TestCleanPath(t *testing.T) {
	for in, want := range map[string]string{
		"alice": "alice", "john.doe@example.com": "john.doe", "--x.git.atom.": "x", "My Group!": "MyGroup",
		"!!!": "blank", "": "blank", "a.git.git": "a", "ünï": "n",
	} {
		if got := CleanPath(in); got != want {
			t.Errorf("CleanPath(%q) = %q, want %q", in, got, want)
		}
	}
}
