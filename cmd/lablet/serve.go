package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"time"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/server"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(newFlagSet("serve"), args, os.Getenv, config.Serve)
	if done, err := parsed("serve", err, stdout, serveHelp); done {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	limit := applyMemoryLimit(os.Getenv)
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
		"data_dir", cfg.DataDir, "memory_limit_mib", limit>>20, "startup_ms", time.Since(start).Milliseconds())
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

// defaultMemoryLimit is the Go runtime's soft memory limit when GOMEMLIMIT
// is not set. The collector works harder only as the heap nears it, so a
// busy server stays under about 300 MB resident (its caches are bounded
// well below) without a CPU cost in the common case.
const defaultMemoryLimit = 256 << 20

// applyMemoryLimit sets defaultMemoryLimit unless GOMEMLIMIT is set, and
// returns the limit in force. The runtime has applied GOMEMLIMIT itself
// before main: a value it cannot parse never gets here (see the help).
func applyMemoryLimit(getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	debug.SetMemoryLimit(defaultMemoryLimit)
	return defaultMemoryLimit
}
