// Package labtest starts a real lablet server on a loopback port for
// acceptance tests: real SQLite (or PostgreSQL when LABLET_TEST_DATABASE_URL
// names one), real HTTP, real clients.
package labtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/server"
	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/store"
)

// Server is a lablet instance under test.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:34567.
	URL string
	// Srv is the running server, for tests that need its parts.
	Srv *server.Server
	// RootToken is a token of root with api, sudo and admin_mode scopes.
	RootToken string
	// Config is the configuration it runs with.
	Config config.Config

	logs *logBuffer
}

// Logs is what the server logged at warning level and above so far.
func (s *Server) Logs() string { return s.logs.String() }

// FewestStatements runs f rounds times and returns the fewest store
// statements one run cost. The job queue's statements are not counted
// (store.Background), but other work f sets off on the server (a hook
// delivered in its request, a cache filled on first use) may be; the
// fewest are f's own.
func (s *Server) FewestStatements(rounds int, f func()) int64 {
	n := int64(-1)
	for range rounds {
		before := s.Srv.DB.Statements()
		f()
		if d := s.Srv.DB.Statements() - before; n < 0 || d < n {
			n = d
		}
	}
	return n
}

// logBuffer keeps the server's log lines for Logs, the last 1 MiB.
type logBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > 1<<20 {
		b.buf = append([]byte(nil), b.buf[len(b.buf)-(1<<19):]...)
	}
	return len(p), nil
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// freshDatabase stands for a new instance's database until the options
// have run.
const freshDatabase = "labtest:fresh"

// Option adjusts the configuration before start.
type Option func(*config.Config)

// WithSSH serves git over SSH on a free loopback port too; the server's
// Config.SSHListen names it.
func WithSSH() Option { return func(c *config.Config) { c.SSHListen = "127.0.0.1:0" } }

// WithObjectStore keeps the server's blobs in the S3-compatible bucket
// url names (see internal/blob/s3test) instead of its data dir.
func WithObjectStore(url string) Option { return func(c *config.Config) { c.ObjectStoreURL = url } }

// Start runs a fresh server for t and stops it when t ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.RootPassword = rootPassword
	cfg.Listen = "127.0.0.1:0"
	cfg.LogLevel = "warn"
	cfg.DatabaseURL = freshDatabase
	// CI runs the suite with and without caches: answers must not differ.
	cfg.CachesOff = os.Getenv("LABLET_CACHES") == "off"
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.DatabaseURL == freshDatabase {
		// A new instance: a copy of the process's seed (an option naming
		// a database means a second server on another's instance).
		sd := seeded(t)
		if err := sd.copyTo(cfg.DataDir); err != nil {
			t.Fatalf("labtest: copy seed: %v", err)
		}
		cfg.DatabaseURL = ""
		if sd.template != "" {
			cfg.DatabaseURL = sd.database(t)
		}
	}
	var sshLn net.Listener
	if cfg.SSHListen != "" {
		ln, err := net.Listen("tcp", cfg.SSHListen)
		if err != nil {
			t.Fatalf("labtest: ssh listen: %v", err)
		}
		sshLn = ln
		cfg.SSHListen = ln.Addr().String()
	}
	ctx := context.Background()
	logs := &logBuffer{}
	var logOut io.Writer = logs
	if os.Getenv("LABLET_TEST_LOG") != "" {
		logOut = io.MultiWriter(logs, os.Stderr)
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(ctx, cfg, log)
	if err != nil {
		t.Fatalf("labtest: start server: %v", err)
	}
	if sshLn != nil {
		srv.ListenSSH(sshLn)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		t.Fatalf("labtest: listen: %v", err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ctx, ln)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-served
	})
	s := &Server{URL: "http://" + ln.Addr().String(), Srv: srv, Config: cfg, logs: logs}
	// Close stops only a server whose Serve has begun: a test quicker
	// than the goroutine above would otherwise wait for it forever.
	waitServing(t, s.URL)
	root, err := srv.DB.Queries().UserByUsername(ctx, "root")
	if err != nil {
		t.Fatalf("labtest: root: %v", err)
	}
	_, s.RootToken, err = srv.Service.CreateToken(ctx, service.NewTokenInput{UserID: root.ID, Name: "labtest",
		Scopes: []string{"api", "sudo", "admin_mode"}})
	if err != nil {
		t.Fatalf("labtest: root token: %v", err)
	}
	return s
}

// waitServing returns once the server answers its liveness probe (the
// kernel queues the request until Serve accepts it).
func waitServing(t testing.TB, base string) {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get(base + "/-/liveness")
	if err != nil {
		t.Fatalf("labtest: server not serving: %v", err)
	}
	resp.Body.Close()
}

