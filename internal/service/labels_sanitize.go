package service

import (
	"html"
	"strings"
)

// rawTextElements are the elements whose content Sanitize drops with
// the element (its remove_contents default).
var rawTextElements = []string{"script", "style", "iframe", "noscript", "noembed", "noframes", "xmp", "plaintext", "math", "svg"}

// SanitizeLabelText is GitLab's Label#sanitize_value
// (CGI.unescapeHTML(Sanitize.clean(value))): HTML tags removed — with the
// content of script-like elements —, entities decoded, text kept. A "<"
// that starts no tag ("a < b") is text.
func SanitizeLabelText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '<' || i+1 >= len(s) || !startsTag(s[i+1]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			break // an unterminated tag: Sanitize drops it
		}
		closingTag := s[i+1] == '/'
		tag := strings.ToLower(strings.TrimLeft(s[i+1:i+end], "/"))
		if f := strings.IndexAny(tag, " \t\n/"); f >= 0 {
			tag = tag[:f]
		}
		i += end + 1
		if !closingTag && containsString(rawTextElements, tag) {
			closing := strings.Index(strings.ToLower(s[i:]), "</"+tag)
			if closing < 0 {
				break
			}
			i += closing
		}
	}
	return html.UnescapeString(b.String())
}

func startsTag(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!'
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
