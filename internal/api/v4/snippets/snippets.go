// Package snippets is the snippets part of GitLab's REST API v4: personal
// snippets (API::Snippets) and project snippets (API::ProjectSnippets),
// their raw files and user agent details. Notes and discussions on
// project snippets are the core's shared notes routes. Its handlers are
// functions of the core package's Handler type; Routes is its route
// table, which internal/server hands to v4.New.
package snippets

import (
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Routes is the snippets' route table.
func Routes() []v4.Endpoint {
	return []v4.Endpoint{
		v4.Row("GET /snippets", listMine, v4.SignedIn, access.ReadSnippet),
		v4.Row("GET /snippets/public", listPublic, v4.SignedIn, access.ReadSnippet),
		v4.Row("GET /snippets/all", listAll, v4.SignedIn, access.ReadSnippet),
		v4.Row("POST /snippets", createPersonalSnippet, v4.SignedIn, access.CreateSnippet),
		v4.Row("GET /snippets/{id}", getSnippet, v4.Anyone, access.ReadSnippet),
		v4.Row("PUT /snippets/{id}", updateSnippet, v4.SignedIn, access.AdminSnippet),
		v4.Row("DELETE /snippets/{id}", deleteSnippet, v4.SignedIn, access.AdminSnippet),
		v4.Row("GET /snippets/{id}/raw", rawSnippet, v4.Anyone, access.ReadSnippet),
		v4.Row("GET /snippets/{id}/files/{ref}/{file_path}/raw", rawSnippetFile, v4.Anyone, access.ReadSnippet),
		v4.Row("GET /snippets/{id}/user_agent_detail", userAgentDetail, v4.Admin, access.AdminAll),

		v4.Row("GET /projects/{id}/snippets", listProjectSnippets, v4.Anyone, access.ReadSnippet),
		v4.Row("POST /projects/{id}/snippets", createProjectSnippet, v4.SignedIn, access.CreateSnippet),
		v4.Row("GET /projects/{id}/snippets/{snippet_id}", getSnippet, v4.Anyone, access.ReadSnippet),
		v4.Row("PUT /projects/{id}/snippets/{snippet_id}", updateSnippet, v4.SignedIn, access.AdminSnippet),
		v4.Row("DELETE /projects/{id}/snippets/{snippet_id}", deleteSnippet, v4.SignedIn, access.AdminSnippet),
		v4.Row("GET /projects/{id}/snippets/{snippet_id}/raw", rawSnippet, v4.Anyone, access.ReadSnippet),
		v4.Row("GET /projects/{id}/snippets/{snippet_id}/files/{ref}/{file_path}/raw", rawSnippetFile, v4.Anyone, access.ReadSnippet),
		v4.Row("GET /projects/{id}/snippets/{snippet_id}/user_agent_detail", userAgentDetail, v4.Admin, access.AdminAll),
	}
}

// snippetRef reads the snippet a route names: /snippets/{id} or
// /projects/{id}/snippets/{snippet_id}; ids are Integer to Grape.
func snippetRef(r *http.Request) (service.SnippetRef, error) {
	if r.PathValue("snippet_id") != "" {
		n, err := v4.PathID(r, "snippet_id", "snippet_id")
		return service.SnippetRef{Project: r.PathValue("id"), ID: n}, err
	}
	n, err := v4.PathID(r, "id", "id")
	return service.SnippetRef{ID: n}, err
}

func listMine(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return listPersonal(a, w, r, c, service.SnippetsMine)
}

func listPublic(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return listPersonal(a, w, r, c, service.SnippetsPublic)
}

func listAll(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return listPersonal(a, w, r, c, service.SnippetsAll)
}

// listFilter reads created_after/created_before and the page.
func listFilter(c *v4.Call) (model.SnippetFilter, v4.Page, error) {
	var f model.SnippetFilter
	var err error
	if f.CreatedAfter, err = c.Params().TimeParam("created_after"); err != nil {
		return f, v4.Page{}, err
	}
	if f.CreatedBefore, err = c.Params().TimeParam("created_before"); err != nil {
		return f, v4.Page{}, err
	}
	pg := v4.PageOf(c.Params())
	f.Limit, f.Offset = pg.PerPage, pg.Offset()
	return f, pg, nil
}

func listPersonal(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, scope service.SnippetScope) error {
	f, pg, err := listFilter(c)
	if err != nil {
		return err
	}
	page, err := a.Service().ListSnippets(r.Context(), c.Identity(), scope, f)
	if err != nil {
		return err
	}
	return writePage(a, w, r, c, pg, page)
}

func listProjectSnippets(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	f, pg, err := listFilter(c)
	if err != nil {
		return err
	}
	page, err := a.Service().ListProjectSnippets(r.Context(), c.Identity(), r.PathValue("id"), f)
	if err != nil {
		return err
	}
	return writePage(a, w, r, c, pg, page)
}

func writePage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, pg v4.Page, page *service.SnippetPage) error {
	a.SetPageHeaders(w, r, pg, page.Total)
	pb := a.ProjectBase(r)
	admin := c.Identity().IsAdmin()
	out := make([]snippetEntity, 0, len(page.Snippets))
	for _, sn := range page.Snippets {
		var author *model.User
		if sn.AuthorID != nil {
			author = page.Users[*sn.AuthorID]
		}
		var p *model.Project
		if sn.ProjectID != nil {
			p = page.Projects[*sn.ProjectID]
		}
		out = append(out, snippetJSON(a, pb, sn, p, author, admin))
	}
	return v4.WriteOK(w, out)
}

