package service

import (
	"errors"
	"net/url"
	"strings"
	"unicode"
)

// forbiddenRedirectSchemes are schemes a browser would run or read
// locally rather than send to a client: GitLab forbids data, vbscript and
// javascript; file reads the user's disk.
var forbiddenRedirectSchemes = map[string]bool{"javascript": true, "vbscript": true, "data": true, "file": true}

// ValidateRedirectURI checks one OAuth redirect URI, with Doorkeeper's
// messages: an absolute URI (http, https or an app's own scheme) without
// a fragment, whitespace or control characters, and not of a scheme in
// forbiddenRedirectSchemes. Every way of registering an application, and
// the authorization endpoint, use it.
func ValidateRedirectURI(u string) error {
	if strings.ContainsFunc(u, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return errors.New("must be an absolute URI.")
	}
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" || (p.Host == "" && p.Opaque == "" && p.Path == "") {
		return errors.New("must be an absolute URI.")
	}
	if p.Fragment != "" || strings.Contains(u, "#") {
		return errors.New("cannot contain a fragment.")
	}
	if forbiddenRedirectSchemes[strings.ToLower(p.Scheme)] {
		return errors.New("is forbidden by the server.")
	}
	return nil
}
