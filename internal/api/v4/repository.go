package v4

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/service"
)

// treeEntity is GitLab's TreeObject entity.
type treeEntity struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	Path string `json:"path"`
	Mode string `json:"mode"`
}

// isRefMiss reports whether err means "no such revision or path" (or a
// name that cannot exist), which the API answers as a 404.
func isRefMiss(err error) bool {
	return errors.Is(err, repo.ErrNotFound) || errors.Is(err, repo.ErrInvalidRef) ||
		errors.Is(err, repo.ErrInvalidPath) || errors.Is(err, repo.ErrInvalid)
}

// resolveOrDefault resolves a ref parameter, or the default branch when it
// is absent, to a commit id. ok is false when nothing resolves.
func resolveOrDefault(r *http.Request, pr *service.ProjectRepo, ref string) (name, sha string, err error) {
	if ref == "" {
		if ref, err = pr.Repo.HeadBranch(); err != nil {
			return "", "", err
		}
	}
	sha, err = pr.Repo.ResolveRef(r.Context(), ref)
	return ref, sha, err
}

func (a *API) listTree(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, _, err := c.params.Text("ref", maxRefParam)
	if err != nil {
		return err
	}
	p, _, err := c.params.Text("path", 4096)
	if err != nil {
		return err
	}
	recursive, _, err := c.params.Bool("recursive")
	if err != nil {
		return err
	}
	pagination, _, err := c.params.OneOf("pagination", "legacy", "keyset", "none")
	if err != nil {
		return err
	}
	token, _, err := c.params.Text("page_token", 4096)
	if err != nil {
		return err
	}
	pr, err := a.svc.RepoForRead(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	_, sha, err := resolveOrDefault(r, pr, ref)
	if err != nil {
		if isRefMiss(err) {
			return service.NotFound("Tree")
		}
		return fmt.Errorf("tree: %w", err)
	}
	p = strings.Trim(p, "/")
	// Only a directory lists: Tree answers ErrNotFound for a file,
	// submodule or missing path.
	entries, err := pr.Repo.Tree(r.Context(), sha, p, recursive)
	if err != nil {
		if isRefMiss(err) {
			return service.NotFound("Tree")
		}
		return fmt.Errorf("tree: %w", err)
	}
	pg := PageOf(c.params)
	var shown []repo.TreeEntry
	switch pagination {
	case "keyset":
		start, ok := treeTokenIndex(entries, token)
		if !ok {
			return service.ParamError("page_token is invalid")
		}
		shown = entries[start:min(start+pg.PerPage, len(entries))]
		var next url.Values
		if end := start + len(shown); end < len(entries) && len(shown) > 0 {
			next = url.Values{"page_token": {treeToken(entries, end-1)}, "per_page": {strconv.Itoa(pg.PerPage)}}
		}
		a.setKeysetHeaders(w, r, next)
	case "none":
		shown = entries
	default:
		shown = pageSlice(entries, pg)
		a.SetPageHeaders(w, r, pg, len(entries))
	}
	out := make([]treeEntity, 0, len(shown))
	for _, e := range shown {
		out = append(out, treeEntity{ID: e.ID, Name: e.Name, Type: e.Type, Path: e.Path, Mode: e.Mode})
	}
	return WriteOK(w, out)
}

// treeToken is the keyset cursor after entry i: its object id, as GitLab's
// page_token, unless another entry shares that id (two identical files),
// where the id would be ambiguous and the path is used instead.
func treeToken(entries []repo.TreeEntry, i int) string {
	id := entries[i].ID
	for j, e := range entries {
		if j != i && e.ID == id {
			return entries[i].Path
		}
	}
	return id
}

// treeTokenIndex returns where the page after token starts; an empty
// token is the first page.
func treeTokenIndex(entries []repo.TreeEntry, token string) (int, bool) {
	if token == "" {
		return 0, true
	}
	for i, e := range entries {
		if e.ID == token {
			return i + 1, true
		}
	}
	for i, e := range entries {
		if e.Path == token {
			return i + 1, true
		}
	}
	return 0, false
}

// blobEntity is GitLab's answer for GET blobs/:sha.
type blobEntity struct {
	Size     int64  `json:"size"`
	Encoding string `json:"encoding"`
	Content  string `json:"content"`
	SHA      string `json:"sha"`
}

func (a *API) blobBySHA(r *http.Request, c *Call) (*repo.Blob, error) {
	pr, err := a.svc.RepoForRead(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	b, err := pr.Repo.BlobByID(r.Context(), r.PathValue("sha"))
	if err != nil {
		if isRefMiss(err) {
			return nil, service.NotFound("Blob")
		}
		return nil, fmt.Errorf("blob: %w", err)
	}
	return b, nil
}

func (a *API) getBlob(w http.ResponseWriter, r *http.Request, c *Call) error {
	b, err := a.blobBySHA(r, c)
	if err != nil {
		return err
	}
	return WriteOK(w, blobEntity{Size: b.Size, Encoding: "base64", Content: base64.StdEncoding.EncodeToString(b.Content), SHA: b.ID})
}

func (a *API) getRawBlob(w http.ResponseWriter, r *http.Request, c *Call) error {
	b, err := a.blobBySHA(r, c)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", rawContentType(b.Content))
	h.Set("Content-Disposition", "inline")
	h.Set("Content-Length", strconv.FormatInt(int64(len(b.Content)), 10))
	// Never let a browser sniff user content into HTML.
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b.Content)
	}
	return nil
}

