package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/server"
	"github.com/lablet/lablet/internal/service"
)

// runTokenCreate prints a new personal access token for a user. It opens
// the same database as a running server; SQLite's WAL and busy timeout let
// both write. It never creates an instance: a token in a database no
// server reads would be refused everywhere.
func runTokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token create")
	user := fs.String("user", "root", "")
	name := fs.String("name", "", "")
	scopes := fs.String("scopes", "api", "")
	expires := fs.String("expires-at", "", "")
	cfg, err := config.Load(fs, args, os.Getenv, config.Storage)
	if done, err := parsed("token create", err, stdout, tokenCreateHelp); done {
		return err
	}
	in, err := tokenInput(*name, *scopes, *expires)
	if err != nil {
		return err
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
	text, err := svc.CreateTokenForUsername(ctx, *user, in)
	var se *service.Error
	if errors.As(err, &se) && se.Kind == service.KindNotFound {
		return fmt.Errorf("token create: no user %q in %s", *user, server.DescribeDatabase(cfg))
	}
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	fmt.Fprintln(stdout, text)
	return nil
}

// tokenInput refuses, before anything is opened, what the service would
// refuse for its form alone.
func tokenInput(name, scopes, expires string) (service.NewTokenInput, error) {
	in := service.NewTokenInput{Name: name, Scopes: splitList(scopes)}
	if name == "" {
		return in, usageError{errors.New(`token create: --name is required (see "lablet token create --help")`)}
	}
	bad := func(flag, v, accepted string) error {
		return fmt.Errorf("token create: %w", &config.ValueError{Name: flag, Value: v, Accepted: accepted})
	}
	accepted := "a comma-separated list of " + strings.Join(auth.PersonalScopes, ", ")
	if len(in.Scopes) == 0 {
		return in, bad("--scopes", scopes, accepted)
	}
	for _, sc := range in.Scopes {
		if !slices.Contains(auth.PersonalScopes, sc) {
			return in, bad("--scopes", sc, accepted)
		}
	}
	if expires != "" {
		if _, err := time.Parse(time.DateOnly, expires); err != nil {
			return in, bad("--expires-at", expires, "a date YYYY-MM-DD in the future")
		}
		in.ExpiresAt = &expires
	}
	return in, nil
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
