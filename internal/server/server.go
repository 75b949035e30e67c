// Package server wires lablet's parts into one HTTP server: storage, the
// service layer, every adapter, middleware and lifecycle.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"time"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/oauth"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/store"
	"github.com/lablet/lablet/internal/web"
)

// Version is set at build time with -ldflags.
var Version = "dev"

// Server is a running lablet instance.
type Server struct {
	Config  config.Config
	DB      *store.DB
	Service *service.Service
	log     *slog.Logger
	handler http.Handler
	ready   atomic.Bool
	http    *http.Server
	cancel  context.CancelFunc
	done    chan struct{}
}

// New opens storage, creates root on first start and builds the handler.
// It validates cfg first, which makes its paths absolute.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if p := store.SQLitePath(cfg.DatabaseURL, cfg.DataDir); p != "" {
		if err := prepareSQLite(p); err != nil {
			return nil, err
		}
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	svc := service.New(db, log, cfg.ImpersonationEnabled)
	svc.Repos = &repo.Store{Root: filepath.Join(cfg.DataDir, "repositories")}
	if err := svc.EnsureRoot(ctx, cfg.RootPassword, cfg.DataDir); err != nil {
		db.Close()
		return nil, err
	}
	s := &Server{Config: cfg, DB: db, Service: svc, log: log, done: make(chan struct{})}
	authn := auth.NewAuthenticator(db, cfg.ImpersonationEnabled, cfg.AdminMode)
	api := v4.New(v4.Options{
		Service:       svc,
		Authenticator: authn,
		Log:           log,
		ExternalURL:   cfg.ExternalURL,
		Version:       Version,
		MaxFileSize:   cfg.MaxFileSize,
	})
	provider, err := oauth.New(oauth.Options{Service: svc, Authenticator: authn, Log: log, DataDir: cfg.DataDir,
		ExternalURL: cfg.ExternalURL, PasswordGrant: cfg.OAuthPasswordGrant})
	if err != nil {
		db.Close()
		return nil, err
	}
	pages, err := web.New(web.Options{Service: svc, Authenticator: authn, Log: log, ExternalURL: cfg.ExternalURL,
		OAuth: provider})
	if err != nil {
		db.Close()
		return nil, err
	}
	git, err := newGitHandler(cfg.DataDir, svc, authn, log, pages)
	if err != nil {
		db.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(v4.Prefix+"/", api)
	mux.Handle("/", git) // git smart HTTP at /<full_path>.git/..., pages otherwise
	// OAuth's machine endpoints (/oauth/token, discovery, …); its consent
	// and device pages are served by web under "/".
	provider.Register(mux)
	mux.HandleFunc("GET /-/health", s.health)
	mux.HandleFunc("GET /-/liveness", s.liveness)
	mux.HandleFunc("GET /-/readiness", s.readiness)
	s.handler = requestID(logRequests(log, recoverPanics(log, mux)))
	return s, nil
}

// Handler is the server's root handler, for tests that serve it themselves.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve accepts connections on ln until ctx ends or Close is called, and
// runs the background workers meanwhile.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	s.cancel = cancel
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	go func() {
		defer close(s.done)
		s.Service.RunBackground(ctx)
	}()
	s.ready.Store(true)
	go func() {
		<-ctx.Done()
		s.ready.Store(false)
		shutdownCtx, c := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer c()
		_ = s.http.Shutdown(shutdownCtx)
	}()
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("server: %w", err)
}

// Close stops serving, waits for background work and closes storage.
func (s *Server) Close() error {
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	if s.Service.Repos != nil {
		_ = s.Service.Repos.Close()
	}
	return s.DB.Close()
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte("GitLab OK"))
}

func (s *Server) liveness(w http.ResponseWriter, r *http.Request) {
	writeStatus(w, http.StatusOK, `{"status":"ok"}`)
}

func (s *Server) readiness(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if !s.ready.Load() {
		writeStatus(w, http.StatusServiceUnavailable, `{"status":"failed","master_check":[{"status":"failed"}]}`)
		return
	}
	if err := s.DB.SQL().PingContext(ctx); err != nil {
		writeStatus(w, http.StatusServiceUnavailable, `{"status":"failed","db_check":[{"status":"failed"}]}`)
		return
	}
	writeStatus(w, http.StatusOK, `{"status":"ok","master_check":[{"status":"ok"}],"db_check":[{"status":"ok"}]}`)
}

func writeStatus(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}