// rawContentType is GitLab's choice for raw blobs: plain text when the
// content looks textual (no NUL in the first 8000 bytes, as git decides),
// else a download.
func rawContentType(b []byte) string {
	if bytes.IndexByte(b[:min(len(b), 8000)], 0) >= 0 {
		return "application/octet-stream"
	}
	return "text/plain; charset=utf-8"
}

// archive serves GET archive[.format]; format "" is tar.gz.
func archive(format string) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		ext := "tar.gz"
		if format != "" {
			ext = repo.ArchiveFormats[format]
		}
		ref, _, err := c.params.Text("sha", maxRefParam)
		if err != nil {
			return err
		}
		sub, _, err := c.params.Text("path", 4096)
		if err != nil {
			return err
		}
		pr, err := a.svc.RepoForRead(r.Context(), c.id, r.PathValue("id"))
		if err != nil {
			return err
		}
		ref, sha, err := resolveOrDefault(r, pr, ref)
		if err != nil {
			if isRefMiss(err) {
				return service.NotFound("File")
			}
			return fmt.Errorf("archive: %w", err)
		}
		sub = strings.Trim(sub, "/")
		// GitLab's archive name: <project>-<ref>-<sha>[-<path>].
		name := pr.Project.Path + "-" + strings.ReplaceAll(ref, "/", "-") + "-" + sha
		if sub != "" {
			name += "-" + strings.ReplaceAll(sub, "/", "-")
		}
		stream, err := pr.Repo.Archive(r.Context(), repo.ArchiveRequest{Commit: sha, Format: ext, Prefix: name + "/", Path: sub})
		if err != nil {
			if isRefMiss(err) {
				return service.NotFound("File")
			}
			return fmt.Errorf("archive: %w", err)
		}
		defer stream.Close()
		h := w.Header()
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + "." + ext}))
		h.Set("Content-Transfer-Encoding", "binary")
		h.Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		if _, err := io.Copy(w, stream); err != nil {
			// Headers are out: all that is left is to cut the response short
			// so the client sees a truncated download, and to log.
			a.log.WarnContext(r.Context(), "archive stream failed", "path", r.URL.Path, "err", err)
			panic(http.ErrAbortHandler)
		}
		return nil
	}
}

// contributorEntity is GitLab's Contributor entity. GitLab always answers
// 0 for additions and deletions.
type contributorEntity struct {
	Name      string `json:"name"`
	Email     string `json:"email"`
	Commits   int    `json:"commits"`
	Additions int    `json:"additions"`
	Deletions int    `json:"deletions"`
}

// contributorsCommitLimit is how many recent commits GitLab groups.
const contributorsCommitLimit = 2000

