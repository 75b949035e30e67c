package web

import (
	"net/url"
	"path"
	"strings"
)

// maxRedirectLen bounds a redirect target; longer ones are not kept.
const maxRedirectLen = 4096

// safeRedirect keeps a redirect target on this site, so sign-in can't be
// an open redirect: anything but a clean local path becomes "/".
func safeRedirect(target string) string {
	if !localTarget(target) {
		return "/"
	}
	return target
}

// localTarget reports whether target is a clean local path, optionally
// followed by a query or fragment. Browsers are lenient where it matters:
// they drop tabs and newlines inside URLs, trim spaces and control bytes
// at the ends, and read "\" as "/", so "/\t/evil", "/\evil" and "/./\evil"
// all become the protocol-relative "//evil". Hence the path must start
// with exactly one "/", hold no byte ≤ 0x20, DEL or backslash anywhere,
// and be what path.Clean makes of it (no "." or ".." segments, no doubled
// slashes; a trailing slash is kept) both as sent and percent-decoded, in
// case anything downstream decodes it once more.
func localTarget(target string) bool {
	if target == "" || len(target) > maxRedirectLen || target[0] != '/' {
		return false
	}
	if !safeBytes(target) {
		return false
	}
	p := target
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	decoded, err := url.PathUnescape(p)
	if err != nil || !cleanPath(p) || !cleanPath(decoded) || !safeBytes(decoded) {
		return false
	}
	u, err := url.Parse(target)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == ""
}

// safeBytes reports whether s has no byte a browser would drop or read
// as a slash.
func safeBytes(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// cleanPath reports whether p is an absolute path path.Clean leaves as it
// is, but for one trailing slash.
func cleanPath(p string) bool {
	c := path.Clean(p)
	return strings.HasPrefix(p, "/") && (p == c || c != "/" && p == c+"/")
}
