package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"

	gossh "golang.org/x/crypto/ssh"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/githttp"
	"github.com/lablet/lablet/internal/route"
	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/sshd"
)

// sshPrincipal is the identity an SSH key resolved to.
type sshPrincipal struct{ id *auth.Identity }

// Greeting is gitlab-shell's: "@username", "Anonymous" for a deploy key.
func (p sshPrincipal) Greeting() string {
	if p.id.User == nil {
		return "Anonymous"
	}
	return "@" + p.id.User.Username
}

// sshResolver resolves SSH keys through the authenticator and paths
// through the same service calls as git over HTTP (gitResolver.target).
type sshResolver struct {
	git  *gitResolver
	auth *auth.Authenticator
	// baseURL is what pipelines of an SSH push see as CI_SERVER_URL: the
	// external URL, else the HTTP listen address.
	baseURL string
	port    int // the SSH listener's
}

func (r *sshResolver) Authenticate(ctx context.Context, key gossh.PublicKey) (sshd.Principal, error) {
	id, err := r.auth.SSHKey(ctx, gossh.FingerprintSHA256(key))
	if err != nil {
		return nil, err
	}
	return sshPrincipal{id: id}, nil
}

func (r *sshResolver) Resolve(ctx context.Context, p sshd.Principal, req sshd.Request) (*githttp.Target, error) {
	sp, ok := p.(sshPrincipal)
	if !ok {
		return nil, errors.New("server: unknown ssh principal")
	}
	// GitLab counts the command before it looks at the project, so a
	// flood of requests for paths that do not exist is limited too.
	limited, err := r.git.svc.CountGitSSHOperation(ctx, req.Service, req.Path, sp.actor(), req.RemoteIP)
	if err != nil {
		// An outage of the counters must not take git down.
		r.git.log.WarnContext(ctx, "ssh rate limit: count", "err", err)
	} else if limited {
		return nil, &githttp.StatusError{Status: http.StatusTooManyRequests, Message: service.GitSSHOperationLimited}
	}
	return r.git.target(ctx, sp.id, req.Path, req.Write(), r.baseURL, r.remoteURL)
}

// actor names who a rate limit counts: the deploy key, else the user.
func (p sshPrincipal) actor() string {
	if p.id.DeployKey != nil {
		return "deploy_key:" + strconv.FormatInt(p.id.DeployKey.ID, 10)
	}
	if p.id.User != nil {
		return "user:" + strconv.FormatInt(p.id.User.ID, 10)
	}
	return "anonymous"
}

// remoteURL is a project path's SSH remote, as ssh_url_to_repo writes it.
func (r *sshResolver) remoteURL(fullPath string) string {
	host := r.baseURL
	if u, err := url.Parse(r.baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return sshRepoURL(host, r.port, fullPath)
}

// sshRepoURL is a project's SSH remote on host with git over SSH on port
// (0: none configured, the scp-like form).
func sshRepoURL(host string, port int, fullPath string) string {
	p := ""
	if port != 0 {
		p = strconv.Itoa(port)
	}
	return route.SSHRepoURL(host, p, fullPath)
}

// newSSHServer builds the SSH listener's server, its host key in the
// data dir.
func (s *Server) newSSHServer(git *githttp.Handler, resolver *gitResolver, authn *auth.Authenticator) error {
	base := s.Config.ExternalURL
	if base == "" {
		base = "http://" + s.Config.Listen
	}
	srv, err := sshd.New(filepath.Join(s.Config.DataDir, sshd.HostKeyFile),
		&sshResolver{git: resolver, auth: authn, baseURL: base, port: sshPort(s.Config.SSHListen)}, git, s.log)
	if err != nil {
		return err
	}
	s.sshd = srv
	return nil
}

// ListenSSH hands Serve the listener of git over SSH (--ssh-listen),
// bound by the caller like the HTTP one.
func (s *Server) ListenSSH(ln net.Listener) { s.sshLn = ln }

// sshPort is the port of the configured SSH address, 0 without SSH.
func sshPort(addr string) int {
	if addr == "" {
		return 0
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(port)
	return n
}
