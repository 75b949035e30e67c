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
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/api/v4/cicd"
	"github.com/lablet/lablet/internal/api/v4/hooks"
	"github.com/lablet/lablet/internal/api/v4/importexport"
	"github.com/lablet/lablet/internal/api/v4/instance"
	"github.com/lablet/lablet/internal/api/v4/integrations"
	"github.com/lablet/lablet/internal/api/v4/keys"
	"github.com/lablet/lablet/internal/api/v4/notifications"
	"github.com/lablet/lablet/internal/api/v4/packages"
	"github.com/lablet/lablet/internal/api/v4/projectops"
	"github.com/lablet/lablet/internal/api/v4/releases"
	scimapi "github.com/lablet/lablet/internal/api/v4/scim"
	"github.com/lablet/lablet/internal/api/v4/snippets"
	"github.com/lablet/lablet/internal/api/v4/wikis"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/blob"
	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/githttp"
	"github.com/lablet/lablet/internal/gitlfs"
	"github.com/lablet/lablet/internal/graphql"
	"github.com/lablet/lablet/internal/mail"
	"github.com/lablet/lablet/internal/oauth"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/route"
	"github.com/lablet/lablet/internal/scim"
	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/sshd"
	"github.com/lablet/lablet/internal/store"
	"github.com/lablet/lablet/internal/web"
)

// Version is set at build time with -ldflags.
var Version = "dev"

// Server is a running lablet instance.
type Server struct {
	Config config.Config
	// DB and Repos are the storage the service runs on; tests reach them
	// to arrange states no API can.
	DB      *store.DB
	Repos   *repo.Store
	Service *service.Service
	log     *slog.Logger
	handler http.Handler
	routes  []route.Route
	ready   atomic.Bool
	http    *http.Server
	cancel  context.CancelFunc
	done    chan struct{}
	// served is closed when Serve has returned: every request it took
	// finished or was cut after DrainTimeout. Cut counts the cut ones.
	served chan struct{}
	cut    atomic.Bool
	// sshd serves git over SSH on sshLn when --ssh-listen is set.
	sshd    *sshd.Server
	sshLn   net.Listener
	sshDone chan struct{}
}

