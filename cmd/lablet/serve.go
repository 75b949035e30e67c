package main

import (
	"context"
	"errors"
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
	// Bind first: an address in use must fail before the data dir, the
	// database and root's password exist.
	ln, err := listen(cfg.Listen, "--listen, LABLET_LISTEN")
	if err != nil {
		return err
	}
	defer ln.Close()
	var pprofLn net.Listener
	if cfg.PprofListen != "" {
		if pprofLn, err = listen(cfg.PprofListen, "--pprof-listen, LABLET_PPROF_LISTEN"); err != nil {
			return err
		}
		defer pprofLn.Close()
	}
	var sshLn net.Listener
	if cfg.SSHListen != "" {
		if sshLn, err = listen(cfg.SSHListen, "--ssh-listen, LABLET_SSH_LISTEN"); err != nil {
			return err
		}
		defer sshLn.Close()
		// The bound address (a port of 0 chosen now) is what
		// ssh_url_to_repo names.
		cfg.SSHListen = sshLn.Addr().String()
	}
	srv, err := server.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	if err := srv.DB.OpenConnections(ctx); err != nil {
		srv.Close()
		return err
	}
	if sshLn != nil {
		srv.ListenSSH(sshLn)
		log.Info("ssh listening", "addr", sshLn.Addr().String())
	}
	if pprofLn != nil {
		defer servePprof(pprofLn)()
		log.Info("pprof listening", "addr", pprofLn.Addr().String())
	}
	log.Info("lablet listening", "addr", ln.Addr().String(), "database", string(srv.DB.Dialect()),
		"data_dir", cfg.DataDir, "memory_limit_mib", limit>>20, "startup_ms", time.Since(start).Milliseconds())
	runnerDone := func() {}
	if cfg.Runner {
		if runnerDone, err = startBuiltinRunner(ctx, srv, cfg, ln.Addr(), log); err != nil {
			srv.Close()
			return err
		}
	}
	serveErr := srv.Serve(ctx, ln)
	runnerDone()
	closeErr := srv.Close()
	if err := errors.Join(serveErr, closeErr); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("lablet stopped", "reason", stopReason(ctx), "requests_cut", srv.RequestsCut())
	return nil
}

// stopReason says why Serve returned cleanly: the signal, as NotifyContext
// records it ("interrupt signal received").
func stopReason(ctx context.Context) string {
	if err := context.Cause(ctx); err != nil {
		return err.Error()
	}
	return "server closed"
}

// listen binds addr, naming it and the setting that gave it on failure.
func listen(addr, setting string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) {
			err = op.Err // net's text repeats the address
		}
		return nil, fmt.Errorf("serve: cannot listen on %s (%s): %w", addr, setting, err)
	}
	return ln, nil
}

// servePprof serves the runtime profiles on their own listener, so that
// they are never reachable through the public address.
func servePprof(ln net.Listener) (stop func()) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	return func() { srv.Close() }
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
