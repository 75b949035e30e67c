package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/runner"
	"github.com/lablet/lablet/internal/server"
)

// startBuiltinRunner runs `serve --runner`'s runner: the loop of `lablet
// runner run` with one shell runner, polling the server at its own
// listen address over HTTP, as any runner would. It stops when ctx ends
// or done is called, aborting its running jobs; done waits for that.
func startBuiltinRunner(ctx context.Context, srv *server.Server, cfg config.Config, addr net.Addr, log *slog.Logger) (done func(), err error) {
	token, err := srv.Service.EnsureBuiltinRunner(ctx, cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("serve: built-in runner: %w", err)
	}
	rcfg := runner.Config{Concurrent: 1, Version: server.Version, Runners: []runner.RunnerConfig{{
		Name: "lablet-serve", URL: selfURL(addr), Token: token, Executor: "shell",
		BuildsDir: filepath.Join(cfg.DataDir, "builds"), CacheDir: filepath.Join(cfg.DataDir, "cache")}}}
	log = log.With("component", "runner")
	ctx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		if err := runner.Run(ctx, rcfg, log); err != nil {
			log.Error("built-in runner stopped", "err", err)
		}
	}()
	return func() {
		cancel()
		select {
		case <-stopped:
		case <-time.After(30 * time.Second):
			log.Warn("built-in runner did not stop in time")
		}
	}, nil
}

// selfURL is the server's URL for a client on this machine: a wildcard
// listen address is reached through loopback.
func selfURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip.To4() == nil {
			host = "::1"
		}
	}
	return "http://" + net.JoinHostPort(host, port)
}
