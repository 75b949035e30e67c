// Package gitlfs serves Git LFS next to git's smart HTTP: the batch API
// with the basic transfer adapter, the object upload and download that
// the batch hands out (GitLab's /gitlab-lfs/objects/… URLs), and the
// locking API. Credentials are git's (HTTP Basic with a token as the
// password); the service layer decides access (LFSRepo) and keeps the
// objects in blob storage.
package gitlfs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/githttp"
	"github.com/lablet/lablet/internal/route"
	"github.com/lablet/lablet/internal/service"
)

// ContentType is Git LFS's media type for its JSON requests and answers.
const ContentType = "application/vnd.git-lfs+json"

// maxJSONBody bounds a batch or lock request body.
const maxJSONBody = 10 << 20

// hrefExpiry is how long the batch's hrefs are good for (expires_in, in
// seconds): they carry the request's own credentials.
const hrefExpiry = 3600

// Identify resolves a request's git credentials (githttp's rules).
type Identify func(ctx context.Context, r *http.Request) (*auth.Identity, error)

// Handler serves Git LFS. The zero value lists its routes only.
type Handler struct {
	svc         *service.Service
	identify    Identify
	externalURL string
	log         *slog.Logger
}

// New returns a Handler; externalURL is the configured one, if any.
func New(svc *service.Service, identify Identify, externalURL string, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	return &Handler{svc: svc, identify: identify, externalURL: externalURL, log: log}
}

const (
	readAuth  = "anonymous,basic:read_repository|write_repository|api"
	writeAuth = "basic:write_repository|api"
)

// Routes is LFS's route table under a repository's path (<full_path>.git/…).
// The batch's ability is the download one; an upload batch takes push
// access in the handler.
func (h *Handler) Routes() []route.Route {
	row := func(method, pattern string, fn func(*Handler, http.ResponseWriter, *http.Request), auth string, a access.Ability) route.Route {
		return route.Route{Method: method, Pattern: "/{repo...}" + pattern, Func: fn, Auth: auth, Ability: a,
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fn(h, w, r) })}
	}
	return []route.Route{
		row(http.MethodPost, "/info/lfs/objects/batch", (*Handler).batch, readAuth, access.ReadCode),
		row(http.MethodGet, "/gitlab-lfs/objects/{oid}", (*Handler).download, readAuth, access.ReadCode),
		row(http.MethodPut, "/gitlab-lfs/objects/{oid}/{size}", (*Handler).upload, writeAuth, access.PushCode),
		row(http.MethodGet, "/info/lfs/locks", (*Handler).listLocks, writeAuth, access.PushCode),
		row(http.MethodPost, "/info/lfs/locks", (*Handler).createLock, writeAuth, access.PushCode),
		row(http.MethodPost, "/info/lfs/locks/verify", (*Handler).verifyLocks, writeAuth, access.PushCode),
		row(http.MethodPost, "/info/lfs/locks/{id}/unlock", (*Handler).unlock, writeAuth, access.PushCode),
	}
}

// call is one resolved LFS request.
type call struct {
	id *auth.Identity
	gr *service.GitRepo
}

// resolve identifies the caller and asks the service for the project
// (write: an upload or a lock); false once it has answered a refusal.
func (h *Handler) resolve(w http.ResponseWriter, r *http.Request, write bool) (*call, bool) {
	path := githttp.RepoPath("/" + r.PathValue("repo"))
	if path == "" {
		h.fail(w, r, http.StatusNotFound, service.MsgLFSNotFound)
		return nil, false
	}
	id, err := h.identify(r.Context(), r)
	if err == nil {
		var gr *service.GitRepo
		if gr, err = h.svc.LFSRepo(r.Context(), id, path, write); err == nil {
			return &call{id: id, gr: gr}, true
		}
	}
	switch se := service.Classify(err); se.Kind {
	case service.KindUnauthorized:
		w.Header().Set("WWW-Authenticate", `Basic realm="GitLab"`)
		h.fail(w, r, http.StatusUnauthorized, "HTTP Basic: Access denied")
	case service.KindForbidden:
		// GitLab's render_lfs_forbidden: the project is visible.
		h.fail(w, r, http.StatusForbidden, "Access forbidden. Check your access level.")
	case service.KindNotFound:
		h.fail(w, r, http.StatusNotFound, service.MsgLFSNotFound)
	default:
		h.serviceError(w, r, err)
	}
	return nil, false
}

// serviceError answers an operation's failure.
func (h *Handler) serviceError(w http.ResponseWriter, r *http.Request, err error) {
	se := service.Classify(err)
	status := http.StatusInternalServerError
	switch se.Kind {
	case service.KindInvalid:
		status = http.StatusBadRequest
	case service.KindNotFound:
		status = http.StatusNotFound
	case service.KindForbidden:
		status = http.StatusForbidden
	case service.KindConflict:
		status = http.StatusConflict
	case service.KindUnprocessable:
		status = http.StatusUnprocessableEntity
	case service.KindTooLarge:
		status = http.StatusRequestEntityTooLarge
	case service.KindUnauthorized:
		status = http.StatusUnauthorized
	}
	if status == http.StatusInternalServerError {
		h.log.ErrorContext(r.Context(), "gitlfs", "path", r.URL.Path, "err", err)
		h.fail(w, r, status, "Internal server error")
		return
	}
	h.fail(w, r, status, se.Message)
}

// fail answers {"message", "documentation_url"} as GitLab's LFS errors.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg,
		"documentation_url": route.ExternalURL(r, h.externalURL) + "/help"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readJSON decodes a request body into v; false once it has answered.
func (h *Handler) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.fail(w, r, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		} else {
			h.fail(w, r, http.StatusUnprocessableEntity, "Unprocessable entity: "+err.Error())
		}
		return false
	}
	return true
}