// New opens storage, creates root on first start and builds the handler.
// It validates cfg first, which makes its paths absolute.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	sqlite := store.SQLitePath(cfg.DatabaseURL, cfg.DataDir)
	if sqlite != "" {
		if err := prepareSQLite(sqlite); err != nil {
			return nil, err
		}
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, store.Options{CachesOff: cfg.CachesOff, MaxConns: cfg.DatabaseMaxConns})
	if err != nil {
		return nil, err
	}
	// On PostgreSQL other instances may serve the same repositories
	// (docs/scale-out.md): their ref changes are seen through the stamps.
	repos := &repo.Store{Root: cfg.RepositoriesDir, CachesOff: cfg.CachesOff, Shared: sqlite == ""}
	// The stamp moves in git's own ref transactions, so an instance killed
	// right after moving a ref leaves no other one answering from before.
	if err := repos.InstallRefsHook(filepath.Join(cfg.DataDir, "git-hooks")); err != nil {
		db.Close()
		return nil, err
	}
	blobs, err := openBlobs(ctx, &cfg, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	relay, err := mailRelay(&cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	svc := service.New(service.Options{DB: db, Log: log, Repos: repos, ImpersonationEnabled: cfg.ImpersonationEnabled,
		Blobs: blobs, RedirectDownloads: !cfg.ObjectStoreProxyDownload, MaxAttachmentSize: cfg.MaxAttachmentSize,
		MaxArtifactsSize: cfg.MaxArtifactsSize << 20, MaxGenericPackageSize: cfg.MaxGenericPackageSize, CachesOff: cfg.CachesOff,
		ExternalURL: cfg.ExternalURL, Version: Version, MailRelay: relay, MailFrom: cfg.MailFrom(),
		HookRetryDelay: cfg.WebHookRetryDelay, GitAuthBan: service.GitAuthBan{Enabled: cfg.GitAuthBan,
			MaxRetry: cfg.GitAuthBanMaxRetry, FindTime: cfg.GitAuthBanFindTime, BanTime: cfg.GitAuthBanTime},
		SSHRepoURL: func(host, fullPath string) string { return sshRepoURL(host, sshPort(cfg.SSHListen), fullPath) }})
	if err := svc.EnsureRoot(ctx, cfg.RootPassword, cfg.DataDir); err != nil {
		db.Close()
		return nil, err
	}
	s := &Server{Config: cfg, DB: db, Repos: repos, Service: svc, log: log, done: make(chan struct{})}
	authn := auth.NewAuthenticator(db, cfg.ImpersonationEnabled, cfg.AdminMode)
	api := v4.New(v4.Options{
		Service:       svc,
		Authenticator: authn,
		Log:           log,
		ExternalURL:   cfg.ExternalURL,
		Version:       Version,
		MaxFileSize:   cfg.MaxFileSize,
		CachesOff:     cfg.CachesOff,
		Gravatar:      cfg.Gravatar,
		SSHPort:       sshPort(cfg.SSHListen),
		Domains:       apiDomains(),
	})
	provider, err := oauth.New(oauth.Options{Service: svc, DB: db, Authenticator: authn, Log: log, DataDir: cfg.DataDir,
		ExternalURL: cfg.ExternalURL, PasswordGrant: cfg.OAuthPasswordGrant, RateLimit: cfg.OAuthRateLimit})
	if err != nil {
		db.Close()
		return nil, err
	}
	pages, err := web.New(web.Options{Service: svc, Authenticator: authn, Log: log, ExternalURL: cfg.ExternalURL,
		OAuth: provider, Gravatar: cfg.Gravatar})
	if err != nil {
		db.Close()
		return nil, err
	}
	git, resolver, err := newGitHandler(cfg, svc, authn, log, repos.Shared)
	if err != nil {
		db.Close()
		return nil, err
	}
	if cfg.SSHListen != "" {
		if err := s.newSSHServer(git, resolver, authn); err != nil {
			db.Close()
			return nil, err
		}
	}
	// One router serves every surface's table: unknown paths under /api
	// answer GitLab's JSON 404, others the pages' 404.
	lfs := gitlfs.New(svc, resolver.lfsIdentity, cfg.ExternalURL, log)
	gql := graphql.New(graphql.Options{Service: svc, Authenticator: authn, Log: log, ExternalURL: cfg.ExternalURL,
		Version: Version, Gravatar: cfg.Gravatar})
	provisioning := scim.New(scim.Options{Service: svc, Log: log, ExternalURL: cfg.ExternalURL})
	s.routes = surfaces(api, gql, git, lfs, provider, provisioning, pages, s)
	router, err := route.New(s.routes, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			v4.NotFound(w, r)
			return
		}
		pages.NotFound(w, r)
	}))
	if err != nil {
		db.Close()
		return nil, err
	}
	limits := &throttle{svc: svc, auth: authn, git: resolver, log: log}
	s.handler = requestID(logRequests(log, recoverPanics(log, limits.wrap(router))))
	return s, nil
}

// Handler is the server's root handler, for tests that serve it themselves.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes is every route the server serves, surface by surface: the REST
// API, git over HTTP, OAuth, pages and health.
func (s *Server) Routes() []route.Route { return s.routes }

// surfaces concatenates the route tables, in the order lablet routes
// prints them.
func surfaces(api *v4.API, gql *graphql.Handler, git *githttp.Handler, lfs *gitlfs.Handler, provider *oauth.Provider,
	provisioning *scim.Handler, pages *web.Handler, s *Server) []route.Route {
	return slices.Concat(api.Routes(), gql.Routes(), git.Routes(), lfs.Routes(), provider.Routes(), provisioning.Routes(),
		pages.Routes(), s.healthRoutes())
}

// mailRelay is the SMTP relay of cfg; nil when none is configured.
func mailRelay(cfg *config.Config) (*mail.Relay, error) {
	if cfg.SMTPAddress == "" {
		return nil, nil
	}
	roots, err := cfg.SMTPRootCAs()
	if err != nil {
		return nil, err
	}
	return &mail.Relay{Addr: cfg.SMTPAddress, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword,
		TLS: cfg.SMTPTLS, RootCAs: roots}, nil
}

// apiDomains are the REST API's domain packages' route tables, served
// after the core table (internal/api/v4 imports none of them).
func apiDomains() [][]v4.Endpoint {
	return [][]v4.Endpoint{cicd.Routes(), hooks.Routes(), instance.Routes(), integrations.Routes(), keys.Routes(),
		importexport.Routes(), notifications.Routes(), packages.Routes(), projectops.Routes(), releases.Routes(),
		snippets.Routes(), wikis.Routes(), scimapi.Routes()}
}

