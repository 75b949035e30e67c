package v4

import (
	"log/slog"
	"net/http"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/route"
	"github.com/lablet/lablet/internal/service"
)

// What a domain package's handlers (cicd) read of the API and of a call;
// the rest of their tools are this package's exported helpers (Row,
// WriteOK, PageOf, the shared entities …).

// Service is the service layer the API calls.
func (a *API) Service() *service.Service { return a.svc }

// Authenticator resolves credentials a route reads itself (job tokens).
func (a *API) Authenticator() *auth.Authenticator { return a.auth }

// Log is the server's logger, for what fails after an answer has begun
// (a stream cut short).
func (a *API) Log() *slog.Logger { return a.log }

// Gravatar says whether users' avatar_url is Gravatar's (BasicUserAt).
func (a *API) Gravatar() bool { return a.gravatar }

// Identity is the caller.
func (c *Call) Identity() *auth.Identity { return c.id }

// Params are the request's parameters: query, form and JSON body.
func (c *Call) Params() *Params { return c.params }

// Form is a form parameter's values as sent (Grape's arrays of hashes,
// variables[][key]=…, arrive as parallel lists).
func (p *Params) Form(name string) []string { return p.form[name] }

// CommitEntity is GitLab's basic Commit entity of c in p.
func (a *API) CommitEntity(r *http.Request, p *model.Project, c *repo.Commit) any {
	return a.commitEntity(r, p, c)
}

// MilestoneEntity is GitLab's Milestone entity of v.
func (a *API) MilestoneEntity(r *http.Request, v *service.MilestoneView) any {
	return a.milestoneJSON(r, v)
}

// URL is the request's base URL (ProjectBase).
func (pb ProjectBase) URL() string { return pb.url }

// SSHURL is the ssh_url_to_repo form of a repository path (without
// ".git"), as a project's is written.
func (pb ProjectBase) SSHURL(path string) string { return route.SSHRepoURL(pb.host, pb.sshPort, path) }
