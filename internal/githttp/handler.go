package githttp

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/route"
)

// Options configure a Handler.
type Options struct {
	// HookDir is where the pre-receive hook is written; it must allow
	// executing files. A relative one is made absolute: git reads a
	// relative core.hooksPath against the repository it runs in. Empty: a
	// temporary directory removed by Close.
	HookDir string
	// MaxBodyBytes limits a request body (0: unlimited).
	MaxBodyBytes int64
	Logger       *slog.Logger
	// CachesOff keeps no advertisements or capabilities (LABLET_CACHES=off).
	CachesOff bool
	// SharedRepositories: other instances serve the same repositories
	// (repo.Store.Shared). Pushes then rewrite each repository's refs
	// stamp from git's reference-transaction hook as their refs commit.
	SharedRepositories bool
}

// Handler serves git smart HTTP. Create it with New.
type Handler struct {
	resolver Resolver
	hookDir  string
	ownsHook bool
	maxBody  int64
	log      *slog.Logger
	adv      *advertiser
	router   *route.Router
}

// New prepares a Handler and writes its pre-receive hook.
func New(resolver Resolver, opts Options) (*Handler, error) {
	h := &Handler{resolver: resolver, hookDir: opts.HookDir, maxBody: opts.MaxBodyBytes, log: opts.Logger}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.adv = newAdvertiser(opts.CachesOff)
	if h.hookDir != "" {
		abs, err := filepath.Abs(h.hookDir)
		if err != nil {
			return nil, fmt.Errorf("githttp: hook dir: %w", err)
		}
		h.hookDir = abs
	}
	if h.hookDir == "" {
		dir, err := os.MkdirTemp("", "lablet-hooks-")
		if err != nil {
			return nil, fmt.Errorf("githttp: hook dir: %w", err)
		}
		h.hookDir, h.ownsHook = dir, true
	}
	if err := writeHook(h.hookDir, opts.SharedRepositories); err != nil {
		if h.ownsHook {
			_ = os.RemoveAll(h.hookDir)
		}
		return nil, err
	}
	router, err := route.New(h.Routes(), http.HandlerFunc(h.NotFound))
	if err != nil {
		return nil, err
	}
	h.router = router
	return h, nil
}

// ServeHTTP serves git alone (the server routes all surfaces at once).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.router.ServeHTTP(w, r) }

// NotFound answers a path that names no git service as git expects.
func (h *Handler) NotFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, http.StatusNotFound, MsgProjectNotFound)
}

// Close removes the temporary hook directory, if New made one.
func (h *Handler) Close() error {
	if h.ownsHook {
		return os.RemoveAll(h.hookDir)
	}
	return nil
}

const (
	svcUpload  = "git-upload-pack"
	svcReceive = "git-receive-pack"
)

// gitProtocolRe admits what git sends in Git-Protocol ("version=2",
// colon-separated key[=value]); it reaches git as GIT_PROTOCOL.
var gitProtocolRe = regexp.MustCompile(`^[A-Za-z0-9._=:-]{1,256}$`)

// Routes is git's smart HTTP route table: the ref advertisement and the
// two RPCs under a repository's path (<full_path>[.git]/…). Credentials
// are HTTP Basic with a token as the password; the resolver decides what
// the caller may do.
func (h *Handler) Routes() []route.Route {
	return []route.Route{
		{Method: http.MethodGet, Pattern: "/{repo...}/info/refs", Func: (*Handler).infoRefsRoute,
			Auth: "anonymous,basic:read_repository|write_repository|api", Ability: access.ReadCode,
			Handler: http.HandlerFunc(h.infoRefsRoute)},
		{Method: http.MethodPost, Pattern: "/{repo...}/" + svcUpload, Func: (*Handler).uploadPackRoute,
			Auth: "anonymous,basic:read_repository|write_repository|api", Ability: access.ReadCode,
			Handler: http.HandlerFunc(h.uploadPackRoute)},
		{Method: http.MethodPost, Pattern: "/{repo...}/" + svcReceive, Func: (*Handler).receivePackRoute,
			Auth: "basic:write_repository|api", Ability: access.PushCode,
			Handler: http.HandlerFunc(h.receivePackRoute)},
	}
}