// RouteTable is the table a server serves, built without storage: for
// `lablet routes`. Its handlers must not be called.
func RouteTable() ([]route.Route, error) {
	pages, err := web.New(web.Options{OAuth: &oauth.Provider{}})
	if err != nil {
		return nil, err
	}
	return surfaces(v4.New(v4.Options{Domains: apiDomains()}), graphql.New(graphql.Options{}), &githttp.Handler{},
		&gitlfs.Handler{}, &oauth.Provider{}, &scim.Handler{}, pages, &Server{}), nil
}

func (s *Server) healthRoutes() []route.Route {
	rows := []struct {
		path string
		fn   func(*Server, http.ResponseWriter, *http.Request)
	}{
		{"/-/health", (*Server).health},
		{"/-/liveness", (*Server).liveness},
		{"/-/readiness", (*Server).readiness},
	}
	out := make([]route.Route, 0, len(rows))
	for _, row := range rows {
		fn := row.fn
		out = append(out, route.Route{Method: http.MethodGet, Pattern: row.path, Func: fn, Auth: "anonymous",
			Ability: access.None, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fn(s, w, r) })})
	}
	return out
}

// DrainTimeout bounds how long requests in flight when the server is told
// to stop may take to finish.
const DrainTimeout = 30 * time.Second

// Serve accepts connections on ln until ctx ends or Close is called, and
// runs the background workers meanwhile. Once told to stop it accepts no
// more and lets the requests in flight finish, up to DrainTimeout, before
// it returns: their contexts are not the server's, so a push half-way
// is completed, not cancelled.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	s.cancel = cancel
	s.served = make(chan struct{})
	defer close(s.served)
	reqCtx, cutRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer cutRequests()
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return reqCtx },
	}
	syncDone := make(chan struct{})
	go func() {
		defer close(syncDone)
		s.Service.SyncRateLimits(ctx)
	}()
	go func() {
		defer close(s.done)
		if err := s.Service.RunBackground(ctx); err != nil {
			s.log.Error("background work", "err", err)
		}
		<-syncDone
	}()
	if s.sshd != nil && s.sshLn != nil {
		s.sshDone = make(chan struct{})
		go func() {
			defer close(s.sshDone)
			if err := s.sshd.Serve(ctx, s.sshLn); err != nil {
				s.log.ErrorContext(ctx, "ssh server stopped", "err", err)
			}
		}()
	}
	s.ready.Store(true)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		<-ctx.Done()
		s.ready.Store(false)
		shutdownCtx, c := context.WithTimeout(context.WithoutCancel(ctx), DrainTimeout)
		defer c()
		if err := s.http.Shutdown(shutdownCtx); err != nil {
			s.cut.Store(true)
			_ = s.http.Close()
		}
		cutRequests()
	}()
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		<-drained
		return nil
	}
	return fmt.Errorf("server: %w", err)
}

// RequestsCut reports whether stopping cut requests that had not finished
// within DrainTimeout.
func (s *Server) RequestsCut() bool { return s.cut.Load() }

// Close stops serving, waits for background work and closes storage.
func (s *Server) Close() error {
	if s.cancel != nil {
		s.cancel()
		if s.served != nil {
			<-s.served
		}
		<-s.done
		if s.sshDone != nil {
			<-s.sshDone
		}
	}
	_ = s.Repos.Close()
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

// openBlobs opens the blob store: the object store's bucket when one is
// set (checked to exist, so a wrong setting stops the start), else files
// in the data dir, 0700 like the rest of it.
func openBlobs(ctx context.Context, cfg *config.Config, log *slog.Logger) (blob.Store, error) {
	o, ok := cfg.ObjectStore()
	if !ok {
		return blob.NewFS(filepath.Join(cfg.DataDir, "blobs"))
	}
	s, err := blob.NewS3(ctx, blob.S3Options{Endpoint: o.Endpoint, Secure: o.Secure, Region: o.Region,
		Bucket: o.Bucket, Prefix: o.Prefix, AccessKey: o.AccessKey, SecretKey: o.SecretKey})
	if err != nil {
		return nil, fmt.Errorf("object store (--object-store-url): %w", err)
	}
	log.Info("blobs are kept in object storage", "store", s.String())
	return s, nil
}
