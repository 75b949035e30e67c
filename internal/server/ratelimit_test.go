package server_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// rawResponse is an answer read whole.
type rawResponse struct {
	status int
	header http.Header
	body   string
}

// fetch sends a request from the loopback address from (127.0.0.x), so
// that a test can be two clients of the per-address throttles.
func fetch(t *testing.T, from, method, url string, header map[string]string, basic ...string) rawResponse {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
	defer client.CloseIdleConnections()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// putSettings changes the application settings as root.
func putSettings(t *testing.T, s *labtest.Server, settings map[string]any) {
	t.Helper()
	r := s.Do(t, labtest.Request{Method: http.MethodPut, Path: "/application/settings", Token: s.RootToken, JSON: settings})
	if r.Status != http.StatusOK {
		t.Fatalf("PUT /application/settings: %d %s", r.Status, r.Body)
	}
}

// awayFromHourEdge waits when an hour-long window is about to end, so
// that the requests of a test fall into one window.
func awayFromHourEdge() {
	if left := 3600 - time.Now().Unix()%3600; left < 30 {
		time.Sleep(time.Duration(left+1) * time.Second)
	}
}

// wantThrottled checks GitLab's 429: its body and every RateLimit header.
func wantThrottled(t *testing.T, r rawResponse, name string, limitPerMinute, observed int64, body string) {
	t.Helper()
	if r.status != http.StatusTooManyRequests || r.body != body {
		t.Fatalf("want 429 %q, got %d %q", body, r.status, r.body)
	}
	h := r.header
	if h.Get("RateLimit-Name") != name || h.Get("RateLimit-Limit") != strconv.FormatInt(limitPerMinute, 10) ||
		h.Get("RateLimit-Observed") != strconv.FormatInt(observed, 10) || h.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("headers: %v", h)
	}
	reset, err := strconv.ParseInt(h.Get("RateLimit-Reset"), 10, 64)
	if err != nil {
		t.Fatalf("RateLimit-Reset %q", h.Get("RateLimit-Reset"))
	}
	after, err := strconv.ParseInt(h.Get("Retry-After"), 10, 64)
	now := time.Now().Unix()
	if err != nil || after < 1 || reset < now || reset > now+after+1 {
		t.Fatalf("Retry-After %q, RateLimit-Reset %d, now %d", h.Get("Retry-After"), reset, now)
	}
	if _, err := http.ParseTime(h.Get("RateLimit-ResetTime")); err != nil {
		t.Fatalf("RateLimit-ResetTime %q", h.Get("RateLimit-ResetTime"))
	}
}

