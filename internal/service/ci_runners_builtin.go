package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// BuiltinRunnerTokenFile is where `serve --runner` keeps its runner's
// token, in the data dir.
const BuiltinRunnerTokenFile = "runner-token"

// EnsureBuiltinRunner returns the authentication token of the instance
// runner `lablet serve --runner` runs: the one kept in the data dir while
// it still authenticates (the same runner across restarts), else a new
// instance runner's, written there 0600 first. Only the runner's record
// is made here; the runner itself talks to the server over HTTP.
func (s *Service) EnsureBuiltinRunner(ctx context.Context, dataDir string) (string, error) {
	path := filepath.Join(dataDir, BuiltinRunnerTokenFile)
	if b, err := os.ReadFile(path); err == nil {
		token := strings.TrimSpace(string(b))
		_, err := s.VerifyRunner(ctx, token)
		if err == nil {
			return token, nil
		}
		if !errors.Is(err, errRunnerToken) {
			return "", err
		}
		// Deleted or expired on the server: make another.
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("service: read %s: %w", path, err)
	}
	token := newRunnerToken()
	r := &model.Runner{RunnerType: model.RunnerInstance, RegistrationType: "authenticated_user", RunUntagged: true,
		AccessLevel: "not_protected", Description: "lablet serve --runner", TokenDigest: auth.Digest(token)}
	// The file first: a runner whose token was lost would be left behind.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(token+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("service: write runner token: %w", err)
	}
	if err := s.db.WithTx(ctx, func(q *store.Queries) error { return q.InsertRunner(ctx, r) }); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("service: create the built-in runner: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("service: write runner token: %w", err)
	}
	return token, nil
}