func getSnippet(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	ref, err := snippetRef(r)
	if err != nil {
		return err
	}
	v, err := a.Service().GetSnippet(r.Context(), c.Identity(), ref)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, viewJSON(a, r, c, v))
}

func viewJSON(a *v4.API, r *http.Request, c *v4.Call, v *service.SnippetView) snippetEntity {
	return snippetJSON(a, a.ProjectBase(r), v.Snippet, v.Project, v.Author, c.Identity().IsAdmin())
}

// clientIP is the address a request came from, as GitLab records it.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func createPersonalSnippet(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return createSnippet(a, w, r, c, "")
}

func createProjectSnippet(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return createSnippet(a, w, r, c, r.PathValue("id"))
}

func createSnippet(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, project string) error {
	in, err := snippetInput(c, true)
	if err != nil {
		return err
	}
	in.UserAgent, in.IPAddress = r.UserAgent(), clientIP(r)
	v, err := a.Service().CreateSnippet(r.Context(), c.Identity(), project, in)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, viewJSON(a, r, c, v))
}

func updateSnippet(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	ref, err := snippetRef(r)
	if err != nil {
		return err
	}
	in, err := snippetInput(c, false)
	if err != nil {
		return err
	}
	v, err := a.Service().UpdateSnippet(r.Context(), c.Identity(), ref, in)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, viewJSON(a, r, c, v))
}

func deleteSnippet(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	ref, err := snippetRef(r)
	if err != nil {
		return err
	}
	if err := a.Service().DeleteSnippet(r.Context(), c.Identity(), ref); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

func rawSnippet(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return writeRaw(a, w, r, c, "", "")
}

func rawSnippetFile(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return writeRaw(a, w, r, c, r.PathValue("ref"), r.PathValue("file_path"))
}

// writeRaw answers a snippet file's bytes as GitLab's send_git_blob does:
// text/plain, never sniffed, inline with the file's name.
func writeRaw(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, ref, path string) error {
	sref, err := snippetRef(r)
	if err != nil {
		return err
	}
	b, err := a.Service().SnippetFileRaw(r.Context(), c.Identity(), sref, ref, path)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	if !utf8.Valid(b.Content) {
		h.Set("Content-Type", "application/octet-stream")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	name := b.Name
	if name == "" {
		name = b.Path[strings.LastIndexByte(b.Path, '/')+1:]
	}
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	h.Set("Cache-Control", "max-age=0, private, must-revalidate, no-store, no-cache")
	h.Set("Content-Length", strconv.Itoa(len(b.Content)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b.Content)
	}
	return nil
}

// userAgentDetailEntity is GitLab's user agent detail answer.
type userAgentDetailEntity struct {
	UserAgent        string `json:"user_agent"`
	IPAddress        string `json:"ip_address"`
	AkismetSubmitted bool   `json:"akismet_submitted"`
}

func userAgentDetail(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	ref, err := snippetRef(r)
	if err != nil {
		return err
	}
	v, err := a.Service().SnippetUserAgentDetail(r.Context(), c.Identity(), ref)
	if err != nil {
		return err
	}
	if v.Snippet.UserAgent == "" && v.Snippet.IPAddress == "" {
		return service.NotFound("UserAgentDetail")
	}
	return v4.WriteOK(w, userAgentDetailEntity{UserAgent: v.Snippet.UserAgent, IPAddress: v.Snippet.IPAddress})
}

// escapePath escapes each segment of a repository path for a URL.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
