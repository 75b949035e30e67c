package service

import "testing"

func TestValidateRedirectURI(t *testing.T) {
	for uri, want := range map[string]string{
		"http://127.0.0.1:9/callback":     "",
		"https://example.com/cb?x=1":      "",
		"com.example.app:/oauth2redirect": "",
		"urn:ietf:wg:oauth:2.0:oob":       "",
		"vbscript:msgbox(1)":              "is forbidden by the server.",
		"VBScript:msgbox(1)":              "is forbidden by the server.",
		"javascript:alert(1)":             "is forbidden by the server.",
		"JAVASCRIPT://x/%0aalert(1)":      "is forbidden by the server.",
		"data:text/html,x":                "is forbidden by the server.",
		"file:///etc/passwd":              "is forbidden by the server.",
		"https://example.com/cb#x":        "cannot contain a fragment.",
		"https://example.com/cb#":         "cannot contain a fragment.",
		"/relative":                       "must be an absolute URI.",
		"http:":                           "must be an absolute URI.",
		"":                                "must be an absolute URI.",
		"https://example.com/a b":         "must be an absolute URI.",
		"https://example.com/\u00a0":      "must be an absolute URI.",
		"java\tscript:alert(1)":           "must be an absolute URI.",
		"\x00javascript:alert(1)":         "must be an absolute URI.",
		"jav&#x61;script:alert(1)":        "must be an absolute URI.",
	} {
		got := ""
		if err := ValidateRedirectURI(uri); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("ValidateRedirectURI(%q) = %q, want %q", uri, got, want)
		}
	}
}
