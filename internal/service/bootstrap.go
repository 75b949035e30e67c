package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// EnsureRoot creates the administrator root (user 1) on first start. When
// password is empty a random one is written to dataDir/initial_root_password.
func (s *Service) EnsureRoot(ctx context.Context, password, dataDir string) error {
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		n, err := q.CountUsers(ctx)
		if err != nil {
			return fmt.Errorf("service: count users: %w", err)
		}
		if n > 0 {
			return nil
		}
		generated := password == ""
		if generated {
			password = auth.NewSecret("", 24)
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		root := &model.User{Username: "root", Email: "admin@example.com", Name: "Administrator",
			PasswordHash: hash, IsAdmin: true, CanCreateGroup: true, ProjectsLimit: DefaultProjectsLimit}
		if err := q.CreateUser(ctx, root); errors.Is(err, store.ErrConflict) {
			return errRootMeanwhile
		} else if err != nil {
			return fmt.Errorf("service: create root: %w", err)
		}
		if generated {
			if err := os.MkdirAll(dataDir, 0o700); err != nil {
				return fmt.Errorf("service: data dir: %w", err)
			}
			path := filepath.Join(dataDir, "initial_root_password")
			body := "Password: " + password + "\n"
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				return fmt.Errorf("service: write initial root password: %w", err)
			}
		}
		return nil
	})
	if errors.Is(err, errRootMeanwhile) {
		return nil
	}
	return err
}

// errRootMeanwhile ends the transaction of an instance that found root
// made by another instance started at the same time on the same
// database: that one wrote the generated password.
var errRootMeanwhile = errors.New("service: root created by another instance meanwhile")

// NewTokenInput describes a personal access token to create.
type NewTokenInput struct {
	UserID        int64
	Name          string
	Description   string
	Scopes        []string
	ExpiresAt     *string // YYYY-MM-DD
	Impersonation bool
}

// CreateToken validates in and stores a new token, returning the record and
// the token's text, which is never stored or shown again.
func (s *Service) CreateToken(ctx context.Context, in NewTokenInput) (*model.Token, string, error) {
	if err := s.validateTokenInput(in); err != nil {
		return nil, "", err
	}
	text := auth.NewPersonalToken()
	t := &model.Token{UserID: in.UserID, Name: in.Name, Description: in.Description, Digest: auth.Digest(text),
		Scopes: in.Scopes, ExpiresAt: in.ExpiresAt, Impersonation: in.Impersonation}
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		if _, err := q.UserByID(ctx, in.UserID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return NotFound("User")
			}
			return err
		}
		return q.CreateToken(ctx, t)
	})
	if err != nil {
		return nil, "", err
	}
	return t, text, nil
}

// CreateTokenForUsername is CreateToken for the user named username (the
// command line names users, not ids); it returns the token's text.
func (s *Service) CreateTokenForUsername(ctx context.Context, username string, in NewTokenInput) (string, error) {
	u, err := s.UserByUsername(ctx, username)
	if err != nil {
		return "", err
	}
	in.UserID = u.ID
	_, text, err := s.CreateToken(ctx, in)
	return text, err
}

func (s *Service) validateTokenInput(in NewTokenInput) error {
	if in.Name == "" {
		return ParamError("name is missing")
	}
	if msg := ValidText(in.Name, MaxNameLength); msg != "" {
		return ParamError("name " + msg)
	}
	if len(in.Scopes) == 0 {
		return ParamError("scopes is missing")
	}
	for _, sc := range in.Scopes {
		if !auth.ValidScope(sc) {
			return ParamError("scopes does not have a valid value")
		}
	}
	if in.ExpiresAt != nil {
		if !ValidDate(*in.ExpiresAt) {
			return ParamError("expires_at is invalid")
		}
		if *in.ExpiresAt < s.Today() {
			return &Error{Kind: KindInvalid, Message: "Expiration date must be in the future"}
		}
	}
	return nil
}

// ValidDate reports whether s is a real YYYY-MM-DD date.
func ValidDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := parseDate(s)
	return err == nil
}