func (h *Handler) infoRefsRoute(w http.ResponseWriter, r *http.Request) {
	svc := r.URL.Query().Get("service")
	if svc != svcUpload && svc != svcReceive {
		// The dumb protocol would expose the repository's files.
		h.fail(w, http.StatusForbidden, "Only the smart HTTP protocol is supported.")
		return
	}
	h.infoRefs(w, r, "/"+r.PathValue("repo"), svc)
}

func (h *Handler) uploadPackRoute(w http.ResponseWriter, r *http.Request) {
	h.rpc(w, r, "/"+r.PathValue("repo"), svcUpload)
}

func (h *Handler) receivePackRoute(w http.ResponseWriter, r *http.Request) {
	h.rpc(w, r, "/"+r.PathValue("repo"), svcReceive)
}

// RepoPath turns a URL prefix (or an SSH command's path) into a project
// path: slashes around and ".git" after it dropped; "" if invalid.
func RepoPath(prefix string) string {
	p := strings.TrimSuffix(strings.Trim(prefix, "/"), ".git")
	if p == "" || strings.ContainsAny(p, "\x00\\") {
		return ""
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return ""
		}
	}
	return p
}

// resolve asks the resolver and answers access errors itself.
func (h *Handler) resolve(w http.ResponseWriter, r *http.Request, prefix, svc string) (*Target, bool) {
	path := RepoPath(prefix)
	if path == "" {
		h.fail(w, http.StatusNotFound, MsgProjectNotFound)
		return nil, false
	}
	t, err := h.resolver.Resolve(r.Context(), r, path, svc == svcReceive)
	var se *StatusError
	switch {
	case err == nil && (t == nil || t.Dir == ""):
		h.fail(w, http.StatusNotFound, MsgProjectNotFound)
	case err == nil:
		return t, true
	case errors.As(err, &se):
		if se.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="GitLab"`)
		}
		h.fail(w, se.Status, se.Message)
	default:
		h.log.ErrorContext(r.Context(), "githttp: resolve", "path", path, "err", err)
		h.fail(w, http.StatusInternalServerError, "Internal server error")
	}
	return nil, false
}

// fail answers in text/plain, which git relays to the user as "remote: ...".
func (h *Handler) fail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

// gitEnv is GIT_PROTOCOL from the Git-Protocol header, if well-formed.
func gitEnv(r *http.Request) []string {
	if v := r.Header.Get("Git-Protocol"); v != "" && gitProtocolRe.MatchString(v) {
		return []string{"GIT_PROTOCOL=" + v}
	}
	return nil
}

func noCache(w http.ResponseWriter, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-cache, max-age=0, must-revalidate")
	w.Header().Set("Expires", "Fri, 01 Jan 1980 00:00:00 GMT")
	w.Header().Set("Pragma", "no-cache")
}

// infoRefs answers the ref advertisement.
func (h *Handler) infoRefs(w http.ResponseWriter, r *http.Request, prefix, svc string) {
	t, ok := h.resolve(w, r, prefix, svc)
	if !ok {
		return
	}
	// In protocol v2 the response starts directly with the capabilities;
	// v0/v1 announce the service first.
	var preamble []byte
	if !strings.Contains(r.Header.Get("Git-Protocol"), "version=2") || svc == svcReceive {
		preamble = append(pktLine("# service="+svc+"\n"), "0000"...)
	}
	if svc == svcUpload && h.advertiseRefs(w, r, t, preamble) {
		return
	}
	var gitArgs []string
	if svc == svcReceive {
		gitArgs = hideRefsArgs(t)
	}
	h.run(w, r, t, svc, nil, gitEnv(r), gitArgs, []string{"--advertise-refs"},
		"application/x-"+svc+"-advertisement", preamble)
}

// hideRefsArgs configures receive-pack to hide t.HiddenRefs.
func hideRefsArgs(t *Target) []string {
	var args []string
	for _, p := range t.HiddenRefs {
		args = append(args, "-c", "receive.hideRefs="+p)
	}
	return args
}

// body returns the request body, decompressed and size-limited.
func (h *Handler) body(w http.ResponseWriter, r *http.Request) (io.ReadCloser, error) {
	var body io.ReadCloser = r.Body
	if h.maxBody > 0 {
		body = http.MaxBytesReader(w, body, h.maxBody)
	}
	switch r.Header.Get("Content-Encoding") {
	case "", "identity":
		return body, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		return zr, nil
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q", r.Header.Get("Content-Encoding"))
	}
}

// rpc runs upload-pack or receive-pack for one POST.
func (h *Handler) rpc(w http.ResponseWriter, r *http.Request, prefix, svc string) {
	t, ok := h.resolve(w, r, prefix, svc)
	if !ok {
		return
	}
	body, err := h.body(w, r)
	if err != nil {
		h.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	defer body.Close()
	// Some git versions keep reading the request while the response starts
	// (progress during receive); HTTP/1.x needs full duplex for that.
	_ = http.NewResponseController(w).EnableFullDuplex()
	if svc == svcUpload {
		in := h.lsRefs(w, r, t, body)
		if in == nil {
			return // answered in Go
		}
		h.run(w, r, t, svc, in, gitEnv(r), nil, nil, "application/x-"+svc+"-result", nil)
		return
	}
	h.receivePack(w, r, t, body)
}

// run executes "git <gitArgs> <svc> --stateless-rpc <svcArgs> .",
// streaming stdin from in and stdout to the client after preamble,
// flushing as data arrives. It reports whether git exited successfully.
func (h *Handler) run(w http.ResponseWriter, r *http.Request, t *Target, svc string, in io.Reader,
	env, gitArgs, svcArgs []string, contentType string, preamble []byte) bool {
	ctx := r.Context()
	args := append(append([]string{}, gitArgs...), strings.TrimPrefix(svc, "git-"), "--stateless-rpc")
	args = append(append(args, svcArgs...), ".")
	cmd := repo.Command(ctx, t.Dir, env, args...)
	cmd.Stdin = in
	stderr := &capped{max: 8 << 10}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		h.fail(w, http.StatusInternalServerError, "Internal server error")
		return false
	}
	if err := cmd.Start(); err != nil {
		h.log.ErrorContext(ctx, "githttp: start git", "svc", svc, "err", err)
		h.fail(w, http.StatusInternalServerError, "Internal server error")
		return false
	}
	noCache(w, contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(preamble)
	rc := http.NewResponseController(w)
	// A read that fills the buffer means git has more queued: flush only
	// once a read comes back short (the pipe is drained), so a pack goes
	// out in large chunks while progress and small answers still leave at
	// once.
	buf := make([]byte, 64<<10)
	var copyErr error
	for {
		n, rerr := stdout.Read(buf)
		if n > 0 && copyErr == nil {
			if _, werr := w.Write(buf[:n]); werr != nil {
				copyErr = werr // client gone: keep draining so git can exit
			} else if n < len(buf) {
				_ = rc.Flush()
			}
		}
		if rerr != nil {
			break
		}
	}
	err = cmd.Wait()
	if err != nil && ctx.Err() == nil {
		h.log.WarnContext(ctx, "githttp: git failed", "svc", svc, "dir", t.Dir, "err", err, "stderr", stderr.String())
	}
	return err == nil && copyErr == nil
}

// capped keeps the first max bytes of a child's stderr.
type capped struct {
	max int
	buf strings.Builder
}

func (c *capped) Write(b []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(b[:min(len(b), room)])
	}
	return len(b), nil
}

func (c *capped) String() string { return c.buf.String() }

// writeHook installs the pre-receive hook (see package doc).
func writeHook(dir string, shared bool) error {
	// Private like everything in the data dir; only lablet's git runs it.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("githttp: hook dir: %w", err)
	}
	hooks := map[string]string{"pre-receive": preReceiveHook, "post-receive": postReceiveHook}
	if shared {
		hooks[repo.RefsStampHookName] = repo.RefsStampHook
	} else if err := os.Remove(filepath.Join(dir, repo.RefsStampHookName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("githttp: remove hook: %w", err) // not run for nothing on every push
	}
	for name, text := range hooks {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p+".tmp", []byte(text), 0o700); err != nil {
			return fmt.Errorf("githttp: write hook: %w", err)
		}
		if err := os.Rename(p+".tmp", p); err != nil {
			return fmt.Errorf("githttp: write hook: %w", err)
		}
	}
	return nil
}
