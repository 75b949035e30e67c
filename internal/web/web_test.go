package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lablet/lablet/internal/labtest"
)

// TestSignInBrowser signs in and out through the pages in real Chromium.
func TestSignInBrowser(t *testing.T) {
	s := labtest.Start(t)
	ctx := labtest.Browser(t)
	s.SignIn(t, ctx, "root", s.Config.RootPassword)
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="current-user"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if who != "root" {
		t.Fatalf("signed in as %q", who)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="sign-out"]`)),
		chromedp.WaitVisible(chromedp.ID("user_login")),
	)
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, "/users/sign_in") {
		t.Fatalf("after sign-out at %q: %v", loc, err)
	}

	// A wrong password shows GitLab's message and keeps the user out.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("user_login"), "root"),
		chromedp.SendKeys(chromedp.ID("user_password"), "wrong-password"),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-in-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error"]`)),
	)
	msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="error"]`)))
	if err != nil || msg != "Invalid login or password." {
		t.Fatalf("error = %q, %v", msg, err)
	}
}

var tokenField = regexp.MustCompile(`name="authenticity_token" value="([^"]+)"`)

// newClient is a cookie-keeping HTTP client that does not follow redirects.
func newClient(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func formToken(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	m := tokenField.FindStringSubmatch(b.String())
	if m == nil {
		t.Fatalf("no authenticity_token on %s", u)
	}
	return m[1]
}

func TestSignInHTTP(t *testing.T) {
	s := labtest.Start(t)
	signIn := func(t *testing.T, c *http.Client, token, redirect string) *http.Response {
		t.Helper()
		return roundTrip(t, c, "POST", s.URL+"/users/sign_in", url.Values{"authenticity_token": {token},
			"user[login]": {"root"}, "user[password]": {s.Config.RootPassword}, "redirect_to": {redirect}})
	}
	t.Run("ForgedCSRFRefused", func(t *testing.T) {
		c := newClient(t)
		formToken(t, c, s.URL+"/users/sign_in")
		if resp := signIn(t, c, "forged", "/"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status = %d, want 422", resp.StatusCode)
		}
		for _, ck := range c.Jar.Cookies(mustURL(t, s.URL)) {
			if ck.Name == "_gitlab_session" {
				t.Fatal("a session was opened with a forged CSRF token")
			}
		}
	})
	t.Run("CookieFlagsAndLocalRedirect", func(t *testing.T) {
		c := newClient(t)
		tok := formToken(t, c, s.URL+"/users/sign_in")
		resp := signIn(t, c, tok, "/-/user_settings/personal_access_tokens")
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/-/user_settings/personal_access_tokens" {
			t.Fatalf("sign in = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		var set string
		for _, h := range resp.Header.Values("Set-Cookie") {
			if strings.HasPrefix(h, "_gitlab_session=") {
				set = h
			}
		}
		if !strings.Contains(set, "HttpOnly") || !strings.Contains(set, "SameSite=Lax") {
			t.Fatalf("session cookie = %q", set)
		}
	})
	t.Run("OpenRedirectRefused", func(t *testing.T) {
		// Each of these is, or becomes in a browser (which drops tabs and
		// newlines and reads "\\" as "/"), a protocol-relative URL.
		offSite := []string{"https://evil.example/", "//evil.example/x", "/\\evil.example",
			"/\t/evil.example", "/./\\evil.example", "/\r\n/evil.example", "/\x0b/evil.example",
			"/ /evil.example", "/%2F%2Fevil.example", "%2F%2Fevil.example", "/..//evil.example",
			"/a\\b", "/\x7f/evil.example"}
		for _, target := range offSite {
			c := newClient(t)
			tok := formToken(t, c, s.URL+"/users/sign_in")
			resp := signIn(t, c, tok, target)
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/" {
				t.Fatalf("sign in with redirect_to %q = %d to %q", target, resp.StatusCode, resp.Header.Get("Location"))
			}
			// A signed-in visit to the sign-in page redirects at once,
			// through the same filter.
			again := roundTrip(t, c, "GET", s.URL+"/users/sign_in?redirect_to="+url.QueryEscape(target), nil)
			if again.StatusCode != http.StatusFound || again.Header.Get("Location") != "/" {
				t.Fatalf("signed-in GET with redirect_to %q = %d to %q", target, again.StatusCode, again.Header.Get("Location"))
			}
		}
	})
	t.Run("LocalRedirectKept", func(t *testing.T) {
		c := newClient(t)
		target := "/oauth/authorize?client_id=x&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&scope=read_user+openid"
		if resp := signIn(t, c, formToken(t, c, s.URL+"/users/sign_in"), target); resp.StatusCode != http.StatusFound ||
			resp.Header.Get("Location") != target {
			t.Fatalf("sign in with redirect_to %q = %d to %q", target, resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("PagesNeedSignIn", func(t *testing.T) {
		resp, err := newClient(t).Get(s.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/users/sign_in?redirect_to=") {
			t.Fatalf("GET / signed out = %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("SignOutNeedsCSRF", func(t *testing.T) {
		c := newClient(t)
		signIn(t, c, formToken(t, c, s.URL+"/users/sign_in"), "/")
		resp, err := c.PostForm(s.URL+"/users/sign_out", url.Values{"authenticity_token": {"forged"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("forged sign-out = %d", resp.StatusCode)
		}
	})
	t.Run("ForgeryCheckedBeforeSignIn", func(t *testing.T) {
		// GitLab's forgery protection runs before anything else: a
		// signed-out POST without the token is refused, not redirected.
		for _, page := range []string{"/users/sign_out", "/-/user_settings/personal_access_tokens", "/admin/applications"} {
			resp, err := newClient(t).PostForm(s.URL+page, url.Values{"name": {"x"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("signed-out POST %s without a token = %d, want 422", page, resp.StatusCode)
			}
		}
		// With the signed-out visitor's token, the page asks for a session.
		c := newClient(t)
		tok := formToken(t, c, s.URL+"/users/sign_in")
		resp, err := c.PostForm(s.URL+"/-/user_settings/personal_access_tokens", url.Values{"authenticity_token": {tok}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/users/sign_in") {
			t.Fatalf("signed-out POST with a token = %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// roundTrip sends one request with c's cookies and keeps the cookies it
// sets, without following or even parsing a redirect: http.Client refuses
// Locations a browser would still follow (with a tab, say), and the test
// must see them.
func roundTrip(t *testing.T, c *http.Client, method, u string, form url.Values) *http.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, ck := range c.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c.Jar.SetCookies(req.URL, resp.Cookies())
	return resp
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
