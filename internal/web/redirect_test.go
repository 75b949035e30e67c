package web

import "testing"

func TestSafeRedirect(t *testing.T) {
	for target, want := range map[string]string{
		// Local paths stay, with their query and fragment.
		"/": "/",
		"/-/user_settings/personal_access_tokens":                                                      "/-/user_settings/personal_access_tokens",
		"/group/project/-/settings/access_tokens/":                                                     "/group/project/-/settings/access_tokens/",
		"/oauth/authorize?client_id=x&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&scope=read_user+openid": "/oauth/authorize?client_id=x&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&scope=read_user+openid",
		"/a?next=//evil.example":                                                                       "/a?next=//evil.example",
		"/a#frag":                                                                                      "/a#frag",
		"/caf%C3%A9":                                                                                   "/caf%C3%A9",
		"/a:b":                                                                                         "/a:b",
		// Off-site, or off-site once a browser is done with it.
		"":                               "/",
		"https://evil.example/":          "/",
		"javascript:alert(1)":            "/",
		"evil.example":                   "/",
		"//evil.example/x":               "/",
		"///evil.example":                "/",
		"/\\evil.example":                "/",
		"\\/evil.example":                "/",
		"/./\\evil.example":              "/",
		"/a\\b":                          "/",
		"/\t/evil.example":               "/",
		"/\n/evil.example":               "/",
		"/\r\n/evil.example":             "/",
		"/\x00/evil.example":             "/",
		"/\x0b/evil.example":             "/",
		"/ /evil.example":                "/",
		" //evil.example":                "/",
		"/\x7f/evil.example":             "/",
		"/a?x=\t":                        "/",
		"%2F%2Fevil.example":             "/",
		"/%2F%2Fevil.example":            "/",
		"/%2f/evil.example":              "/",
		"/%5Cevil.example":               "/",
		"/%09/evil.example":              "/",
		"/%zz":                           "/",
		"/..//evil.example":              "/",
		"/../evil.example":               "/",
		"/./evil.example":                "/",
		"/a/../b":                        "/",
		"/a//b":                          "/",
		"/%2E%2E/%2E%2E//evil":           "/",
		"//":                             "/",
		"/@evil.example":                 "/@evil.example",
		"/" + string(make([]byte, 5000)): "/",
	} {
		if got := safeRedirect(target); got != want {
			t.Errorf("safeRedirect(%q) = %q, want %q", target, got, want)
		}
	}
}