func TestRateLimitSettings(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	r := s.Do(t, labtest.Request{Path: "/application/settings", Token: s.RootToken})
	var got map[string]any
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]any{
		"throttle_unauthenticated_api_enabled": false, "throttle_unauthenticated_api_requests_per_period": 3600.0,
		"throttle_unauthenticated_api_period_in_seconds": 3600.0,
		"throttle_unauthenticated_web_enabled":           false, "throttle_unauthenticated_web_requests_per_period": 3600.0,
		"throttle_authenticated_api_enabled": false, "throttle_authenticated_api_requests_per_period": 7200.0,
		"throttle_authenticated_api_period_in_seconds": 3600.0,
		"throttle_authenticated_web_enabled":           false, "throttle_authenticated_web_requests_per_period": 7200.0,
		"throttle_unauthenticated_git_http_enabled": false, "throttle_authenticated_git_http_enabled": false,
		"throttle_authenticated_git_http_requests_per_period": 3600.0, "rate_limiting_response_text": "",
	} {
		if got[name] != want {
			t.Errorf("%s = %v, want %v", name, got[name], want)
		}
	}
	// The official client sees the same fields.
	as, _, err := s.Client(t, s.RootToken).Settings.UpdateSettings(&gitlab.UpdateSettingsOptions{
		ThrottleAuthenticatedAPIEnabled:           gitlab.Ptr(true),
		ThrottleAuthenticatedAPIRequestsPerPeriod: gitlab.Ptr(int64(100000)),
		ThrottleAuthenticatedAPIPeriodInSeconds:   gitlab.Ptr(int64(60)),
	})
	if err != nil || !as.ThrottleAuthenticatedAPIEnabled || as.ThrottleAuthenticatedAPIRequestsPerPeriod != 100000 ||
		as.ThrottleAuthenticatedAPIPeriodInSeconds != 60 {
		t.Fatalf("update: %+v %v", as, err)
	}
	// Invalid numbers change nothing.
	r = s.Do(t, labtest.Request{Method: http.MethodPut, Path: "/application/settings", Token: s.RootToken,
		JSON: map[string]any{"throttle_authenticated_api_enabled": false, "throttle_authenticated_web_period_in_seconds": 0}})
	r.ExpectError(t, http.StatusBadRequest, `{"message":{"throttle_authenticated_web_period_in_seconds":["must be greater than 0"]}}`)
	r = s.Do(t, labtest.Request{Method: http.MethodPut, Path: "/application/settings", Token: s.RootToken,
		JSON: map[string]any{"throttle_unauthenticated_api_requests_per_period": "many"}})
	if r.Status != http.StatusBadRequest {
		t.Fatalf("non-integer: %d %s", r.Status, r.Body)
	}
	r = s.Do(t, labtest.Request{Path: "/application/settings", Token: s.RootToken})
	if err := json.Unmarshal(r.Body, &got); err != nil || got["throttle_authenticated_api_enabled"] != true ||
		got["throttle_authenticated_web_period_in_seconds"] != 3600.0 {
		t.Fatalf("a refused change was written: %s", r.Body)
	}
	// Only administrators change them.
	u := s.NewUser(t, "plain")
	r = s.Do(t, labtest.Request{Method: http.MethodPut, Path: "/application/settings", Token: u.Token,
		JSON: map[string]any{"throttle_authenticated_api_enabled": false}})
	if r.Status != http.StatusForbidden {
		t.Fatalf("non-admin: %d %s", r.Status, r.Body)
	}
}

