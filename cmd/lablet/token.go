package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/store"
)

// runTokenCreate prints a new personal access token for a user. It opens
// the same database as a running server; SQLite's WAL and busy timeout let
// both write.
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
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, store.Options{CachesOff: cfg.CachesOff})
	if err != nil {
		return err
	}
	defer db.Close()
	svc := service.New(service.Options{DB: db, Log: newLogger(stderr, "warn"), ImpersonationEnabled: cfg.ImpersonationEnabled})
	if err := svc.EnsureRoot(ctx, cfg.RootPassword, cfg.DataDir); err != nil {
		return err
	}
	u, err := db.Q().UserByUsername(ctx, user)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("token create: no user %q", user)
	}
	if err != nil {
		return err
	}
	in := service.NewTokenInput{UserID: u.ID, Name: name, Scopes: splitList(scopes)}
	if expires != "" {
		in.ExpiresAt = &expires
	}
	_, text, err := svc.CreateToken(ctx, in)
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
