package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/server"
)

func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := config.Load(fs, args, (*config.Config).RegisterServeFlags)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	start := time.Now()
	srv, err := server.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if cfg.PprofListen != "" {
		stopPprof, err := servePprof(cfg.PprofListen)
		if err != nil {
			return err
		}
		defer stopPprof()
		log.Info("pprof listening", "addr", cfg.PprofListen)
	}
	log.Info("lablet listening", "addr", ln.Addr().String(), "database", string(srv.DB.Dialect()),
		"data_dir", cfg.DataDir, "startup_ms", time.Since(start).Milliseconds())
	return srv.Serve(ctx, ln)
}

// servePprof serves the runtime profiles on their own listener, so that
// they are never reachable through the public address.
func servePprof(addr string) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pprof listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	return func() { srv.Close() }, nil
}

func versionString() string { return "lablet " + server.Version }