// DatabaseURL returns "" (SQLite in the data dir) or a fresh PostgreSQL
// database cloned from LABLET_TEST_DATABASE_URL, dropped when t ends.
func DatabaseURL(t testing.TB) string {
	base := os.Getenv("LABLET_TEST_DATABASE_URL")
	if base == "" {
		return ""
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("labtest: postgres: %v", err)
	}
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	name := "lablet_test_" + hex.EncodeToString(buf)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatalf("labtest: create database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("labtest: database url: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Client returns the official GitLab Go client speaking to s with token
// (empty for anonymous), without retries so failures surface at once.
func (s *Server) Client(t testing.TB, token string) *gitlab.Client {
	t.Helper()
	c, err := gitlab.NewClient(token, gitlab.WithBaseURL(s.URL+"/api/v4"), gitlab.WithoutRetries())
	if err != nil {
		t.Fatalf("labtest: client: %v", err)
	}
	return c
}

// Response is a raw HTTP answer with its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing t on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("labtest: decode %q: %v", r.Body, err)
	}
}

// Map decodes a JSON object body.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Request is a raw request to send with Do.
type Request struct {
	Method string
	// Path is below /api/v4 unless it starts with "/-/" or "http".
	Path    string
	Token   string
	Header  map[string]string
	JSON    any        // encoded as a JSON body
	Form    url.Values // sent form-encoded
	RawBody string     // sent as is with ContentType
	// ContentType for RawBody; default application/json.
	ContentType string
}

// Do sends req and returns the answer, failing t on transport errors.
func (s *Server) Do(t testing.TB, req Request) *Response {
	t.Helper()
	target := req.Path
	if !strings.HasPrefix(target, "http") {
		if !strings.HasPrefix(target, "/-/") {
			target = "/api/v4" + target
		}
		target = s.URL + target
	}
	var body io.Reader
	ct := ""
	switch {
	case req.JSON != nil:
		b, err := json.Marshal(req.JSON)
		if err != nil {
			t.Fatalf("labtest: encode: %v", err)
		}
		body, ct = bytes.NewReader(b), "application/json"
	case req.Form != nil:
		body, ct = strings.NewReader(req.Form.Encode()), "application/x-www-form-urlencoded"
	case req.RawBody != "":
		body, ct = strings.NewReader(req.RawBody), req.ContentType
		if ct == "" {
			ct = "application/json"
		}
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	hr, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatalf("labtest: request: %v", err)
	}
	if ct != "" {
		hr.Header.Set("Content-Type", ct)
	}
	if req.Token != "" {
		hr.Header.Set("PRIVATE-TOKEN", req.Token)
	}
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(hr)
	if err != nil {
		t.Fatalf("labtest: %s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("labtest: read body: %v", err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// User is a test user with a token.
type User struct {
	*model.User
	Token string
}

// NewUser creates a user directly in the store (so tests of other
// resources depend neither on the users API nor on its rules, e.g.
// can_create_group and projects_limit set generously) and gives it a token
// with scopes (default api).
func (s *Server) NewUser(t testing.TB, username string, scopes ...string) *User {
	t.Helper()
	ctx := context.Background()
	u := &model.User{Username: username, Email: username + "@example.com", Name: strings.ToUpper(username[:1]) + username[1:],
		CanCreateGroup: true, ProjectsLimit: 100000}
	err := s.Srv.DB.WithTx(ctx, func(q *store.Queries) error { return q.CreateUser(ctx, u) })
	if err != nil {
		t.Fatalf("labtest: create user %s: %v", username, err)
	}
	return &User{User: u, Token: s.NewToken(t, u.ID, scopes...)}
}

// NewToken mints a token for user id with scopes (default api).
func (s *Server) NewToken(t testing.TB, userID int64, scopes ...string) string {
	t.Helper()
	if len(scopes) == 0 {
		scopes = []string{"api"}
	}
	_, text, err := s.Srv.Service.CreateToken(context.Background(), service.NewTokenInput{UserID: userID,
		Name: "labtest", Scopes: scopes})
	if err != nil {
		t.Fatalf("labtest: token: %v", err)
	}
	return text
}

// ExpectError asserts status and that the body's JSON equals want.
func (r *Response) ExpectError(t testing.TB, status int, want string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	var got, exp any
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.Body, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("want %q is not JSON: %v", want, err)
	}
	gb, _ := json.Marshal(got)
	eb, _ := json.Marshal(exp)
	if !bytes.Equal(gb, eb) {
		t.Fatalf("body = %s, want %s", gb, eb)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
}
