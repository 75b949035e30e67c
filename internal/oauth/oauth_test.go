package oauth_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"
	"golang.org/x/oauth2"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/service"
)

const callback = "http://127.0.0.1:9/callback"

// app registers an instance application through the admin API.
func app(t *testing.T, s *labtest.Server, scopes string, confidential bool) (id, secret string) {
	t.Helper()
	resp := s.Do(t, labtest.Request{Method: "POST", Path: "/applications", Token: s.RootToken,
		Form: url.Values{"name": {"Test app"}, "redirect_uri": {callback}, "scopes": {scopes},
			"confidential": {map[bool]string{true: "true", false: "false"}[confidential]}}})
	if resp.Status != http.StatusCreated {
		t.Fatalf("create application = %d %s", resp.Status, resp.Body)
	}
	m := resp.Map(t)
	if m["secret"] == "" || m["callback_url"] != callback || m["application_name"] != "Test app" {
		t.Fatalf("application entity = %v", m)
	}
	return m["application_id"].(string), m["secret"].(string)
}

var csrfField = regexp.MustCompile(`name="authenticity_token" value="([^"]+)"`)

// browser is a cookie-keeping HTTP client signed in as root that does not
// follow redirects.
func browser(t *testing.T, s *labtest.Server) *http.Client {
	t.Helper()
	return browserAs(t, s, "root", s.Config.RootPassword)
}

