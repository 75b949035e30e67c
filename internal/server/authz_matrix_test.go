package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/route"
)

// TestAuthorizationMatrix sends every served route a request from every
// kind of caller, on a public, an internal and a private project or group
// where the route is tied to one, and compares the answer with GitLab's.
//
// The expected answer of a cell is derived (authz_expect_test.go) from what
// the route's row in its table declares — who may call (its Auth column)
// and the ability its operation checks — so the answer is stated once per
// route, beside its registration. How to fill a route's path and body so
// that an allowed caller succeeds is the route's fixture
// (authz_fixtures_test.go): a route without one fails this test, so every
// new route brings its fixture and joins the matrix.
//
// Cells where lablet is known to differ from GitLab and a fix is under way
// are listed in pendingFixes: they are logged, not failed.
func TestAuthorizationMatrix(t *testing.T) {
	if testing.Short() {
		// CI's race step: the matrix checks answers, not concurrency, and
		// runs in full in CI's other two steps (.ci/run).
		t.Skip("the authorization matrix runs without -short")
	}
	start := time.Now()
	s := labtest.Start(t, func(c *config.Config) {
		c.AdminMode = true // admin tokens need admin_mode; see the admin callers
		c.OAuthPasswordGrant = true
		c.ImpersonationEnabled = true
		// Every caller registers clients and asks for device codes from
		// one address; the throttle has its own test (internal/oauth).
		c.OAuthRateLimit = 0
	})
	x := setUpMatrix(t, s)

	routes := s.Srv.Routes()
	var missing []string
	for _, r := range routes {
		if _, ok := fixtures[routeKey(r)]; !ok {
			missing = append(missing, routeKey(r))
		}
	}
	if len(missing) > 0 {
		t.Fatalf("routes without a fixture in the authorization matrix (authz_fixtures_test.go):\n  %s",
			strings.Join(missing, "\n  "))
	}
	for key := range fixtures {
		if !slices.ContainsFunc(routes, func(r route.Route) bool { return routeKey(r) == key }) {
			t.Errorf("fixture for %s, which is not served", key)
		}
	}

	// LABLET_MATRIX_ONLY (a regexp over "METHOD pattern") runs only the
	// matching routes' cells while a new route family is written; CI
	// never sets it, so the whole matrix runs there.
	only, err := regexp.Compile(os.Getenv("LABLET_MATRIX_ONLY"))
	if err != nil {
		t.Fatalf("LABLET_MATRIX_ONLY: %v", err)
	}
	var cells []*cell
	for i := range routes {
		r := &routes[i]
		if !only.MatchString(routeKey(*r)) {
			continue
		}
		fx := fixtures[routeKey(*r)]
		vs := []visibility{private}
		if fx.target != noTarget {
			vs = visibilities
		}
		for _, v := range vs {
			for _, c := range x.callers {
				cells = append(cells, &cell{route: r, fx: fx, caller: c, vis: v})
			}
		}
	}
	x.run(cells)

	var pending, failed int
	var bad []string
	for _, c := range cells {
		if c.err != "" {
			bad = append(bad, c.err)
			continue
		}
		if c.got == c.want {
			continue
		}
		line := fmt.Sprintf("%s as %s on %s: got %s, GitLab answers %s (%d %s)", routeKey(*c.route),
			c.caller.name, c.vis, c.got, c.want, c.status, truncateBody(c.body))
		if finding, ok := pendingFinding(c); ok {
			pending++
			t.Logf("pending fix (%s): %s", finding, line)
			continue
		}
		failed++
		bad = append(bad, line)
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Error(b)
	}
	for _, what := range stalePending(cells) {
		if only.String() != "" {
			break // a partial run cannot tell a stale entry
		}
		t.Errorf("pendingFixes lists %q, which explains no disagreement any more: remove it", what)
	}
	t.Logf("authorization matrix: %d routes × %d callers × visibilities = %d requests (%d disagreeing cells pending fixes, %d failed) in %s",
		len(routes), len(x.callers), len(cells), pending, failed, time.Since(start).Round(time.Millisecond))
}

// setUpMatrix builds the callers and shared fixtures, failing t if a
// fixture request fails.
func setUpMatrix(t *testing.T, s *labtest.Server) *matrix {
	defer func() {
		if p := recover(); p != nil {
			if f, ok := p.(fixtureFailure); ok {
				t.Fatalf("matrix setup: %s", string(f))
			}
			panic(p)
		}
	}()
	return newMatrix(t, s)
}

// routeKey names a route as the fixtures and pendingFixes do.
func routeKey(r route.Route) string { return r.Method + " " + r.Pattern }

