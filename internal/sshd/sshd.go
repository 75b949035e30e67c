// Package sshd serves git over SSH as gitlab-shell does: user "git",
// public-key authentication only, and the commands git-upload-pack,
// git-receive-pack and git-upload-archive on a repository path; a session
// without a command is greeted. It is an adapter like githttp: the
// Resolver (internal/server) maps keys to identities and paths to targets
// through the service layer, and githttp's Handler runs git on the
// session's stream with the same push checks as HTTP.
//
// The SSH protocol is github.com/gliderlabs/ssh over
// golang.org/x/crypto/ssh.
package sshd

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/lablet/lablet/internal/githttp"
)

// HostKeyFile is the host key's file name in the data dir.
const HostKeyFile = "ssh_host_ed25519_key"

// gitlab-shell's words.
const (
	MsgDisallowedCommand = "Disallowed command"
	MsgProjectNotFound   = githttp.MsgProjectNotFound
)

// Principal is who a key authenticated, as the Resolver understands it.
type Principal interface {
	// Greeting names the principal in gitlab-shell's welcome:
	// "@username", or "Anonymous" for a deploy key.
	Greeting() string
}

// Resolver maps keys and repository paths through the service layer.
type Resolver interface {
	// Authenticate returns the principal of a key, or an error when the
	// key lets nobody in.
	Authenticate(ctx context.Context, key gossh.PublicKey) (Principal, error)
	// Resolve returns what the principal may do with the repository the
	// request names; errors are githttp's (ErrNotFound, Forbidden(msg),
	// a StatusError whose message the client sees ...).
	Resolve(ctx context.Context, p Principal, req Request) (*githttp.Target, error)
}

// Request is a git command a session asks to run.
type Request struct {
	Path    string // the repository's full path, no ".git"
	Service string // githttp.SvcUploadPack, SvcReceivePack or SvcUploadArchive
	// RemoteIP is the client's address, without its port.
	RemoteIP string
}

// Write reports whether the command changes the repository.
func (r Request) Write() bool { return r.Service == githttp.SvcReceivePack }

// Server is the SSH listener.
type Server struct {
	resolver Resolver
	git      *githttp.Handler
	log      *slog.Logger
	srv      *ssh.Server
}

const principalKey = "lablet.principal"

// New loads the host key at hostKeyPath, generating an ed25519 key there
// (0600) on first start.
func New(hostKeyPath string, resolver Resolver, git *githttp.Handler, log *slog.Logger) (*Server, error) {
	signer, err := hostKey(hostKeyPath)
	if err != nil {
		return nil, err
	}
	s := &Server{resolver: resolver, git: git, log: log}
	s.srv = &ssh.Server{
		Handler:          s.session,
		PublicKeyHandler: s.publicKey,
		// No terminals, forwarding or subsystems: git commands only.
		PtyCallback:  func(ssh.Context, ssh.Pty) bool { return false },
		ConnCallback: wrapQuickAck,
		IdleTimeout:  10 * time.Minute,
	}
	s.srv.AddHostKey(signer)
	return s, nil
}

// hostKey reads the host key, or writes a new one where none is.
func hostKey(path string) (gossh.Signer, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		_, priv, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return nil, fmt.Errorf("sshd: host key: %w", gerr)
		}
		block, merr := gossh.MarshalPrivateKey(priv, "lablet")
		if merr != nil {
			return nil, fmt.Errorf("sshd: host key: %w", merr)
		}
		b = pem.EncodeToMemory(block)
		if b, err = publishKey(path, b); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("sshd: read host key: %w", err)
	}
	signer, err := gossh.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("sshd: parse host key %s: %w", path, err)
	}
	return signer, nil
}

// publishKey writes key at path unless a key is there already, and returns
// the key path then holds. The key is written whole to a temporary file
// first and linked into place, so that another process starting on the
// same data dir at the same moment reads either no key or a whole one,
// never the empty file an O_EXCL create would show it between create and
// write; the first link wins and the others read the winner's key.
func publishKey(path string, key []byte) ([]byte, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".host-key-*")
	if err != nil {
		return nil, fmt.Errorf("sshd: write host key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(key)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("sshd: write host key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("sshd: write host key: %w", err)
		}
		if key, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("sshd: read host key: %w", err)
		}
	}
	return key, nil
}

