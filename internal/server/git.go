package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/githttp"
	"github.com/lablet/lablet/internal/route"
	"github.com/lablet/lablet/internal/service"
)

// newGitHandler builds the smart HTTP handler with its pre-receive hook in
// the data directory (kept across restarts, rewritten at each start).
func newGitHandler(cfg config.Config, svc *service.Service, authn *auth.Authenticator, log *slog.Logger,
	shared bool) (*githttp.Handler, *gitResolver, error) {
	resolver := &gitResolver{svc: svc, auth: authn, log: log, externalURL: cfg.ExternalURL}
	h, err := githttp.New(resolver,
		githttp.Options{HookDir: filepath.Join(cfg.DataDir, "git-hooks"), Logger: log, CachesOff: cfg.CachesOff,
			SharedRepositories: shared})
	if err != nil {
		return nil, nil, fmt.Errorf("server: git handler: %w", err)
	}
	return h, resolver, nil
}

// gitResolver turns HTTP Basic credentials into an identity and asks the
// service layer what the caller may do with the repository.
type gitResolver struct {
	svc  *service.Service
	auth *auth.Authenticator
	log  *slog.Logger
	// externalURL is the configured external URL, if any.
	externalURL string
}

// identity resolves git's credentials. As in GitLab the username is
// ignored for tokens ("oauth2" included: personal access tokens work there
// too, and OAuth tokens will be looked up the same way), except for a
// deploy token (gldt-…), whose username must be its own.
func (g *gitResolver) identity(ctx context.Context, r *http.Request) (*auth.Identity, error) {
	c := githttp.ParseBasicAuth(r)
	var id *auth.Identity
	var err error
	switch {
	case c.Kind == githttp.CredNone:
		return g.auth.Anonymous(), nil
	case c.Kind == githttp.CredJobToken:
		id, err = g.auth.JobToken(ctx, c.Token)
	case strings.HasPrefix(c.Token, service.DeployTokenPrefix):
		id, err = g.auth.DeployToken(ctx, c.Username, c.Token)
	default:
		id, err = g.auth.Token(ctx, c.Token, "")
	}
	switch {
	case errors.Is(err, auth.ErrUnauthorized):
		return nil, githttp.ErrUnauthorized
	case err != nil:
		return nil, err
	}
	return id, nil
}

// lfsIdentity is identity for Git LFS, whose refusals the service words.
func (g *gitResolver) lfsIdentity(ctx context.Context, r *http.Request) (*auth.Identity, error) {
	id, err := g.identity(ctx, r)
	if errors.Is(err, githttp.ErrUnauthorized) {
		return nil, auth.ErrUnauthorized
	}
	return id, err
}

func (g *gitResolver) Resolve(ctx context.Context, r *http.Request, repoPath string, write bool) (*githttp.Target, error) {
	id, err := g.identity(ctx, r)
	if err != nil {
		return nil, err
	}
	base := route.ExternalURL(r, g.externalURL)
	return g.target(ctx, id, repoPath, write, base, func(fullPath string) string { return base + "/" + fullPath + ".git" })
}

// target asks the service what id may do with the repository at repoPath
// and wires its push checks: one path for git over HTTP and SSH. baseURL
// is the server's URL as pipelines of a push see it; remoteURL is a project
// path's remote in the protocol the client used.
func (g *gitResolver) target(ctx context.Context, id *auth.Identity, repoPath string, write bool, baseURL string,
	remoteURL func(string) string) (*githttp.Target, error) {
	gr, err := g.svc.GitRepo(ctx, id, repoPath, write)
	if err != nil {
		return nil, gitError(err)
	}
	t := &githttp.Target{Dir: gr.Repo.Path(), Repo: gr.Repo, HiddenRefs: gr.HiddenRefs}
	gr.BaseURL, gr.RemoteURL = baseURL, remoteURL
	if !write {
		// A push says it after the refs moved (post-receive); a fetch
		// before git runs, where the transport can.
		if moved := gr.MovedNotice(); moved != "" {
			t.Notices = []string{moved}
		}
		return t, nil
	}
	t.AuthorizePush = func(ctx context.Context, updates []githttp.RefUpdate) (githttp.PushPolicy, error) {
		d, err := g.svc.AuthorizeGitPush(ctx, gr, refChanges(updates))
		var refused *service.PushRefusedError
		if errors.As(err, &refused) {
			return githttp.PushPolicy{}, githttp.Refuse(refused.Message)
		}
		if err != nil {
			return githttp.PushPolicy{}, err
		}
		return githttp.PushPolicy{NoForcePush: d.NoForcePush, Messages: d.Messages}, nil
	}
	t.AfterPush = func(ctx context.Context, updates []githttp.RefUpdate, options []string) {
		gr.PushOptions = options
		if err := g.svc.AfterGitPush(ctx, gr, refChanges(updates)); err != nil {
			g.log.ErrorContext(ctx, "after push", "project_id", gr.Project.ID, "err", err)
		}
	}
	return t, nil
}

// gitError maps service decisions onto git's HTTP answers.
func gitError(err error) error {
	switch se := service.Classify(err); se.Kind {
	case service.KindUnauthorized:
		return githttp.ErrUnauthorized
	case service.KindNotFound:
		return githttp.ErrNotFound
	case service.KindForbidden:
		return githttp.Forbidden(se.Message)
	}
	return err
}

func refChanges(updates []githttp.RefUpdate) []service.RefChange {
	out := make([]service.RefChange, len(updates))
	for i, u := range updates {
		out[i] = service.RefChange{Ref: u.Ref, Old: u.Old, New: u.New}
	}
	return out
}
