package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/service"
)

// renderMarkdown is POST /markdown: {"html": "…"}. Anyone may call it
// (GitLab's authenticate_markdown_api flag is off by default); it writes
// nothing, so read_api tokens suffice.
func (a *API) renderMarkdown(w http.ResponseWriter, r *http.Request, c *Call) error {
	text, ok, err := c.params.Text("text", MaxBodyBytes)
	if err != nil {
		return err
	}
	if !ok {
		return service.ParamError("text is missing")
	}
	gfm, _, err := c.params.Bool("gfm")
	if err != nil {
		return err
	}
	project, _, err := c.params.Text("project", 1024)
	if err != nil {
		return err
	}
	html, err := a.svc.RenderMarkdown(r.Context(), c.id, service.MarkdownInput{
		Text: text, GFM: gfm, Project: project, BaseURL: a.BaseURL(r)})
	if err != nil {
		return err
	}
	return WriteCreated(w, map[string]string{"html": html})
}

// anyoneReadAPI admits anonymous callers and tokens with api or read_api
// on a POST that only reads (GitLab's allow_access_with_scope :read_api).
var anyoneReadAPI = who{anonymous: true, scopes: []string{auth.ScopeAPI, auth.ScopeReadAPI}}
