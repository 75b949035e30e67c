package oauth

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/ory/fosite"
)

// FuzzCheckCodeChallenge checks the PKCE challenge filter against RFC
// 7636: every verifier's S256 challenge passes, and so does a valid
// verifier as a plain challenge; whatever passes could be answered at the
// token endpoint; whatever fails is invalid_request.
func FuzzCheckCodeChallenge(f *testing.F) {
	for _, s := range [][2]string{{"S256", "2i0WFA-0AerkjQm4X4oDEhqA17QIAKNjXpagHBXmO_U"},
		{"plain", "ks02i3jdikdo2k0dkfodf3m39rjfjsdk0wk349rj3jrhf"}, {"plain", "abc"}, {"", ""}, {"S256", ""},
		{"s256", "2i0WFA-0AerkjQm4X4oDEhqA17QIAKNjXpagHBXmO_U"}, {"S256", "2i0WFA-0AerkjQm4X4oDEhqA17QIAKNjXpagHBXmO_V"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, method, challenge string) {
		err := CheckCodeChallenge(method, challenge)
		if err != nil {
			var rfc *fosite.RFC6749Error
			if !errors.As(err, &rfc) || rfc.ErrorField != "invalid_request" || rfc.CodeField != 400 {
				t.Fatalf("CheckCodeChallenge(%q, %q) = %v, not invalid_request", method, challenge, err)
			}
		}
		// The challenge a client computes from any string it could send
		// as a verifier is accepted, and so is the verifier as a plain
		// challenge.
		sum := sha256.Sum256([]byte(challenge))
		if s256 := base64.RawURLEncoding.EncodeToString(sum[:]); CheckCodeChallenge(PKCES256, s256) != nil {
			t.Fatalf("S256 challenge %q of %q refused", s256, challenge)
		}
		if validVerifier(challenge) && (CheckCodeChallenge(PKCEPlain, challenge) != nil || CheckCodeChallenge("", challenge) != nil) {
			t.Fatalf("valid verifier %q refused as a plain challenge", challenge)
		}
		if err != nil || challenge == "" {
			return
		}
		switch method {
		case PKCES256:
			b, derr := base64.RawURLEncoding.DecodeString(challenge)
			if derr != nil || len(b) != sha256.Size || base64.RawURLEncoding.EncodeToString(b) != challenge {
				t.Fatalf("accepted S256 challenge %q is no SHA-256 digest's encoding", challenge)
			}
		case PKCEPlain, "":
			// fosite compares a plain challenge with the verifier, which
			// it accepts only at 43 to 128 unreserved characters.
			if len(challenge) < 43 || len(challenge) > 128 ||
				strings.Trim(challenge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") != "" {
				t.Fatalf("accepted plain challenge %q is no valid verifier", challenge)
			}
		default:
			t.Fatalf("challenge accepted with method %q", method)
		}
	})
}

// FuzzNormalizeUserCode checks typed device user codes normalize
// idempotently into the alphabet's case without separators, and that
// every code lablet issues survives typing it in with dashes, spaces and
// lower case.
func FuzzNormalizeUserCode(f *testing.F) {
	f.Add("bcdf-ghjk")
	f.Add(" BCDF GHJK ")
	f.Add("ǆ") // a title-case letter
	f.Fuzz(func(t *testing.T, typed string) {
		n := NormalizeUserCode(typed)
		if NormalizeUserCode(n) != n {
			t.Fatalf("NormalizeUserCode(%q) = %q is not normalized", typed, n)
		}
		if strings.ContainsAny(n, "- ") {
			t.Fatalf("NormalizeUserCode(%q) = %q keeps a separator", typed, n)
		}
		code := newUserCode()
		var b strings.Builder
		for i, r := range strings.ToLower(code) {
			if i == 4 {
				b.WriteString(" - ")
			}
			b.WriteRune(r)
		}
		if NormalizeUserCode(b.String()) != code {
			t.Fatalf("issued code %q typed as %q normalizes to %q", code, b.String(), NormalizeUserCode(b.String()))
		}
	})
}
