package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/lablet/lablet/internal/labtest"
)

// TestOAuthAuthorizationCodeBrowser registers an application on the
// settings page, then runs authorization code + PKCE in real Chromium:
// sign in (sent there by /oauth/authorize and back), consent, redirect to
// the test's callback, and exchange with golang.org/x/oauth2.
func TestOAuthAuthorizationCodeBrowser(t *testing.T) {
	s := labtest.Start(t)
	codes := make(chan url.Values, 1)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		codes <- r.URL.Query()
		_, _ = w.Write([]byte("<p id=done>done</p>"))
	}))
	defer cb.Close()
	ctx := labtest.Browser(t)
	s.SignIn(t, ctx, "root", s.Config.RootPassword)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/-/user_settings/applications"),
		chromedp.SendKeys(chromedp.ID("application_name"), "Browser app"),
		chromedp.SendKeys(chromedp.ID("application_redirect_uri"), cb.URL+"/callback"),
		chromedp.Click(chromedp.ID("application_scopes_read_user")),
		chromedp.Click(chromedp.ID("application_scopes_openid")),
		chromedp.Click(chromedp.CSS(`[data-testid="save-application"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="application-secret"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="application-id"]`)))
	secret, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="application-secret"]`)))
	if len(id) != 64 || !strings.HasPrefix(secret, "gloas-") {
		t.Fatalf("application id %q secret %q", id, secret)
	}
	conf := &oauth2.Config{ClientID: id, ClientSecret: secret, RedirectURL: cb.URL + "/callback",
		Scopes: []string{"read_user", "openid"}, Endpoint: oauth2.Endpoint{AuthURL: s.URL + "/oauth/authorize",
			TokenURL: s.URL + "/oauth/token"}}
	verifier := oauth2.GenerateVerifier()

	// Signed out, /oauth/authorize goes through sign-in and back.
	ctx2 := labtest.Browser(t)
	err = chromedp.Do(ctx2,
		chromedp.Navigate(conf.AuthCodeURL("xyz-state", oauth2.S256ChallengeOption(verifier))),
		chromedp.WaitVisible(chromedp.ID("user_login")),
		chromedp.SendKeys(chromedp.ID("user_login"), "root"),
		chromedp.SendKeys(chromedp.ID("user_password"), s.Config.RootPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-in-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="authorization-button"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	name, _ := chromedp.Run(ctx2, chromedp.Text(chromedp.CSS(`[data-testid="oauth-app-name"]`)))
	scopes, _ := chromedp.Run(ctx2, chromedp.Text(chromedp.CSS(`[data-testid="oauth-scopes"]`)))
	if name != "Browser app" || !strings.Contains(scopes, "read_user") || !strings.Contains(scopes, "openid") {
		t.Fatalf("consent shows %q / %q", name, scopes)
	}
	if err := chromedp.Do(ctx2, chromedp.Click(chromedp.CSS(`[data-testid="authorization-button"]`)),
		chromedp.WaitVisible(chromedp.ID("done"))); err != nil {
		t.Fatal(err)
	}
	q := <-codes
	if q.Get("state") != "xyz-state" || q.Get("code") == "" {
		t.Fatalf("callback = %v", q)
	}
	tok, err := conf.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Extra("id_token") == nil {
		t.Fatal("no id_token for openid")
	}
	resp := s.Do(t, labtest.Request{Path: "/user", Header: map[string]string{"Authorization": "Bearer " + tok.AccessToken}})
	if resp.Status != 200 || resp.Map(t)["username"] != "root" {
		t.Fatalf("GET /user = %d %s", resp.Status, resp.Body)
	}

	// The user sees the authorization and can revoke it.
	err = chromedp.Do(ctx2,
		chromedp.Navigate(s.URL+"/-/user_settings/applications"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="authorized-row"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="revoke-authorized"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	resp = s.Do(t, labtest.Request{Path: "/user", Header: map[string]string{"Authorization": "Bearer " + tok.AccessToken}})
	if resp.Status != http.StatusUnauthorized {
		t.Fatalf("revoked token = %d", resp.Status)
	}
}

// TestOAuthDeviceFlowBrowser runs RFC 8628 with golang.org/x/oauth2 polling
// while Chromium enters the user code and approves.
func TestOAuthDeviceFlowBrowser(t *testing.T) {
	s := labtest.Start(t)
	resp := s.Do(t, labtest.Request{Method: "POST", Path: "/applications", Token: s.RootToken,
		Form: url.Values{"name": {"Device app"}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "scopes": {"read_user openid"}}})
	m := resp.Map(t)
	conf := &oauth2.Config{ClientID: m["application_id"].(string), ClientSecret: m["secret"].(string),
		Scopes: []string{"read_user", "openid"}, Endpoint: oauth2.Endpoint{TokenURL: s.URL + "/oauth/token",
			DeviceAuthURL: s.URL + "/oauth/authorize_device", AuthStyle: oauth2.AuthStyleInParams}}
	bg, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	da, err := conf.DeviceAuth(bg)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		tok *oauth2.Token
		err error
	}
	done := make(chan result, 1)
	go func() {
		tok, err := conf.DeviceAccessToken(bg, da)
		done <- result{tok, err}
	}()
	ctx := labtest.Browser(t)
	s.SignIn(t, ctx, "root", s.Config.RootPassword)
	err = chromedp.Do(ctx,
		chromedp.Navigate(da.VerificationURI),
		chromedp.SendKeys(chromedp.ID("user_code"), strings.ToLower(da.UserCode)),
		chromedp.Click(chromedp.CSS(`[data-testid="device-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="authorization-button"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="authorization-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="device-done"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	resp = s.Do(t, labtest.Request{Path: "/user", Header: map[string]string{"Authorization": "Bearer " + r.tok.AccessToken}})
	if resp.Status != 200 {
		t.Fatalf("GET /user with device token = %d %s", resp.Status, resp.Body)
	}
	// openid was granted, so the device grant answers with an id_token too.
	if claims := jwtClaims(t, r.tok.Extra("id_token")); claims["sub"] != "1" || claims["preferred_username"] != "root" ||
		claims["aud"] == nil {
		t.Fatalf("device id_token claims = %v", claims)
	}

	// A denied device gets access_denied.
	da2, err := conf.DeviceAuth(bg)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(da2.VerificationURIComplete),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="deny-button"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="deny-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="device-done"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conf.DeviceAccessToken(bg, da2); err == nil || !strings.Contains(err.Error(), "access_denied") {
		t.Fatalf("denied device: %v", err)
	}
}

// jwtClaims decodes the claims of a JWT without verifying it (the oauth
// package's tests verify signatures against the JWKS).
func jwtClaims(t *testing.T, raw any) map[string]any {
	t.Helper()
	s, _ := raw.(string)
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		t.Fatalf("id_token %q is not a JWT", s)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