func (a *API) listContributors(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, _, err := c.params.Text("ref", maxRefParam)
	if err != nil {
		return err
	}
	orderBy, _, err := c.params.OneOf("order_by", "name", "email", "commits")
	if err != nil {
		return err
	}
	sortDir, _, err := c.params.OneOf("sort", "asc", "desc")
	if err != nil {
		return err
	}
	pr, err := a.svc.RepoForRead(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	var list []repo.Contributor
	_, sha, err := resolveOrDefault(r, pr, ref)
	switch {
	case err == nil:
		if list, err = pr.Repo.Contributors(r.Context(), sha, contributorsCommitLimit); err != nil {
			return fmt.Errorf("contributors: %w", err)
		}
	case ref != "" && isRefMiss(err):
		return service.NotFound("Ref")
	case !isRefMiss(err):
		return fmt.Errorf("contributors: %w", err)
	} // an empty repository has no contributors
	if orderBy == "" {
		orderBy = "commits"
	}
	slices.SortStableFunc(list, func(x, y repo.Contributor) int {
		var d int
		switch orderBy {
		case "name":
			d = cmp.Compare(x.Name, y.Name)
		case "email":
			d = cmp.Compare(x.Email, y.Email)
		default:
			d = cmp.Compare(x.Commits, y.Commits)
		}
		if sortDir == "desc" {
			d = -d
		}
		return d
	})
	pg := PageOf(c.params)
	out := []contributorEntity{}
	for _, ct := range pageSlice(list, pg) {
		out = append(out, contributorEntity{Name: ct.Name, Email: ct.Email, Commits: ct.Commits})
	}
	a.SetPageHeaders(w, r, pg, len(list))
	return WriteOK(w, out)
}

// maxMergeBaseRefs bounds merge_base's refs.
const maxMergeBaseRefs = 32

// rawList reads an array parameter (refs[]=a&refs[]=b, JSON array, or one
// value) without splitting on commas: ref names may contain them.
func rawList(p *Params, name string) ([]string, bool, error) {
	v, ok := p.Raw(name)
	if !ok {
		return nil, false, nil
	}
	switch t := v.(type) {
	case string:
		return []string{t}, true, nil
	case []string:
		return t, true, nil
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, isStr := e.(string)
			if !isStr {
				return nil, false, service.ParamError(name + " is invalid")
			}
			out = append(out, s)
		}
		return out, true, nil
	}
	return nil, false, service.ParamError(name + " is invalid")
}

func (a *API) mergeBase(w http.ResponseWriter, r *http.Request, c *Call) error {
	refs, present, err := rawList(c.params, "refs")
	if err != nil {
		return err
	}
	if !present {
		return service.ParamError("refs is missing")
	}
	if len(refs) > maxMergeBaseRefs {
		return service.ParamError("refs is invalid")
	}
	for _, ref := range refs {
		if len(ref) > maxRefParam {
			return service.ParamError("refs is invalid")
		}
	}
	pr, err := a.svc.RepoForRead(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	if len(refs) < 2 {
		return service.Invalid("Provide at least 2 refs")
	}
	shas := make([]string, 0, len(refs))
	var unknown []string
	for _, ref := range refs {
		sha, err := pr.Repo.ResolveRef(r.Context(), ref)
		if err != nil {
			if !isRefMiss(err) {
				return fmt.Errorf("merge base: %w", err)
			}
			unknown = append(unknown, ref)
			continue
		}
		shas = append(shas, sha)
	}
	if len(unknown) > 0 {
		noun := "ref"
		if len(unknown) > 1 {
			noun = "refs"
		}
		return service.Invalid("Could not find " + noun + ": " + strings.Join(unknown, ", "))
	}
	base, err := pr.Repo.MergeBaseOf(r.Context(), shas...)
	if err != nil {
		if errors.Is(err, repo.ErrNotFound) {
			return service.NotFound("Merge Base")
		}
		return fmt.Errorf("merge base: %w", err)
	}
	cm, err := pr.Repo.Commit(r.Context(), base)
	if err != nil {
		return fmt.Errorf("merge base: %w", err)
	}
	return WriteOK(w, a.commitEntity(r, pr.Project, cm))
}