func TestRateLimitThrottles(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice, bob, carol := s.NewUser(t, "alice"), s.NewUser(t, "bob"), s.NewUser(t, "carol")
	api := s.URL + "/api/v4"

	// Off by default: no headers, no limit.
	r := fetch(t, "127.0.0.1", "GET", api+"/user", map[string]string{"PRIVATE-TOKEN": alice.Token})
	if r.status != http.StatusOK || r.header.Get("RateLimit-Name") != "" {
		t.Fatalf("throttles off: %d %v", r.status, r.header)
	}

	t.Run("authenticated API, per user", func(t *testing.T) {
		awayFromHourEdge()
		putSettings(t, s, map[string]any{"throttle_authenticated_api_enabled": true,
			"throttle_authenticated_api_requests_per_period": 3, "throttle_authenticated_api_period_in_seconds": 3600})
		for i := 1; i <= 3; i++ {
			r := fetch(t, "127.0.0.1", "GET", api+"/user", map[string]string{"PRIVATE-TOKEN": alice.Token})
			if r.status != http.StatusOK || r.header.Get("RateLimit-Name") != "throttle_authenticated_api" ||
				r.header.Get("RateLimit-Observed") != strconv.Itoa(i) || r.header.Get("RateLimit-Remaining") != strconv.Itoa(3-i) {
				t.Fatalf("request %d: %d %v", i, r.status, r.header)
			}
		}
		// 3 an hour is 1 a minute, rounded up.
		wantThrottled(t, fetch(t, "127.0.0.1", "GET", api+"/user", map[string]string{"PRIVATE-TOKEN": alice.Token}),
			"throttle_authenticated_api", 1, 4, "Retry later\n")
		// Another address does not help alice: she is counted as herself.
		wantThrottled(t, fetch(t, "127.0.0.2", "GET", api+"/projects", map[string]string{"PRIVATE-TOKEN": alice.Token}),
			"throttle_authenticated_api", 1, 5, "Retry later\n")
		// Bob, from the same address, is not affected.
		if r := fetch(t, "127.0.0.1", "GET", api+"/user", map[string]string{"PRIVATE-TOKEN": bob.Token}); r.status != http.StatusOK {
			t.Fatalf("bob: %d %s", r.status, r.body)
		}
		// A custom response text.
		putSettings(t, s, map[string]any{"rate_limiting_response_text": "Slow down"})
		wantThrottled(t, fetch(t, "127.0.0.1", "GET", api+"/user", map[string]string{"PRIVATE-TOKEN": alice.Token}),
			"throttle_authenticated_api", 1, 6, "Slow down\n")
		putSettings(t, s, map[string]any{"throttle_authenticated_api_enabled": false, "rate_limiting_response_text": ""})
		if r := fetch(t, "127.0.0.1", "GET", api+"/user", map[string]string{"PRIVATE-TOKEN": alice.Token}); r.status != http.StatusOK {
			t.Fatalf("after disabling: %d", r.status)
		}
	})

	t.Run("unauthenticated API and web, per address", func(t *testing.T) {
		awayFromHourEdge()
		putSettings(t, s, map[string]any{"throttle_unauthenticated_api_enabled": true,
			"throttle_unauthenticated_api_requests_per_period": 2, "throttle_unauthenticated_api_period_in_seconds": 3600,
			"throttle_unauthenticated_web_enabled": true, "throttle_unauthenticated_web_requests_per_period": 1,
			"throttle_unauthenticated_web_period_in_seconds": 60})
		for i := 0; i < 2; i++ {
			if r := fetch(t, "127.0.0.3", "GET", api+"/projects", nil); r.status != http.StatusOK {
				t.Fatalf("anonymous %d: %d", i, r.status)
			}
		}
		wantThrottled(t, fetch(t, "127.0.0.3", "GET", api+"/projects", nil), "throttle_unauthenticated_api", 1, 3, "Retry later\n")
		// A bad token is no identity: still the address's count.
		wantThrottled(t, fetch(t, "127.0.0.3", "GET", api+"/projects", map[string]string{"PRIVATE-TOKEN": "glpat-nonsense"}),
			"throttle_unauthenticated_api", 1, 4, "Retry later\n")
		// Another address, and a signed-in caller from this one, are not
		// affected (the authenticated throttle is off).
		if r := fetch(t, "127.0.0.4", "GET", api+"/projects", nil); r.status != http.StatusOK {
			t.Fatalf("other address: %d", r.status)
		}
		if r := fetch(t, "127.0.0.3", "GET", api+"/projects", map[string]string{"PRIVATE-TOKEN": carol.Token}); r.status != http.StatusOK ||
			r.header.Get("RateLimit-Name") != "" {
			t.Fatalf("signed in: %d %v", r.status, r.header)
		}
		// Pages count against the web throttle; health probes never.
		if r := fetch(t, "127.0.0.3", "GET", s.URL+"/users/sign_in", nil); r.status != http.StatusOK {
			t.Fatalf("page: %d", r.status)
		}
		wantThrottled(t, fetch(t, "127.0.0.3", "GET", s.URL+"/users/sign_in", nil), "throttle_unauthenticated_web", 1, 2, "Retry later\n")
		if r := fetch(t, "127.0.0.3", "GET", s.URL+"/-/readiness", nil); r.status != http.StatusOK {
			t.Fatalf("readiness: %d", r.status)
		}
		putSettings(t, s, map[string]any{"throttle_unauthenticated_api_enabled": false, "throttle_unauthenticated_web_enabled": false})
	})

	t.Run("window expiry", func(t *testing.T) {
		putSettings(t, s, map[string]any{"throttle_authenticated_api_enabled": true,
			"throttle_authenticated_api_requests_per_period": 1, "throttle_authenticated_api_period_in_seconds": 2})
		// Start at the beginning of a two-second window.
		now := time.Now()
		time.Sleep(time.Until(now.Truncate(2 * time.Second).Add(2*time.Second + 50*time.Millisecond)))
		if r := fetch(t, "127.0.0.1", "GET", api+"/user", map[string]string{"PRIVATE-TOKEN": carol.Token}); r.status != http.StatusOK {
			t.Fatalf("first: %d", r.status)
		}
		r := fetch(t, "127.0.0.1", "GET", api+"/user", map[string]string{"PRIVATE-TOKEN": carol.Token})
		wantThrottled(t, r, "throttle_authenticated_api", 30, 2, "Retry later\n")
		reset, _ := strconv.ParseInt(r.header.Get("RateLimit-Reset"), 10, 64)
		time.Sleep(time.Until(time.Unix(reset, 50_000_000)))
		if r := fetch(t, "127.0.0.1", "GET", api+"/user", map[string]string{"PRIVATE-TOKEN": carol.Token}); r.status != http.StatusOK ||
			r.header.Get("RateLimit-Observed") != "1" {
			t.Fatalf("next window: %d %v", r.status, r.header)
		}
	})
}