// objectURL is where the object oid of the request's repository is
// uploaded and downloaded.
func (h *Handler) objectURL(r *http.Request, oid string) string {
	return route.ExternalURL(r, h.externalURL) + "/" + r.PathValue("repo") + "/gitlab-lfs/objects/" + oid
}

type pointer struct {
	Oid  string `json:"oid"`
	Size int64  `json:"size"`
}

type batchRequest struct {
	Operation string    `json:"operation"`
	Transfers []string  `json:"transfers"`
	Objects   []pointer `json:"objects"`
	HashAlgo  string    `json:"hash_algo"`
}

type action struct {
	Href      string            `json:"href"`
	Header    map[string]string `json:"header,omitempty"`
	ExpiresIn int               `json:"expires_in,omitempty"`
}

type objectError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type batchObject struct {
	Oid           string            `json:"oid"`
	Size          int64             `json:"size"`
	Authenticated bool              `json:"authenticated,omitempty"`
	Actions       map[string]action `json:"actions,omitempty"`
	Error         *objectError      `json:"error,omitempty"`
}

// maxBatchObjects bounds the objects of one batch request.
const maxBatchObjects = 10000

func (h *Handler) batch(w http.ResponseWriter, r *http.Request) {
	var in batchRequest
	if !h.readJSON(w, r, &in) {
		return
	}
	upload := in.Operation == "upload"
	if !upload && in.Operation != "download" {
		h.fail(w, r, http.StatusUnprocessableEntity, "Unprocessable entity: operation must be download or upload")
		return
	}
	c, ok := h.resolve(w, r, upload)
	if !ok {
		return
	}
	if in.HashAlgo != "" && in.HashAlgo != "sha256" {
		h.fail(w, r, http.StatusConflict, "Unsupported hash algorithm")
		return
	}
	if len(in.Transfers) > 0 && !contains(in.Transfers, "basic") {
		h.fail(w, r, http.StatusUnprocessableEntity, "Unprocessable entity: only the basic transfer is supported")
		return
	}
	if len(in.Objects) > maxBatchObjects {
		h.fail(w, r, http.StatusUnprocessableEntity, "Unprocessable entity: too many objects")
		return
	}
	ptrs := make([]service.LFSPointer, len(in.Objects))
	for i, o := range in.Objects {
		ptrs[i] = service.LFSPointer{Oid: o.Oid, Size: o.Size}
	}
	results, err := h.svc.LFSBatch(r.Context(), c.gr, upload, ptrs)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	header := map[string]string{}
	if a := r.Header.Get("Authorization"); a != "" {
		header["Authorization"] = a
	}
	out := make([]batchObject, len(results))
	for i, res := range results {
		o := batchObject{Oid: res.Oid, Size: res.Size}
		switch {
		case res.Code != 0:
			o.Error = &objectError{Code: res.Code, Message: res.Error}
		case !upload:
			o.Authenticated = true
			o.Actions = map[string]action{"download": {Href: h.objectURL(r, res.Oid), Header: header, ExpiresIn: hrefExpiry}}
		case !res.Present:
			up := map[string]string{"Content-Type": "application/octet-stream"}
			for k, v := range header {
				up[k] = v
			}
			o.Actions = map[string]action{"upload": {Href: h.objectURL(r, res.Oid) + "/" + strconv.FormatInt(res.Size, 10),
				Header: up, ExpiresIn: hrefExpiry}}
		}
		out[i] = o
	}
	writeJSON(w, http.StatusOK, map[string]any{"transfer": "basic", "objects": out, "hash_algo": "sha256"})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// download streams an object of the project.
func (h *Handler) download(w http.ResponseWriter, r *http.Request) {
	c, ok := h.resolve(w, r, false)
	if !ok {
		return
	}
	// With --object-store-proxy-download=false, the object store serves
	// the bytes, as GitLab redirects (git-lfs follows, resuming by Range).
	if u, err := h.svc.LFSObjectURL(r.Context(), c.gr, r.PathValue("oid")); err != nil || u != "" {
		if err != nil {
			h.serviceError(w, r, err)
		} else {
			http.Redirect(w, r, u, http.StatusFound)
		}
		return
	}
	f, info, err := h.svc.OpenLFSObject(r.Context(), c.gr, r.PathValue("oid"))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	// ServeContent copies in small chunks and answers Range requests,
	// which git-lfs sends to resume an interrupted download.
	http.ServeContent(w, r, "", info.ModTime, f)
}

// upload streams an object into storage, checking its size and sha256.
func (h *Handler) upload(w http.ResponseWriter, r *http.Request) {
	size, err := strconv.ParseInt(r.PathValue("size"), 10, 64)
	if err != nil || size < 0 {
		h.fail(w, r, http.StatusUnprocessableEntity, service.MsgLFSMismatch)
		return
	}
	c, ok := h.resolve(w, r, true)
	if !ok {
		return
	}
	if err := h.svc.PutLFSObject(r.Context(), c.gr, r.PathValue("oid"), size, r.Body); err != nil {
		h.serviceError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(http.StatusOK)
}

// lockJSON is a lock as the locking API shows it.
func lockJSON(l lockView) map[string]any {
	return map[string]any{"id": strconv.FormatInt(l.ID, 10), "path": l.Path,
		"locked_at": l.CreatedAt.UTC().Format(time.RFC3339), "owner": map[string]string{"name": l.OwnerName}}
}

func locksJSON(locks []lockView) []map[string]any {
	out := make([]map[string]any, len(locks))
	for i, l := range locks {
		out[i] = lockJSON(l)
	}
	return out
}

// cursorParam parses a lock cursor or id ("" is 0).
func cursorParam(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid cursor %q", s)
	}
	return n, nil
}