// browserAs is browser for another user.
func browserAs(t *testing.T, s *labtest.Server, login, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tok := pageToken(t, c, s.URL+"/users/sign_in")
	resp, err := c.PostForm(s.URL+"/users/sign_in", url.Values{"authenticity_token": {tok},
		"user[login]": {login}, "user[password]": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("sign in = %d", resp.StatusCode)
	}
	return c
}

func pageToken(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(b)
	if m == nil {
		t.Fatalf("GET %s = %d without a form: %s", u, resp.StatusCode, b)
	}
	return string(m[1])
}

// authorize approves an authorization request as root and returns the
// redirect's query.
func authorize(t *testing.T, s *labtest.Server, c *http.Client, authURL string) url.Values {
	t.Helper()
	tok := pageToken(t, c, authURL)
	u, _ := url.Parse(authURL)
	resp, err := c.PostForm(s.URL+"/oauth/authorize?"+u.RawQuery, url.Values{"authenticity_token": {tok},
		"decision": {"authorize"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound || err != nil ||
		!strings.HasPrefix(loc.String(), callback) {
		t.Fatalf("authorize = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}

func oauthConfig(s *labtest.Server, id, secret string, scopes ...string) *oauth2.Config {
	return &oauth2.Config{ClientID: id, ClientSecret: secret, RedirectURL: callback, Scopes: scopes,
		Endpoint: oauth2.Endpoint{AuthURL: s.URL + "/oauth/authorize", TokenURL: s.URL + "/oauth/token",
			DeviceAuthURL: s.URL + "/oauth/authorize_device"}}
}

// post sends a form to an OAuth endpoint and decodes the JSON answer.
func post(t *testing.T, u string, form url.Values, basic ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

func wantError(t *testing.T, status int, m map[string]any, want string) {
	t.Helper()
	if status < 400 || m["error"] != want || m["access_token"] != nil {
		t.Fatalf("got %d %v, want error %q and no token", status, m, want)
	}
}

func TestAuthorizationCodePKCEAndRefresh(t *testing.T) {
	s := labtest.Start(t)
	ctx := context.Background()
	id, secret := app(t, s, "api read_user openid profile email", true)
	conf := oauthConfig(s, id, secret, "read_user", "openid", "email")
	c := browser(t, s)
	verifier := oauth2.GenerateVerifier()
	q := authorize(t, s, c, conf.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("nonce", "nonce-456")))
	if q.Get("state") != "state-123" || q.Get("code") == "" {
		t.Fatalf("callback query = %v", q)
	}
	code := q.Get("code")

	// A wrong verifier fails and burns nothing else.
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption("wrong-verifier-wrong-verifier-wrong-verifier-xx")); err == nil {
		t.Fatal("exchange with a wrong PKCE verifier succeeded")
	}
	q = authorize(t, s, c, conf.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("nonce", "nonce-456")))
	code = q.Get("code")
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.TokenType != "Bearer" || tok.RefreshToken == "" || tok.Extra("expires_in").(float64) != 7200 ||
		tok.Extra("scope") != "read_user openid email" || tok.Extra("created_at") == nil {
		t.Fatalf("token = %+v scope=%v expires_in=%v", tok, tok.Extra("scope"), tok.Extra("expires_in"))
	}

	// The code is single use, and reusing it revokes what it issued
	// (RFC 6749 §4.1.2).
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier)); err == nil ||
		!strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("reused code: %v", err)
	}
	if resp := s.Do(t, labtest.Request{Path: "/user", Header: map[string]string{"Authorization": "Bearer " + tok.AccessToken}}); resp.Status != http.StatusUnauthorized {
		t.Fatalf("token of a reused code = %d", resp.Status)
	}
	verifier = oauth2.GenerateVerifier()
	code = authorize(t, s, c, conf.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("nonce", "nonce-456"))).Get("code")
	if tok, err = conf.Exchange(ctx, code, oauth2.VerifierOption(verifier)); err != nil {
		t.Fatal(err)
	}

	t.Run("IDToken", func(t *testing.T) {
		raw, _ := tok.Extra("id_token").(string)
		claims := verifyIDToken(t, s, raw)
		if claims["iss"] != s.URL || claims["sub"] != "1" || claims["aud"] == nil || claims["nonce"] != "nonce-456" ||
			claims["preferred_username"] != "root" || claims["auth_time"] == nil || claims["email"] == nil {
			t.Fatalf("id token claims = %v", claims)
		}
		resp := s.Do(t, labtest.Request{Path: s.URL + "/oauth/userinfo", Header: map[string]string{"Authorization": "Bearer " + tok.AccessToken}})
		if m := resp.Map(t); resp.Status != 200 || m["sub"] != "1" || m["nickname"] != "root" {
			t.Fatalf("userinfo = %d %s", resp.Status, resp.Body)
		}
	})

	t.Run("REST", func(t *testing.T) {
		for _, req := range []labtest.Request{
			{Path: "/user", Header: map[string]string{"Authorization": "Bearer " + tok.AccessToken}},
			{Path: "/user?access_token=" + tok.AccessToken},
		} {
			resp := s.Do(t, req)
			if resp.Status != 200 || resp.Map(t)["username"] != "root" {
				t.Fatalf("GET /user = %d %s", resp.Status, resp.Body)
			}
		}
		// read_user can't write.
		resp := s.Do(t, labtest.Request{Method: "POST", Path: "/projects", JSON: map[string]any{"name": "x"},
			Header: map[string]string{"Authorization": "Bearer " + tok.AccessToken}})
		if resp.Status != http.StatusForbidden || resp.Map(t)["error"] != "insufficient_scope" {
			t.Fatalf("POST /projects with read_user = %d %s", resp.Status, resp.Body)
		}
		info := s.Do(t, labtest.Request{Path: s.URL + "/oauth/token/info?access_token=" + tok.AccessToken})
		if m := info.Map(t); info.Status != 200 || m["resource_owner_id"].(float64) != 1 ||
			m["application"].(map[string]any)["uid"] != id {
			t.Fatalf("token info = %d %s", info.Status, info.Body)
		}
	})

	t.Run("RefreshRotation", func(t *testing.T) {
		status, m := post(t, s.URL+"/oauth/token", url.Values{"grant_type": {"refresh_token"},
			"refresh_token": {tok.RefreshToken}}, id, secret)
		if status != 200 || m["access_token"] == nil || m["refresh_token"] == tok.RefreshToken || m["id_token"] == nil {
			t.Fatalf("refresh = %d %v", status, m)
		}
		// The old access token stopped working.
		resp := s.Do(t, labtest.Request{Path: "/user", Header: map[string]string{"Authorization": "Bearer " + tok.AccessToken}})
		if resp.Status != http.StatusUnauthorized {
			t.Fatalf("old access token after refresh = %d", resp.Status)
		}
		newAccess := m["access_token"].(string)
		if resp := s.Do(t, labtest.Request{Path: "/user", Header: map[string]string{"Authorization": "Bearer " + newAccess}}); resp.Status != 200 {
			t.Fatalf("new access token = %d", resp.Status)
		}
		// Reusing the used refresh token fails and revokes the family.
		status, m2 := post(t, s.URL+"/oauth/token", url.Values{"grant_type": {"refresh_token"},
			"refresh_token": {tok.RefreshToken}}, id, secret)
		wantError(t, status, m2, "invalid_grant")
		if resp := s.Do(t, labtest.Request{Path: "/user", Header: map[string]string{"Authorization": "Bearer " + newAccess}}); resp.Status != http.StatusUnauthorized {
			t.Fatalf("token after refresh reuse = %d", resp.Status)
		}
		status, m3 := post(t, s.URL+"/oauth/token", url.Values{"grant_type": {"refresh_token"},
			"refresh_token": {m["refresh_token"].(string)}}, id, secret)
		wantError(t, status, m3, "invalid_grant")
	})
}

// verifyIDToken checks an ID token's RS256 signature against the JWKS the
// discovery document names, and returns its claims.
func verifyIDToken(t *testing.T, s *labtest.Server, raw string) map[string]any {
	t.Helper()
	disc := s.Do(t, labtest.Request{Path: s.URL + "/.well-known/openid-configuration"}).Map(t)
	if disc["issuer"] != s.URL || disc["jwks_uri"] != s.URL+"/oauth/discovery/keys" {
		t.Fatalf("discovery = %v", disc)
	}
	var set jose.JSONWebKeySet
	s.Do(t, labtest.Request{Path: disc["jwks_uri"].(string)}).JSON(t, &set)
	sig, err := jose.ParseSigned(raw)
	if err != nil {
		t.Fatalf("id token %q: %v", raw, err)
	}
	if len(sig.Signatures) != 1 || sig.Signatures[0].Header.Algorithm != "RS256" {
		t.Fatalf("id token header = %+v", sig.Signatures)
	}
	keys := set.Key(sig.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in JWKS", sig.Signatures[0].Header.KeyID)
	}
	payload, err := sig.Verify(keys[0].Key)
	if err != nil {
		t.Fatalf("id token signature: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if exp := claims["exp"].(float64); int64(exp) < time.Now().Unix() {
		t.Fatalf("id token expired: %v", claims)
	}
	return claims
}

func TestAuthorizationErrors(t *testing.T) {
	s := labtest.Start(t)
	ctx := context.Background()
	id, secret := app(t, s, "api", true)
	conf := oauthConfig(s, id, secret, "api")
	c := browser(t, s)

	t.Run("UnknownClient", func(t *testing.T) {
		bad := oauthConfig(s, "nope", "x", "api")
		resp, err := c.Get(bad.AuthCodeURL("state-123"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Fatalf("unknown client = %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		status, m := post(t, s.URL+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {"x"},
			"redirect_uri": {callback}}, "nope", "x")
		wantError(t, status, m, "invalid_client")
	})
	t.Run("OpenRedirect", func(t *testing.T) {
		for _, evil := range []string{"https://evil.example/callback", "http://127.0.0.1:10/callback", callback + "/../x"} {
			u := conf.AuthCodeURL("state-123", oauth2.SetAuthURLParam("redirect_uri", evil))
			resp, err := c.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
				t.Fatalf("redirect_uri %q = %d to %q", evil, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	})
	t.Run("ForgedCSRF", func(t *testing.T) {
		u, _ := url.Parse(conf.AuthCodeURL("state-123"))
		for _, form := range []url.Values{{"decision": {"authorize"}},
			{"decision": {"authorize"}, "authenticity_token": {"forged"}}} {
			resp, err := c.PostForm(s.URL+"/oauth/authorize?"+u.RawQuery, form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnprocessableEntity || resp.Header.Get("Location") != "" {
				t.Fatalf("forged consent = %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	})
	t.Run("Deny", func(t *testing.T) {
		authURL := conf.AuthCodeURL("state-123")
		tok := pageToken(t, c, authURL)
		u, _ := url.Parse(authURL)
		resp, err := c.PostForm(s.URL+"/oauth/authorize?"+u.RawQuery, url.Values{"authenticity_token": {tok}, "decision": {"deny"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "state-123" || loc.Query().Get("code") != "" {
			t.Fatalf("deny redirect = %q", resp.Header.Get("Location"))
		}
	})
	t.Run("WrongSecret", func(t *testing.T) {
		code := authorize(t, s, c, conf.AuthCodeURL("state-123")).Get("code")
		status, m := post(t, s.URL+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {callback}}, id, "wrong")
		wantError(t, status, m, "invalid_client")
	})
	t.Run("MismatchedRedirect", func(t *testing.T) {
		code := authorize(t, s, c, conf.AuthCodeURL("state-123")).Get("code")
		status, m := post(t, s.URL+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {"http://127.0.0.1:9/other"}}, id, secret)
		wantError(t, status, m, "invalid_grant")
	})
	t.Run("ExpiredCode", func(t *testing.T) {
		code := authorize(t, s, c, conf.AuthCodeURL("state-123")).Get("code")
		if _, err := s.Srv.DB.SQL().Exec("UPDATE oauth_grants SET expires_at = 1 WHERE kind = 'code'"); err != nil {
			t.Fatal(err)
		}
		_, err := conf.Exchange(ctx, code)
		if err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Fatalf("expired code: %v", err)
		}
	})
	t.Run("PublicClientNeedsPKCE", func(t *testing.T) {
		pid, _ := app(t, s, "api", false)
		pub := oauthConfig(s, pid, "", "api")
		if q := authorize(t, s, c, pub.AuthCodeURL("state-123")); q.Get("error") != "invalid_request" || q.Get("code") != "" {
			t.Fatalf("public client without PKCE = %v", q)
		}
		// Plain PKCE works for public clients.
		v := oauth2.GenerateVerifier()
		code := authorize(t, s, c, pub.AuthCodeURL("state-123", oauth2.SetAuthURLParam("code_challenge", v),
			oauth2.SetAuthURLParam("code_challenge_method", "plain"))).Get("code")
		if _, err := pub.Exchange(ctx, code, oauth2.VerifierOption(v)); err != nil {
			t.Fatalf("plain PKCE exchange: %v", err)
		}
	})
}

// TestMalformedPKCEChallenge refuses challenges no valid verifier could
// answer, and short plain ones, before consent: invalid_request goes back
// to the client.
func TestMalformedPKCEChallenge(t *testing.T) {
	s := labtest.Start(t)
	pid, _ := app(t, s, "read_user", false)
	pub := oauthConfig(s, pid, "", "read_user")
	c := browser(t, s)
	s256 := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	for _, tc := range []struct{ method, challenge string }{
		{"plain", "abc"},
		{"plain", strings.Repeat("a", 42)},
		{"plain", strings.Repeat("a", 129)},
		{"plain", strings.Repeat("a", 42) + "+"},
		{"plain", strings.Repeat("a", 42) + "%"},
		{"", "short"},
		{"S256", s256[:42]},
		{"S256", s256 + "="},
		{"S256", strings.Repeat("+", 43)},
		{"s256", s256},
	} {
		u := pub.AuthCodeURL("state-pkce", oauth2.SetAuthURLParam("code_challenge", tc.challenge),
			oauth2.SetAuthURLParam("code_challenge_method", tc.method))
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode/100 != 3 || !strings.HasPrefix(loc.String(), callback) ||
			loc.Query().Get("error") != "invalid_request" || loc.Query().Get("state") != "state-pkce" {
			t.Fatalf("challenge %q (method %q) = %d to %q, want invalid_request", tc.challenge, tc.method,
				resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// Well-formed challenges of both methods still get a consent page.
	for _, opt := range []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("code_challenge", strings.Repeat("A-._~z9", 19)[:128])} {
		resp, err := c.Get(pub.AuthCodeURL("state-pkce", opt))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("valid challenge = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

func TestPasswordGrant(t *testing.T) {
	for _, enabled := range []bool{true, false} {
		s := labtest.Start(t, func(c *config.Config) { c.OAuthPasswordGrant = enabled })
		id, secret := app(t, s, "api read_user", true)
		form := url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {s.Config.RootPassword}}
		status, m := post(t, s.URL+"/oauth/token", form, id, secret)
		if !enabled {
			wantError(t, status, m, "unsupported_grant_type")
			continue
		}
		if status != 200 || m["scope"] != "api" || m["token_type"] != "Bearer" {
			t.Fatalf("password grant = %d %v", status, m)
		}
		if m["id_token"] != nil {
			t.Fatalf("id_token without openid: %v", m)
		}
		form.Set("password", "wrong")
		status, m = post(t, s.URL+"/oauth/token", form, id, secret)
		wantError(t, status, m, "invalid_grant")

		// With openid granted, the password grant answers with a signed
		// id_token as well.
		oid, osecret := app(t, s, "read_user openid", true)
		form = url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {s.Config.RootPassword},
			"scope": {"openid read_user"}}
		status, m = post(t, s.URL+"/oauth/token", form, oid, osecret)
		raw, _ := m["id_token"].(string)
		if status != 200 || raw == "" {
			t.Fatalf("password grant with openid = %d %v", status, m)
		}
		if claims := verifyIDToken(t, s, raw); claims["sub"] != "1" || claims["aud"] == nil || claims["iss"] != s.URL {
			t.Fatalf("password grant id_token claims = %v", claims)
		}

		// GitLab's documented form sends no client at all; the token gets
		// the api scope and works on the REST API.
		form = url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {s.Config.RootPassword}}
		status, m = post(t, s.URL+"/oauth/token", form)
		tok, _ := m["access_token"].(string)
		if status != 200 || tok == "" || m["scope"] != "api" || m["refresh_token"] == nil {
			t.Fatalf("password grant without a client = %d %v", status, m)
		}
		if r := s.Do(t, labtest.Request{Path: "/user", Header: map[string]string{"Authorization": "Bearer " + tok}}); r.Status != 200 {
			t.Fatalf("GET /user with a client-less password grant token = %d %s", r.Status, r.Body)
		}
		form.Set("password", "wrong")
		status, m = post(t, s.URL+"/oauth/token", form)
		wantError(t, status, m, "invalid_grant")
		// The stand-in client is not an application anyone sees, and it
		// can't start other grants.
		apps := s.Do(t, labtest.Request{Path: "/applications", Token: s.RootToken})
		if strings.Contains(string(apps.Body), "lablet-password-grant") {
			t.Fatalf("built-in client listed: %s", apps.Body)
		}
		status, m = post(t, s.URL+"/oauth/authorize_device", url.Values{"client_id": {"lablet-password-grant"}})
		if status < 400 || m["device_code"] != nil {
			t.Fatalf("device authorization with the built-in client = %d %v", status, m)
		}
	}
}

func TestDeviceFlowErrors(t *testing.T) {
	s := labtest.Start(t)
	id, secret := app(t, s, "read_user", true)
	status, m := post(t, s.URL+"/oauth/authorize_device", url.Values{"scope": {"read_user"}}, id, secret)
	if status != 200 || m["verification_uri"] != s.URL+"/oauth/device" || m["interval"].(float64) != 5 ||
		m["expires_in"].(float64) != 300 || !strings.Contains(m["verification_uri_complete"].(string), "user_code=") {
		t.Fatalf("device authorization = %d %v", status, m)
	}
	poll := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {m["device_code"].(string)}}
	status, r := post(t, s.URL+"/oauth/token", poll, id, secret)
	wantError(t, status, r, "authorization_pending")
	status, r = post(t, s.URL+"/oauth/token", poll, id, secret)
	wantError(t, status, r, "slow_down")
	if _, err := s.Srv.DB.SQL().Exec("UPDATE oauth_device_grants SET expires_at = 1"); err != nil {
		t.Fatal(err)
	}
	status, r = post(t, s.URL+"/oauth/token", poll, id, secret)
	wantError(t, status, r, "expired_token")
	status, r = post(t, s.URL+"/oauth/token", url.Values{"grant_type": {poll.Get("grant_type")}, "device_code": {"bogus"}}, id, secret)
	wantError(t, status, r, "invalid_grant")
	// Scopes beyond the application's are refused.
	status, r = post(t, s.URL+"/oauth/authorize_device", url.Values{"scope": {"api"}}, id, secret)
	wantError(t, status, r, "invalid_scope")
}

func TestKeySurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	dbURL := labtest.DatabaseURL(t)
	opt := func(c *config.Config) { c.DataDir, c.DatabaseURL = dir, dbURL }
	jwks := func() string {
		s := labtest.Start(t, opt)
		b := s.Do(t, labtest.Request{Path: s.URL + "/oauth/discovery/keys"}).Body
		s.Srv.Close()
		return string(b)
	}
	first := jwks()
	fi, err := os.Stat(filepath.Join(dir, "oauth", "id_token_rsa.pem"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if second := jwks(); second != first || !strings.Contains(first, `"RS256"`) {
		t.Fatalf("JWKS changed across restart:\n%s\n%s", first, second)
	}
}

func TestGitWithOAuthToken(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	s := labtest.Start(t, func(c *config.Config) { c.OAuthPasswordGrant = true })
	resp := s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: s.RootToken,
		JSON: map[string]any{"name": "oauthproj", "visibility": "private", "initialize_with_readme": true}})
	if resp.Status != http.StatusCreated {
		t.Fatalf("create project = %d %s", resp.Status, resp.Body)
	}
	id, secret := app(t, s, "read_repository read_user", true)
	token := func(scope string) string {
		status, m := post(t, s.URL+"/oauth/token", url.Values{"grant_type": {"password"}, "username": {"root"},
			"password": {s.Config.RootPassword}, "scope": {scope}}, id, secret)
		if status != 200 {
			t.Fatalf("token = %d %v", status, m)
		}
		return m["access_token"].(string)
	}
	host := strings.TrimPrefix(s.URL, "http://")
	git := func(args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0"}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	dir := filepath.Join(t.TempDir(), "w")
	if out, err := git("clone", "-q", "http://oauth2:"+token("read_repository")+"@"+host+"/root/oauthproj.git", dir); err != nil {
		t.Fatalf("clone: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Fatalf("clone has no README: %v", err)
	}
	// A token without a repository scope can't clone.
	if out, err := git("clone", "-q", "http://oauth2:"+token("read_user")+"@"+host+"/root/oauthproj.git", dir+"2"); err == nil {
		t.Fatalf("clone with read_user succeeded:\n%s", out)
	}
}

func TestApplicationsAPIAndRegistration(t *testing.T) {
	s := labtest.Start(t)
	id, secret := app(t, s, "api", true)
	list := s.Do(t, labtest.Request{Path: "/applications", Token: s.RootToken})
	var apps []map[string]any
	list.JSON(t, &apps)
	if list.Status != 200 || len(apps) != 1 || apps[0]["application_id"] != id || apps[0]["secret"] != nil {
		t.Fatalf("list = %d %s", list.Status, list.Body)
	}
	appNum := int64(apps[0]["id"].(float64))
	renew := s.Do(t, labtest.Request{Method: "POST", Path: "/applications/" + jsonNum(appNum) + "/renew-secret", Token: s.RootToken})
	newSecret, _ := renew.Map(t)["secret"].(string)
	if renew.Status != http.StatusCreated || newSecret == "" || newSecret == secret {
		t.Fatalf("renew = %d %s", renew.Status, renew.Body)
	}
	// The old secret stops working.
	status, m := post(t, s.URL+"/oauth/authorize_device", url.Values{}, id, secret)
	wantError(t, status, m, "invalid_client")
	user := s.NewUser(t, "alice")
	if resp := s.Do(t, labtest.Request{Path: "/applications", Token: user.Token}); resp.Status != http.StatusForbidden {
		t.Fatalf("non-admin list = %d", resp.Status)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: "/applications", Token: s.RootToken, Form: url.Values{"redirect_uri": {callback}, "scopes": {"api"}}}).
		ExpectError(t, 400, `{"error":"name is missing"}`)
	if resp := s.Do(t, labtest.Request{Method: "DELETE", Path: "/applications/" + jsonNum(appNum), Token: s.RootToken}); resp.Status != http.StatusNoContent {
		t.Fatalf("delete = %d", resp.Status)
	}

	reg := s.Do(t, labtest.Request{Method: "POST", Path: s.URL + "/oauth/register",
		JSON: map[string]any{"client_name": "CLI", "redirect_uris": []string{callback}}})
	rm := reg.Map(t)
	if reg.Status != http.StatusCreated || rm["client_id"] == nil || rm["token_endpoint_auth_method"] != "none" ||
		rm["client_secret"] != nil || strings.Contains(" "+rm["scope"].(string)+" ", " api ") {
		t.Fatalf("register = %d %s", reg.Status, reg.Body)
	}
	bad := s.Do(t, labtest.Request{Method: "POST", Path: s.URL + "/oauth/register",
		JSON: map[string]any{"client_name": "CLI", "redirect_uris": []string{callback}, "scope": "api"}})
	if bad.Status != 400 || bad.Map(t)["error"] != "invalid_client_metadata" {
		t.Fatalf("register with api = %d %s", bad.Status, bad.Body)
	}
}

// TestForbiddenRedirectURIs refuses URIs a browser would run or read
// locally, in every way of registering an application, and never
// redirects to one stored before.
func TestForbiddenRedirectURIs(t *testing.T) {
	s := labtest.Start(t)
	forbidden := []string{"vbscript:msgbox(1)", "VBScript:msgbox(1)", "javascript:alert(1)", "JavaScript://x/%0aalert(1)",
		"data:text/html,<script>alert(1)</script>", "file:///etc/passwd", "FILE://host/share"}
	for _, uri := range forbidden {
		reg := s.Do(t, labtest.Request{Method: "POST", Path: s.URL + "/oauth/register",
			JSON: map[string]any{"client_name": "CLI", "redirect_uris": []string{callback, uri}}})
		if reg.Status != http.StatusBadRequest || reg.Map(t)["error"] != "invalid_redirect_uri" {
			t.Fatalf("register %q = %d %s", uri, reg.Status, reg.Body)
		}
		s.Do(t, labtest.Request{Method: "POST", Path: "/applications", Token: s.RootToken,
			Form: url.Values{"name": {"App"}, "redirect_uri": {uri}, "scopes": {"api"}}}).
			ExpectError(t, http.StatusBadRequest, `{"message":{"redirect_uri":["is forbidden by the server."]}}`)
	}
	// Ordinary and native-app URIs are still welcome.
	for _, uri := range []string{callback, "https://example.com/cb?x=1", "com.example.app:/oauth2redirect"} {
		reg := s.Do(t, labtest.Request{Method: "POST", Path: s.URL + "/oauth/register",
			JSON: map[string]any{"client_name": "CLI", "redirect_uris": []string{uri}}})
		if reg.Status != http.StatusCreated {
			t.Fatalf("register %q = %d %s", uri, reg.Status, reg.Body)
		}
	}

	// An application stored with such a URI before registration refused
	// it: the authorization page shows the error and does not redirect.
	id, secret := app(t, s, "read_user", true)
	if _, err := s.Srv.DB.SQL().Exec("UPDATE oauth_applications SET redirect_uri = 'vbscript:msgbox(1)' WHERE uid = '" + id + "'"); err != nil {
		t.Fatal(err)
	}
	conf := oauthConfig(s, id, secret, "read_user")
	c := browser(t, s)
	for _, u := range []string{
		conf.AuthCodeURL("state-123", oauth2.SetAuthURLParam("redirect_uri", "vbscript:msgbox(1)")),
		conf.AuthCodeURL("state-123", oauth2.SetAuthURLParam("redirect_uri", "")),
		// An invalid request too must not be answered there.
		conf.AuthCodeURL("state-123", oauth2.SetAuthURLParam("redirect_uri", "vbscript:msgbox(1)"),
			oauth2.SetAuthURLParam("response_type", "token")),
	} {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Fatalf("authorize with a stored vbscript: URI = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// TestRegistrationAndDeviceThrottled allows ten registrations and ten
// device authorizations a minute per client address; the 11th gets 429.
// Another address is unaffected, and X-Forwarded-For changes nothing.
func TestRegistrationAndDeviceThrottled(t *testing.T) {
	s := labtest.Start(t)
	// The server listens on 127.0.0.1; connecting from 127.0.0.2 is
	// another client address.
	other := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext}}
	send := func(c *http.Client, path, body, contentType string, header ...string) (*http.Response, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp, m
	}
	register := `{"client_name":"CLI","redirect_uris":["` + callback + `"]}`
	for i := 0; i < 10; i++ {
		if resp, m := send(http.DefaultClient, "/oauth/register", register, "application/json"); resp.StatusCode != http.StatusCreated {
			t.Fatalf("registration %d = %d %v", i+1, resp.StatusCode, m)
		}
	}
	resp, m := send(http.DefaultClient, "/oauth/register", register, "application/json", "X-Forwarded-For", "203.0.113.9")
	retry, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != http.StatusTooManyRequests || m["error"] != "too_many_requests" || retry < 1 || retry > 60 {
		t.Fatalf("11th registration = %d %v, Retry-After %q", resp.StatusCode, m, resp.Header.Get("Retry-After"))
	}
	if resp, m := send(other, "/oauth/register", register, "application/json"); resp.StatusCode != http.StatusCreated {
		t.Fatalf("registration from another address = %d %v", resp.StatusCode, m)
	}

	// Device authorization has its own bucket, bad requests included.
	id, _ := app(t, s, "read_user", false)
	form := url.Values{"client_id": {id}, "scope": {"read_user"}}.Encode()
	for i := 0; i < 10; i++ {
		if resp, m := send(http.DefaultClient, "/oauth/authorize_device", form, "application/x-www-form-urlencoded"); resp.StatusCode != http.StatusOK {
			t.Fatalf("device authorization %d = %d %v", i+1, resp.StatusCode, m)
		}
	}
	resp, m = send(http.DefaultClient, "/oauth/authorize_device", form, "application/x-www-form-urlencoded")
	if resp.StatusCode != http.StatusTooManyRequests || m["error"] != "too_many_requests" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("11th device authorization = %d %v", resp.StatusCode, m)
	}
	if resp, m := send(other, "/oauth/authorize_device", form, "application/x-www-form-urlencoded"); resp.StatusCode != http.StatusOK {
		t.Fatalf("device authorization from another address = %d %v", resp.StatusCode, m)
	}
}

// TestInactiveUsersTokens checks a blocked or deactivated user's OAuth
// tokens are inactive everywhere, as a revoked token is: token info,
// introspection, userinfo, the REST API, refresh and code exchange.
func TestInactiveUsersTokens(t *testing.T) {
	s := labtest.Start(t, func(c *config.Config) { c.OAuthPasswordGrant = true })
	const password = "alice-password-1234"
	created := s.Do(t, labtest.Request{Method: "POST", Path: "/users", Token: s.RootToken, JSON: map[string]any{
		"username": "alice", "email": "alice@example.com", "name": "Alice", "password": password}})
	if created.Status != http.StatusCreated {
		t.Fatalf("create alice = %d %s", created.Status, created.Body)
	}
	alice := jsonNum(int64(created.Map(t)["id"].(float64)))
	id, secret := app(t, s, "api read_user openid", true)
	status, m := post(t, s.URL+"/oauth/token", url.Values{"grant_type": {"password"}, "username": {"alice"},
		"password": {password}, "scope": {"openid read_user"}}, id, secret)
	access, _ := m["access_token"].(string)
	refresh, _ := m["refresh_token"].(string)
	if status != http.StatusOK || access == "" || refresh == "" {
		t.Fatalf("password grant = %d %v", status, m)
	}
	conf := oauthConfig(s, id, secret, "read_user")
	code := authorize(t, s, browserAs(t, s, "alice", password), conf.AuthCodeURL("state-123")).Get("code")
	bearer := map[string]string{"Authorization": "Bearer " + access}
	introspect := func() map[string]any {
		t.Helper()
		status, m := post(t, s.URL+"/oauth/introspect", url.Values{"token": {access}}, id, secret)
		if status != http.StatusOK {
			t.Fatalf("introspect = %d %v", status, m)
		}
		return m
	}
	if info := s.Do(t, labtest.Request{Path: s.URL + "/oauth/token/info", Header: bearer}); info.Status != http.StatusOK {
		t.Fatalf("token info of an active user = %d %s", info.Status, info.Body)
	}
	if m := introspect(); m["active"] != true {
		t.Fatalf("introspection of an active user's token = %v", m)
	}

	for _, action := range []string{"block", "deactivate"} {
		if action == "deactivate" {
			s.Do(t, labtest.Request{Method: "POST", Path: "/users/" + alice + "/unblock", Token: s.RootToken})
		}
		if r := s.Do(t, labtest.Request{Method: "POST", Path: "/users/" + alice + "/" + action, Token: s.RootToken}); r.Status != http.StatusCreated {
			t.Fatalf("%s alice = %d %s", action, r.Status, r.Body)
		}
		info := s.Do(t, labtest.Request{Path: s.URL + "/oauth/token/info", Header: bearer})
		if info.Status != http.StatusUnauthorized || info.Map(t)["error"] != "invalid_token" {
			t.Fatalf("%s: token info = %d %s", action, info.Status, info.Body)
		}
		if m := introspect(); m["active"] != false || len(m) != 1 {
			t.Fatalf("%s: introspection = %v, want only active false", action, m)
		}
		if r := s.Do(t, labtest.Request{Path: s.URL + "/oauth/userinfo", Header: bearer}); r.Status != http.StatusUnauthorized {
			t.Fatalf("%s: userinfo = %d %s", action, r.Status, r.Body)
		}
		if r := s.Do(t, labtest.Request{Path: "/user", Header: bearer}); r.Status != http.StatusUnauthorized {
			t.Fatalf("%s: GET /user = %d %s", action, r.Status, r.Body)
		}
		status, m := post(t, s.URL+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}, id, secret)
		wantError(t, status, m, "invalid_grant")
	}
	status, m = post(t, s.URL+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {callback}}, id, secret)
	wantError(t, status, m, "invalid_grant")
}

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

// Keep the S256 helper honest: the challenge GitLab documents.
func TestS256Example(t *testing.T) {
	sum := sha256.Sum256([]byte("ks02i3jdikdo2k0dkfodf3m39rjfjsdk0wk349rj3jrhf"))
	if got := base64.RawURLEncoding.EncodeToString(sum[:]); got != "2i0WFA-0AerkjQm4X4oDEhqA17QIAKNjXpagHBXmO_U" ||
		oauth2.S256ChallengeFromVerifier("ks02i3jdikdo2k0dkfodf3m39rjfjsdk0wk349rj3jrhf") != got {
		t.Fatal(got)
	}
}

// TestCodeExchangeRace spends one code from several exchanges at once:
// exactly one gets a token and the others get invalid_grant, never a 5xx.
func TestCodeExchangeRace(t *testing.T) {
	s := labtest.Start(t)
	c := browser(t, s)
	for round := 0; round < 3; round++ {
		// A fresh application each round: an authorized one skips consent.
		id, secret := app(t, s, "read_user", true)
		conf := oauthConfig(s, id, secret, "read_user")
		verifier := oauth2.GenerateVerifier()
		code := authorize(t, s, c, conf.AuthCodeURL("state-race", oauth2.S256ChallengeOption(verifier))).Get("code")
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callback},
			"code_verifier": {verifier}}
		const n = 6
		type result struct {
			status int
			body   map[string]any
		}
		results := make(chan result, n)
		for i := 0; i < n; i++ {
			go func() {
				req, _ := http.NewRequest("POST", s.URL+"/oauth/token", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(id, secret)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					results <- result{status: -1, body: map[string]any{"transport": err.Error()}}
					return
				}
				defer resp.Body.Close()
				var m map[string]any
				_ = json.NewDecoder(resp.Body).Decode(&m)
				results <- result{resp.StatusCode, m}
			}()
		}
		all := make([]result, 0, n)
		for i := 0; i < n; i++ {
			all = append(all, <-results)
		}
		ok := 0
		for _, r := range all {
			switch {
			case r.status == http.StatusOK && r.body["access_token"] != nil:
				ok++
			case r.status >= 500 || r.status < 0:
				t.Fatalf("round %d: a racing exchange got %d %v", round, r.status, r.body)
			default:
				wantError(t, r.status, r.body, "invalid_grant")
			}
		}
		if ok > 1 {
			t.Fatalf("round %d: %d exchanges of one code succeeded", round, ok)
		}
	}
}

// TestGroupsClaim checks the id token and userinfo list the groups of the
// user, inherited ones included.
func TestGroupsClaim(t *testing.T) {
	s := labtest.Start(t)
	ctx := context.Background()
	for _, g := range []url.Values{
		{"name": {"Top"}, "path": {"top"}},
		{"name": {"Other"}, "path": {"other"}},
	} {
		if r := s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: s.RootToken, Form: g}); r.Status != http.StatusCreated {
			t.Fatalf("create group = %d %s", r.Status, r.Body)
		}
	}
	top := s.Do(t, labtest.Request{Path: "/groups/top", Token: s.RootToken}).Map(t)
	if r := s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: s.RootToken, Form: url.Values{
		"name": {"Sub"}, "path": {"sub"}, "parent_id": {jsonNum(int64(top["id"].(float64)))}}}); r.Status != http.StatusCreated {
		t.Fatalf("create subgroup = %d %s", r.Status, r.Body)
	}
	id, secret := app(t, s, "openid read_user", true)
	conf := oauthConfig(s, id, secret, "openid")
	verifier := oauth2.GenerateVerifier()
	code := authorize(t, s, browser(t, s), conf.AuthCodeURL("state-groups", oauth2.S256ChallengeOption(verifier))).Get("code")
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	claims := verifyIDToken(t, s, raw)
	got, _ := json.Marshal(claims["groups"])
	if string(got) != `["other","top","top/sub"]` {
		t.Fatalf("groups claim = %s", got)
	}
}

// TestHousekeeping removes expired sessions and access tokens but keeps
// refresh tokens, which rotate instead of expiring.
func TestHousekeeping(t *testing.T) {
	s := labtest.Start(t)
	ctx := context.Background()
	form := url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {s.Config.RootPassword}}
	status, m := post(t, s.URL+"/oauth/token", form)
	access, _ := m["access_token"].(string)
	refresh, _ := m["refresh_token"].(string)
	if status != 200 || access == "" || refresh == "" {
		t.Fatalf("password grant = %d %v", status, m)
	}
	in, err := s.Srv.Service.SignIn(ctx, service.SignInInput{Login: "root", Password: s.Config.RootPassword})
	if err != nil {
		t.Fatal(err)
	}
	cookie := map[string]string{"Cookie": auth.SessionCookie + "=" + in.Cookie}

	// Run housekeeping as it would run in eight days (a separate service
	// value, so the server's background loop keeps its own clock).
	later := service.New(service.Options{DB: s.Srv.DB, Log: slog.New(slog.DiscardHandler), ImpersonationEnabled: true,
		Now: func() time.Time { return time.Now().UTC().Add(8 * 24 * time.Hour) }})
	if err := later.Housekeeping(ctx); err != nil {
		t.Fatal(err)
	}
	var sessions int
	if err := s.Srv.DB.SQL().QueryRow("SELECT count(*) FROM sessions").Scan(&sessions); err != nil {
		t.Fatal(err)
	}
	if sessions != 0 {
		t.Fatalf("%d expired sessions left", sessions)
	}
	s.Do(t, labtest.Request{Path: "/user", Header: cookie}).ExpectError(t, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
	s.Do(t, labtest.Request{Path: "/user", Header: map[string]string{"Authorization": "Bearer " + access}}).
		ExpectError(t, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
	status, m = post(t, s.URL+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh},
		"client_id": {"lablet-password-grant"}})
	if status != 200 || m["access_token"] == nil {
		t.Fatalf("refresh after housekeeping = %d %v", status, m)
	}
}
