package repo

import "testing"

// TestValidatePathDotGit refuses every spelling of .git a client's file
// system would honour, and nothing that merely looks like one.
func TestValidatePathDotGit(t *testing.T) {
	for p, ok := range map[string]bool{
		".git/config": false, "a/.GIT/x": false, ".git ": false, ".git./hooks/x": false, "a/.git. . /x": false,
		"git~1/config": false, "GIT~1": false, ".git::$INDEX_ALLOCATION/x": false, "a/.git:stream": false,
		"a\\.git\\config": false, ".g\u200cit/x": false, "\ufeff.git": false, ".Gi\u200dt\u202e/x": false,
		".gitignore": true, ".gitmodules": true, "x/ .git": true, ".git~1": true, "git~2": true, "a.git": true,
		".gi/t": true, "a:b": true,
	} {
		if got := ValidatePath(p) == nil; got != ok {
			t.Errorf("ValidatePath(%q) ok = %v, want %v", p, got, ok)
		}
	}
}
