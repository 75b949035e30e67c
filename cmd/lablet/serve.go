package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
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
	log.Info("lablet listening", "addr", ln.Addr().String(), "database", string(srv.DB.Dialect()),
		"data_dir", cfg.DataDir, "startup_ms", time.Since(start).Milliseconds())
	return srv.Serve(ctx, ln)
}

func versionString() string { return "lablet " + server.Version }