// Two instances on one database share the counts.
func TestRateLimitSharedByInstances(t *testing.T) {
	t.Parallel()
	a := labtest.Start(t)
	b := labtest.Start(t, func(c *config.Config) { c.DataDir, c.DatabaseURL = a.Config.DataDir, a.Config.DatabaseURL })
	u := a.NewUser(t, "shared")
	awayFromHourEdge()
	putSettings(t, a, map[string]any{"throttle_authenticated_api_enabled": true,
		"throttle_authenticated_api_requests_per_period": 4, "throttle_authenticated_api_period_in_seconds": 3600})
	// b reads settings changed elsewhere within a second.
	time.Sleep(1100 * time.Millisecond)
	hdr := map[string]string{"PRIVATE-TOKEN": u.Token}
	for i, s := range []*labtest.Server{a, a, b, b} {
		if r := fetch(t, "127.0.0.1", "GET", s.URL+"/api/v4/user", hdr); r.status != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, r.status)
		}
	}
	// Once the instances have synced (every 100 ms), the fifth request is
	// refused on either.
	time.Sleep(300 * time.Millisecond)
	wantThrottled(t, fetch(t, "127.0.0.1", "GET", a.URL+"/api/v4/user", hdr), "throttle_authenticated_api", 1, 5, "Retry later\n")
	time.Sleep(300 * time.Millisecond)
	wantThrottled(t, fetch(t, "127.0.0.1", "GET", b.URL+"/api/v4/user", hdr), "throttle_authenticated_api", 1, 6, "Retry later\n")
}

func TestGitAuthBan(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) {
		c.GitAuthBan, c.GitAuthBanMaxRetry, c.GitAuthBanFindTime, c.GitAuthBanTime = true, 3, time.Minute, 2*time.Second
	})
	u := s.NewUser(t, "gitter")
	if _, _, err := s.Client(t, u.Token).Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("repo"),
		InitializeWithReadme: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	refs := s.URL + "/gitter/repo.git/info/refs?service=git-upload-pack"
	try := func(from, password string) rawResponse {
		return fetch(t, from, "GET", refs, nil, "gitter", password)
	}
	wantStatus := func(r rawResponse, want int) {
		t.Helper()
		if r.status != want {
			t.Fatalf("want %d, got %d %q", want, r.status, r.body)
		}
	}
	// Two failures, then a success: the count starts again.
	wantStatus(try("127.0.0.1", "wrong"), http.StatusUnauthorized)
	wantStatus(try("127.0.0.1", "wrong"), http.StatusUnauthorized)
	wantStatus(try("127.0.0.1", u.Token), http.StatusOK)
	wantStatus(try("127.0.0.1", "wrong"), http.StatusUnauthorized)
	wantStatus(try("127.0.0.1", "wrong"), http.StatusUnauthorized)
	// Anonymous requests are no failed authentication.
	wantStatus(fetch(t, "127.0.0.1", "GET", refs, nil), http.StatusUnauthorized)
	wantStatus(try("127.0.0.1", u.Token), http.StatusOK)
	// Three failures in a row ban the address, valid credentials too.
	for i := 0; i < 3; i++ {
		wantStatus(try("127.0.0.1", "wrong"), http.StatusUnauthorized)
	}
	r := try("127.0.0.1", u.Token)
	if r.status != http.StatusForbidden || r.body != "Forbidden\n" || r.header.Get("RateLimit-Name") != "" {
		t.Fatalf("banned: %d %q %v", r.status, r.body, r.header)
	}
	// Only git is refused, and only that address.
	if r := fetch(t, "127.0.0.1", "GET", s.URL+"/api/v4/user", map[string]string{"PRIVATE-TOKEN": u.Token}); r.status != http.StatusOK {
		t.Fatalf("API while banned: %d", r.status)
	}
	wantStatus(try("127.0.0.2", u.Token), http.StatusOK)
	// The ban ends.
	time.Sleep(2100 * time.Millisecond)
	wantStatus(try("127.0.0.1", u.Token), http.StatusOK)
}
