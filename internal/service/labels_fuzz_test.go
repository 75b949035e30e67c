package service

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLabelText: label titles, descriptions and colors come from
// clients; their parsers never panic, and what they accept is what
// GitLab stores.
func FuzzLabelText(f *testing.F) {
	for _, s := range []string{"bug", "<b>x</b>", "a < b", "<script>", "<!--", "&amp;&#x3c;", "#abc", " Red ", "#1234567", "</"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := SanitizeLabelText(s)
		if utf8.ValidString(s) && !strings.ContainsAny(s, "<&") && out != s {
			t.Fatalf("plain text changed: %q -> %q", s, out)
		}
		c, ok := NormalizeLabelColor(s)
		if !ok {
			return
		}
		if !labelColorPattern.MatchString(c) {
			t.Fatalf("accepted %q as %q, not a hex color", s, c)
		}
		if tc := LabelTextColor(c); tc != "#333333" && tc != "#FFFFFF" {
			t.Fatalf("text color of %q = %q", c, tc)
		}
	})
}
