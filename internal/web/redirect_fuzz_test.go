package web

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeRedirect checks the sign-in redirect filter: whatever comes in,
// what goes out is a local path that stays on this site even after a
// browser's lenient parsing.
func FuzzSafeRedirect(f *testing.F) {
	for _, s := range []string{"/", "/-/user_settings/personal_access_tokens", "/oauth/authorize?client_id=x&scope=a+b",
		"//evil.example", "/\\evil.example", "/\t/evil.example", "/./\\evil.example", "https://evil.example",
		"/%2F%2Fevil.example", "/..//evil.example", "/a/b/", "/a#/../x", "/?q=//evil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		got := safeRedirect(target)
		if got != "/" && got != target {
			t.Fatalf("safeRedirect(%q) = %q: neither the target nor /", target, got)
		}
		if safeRedirect(got) != got {
			t.Fatalf("safeRedirect(%q) = %q, which it would not accept", target, got)
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") {
			t.Fatalf("safeRedirect(%q) = %q does not start with exactly one /", target, got)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c <= 0x20 || c == 0x7f || c == '\\' {
				t.Fatalf("safeRedirect(%q) = %q holds byte %#x", target, got, c)
			}
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
			t.Fatalf("safeRedirect(%q) = %q parses as %#v, %v", target, got, u, err)
		}
		// As a browser reads a Location: tabs and newlines dropped,
		// backslashes taken for slashes, resolved against the page.
		browser := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(got)
		base, _ := url.Parse("http://lablet.example/users/sign_in")
		ref, err := url.Parse(browser)
		if err != nil {
			t.Fatalf("safeRedirect(%q) = %q: browser form %q does not parse: %v", target, got, browser, err)
		}
		if to := base.ResolveReference(ref); to.Host != "lablet.example" || to.Scheme != "http" {
			t.Fatalf("safeRedirect(%q) = %q leads a browser to %s", target, got, to)
		}
	})
}