// Serve accepts SSH connections on ln until ctx ends, then closes the
// listener and waits a while for sessions in flight before cutting them.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(shutdownCtx); err != nil {
			_ = s.srv.Close()
		}
	}()
	err := s.srv.Serve(ln)
	if ctx.Err() != nil || errors.Is(err, ssh.ErrServerClosed) {
		<-stopped
		return nil
	}
	return fmt.Errorf("sshd: %w", err)
}

// publicKey admits user git with a key the resolver knows.
func (s *Server) publicKey(ctx ssh.Context, key ssh.PublicKey) bool {
	if ctx.User() != "git" {
		return false
	}
	p, err := s.resolver.Authenticate(ctx, key)
	if err != nil {
		return false
	}
	ctx.SetValue(principalKey, p)
	return true
}

// gitServices are the commands gitlab-shell runs for git.
var gitServices = map[string]bool{
	githttp.SvcUploadPack: true, githttp.SvcReceivePack: true, githttp.SvcUploadArchive: true,
}

// session runs one SSH session: a git command, or a greeting.
func (s *Server) session(sess ssh.Session) {
	sessionStarted(sess.Context())
	p, _ := sess.Context().Value(principalKey).(Principal)
	if p == nil {
		_ = sess.Exit(1)
		return
	}
	args := sess.Command()
	if len(args) == 0 {
		_, _ = fmt.Fprintf(sess, "Welcome to GitLab, %s!\n", p.Greeting())
		_ = sess.Exit(0)
		return
	}
	// Git for Windows sends "git upload-pack" as two words.
	if args[0] == "git" && len(args) > 1 {
		args = append([]string{"git-" + args[1]}, args[2:]...)
	}
	if !gitServices[args[0]] || len(args) != 2 {
		s.fail(sess, MsgDisallowedCommand)
		return
	}
	path := repoPath(args[1])
	if path == "" {
		s.fail(sess, MsgProjectNotFound)
		return
	}
	ctx := sess.Context()
	t, err := s.resolver.Resolve(ctx, p, Request{Path: path, Service: args[0], RemoteIP: remoteIP(sess.RemoteAddr())})
	var se *githttp.StatusError
	switch {
	case errors.As(err, &se):
		s.fail(sess, se.Message)
		return
	case err != nil:
		s.log.ErrorContext(ctx, "sshd: resolve", "path", path, "err", err)
		s.fail(sess, "Internal API unreachable")
		return
	case t == nil || t.Dir == "":
		s.fail(sess, MsgProjectNotFound)
		return
	}
	notice(sess.Stderr(), t.Notices)
	code, err := s.git.ServeStream(ctx, t, args[0], githttp.Stream{In: sess, Out: sess, Stderr: sess.Stderr(),
		Protocol: gitProtocol(sess.Environ())})
	if err != nil && ctx.Err() == nil {
		s.log.WarnContext(ctx, "sshd: git", "path", path, "svc", args[0], "err", err)
	}
	_ = sess.Exit(code)
}

// fail writes gitlab-shell's framed message to stderr and exits 1.
func (s *Server) fail(sess ssh.Session, msg string) {
	rule := strings.Repeat("=", 72)
	var b strings.Builder
	for _, line := range []string{"", rule, "", msg, "", rule, ""} {
		b.WriteString("remote: " + line + "\n")
	}
	_, _ = io.WriteString(sess.Stderr(), b.String())
	_ = sess.Exit(1)
}

// notice writes messages as gitlab-shell's DisplayInfoMessages does: each
// line after "remote: ", a blank remote line before and after.
func notice(w io.Writer, messages []string) {
	if len(messages) == 0 {
		return
	}
	var b strings.Builder
	b.WriteString("remote: \n")
	for _, m := range messages {
		for _, line := range strings.Split(m, "\n") {
			b.WriteString("remote: " + line + "\n")
		}
	}
	b.WriteString("remote: \n")
	_, _ = io.WriteString(w, b.String())
}

// repoPath turns the command's path into a project's full path, as
// gitlab-shell and GitLab's RepoPath accept it: "group/project.git", with
// a leading "/" or "~" (ssh:// URLs and the ~user form), the ".git"
// optional. "" is not a project path.
func repoPath(arg string) string {
	return githttp.RepoPath(strings.TrimPrefix(strings.TrimPrefix(arg, "/"), "~"))
}

// gitProtocol is GIT_PROTOCOL from the session's environment (git sends
// it with SendEnv), "" when absent.
func gitProtocol(env []string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GIT_PROTOCOL="); ok {
			return v
		}
	}
	return ""
}

// remoteIP is addr's host part.
func remoteIP(addr net.Addr) string {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}
