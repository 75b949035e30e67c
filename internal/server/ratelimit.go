package server

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// throttle is GitLab's Rack::Attack in front of every surface: the user
// and IP rate limits of the application settings, and git over HTTP's
// failed-authentication ban. With every throttle off (the default) it
// costs a look at the cached settings per request.
type throttle struct {
	svc  *service.Service
	auth *auth.Authenticator
	git  *gitResolver
	log  *slog.Logger
}

// requestClass is what a request counts as: GitLab's api_request?,
// web_request? and git paths.
type requestClass int

const (
	classSkip requestClass = iota // health probes: never throttled
	classAPI
	classWeb
	classGit
)

// classify sorts a request by its path, as GitLab's Rack::Attack does
// (before routing: a git path is one the git table serves).
func classify(r *http.Request) requestClass {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/-/health") || strings.HasPrefix(p, "/-/liveness") ||
		strings.HasPrefix(p, "/-/readiness") || strings.HasPrefix(p, "/-/metrics"):
		return classSkip
	case strings.HasPrefix(p, "/api/v4/internal/"):
		return classSkip
	case strings.HasPrefix(p, "/api/"):
		// The pages' own calls (session cookie and CSRF token) count as
		// web traffic, as GitLab's frontend requests do.
		if r.Header.Get("X-CSRF-Token") != "" && apiToken(r) == "" {
			if c, err := r.Cookie(auth.SessionCookie); err == nil && c.Value != "" {
				return classWeb
			}
		}
		return classAPI
	case strings.HasSuffix(p, "/info/refs") || strings.HasSuffix(p, "/git-upload-pack") ||
		strings.HasSuffix(p, "/git-receive-pack"):
		return classGit
	}
	return classWeb
}

// throttleNames are the unauthenticated and authenticated throttles of a
// class. Git over HTTP counts against the web throttles unless its own
// are on.
func throttleNames(c requestClass, ts *model.ThrottleSettings) (unauthenticated, authenticated string) {
	switch c {
	case classAPI:
		return model.ThrottleUnauthenticatedAPI, model.ThrottleAuthenticatedAPI
	case classGit:
		unauthenticated, authenticated = model.ThrottleUnauthenticatedWeb, model.ThrottleAuthenticatedWeb
		if ts.ThrottleUnauthenticatedGitHTTPEnabled {
			unauthenticated = model.ThrottleUnauthenticatedGitHTTP
		}
		if ts.ThrottleAuthenticatedGitHTTPEnabled {
			authenticated = model.ThrottleAuthenticatedGitHTTP
		}
		return unauthenticated, authenticated
	}
	return model.ThrottleUnauthenticatedWeb, model.ThrottleAuthenticatedWeb
}

func (t *throttle) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		class := classify(r)
		if class == classSkip {
			next.ServeHTTP(w, r)
			return
		}
		h := next
		if class == classGit && t.svc.GitAuthBanEnabled() {
			if t.banned(w, r) {
				return
			}
			h = t.watchGitAuth(next)
		}
		if t.throttled(w, r, class) {
			return
		}
		h.ServeHTTP(w, r)
	})
}

// throttled counts r against its throttle, sets GitLab's RateLimit-*
// headers and answers 429 when r is over the limit. Errors of the
// counting let the request through: an outage of the counters must not
// take the forge down.
func (t *throttle) throttled(w http.ResponseWriter, r *http.Request, class requestClass) bool {
	ctx := r.Context()
	ts, err := t.svc.ThrottleSettings(ctx)
	if err != nil {
		t.log.WarnContext(ctx, "rate limits: settings", "err", err)
		return false
	}
	if !ts.AnyEnabled() {
		return false
	}
	unauthName, authName := throttleNames(class, ts)
	unauth, authd := ts.Throttle(unauthName), ts.Throttle(authName)
	if !unauth.Enabled && !authd.Enabled {
		return false
	}
	name, th, key := unauthName, unauth, ""
	if who := t.requester(ctx, r, class); who != "" {
		name, th, key = authName, authd, who
	} else {
		key = clientIP(r)
	}
	if !th.Enabled {
		return false
	}
	res, err := t.svc.CountRequest(ctx, name, key, th)
	if err != nil {
		t.log.WarnContext(ctx, "rate limits: count", "throttle", name, "err", err)
		return false
	}
	h := w.Header()
	h.Set("RateLimit-Name", res.Name)
	h.Set("RateLimit-Limit", strconv.FormatInt(res.LimitPerMinute(), 10))
	h.Set("RateLimit-Observed", strconv.FormatInt(res.Observed, 10))
	h.Set("RateLimit-Remaining", strconv.FormatInt(res.Remaining(), 10))
	h.Set("RateLimit-Reset", strconv.FormatInt(res.Reset(), 10))
	if !res.Throttled {
		return false
	}
	h.Set("RateLimit-ResetTime", time.Unix(res.Reset(), 0).UTC().Format(http.TimeFormat))
	h.Set("Retry-After", strconv.FormatInt(res.RetryAfter(), 10))
	h.Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusTooManyRequests)
	text := ts.RateLimitingResponseText
	if text == "" {
		text = "Retry later"
	}
	_, _ = w.Write([]byte(text + "\n"))
	return true
}

