package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// maxBackoff bounds the wait after failed requests for jobs.
const maxBackoff = time.Minute

// Run asks the server for jobs with cfg.Concurrent workers and runs them
// until ctx ends; then it aborts the jobs still running (each reported
// failed, runner_system_failure) and returns nil. It returns an error at
// once for a config it cannot use, and when the server refuses the
// runner's token (the runner was deleted or its token reset).
func Run(ctx context.Context, cfg Config, log *slog.Logger) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	for _, rc := range cfg.Runners {
		for _, d := range []string{rc.BuildsDir, rc.CacheDir} {
			if err := os.MkdirAll(d, 0o700); err != nil {
				return fmt.Errorf("runner %q: %w", rc.Name, err)
			}
		}
	}
	pollCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var wg sync.WaitGroup
	for i := range cfg.Concurrent {
		wg.Go(func() { poll(pollCtx, ctx, stop, cfg, i, log) })
	}
	log.Info("runner started", "concurrent", cfg.Concurrent, "runners", len(cfg.Runners))
	wg.Wait()
	if cause := context.Cause(pollCtx); errors.Is(cause, errForbidden) {
		return cause
	}
	log.Info("runner stopped")
	return nil
}

// poll is one worker: it asks each runner of the config in turn for a
// job and runs what it gets, one job at a time. Jobs are aborted when
// shutdown ends, not when polling stops for another reason.
func poll(ctx, shutdown context.Context, stop context.CancelCauseFunc, cfg Config, worker int, log *slog.Logger) {
	log = log.With("worker", worker)
	clients := make([]*client, len(cfg.Runners))
	for i, rc := range cfg.Runners {
		clients[i] = newClient(cfg.HTTPClient, rc.URL, rc.Token, cfg.Version)
	}
	var backoff time.Duration
	for n := 0; ctx.Err() == nil; n++ {
		i := n % len(clients)
		rc, c := cfg.Runners[i], clients[i]
		job, err := c.requestJob(ctx)
		wait := cfg.PollInterval
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, errForbidden):
			log.Error("the server refused the runner's token: the runner was deleted or its token reset; stopping",
				"runner", rc.Name, "url", rc.URL)
			stop(fmt.Errorf("runner %q: %w: its token is no longer valid", rc.Name, err))
			return
		case err != nil:
			backoff = min(max(2*backoff, cfg.PollInterval), maxBackoff)
			wait = backoff
			log.Warn("checking for jobs failed", "runner", rc.Name, "err", err, "retry_in", wait)
		case job == nil:
			backoff = 0
			log.Debug("checking for jobs: nothing", "runner", rc.Name)
		default:
			backoff = 0
			runJob(shutdown, c, rc, job, cfg.Version, worker, log)
			continue // ask again at once: there may be more
		}
		if i < len(clients)-1 && err == nil {
			continue // the next runner of the config is asked at once
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(jitter(wait)):
		}
	}
}

// jitter spreads waits over 75–125 % so that workers do not ask together.
func jitter(d time.Duration) time.Duration {
	return d*3/4 + rand.N(d/2+1)
}

// RegisterOption changes how Register registers.
type RegisterOption func(*registration)

type registration struct {
	name string
	hc   *http.Client
}

// WithName names the runner in the config (default: the host's name).
func WithName(name string) RegisterOption { return func(r *registration) { r.name = name } }

// WithHTTPClient sets the client Register verifies the token with.
func WithHTTPClient(hc *http.Client) RegisterOption { return func(r *registration) { r.hc = hc } }

// Register checks a runner authentication token (glrt-…) with the server
// (POST /api/v4/runners/verify) and, when the server takes it, adds the
// runner to the config file at path (created 0600 when missing; an entry
// with the same token is replaced). When the server refuses the token
// nothing is written.
func Register(ctx context.Context, serverURL, token, path string, opts ...RegisterOption) error {
	r := registration{hc: &http.Client{}}
	for _, o := range opts {
		o(&r)
	}
	u, err := url.Parse(serverURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("register: url %q: want http(s)://host[:port]", serverURL)
	}
	if token == "" {
		return errors.New("register: a runner authentication token is required")
	}
	if path == "" {
		path = DefaultConfigPath
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	cfg, err := readConfigIfAny(abs)
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	info, err := newClient(r.hc, serverURL, token, "").verify(ctx)
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	if r.name == "" {
		r.name, _ = os.Hostname()
	}
	dir := filepath.Dir(abs)
	entry := RunnerConfig{
		Name: r.name, URL: serverURL, ID: info.ID, Token: token,
		TokenObtainedAt: time.Now().UTC().Truncate(time.Second),
		Executor:        defaultExecutor, Shell: defaultShell,
		BuildsDir: filepath.Join(dir, "builds"),
		CacheDir:  filepath.Join(dir, "cache"),
	}
	if info.TokenExpiresAt != nil {
		entry.TokenExpiresAt = info.TokenExpiresAt.UTC()
	}
	replaced := false
	for i, rc := range cfg.Runners {
		if rc.Token == token {
			cfg.Runners[i], replaced = entry, true
		}
	}
	if !replaced {
		cfg.Runners = append(cfg.Runners, entry)
	}
	return writeConfig(abs, cfg)
}
