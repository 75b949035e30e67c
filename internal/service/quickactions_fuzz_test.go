package service

import (
	"strings"
	"testing"
)

// FuzzParseQuickActions: any text parses without panicking; every
// command found is one lablet runs; text with no line starting with "/"
// keeps every character but the surrounding space; a known command line
// outside any block is taken.
func FuzzParseQuickActions(f *testing.F) {
	for _, s := range []string{"", "/close", "hi\n/label ~a ~\"b c\"\n/unknown", "```\n/close\n```", ">>>\n/lock\n>>>",
		"~~~~\n/close\n~~~\n/close", "    ```\n/close", "/assign @u me\r\n/spend -1h", "/award :+1:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kept, cmds := ParseQuickActions(s)
		for _, c := range cmds {
			if quickActionNames[c.Name] != c.Name {
				t.Fatalf("command %q from %q", c.Name, s)
			}
			refArgs(c.Arg, '~')
		}
		if len(kept) > len(s) {
			t.Fatalf("kept %q longer than %q", kept, s)
		}
		if !strings.HasPrefix(s, "/") && !strings.Contains(s, "\n/") && kept != strings.TrimSpace(s) {
			t.Fatalf("text without commands changed: %q -> %q", s, kept)
		}
		if !strings.ContainsAny(s, "`~>") {
			if _, after := ParseQuickActions(s + "\n/close"); len(after) == 0 || after[len(after)-1].Name != "close" {
				t.Fatalf("trailing /close not taken after %q", s)
			}
		}
	})
}

func TestRefArgs(t *testing.T) {
	got := strings.Join(refArgs(`~a ~"b c" d,~e ~"open`, '~'), "|")
	if got != "a|b c|d|e|open" {
		t.Fatalf("refArgs = %q", got)
	}
}