// requester is who r authenticates as, GitLab's throttle discriminator
// ("user:1", "deploy_token:2"); empty when r carries no valid
// credentials. Passwords are never checked here: git over HTTP takes
// tokens only, and the API's and pages' credentials are tokens and
// session cookies.
func (t *throttle) requester(ctx context.Context, r *http.Request, class requestClass) string {
	var id *auth.Identity
	var err error
	switch {
	case class == classGit:
		id, err = t.git.identity(ctx, r)
	case class == classAPI && apiToken(r) != "":
		id, err = t.auth.Token(ctx, apiToken(r), "")
	case class == classAPI && jobToken(r) != "":
		id, err = t.auth.JobToken(ctx, jobToken(r))
	default:
		c, cerr := r.Cookie(auth.SessionCookie)
		if cerr != nil || c.Value == "" {
			return ""
		}
		id, err = t.auth.Session(ctx, c.Value)
	}
	switch {
	case err != nil || id == nil:
		return ""
	case id.DeployToken != nil:
		return "deploy_token:" + strconv.FormatInt(id.DeployToken.ID, 10)
	case id.Authenticated():
		return "user:" + strconv.FormatInt(id.User.ID, 10)
	}
	return ""
}

// apiToken is the personal or OAuth token of an API request, where GitLab
// looks for one (the body is not read here).
func apiToken(r *http.Request) string {
	if t := r.Header.Get("Private-Token"); t != "" {
		return t
	}
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, t, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(t)
		}
	}
	q := r.URL.Query()
	if t := q.Get("private_token"); t != "" {
		return t
	}
	return q.Get("access_token")
}

func jobToken(r *http.Request) string {
	if t := r.Header.Get("Job-Token"); t != "" {
		return t
	}
	return r.URL.Query().Get("job_token")
}

// clientIP is the connection's peer address. lablet has no trusted-proxy
// setting, so X-Forwarded-For, which any client can send, is not
// believed (as for OAuth's per-address limit).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().String()
	}
	return host
}

// banned answers 403 to an address under a failed-authentication ban,
// before its credentials are looked at, as GitLab does.
func (t *throttle) banned(w http.ResponseWriter, r *http.Request) bool {
	banned, err := t.svc.GitAuthBanned(r.Context(), clientIP(r))
	if err != nil {
		t.log.WarnContext(r.Context(), "git auth ban: check", "err", err)
		return false
	}
	if !banned {
		return false
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte("Forbidden\n"))
	return true
}

// watchGitAuth counts a git request's failed Basic authentication (a
// 401 to a request that carried credentials) and forgets the address's
// failures on a success.
func (t *throttle) watchGitAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _, hasCreds := r.BasicAuth()
		if !hasCreds {
			next.ServeHTTP(w, r)
			return
		}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		ctx, ip := context.WithoutCancel(r.Context()), clientIP(r)
		var err error
		if sw.status == http.StatusUnauthorized {
			err = t.svc.GitAuthFailed(ctx, ip)
		} else {
			err = t.svc.GitAuthSucceeded(ctx, ip)
		}
		if err != nil {
			t.log.WarnContext(ctx, "git auth ban: count", "err", err)
		}
	})
}
