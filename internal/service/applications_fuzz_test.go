package service

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// FuzzParseRedirectURIs checks the one redirect URI validator: every URI
// it accepts is absolute, without fragment, whitespace or control
// characters, of no forbidden scheme in any case, and the list comes back
// the same from the newline-joined text the store keeps.
func FuzzParseRedirectURIs(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:9/callback", "https://a.example/cb https://b.example/cb",
		"com.example.app:/oauth2redirect", "vbscript:msgbox(1)", "JavaScript:alert(1)", "data:,x", "file:///etc/passwd",
		"https://a.example/#frag", "/relative", "http:", "urn:ietf:wg:oauth:2.0:oob"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		uris, err := ParseRedirectURIs(text)
		if err != nil {
			return
		}
		if len(uris) == 0 {
			t.Fatalf("ParseRedirectURIs(%q) accepted no URI", text)
		}
		for _, u := range uris {
			if err := ValidateRedirectURI(u); err != nil {
				t.Fatalf("ParseRedirectURIs(%q) kept %q, which ValidateRedirectURI refuses: %v", text, u, err)
			}
			if strings.ContainsFunc(u, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) ||
				strings.Contains(u, "#") {
				t.Fatalf("accepted %q holds whitespace, a control character or #", u)
			}
			p, err := url.Parse(u)
			if err != nil || p.Scheme == "" || p.Fragment != "" {
				t.Fatalf("accepted %q parses as %#v, %v", u, p, err)
			}
			if forbiddenRedirectSchemes[strings.ToLower(p.Scheme)] {
				t.Fatalf("accepted %q has a forbidden scheme", u)
			}
		}
		// As the store keeps them: joined by newlines, read back split
		// and trimmed.
		var back []string
		for _, v := range strings.Split(strings.Join(uris, "\n"), "\n") {
			if v = strings.TrimSpace(v); v != "" {
				back = append(back, v)
			}
		}
		if !slices.Equal(back, uris) {
			t.Fatalf("stored %q reads back as %q", uris, back)
		}
		if again, err := ParseRedirectURIs(strings.Join(uris, "\n")); err != nil || !slices.Equal(again, uris) {
			t.Fatalf("ParseRedirectURIs of its own result %q = %q, %v", uris, again, err)
		}
	})
}

// FuzzApplicationScopes checks the scopes an application may be given:
// known application scopes only, each once; sudo and admin_mode only from
// administrators; dynamic (RFC 7591) clients read-only.
func FuzzApplicationScopes(f *testing.F) {
	f.Add("api read_user", false, false)
	f.Add("sudo,admin_mode", true, false)
	f.Add("read_api openid read_api", false, true)
	f.Add("api", false, true)
	f.Add("", true, true)
	f.Fuzz(func(t *testing.T, list string, admin, dynamic bool) {
		id := &auth.Identity{User: &model.User{ID: 2, IsAdmin: admin}}
		in := strings.Split(list, ",") // as form values: several, each space-separated
		scopes, err := (&Service{}).checkApplicationScopes(id, in, dynamic)
		if err != nil {
			return
		}
		if len(scopes) == 0 {
			t.Fatalf("no scopes accepted from %q", in)
		}
		seen := map[string]bool{}
		for _, s := range scopes {
			switch {
			case seen[s]:
				t.Fatalf("%q accepted twice from %q", s, in)
			case !slices.Contains(ApplicationScopes, s):
				t.Fatalf("unknown scope %q accepted from %q", s, in)
			case appAdminScopes[s] && (!admin || dynamic):
				t.Fatalf("%q accepted (admin %v, dynamic %v)", s, admin, dynamic)
			case dynamic && !slices.Contains(DynamicScopes, s):
				t.Fatalf("%q accepted for a dynamic client", s)
			}
			seen[s] = true
		}
		// Nothing requested was dropped but repeats.
		for _, item := range in {
			for _, s := range strings.Fields(item) {
				if !seen[s] {
					t.Fatalf("requested %q missing from %q", s, scopes)
				}
			}
		}
		if back := auth.ParseScopes(strings.Join(scopes, " ")); !slices.Equal(back, scopes) {
			t.Fatalf("stored scopes %q read back as %q", scopes, back)
		}
	})
}
