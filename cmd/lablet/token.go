package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/server"
	"github.com/lablet/lablet/internal/service"
)

// runTokenCreate prints a new personal access token for a user. It opens
// the same database as a running server; SQLite's WAL and busy timeout let
// both write. It never creates an instance: a token in a database no
// server reads would be refused everywhere.
func runTokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var user, name, scopes, expires string
	cfg, err := config.Load(fs, args, func(c *config.Config, fs *flag.FlagSet) {
		c.RegisterStorageFlags(fs)
		fs.StringVar(&user, "user", "root", "username of the token's owner")
		fs.StringVar(&name, "name", "", "token name")
		fs.StringVar(&scopes, "scopes", "api", "comma-separated scopes")
		fs.StringVar(&expires, "expires-at", "", "expiry date YYYY-MM-DD (optional)")
	})
	if err != nil {
		return err
	}
	if name == "" {
		return errors.New("token create: --name is required")
	}
	svc, closeDB, err := server.OpenExisting(ctx, cfg, newLogger(stderr, "warn"))
	if errors.Is(err, server.ErrNoInstance) {
		return fmt.Errorf("token create: %w (data dir %s); start \"lablet serve\" there first, or pass --data-dir / --database-url",
			err, cfg.DataDir)
	}
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	defer closeDB()
	in := service.NewTokenInput{Name: name, Scopes: splitList(scopes)}
	if expires != "" {
		in.ExpiresAt = &expires
	}
	text, err := svc.CreateTokenForUsername(ctx, user, in)
	var se *service.Error
	if errors.As(err, &se) && se.Kind == service.KindNotFound {
		return fmt.Errorf("token create: no user %q in %s", user, server.DescribeDatabase(cfg))
	}
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	fmt.Fprintln(stdout, text)
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
