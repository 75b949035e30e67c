package githttp

import (
	"github.com/lablet/lablet/internal/repo"

	"context"
	"net/http"
	"strings"
)

// Resolver maps a request to a repository, enforcing access. repoPath is
// the project path from the URL ("group/sub/project", no ".git"); write is
// true for receive-pack (push).
type Resolver interface {
	Resolve(ctx context.Context, r *http.Request, repoPath string, write bool) (*Target, error)
}

// Target is a repository the caller may access.
type Target struct {
	// Dir is the bare repository directory.
	Dir string
	// Repo, if set, is the handle of the repository at Dir; the handler
	// tells it when a push has changed refs (RefsChanged), so ref caches
	// stay exact, and answers ref advertisements from its refs, cached
	// under its RefsVersion. Without it git answers them.
	Repo *repo.Repo
	// AuthorizePush, if set, vets a push's ref updates before git runs. A
	// *RefusedError refuses the whole push with its message; any other
	// error is a 500. The returned policy applies while git runs.
	AuthorizePush func(ctx context.Context, updates []RefUpdate) (PushPolicy, error)
	// AfterPush, if set, is told which updates landed and the push's
	// options (git push -o, in the order given; none without any).
	AfterPush func(ctx context.Context, updates []RefUpdate, options []string)
	// HiddenRefs are ref prefixes receive-pack neither advertises nor
	// lets a push create, update or delete (git's receive.hideRefs): git
	// refuses each such update ("deny updating a hidden ref") and lands
	// the push's other refs.
	HiddenRefs []string
	// Notices are shown to the client before git runs, where the
	// transport has a channel for them: SSH writes them to stderr, as
	// gitlab-shell prints GitLab's console messages. Smart HTTP has none
	// before the pack and leaves them out.
	Notices []string
}

// PushPolicy is decided by AuthorizePush for one push.
type PushPolicy struct {
	// NoForcePush lists full ref names ("refs/heads/main") whose
	// non-fast-forward updates must be refused (protected branches that do
	// not allow force push).
	NoForcePush []string
	// Messages are shown to the pusher once the refs moved, each after a
	// blank line, as GitLab's post-receive messages are ("To create a
	// merge request for …").
	Messages []string
}

// GitLab's messages, for resolvers and AuthorizePush implementations.
const (
	MsgPushProtectedBranch = "You are not allowed to push code to protected branches on this project."
	MsgForcePushProtected  = "You are not allowed to force push code to a protected branch on this project."
	MsgDeleteProtected     = "You can only delete protected branches using the web interface."
	MsgPushNotAllowed      = "You are not allowed to push code to this project."
	MsgDownloadNotAllowed  = "You are not allowed to download code from this project."
	MsgProjectNotFound     = "The project you were looking for could not be found or you don't have permission to view it."
)

// StatusError is an access decision with the HTTP status to send and a
// text/plain message git shows to the user.
type StatusError struct {
	Status  int
	Message string
}

func (e *StatusError) Error() string { return http.StatusText(e.Status) + ": " + e.Message }

// Errors a Resolver returns.
var (
	ErrUnauthorized = &StatusError{Status: http.StatusUnauthorized, Message: "HTTP Basic: Access denied"}
	ErrNotFound     = &StatusError{Status: http.StatusNotFound, Message: MsgProjectNotFound}
)

// Forbidden denies access with a message git prints ("remote: <msg>").
func Forbidden(msg string) error { return &StatusError{Status: http.StatusForbidden, Message: msg} }

// RefusedError refuses a push from AuthorizePush.
type RefusedError struct{ Message string }

func (e *RefusedError) Error() string { return "push refused: " + e.Message }

// Refuse returns a RefusedError.
func Refuse(msg string) error { return &RefusedError{Message: msg} }

// CredentialKind tells what kind of secret HTTP Basic carried, following
// GitLab's conventions for the username.
type CredentialKind int

const (
	CredNone     CredentialKind = iota
	CredToken                   // any username, password is a personal/project/deploy token
	CredOAuth                   // username "oauth2", password is an OAuth access token
	CredJobToken                // username "gitlab-ci-token", password is a CI job token
)

// Credentials are HTTP Basic credentials of a git request.
type Credentials struct {
	Username string
	Token    string
	Kind     CredentialKind
}

// ParseBasicAuth extracts the credentials of r (CredNone if absent).
func ParseBasicAuth(r *http.Request) Credentials {
	user, pass, ok := r.BasicAuth()
	if !ok || pass == "" {
		return Credentials{Username: user}
	}
	c := Credentials{Username: user, Token: pass, Kind: CredToken}
	switch strings.ToLower(user) {
	case "oauth2":
		c.Kind = CredOAuth
	case "gitlab-ci-token":
		c.Kind = CredJobToken
	}
	return c
}
