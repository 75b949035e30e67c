package oauth

import (
	"crypto/sha256"
	"encoding/base64"

	"github.com/ory/fosite"
)

// PKCE code challenge methods (RFC 7636 §4.2). GitLab's Doorkeeper offers
// both.
const (
	PKCEPlain = "plain"
	PKCES256  = "S256"
)

// The invalid_request errors of CheckCodeChallenge.
var (
	errPlainChallenge = fosite.ErrInvalidRequest.WithHint(
		"The code_challenge must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_' and '~'.")
	errS256Challenge = fosite.ErrInvalidRequest.WithHint(
		"The code_challenge must be the unpadded base64url encoding of a SHA-256 digest (43 characters).")
	errPKCEMethod = fosite.ErrInvalidRequest.WithHint("The code_challenge_method is not supported, use S256 or plain.")
)

// CheckCodeChallenge validates an authorization request's PKCE challenge
// before a code is issued for it; its errors are fosite's invalid_request. A plain challenge is the verifier
// itself, so it must be a valid verifier: 43 to 128 unreserved characters
// (RFC 7636 §4.1), lest a short, guessable one protect the code. An S256
// challenge is BASE64URL(SHA256(verifier)) and has exactly one shape; any
// other could never match at the token endpoint. No challenge at all is
// left to fosite, which requires one from public clients. An absent
// method means plain (§4.3).
func CheckCodeChallenge(method, challenge string) error {
	if challenge == "" {
		if method != "" && method != PKCEPlain && method != PKCES256 {
			return errPKCEMethod
		}
		return nil
	}
	switch method {
	case "", PKCEPlain:
		if !validVerifier(challenge) {
			return errPlainChallenge
		}
	case PKCES256:
		// It must be the one encoding the token endpoint compares
		// against: Go's decoder skips CR and LF and, unless strict,
		// ignores the unused low bits of the last character, so only
		// re-encoding tells.
		b, err := base64.RawURLEncoding.DecodeString(challenge)
		if err != nil || len(b) != sha256.Size || base64.RawURLEncoding.EncodeToString(b) != challenge {
			return errS256Challenge
		}
	default:
		return errPKCEMethod
	}
	return nil
}

// validVerifier reports whether v is an RFC 7636 code verifier:
// 43 to 128 characters from the unreserved set [A-Za-z0-9-._~].
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}