func truncateBody(b []byte) string {
	if !utf8.Valid(b) || bytes.ContainsFunc(b, func(r rune) bool { return r < ' ' && r != '\n' && r != '\t' }) {
		return fmt.Sprintf("<%d bytes>", len(b))
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// visibility is the visibility of the project or group a cell targets.
type visibility string

const (
	public   visibility = "public"
	internal visibility = "internal"
	private  visibility = "private"
)

var visibilities = []visibility{public, internal, private}

// cell is one request of the matrix and what came of it.
type cell struct {
	route  *route.Route
	fx     fixture
	caller *caller
	vis    visibility
	// target is what the request addressed, as the fixture built it.
	target target
	want   outcome
	got    outcome
	status int
	body   []byte
	err    string // the fixture or transport failed
}

// request is what a fixture asks the matrix to send.
type request struct {
	method, path string
	json         any
	form         url.Values
	raw          []byte // a raw body (git)
	contentType  string
	// header is added after the caller's credentials.
	header map[string]string
	// accept overrides which statuses count as allowed (default 2xx).
	accept func(status int, h http.Header) bool
	// token replaces the caller's token, session its session: for
	// requests that consume the credential they are made with.
	token   string
	session *caller
}

// run sends the cells with a few workers: fixtures give destructive
// routes a target of their own, so cells don't disturb each other.
func (x *matrix) run(cells []*cell) {
	work := make(chan *cell)
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				x.runCell(c)
			}
		}()
	}
	for _, c := range cells {
		work <- c
	}
	close(work)
	wg.Wait()
}

func (x *matrix) runCell(c *cell) {
	defer func() {
		if p := recover(); p != nil {
			if f, ok := p.(fixtureFailure); ok {
				c.err = fmt.Sprintf("%s as %s on %s: fixture: %s", routeKey(*c.route), c.caller.name, c.vis, string(f))
				return
			}
			panic(p)
		}
	}()
	c.target = c.fx.target.of(c.vis)
	c.want = expect(c.route, c.caller, c.target)
	req := c.fx.build(x, c)
	resp, err := x.send(c, req)
	if err != nil {
		c.err = fmt.Sprintf("%s as %s on %s: %v", routeKey(*c.route), c.caller.name, c.vis, err)
		return
	}
	c.status, c.body = resp.status, resp.body
	c.got = classify(c, req, resp)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// send sends req with the caller's credentials as the route's surface
// takes them.
func (x *matrix) send(c *cell, req request) (*response, error) {
	var body io.Reader
	ct := req.contentType
	switch {
	case req.json != nil:
		b, err := json.Marshal(req.json)
		if err != nil {
			return nil, err
		}
		body, ct = bytes.NewReader(b), "application/json"
	case req.form != nil:
		body, ct = strings.NewReader(req.form.Encode()), "application/x-www-form-urlencoded"
	case req.raw != nil:
		body = bytes.NewReader(req.raw)
	}
	method := req.method
	if method == "" {
		method = c.route.Method
	}
	hr, err := http.NewRequest(method, x.s.URL+req.path, body)
	if err != nil {
		return nil, err
	}
	if ct != "" {
		hr.Header.Set("Content-Type", ct)
	}
	who := c.caller
	if req.session != nil {
		who = req.session
	}
	who.credentials(hr, surfaceOf(c.route), c.vis, req)
	for k, v := range req.header {
		if v == "" {
			hr.Header.Del(k)
			continue
		}
		hr.Header.Set(k, v)
	}
	resp, err := x.http.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// classify turns an answer into an outcome.
func classify(c *cell, req request, r *response) outcome {
	accept := req.accept
	if accept == nil {
		accept = func(status int, _ http.Header) bool { return status >= 200 && status < 300 }
	}
	switch {
	case r.status == http.StatusFound && strings.HasPrefix(r.header.Get("Location"), "/admin/session/new"):
		return adminModeRedirect // before accept: some pages count any other redirect as done
	case accept(r.status, r.header):
		return allowed
	case r.status == http.StatusUnauthorized:
		if surfaceOf(c.route) == gitSurface && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
			return unauthorizedNoChallenge
		}
		return unauthorized
	case r.status == http.StatusForbidden && (bytes.Contains(r.body, []byte(`"insufficient_scope"`)) ||
		strings.Contains(r.header.Get("WWW-Authenticate"), "insufficient_scope")): // HEAD has no body
		return insufficientScope
	case r.status == http.StatusForbidden:
		return forbidden
	case r.status == http.StatusNotFound:
		return notFound
	case r.status == http.StatusBadRequest:
		return badRequest
	case r.status == http.StatusConflict:
		return conflict
	case r.status == http.StatusMethodNotAllowed:
		return methodNotAllowed
	case r.status == http.StatusUnprocessableEntity:
		return csrfRejected
	case r.status == http.StatusFound && strings.Contains(r.header.Get("Location"), "/users/sign_in"):
		return signIn
	}
	return outcome(fmt.Sprintf("unexpected %d", r.status))
}
