package releases

import (
	"net/http"
	"net/url"
	"strconv"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/service"
)

// Parameter limits: a tag name as git allows it, a release's description
// as the model does.
const (
	maxTagParam         = 1024
	maxNameParam        = 1 << 16
	maxDescriptionParam = 1_000_000
	maxTitles           = 100
	maxLinks            = 100
)

func renderOf(a *v4.API, r *http.Request, c *v4.Call) (service.ReleaseRender, error) {
	html, _, err := c.Params().Bool("include_html_description")
	return service.ReleaseRender{HTML: html, BaseURL: a.BaseURL(r)}, err
}

// listOptions reads order_by, sort and the page as GitLab's Grape does.
func listOptions(a *v4.API, r *http.Request, c *v4.Call, orderBy bool) (service.ReleaseListOptions, v4.Page, error) {
	var o service.ReleaseListOptions
	var pe v4.ParamErrors
	if orderBy {
		o.OrderBy = pe.OneOf(c.Params(), "order_by", "released_at", "created_at")
	}
	o.Sort = pe.OneOf(c.Params(), "sort", "asc", "desc")
	render, err := renderOf(a, r, c)
	add(&pe, err)
	o.ReleaseRender = render
	if err := pe.Err(); err != nil {
		return o, v4.Page{}, err
	}
	pg := v4.PageOf(c.Params())
	o.Limit, o.Offset = pg.PerPage, pg.Offset()
	return o, pg, nil
}

// listReleases is GET /projects/:id/releases.
func listReleases(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	o, pg, err := listOptions(a, r, c, true)
	if err != nil {
		return err
	}
	views, total, err := a.Service().ListReleases(r.Context(), c.Identity(), r.PathValue("id"), o)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	return writeReleases(a, w, r, views, false)
}

// listGroupReleases is GET /groups/:id/releases.
func listGroupReleases(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	o, pg, err := listOptions(a, r, c, false)
	if err != nil {
		return err
	}
	simple, _, err := c.Params().Bool("simple")
	if err != nil {
		return err
	}
	views, total, err := a.Service().GroupReleases(r.Context(), c.Identity(), r.PathValue("id"), o)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	return writeReleases(a, w, r, views, simple)
}

// getRelease is GET /projects/:id/releases/:tag_name.
func getRelease(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	o, err := renderOf(a, r, c)
	if err != nil {
		return err
	}
	v, err := a.Service().Release(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("tag_name"), o)
	if err != nil {
		return err
	}
	return writeRelease(a, w, r, v, http.StatusOK)
}

// latestRelease is GET /projects/:id/releases/permalink/latest(/*suffix):
// a redirect to the newest release's API path, the suffix and the query
// (but order_by) kept, as GitLab's.
func latestRelease(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	p, rel, err := a.Service().LatestRelease(r.Context(), c.Identity(), r.PathValue("id"))
	if err != nil {
		return err
	}
	loc := "/api/v4/projects/" + strconv.FormatInt(p.ID, 10) + "/releases/" + url.PathEscape(rel.Tag)
	if suffix := r.PathValue("suffix"); suffix != "" {
		loc += "/" + suffix
	}
	q := r.URL.Query()
	q.Del("order_by")
	if len(q) > 0 {
		loc += "?" + q.Encode()
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusFound)
	return nil
}

// releaseInput reads POST's parameters.
func releaseInput(p *v4.Params) (service.ReleaseInput, error) {
	var in service.ReleaseInput
	var pe v4.ParamErrors
	tag, ok, err := p.Text("tag_name", maxTagParam)
	switch {
	case err != nil:
		add(&pe, err)
	case !ok || tag == "":
		pe.Add(service.ParamError("tag_name is missing"))
	}
	in.Tag = tag
	in.Name = textParam(&pe, p, "name", maxNameParam)
	in.Description = textParam(&pe, p, "description", maxDescriptionParam)
	if s := textParam(&pe, p, "ref", maxTagParam); s != nil {
		in.Ref = *s
	}
	if s := textParam(&pe, p, "tag_message", maxDescriptionParam); s != nil {
		in.TagMessage = *s
	}
	in.Milestones = milestonesParam(&pe, p)
	released, err := p.TimeParam("released_at")
	add(&pe, err)
	in.ReleasedAt = released
	links, err := assetLinks(p)
	add(&pe, err)
	in.Links = links
	return in, pe.Err()
}

func textParam(pe *v4.ParamErrors, p *v4.Params, name string, max int) *string {
	s, ok, err := p.Text(name, max)
	if err != nil {
		add(pe, err)
		return nil
	}
	if !ok {
		return nil
	}
	return &s
}

func milestonesParam(pe *v4.ParamErrors, p *v4.Params) *[]string {
	if !p.Has("milestones") {
		return nil
	}
	titles, _, err := p.StrList("milestones")
	if err != nil {
		add(pe, err)
		return nil
	}
	if len(titles) > maxTitles {
		pe.Add(service.ParamError("milestones is too long"))
		return nil
	}
	if titles == nil {
		titles = []string{}
	}
	return &titles
}

// assetLinks reads assets[links] (a JSON array of objects).
func assetLinks(p *v4.Params) ([]service.ReleaseLinkInput, error) {
	assets := p.Object("assets")
	if assets == nil {
		return nil, nil
	}
	raw, ok := assets["links"]
	if !ok || raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok || len(list) > maxLinks {
		return nil, service.ParamError("assets[links] is invalid")
	}
	out := make([]service.ReleaseLinkInput, 0, len(list))
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, service.ParamError("assets[links] is invalid")
		}
		in, err := linkInputOf(func(name string) (string, bool, error) {
			v, present := m[name]
			if !present || v == nil {
				return "", false, nil
			}
			s, ok := v.(string)
			if !ok || len(s) > maxNameParam {
				return "", false, service.ParamError("assets[links][" + name + "] is invalid")
			}
			return s, true, nil
		}, "assets[links][", "]")
		if err != nil {
			return nil, err
		}
		if in.Name == nil {
			return nil, service.ParamError("assets[links][name] is missing")
		}
		if in.URL == nil {
			return nil, service.ParamError("assets[links][url] is missing")
		}
		out = append(out, in)
	}
	return out, nil
}

// createRelease is POST /projects/:id/releases.
func createRelease(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	in, err := releaseInput(c.Params())
	if err != nil {
		return err
	}
	v, err := a.Service().CreateRelease(r.Context(), c.Identity(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return writeRelease(a, w, r, v, http.StatusCreated)
}

// updateRelease is PUT /projects/:id/releases/:tag_name.
func updateRelease(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	p := c.Params()
	var in service.ReleaseUpdate
	var pe v4.ParamErrors
	in.Name = textParam(&pe, p, "name", maxNameParam)
	in.Description = textParam(&pe, p, "description", maxDescriptionParam)
	in.Milestones = milestonesParam(&pe, p)
	released, err := p.TimeParam("released_at")
	add(&pe, err)
	in.ReleasedAt = released
	if err := pe.Err(); err != nil {
		return err
	}
	v, err := a.Service().UpdateRelease(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("tag_name"), in)
	if err != nil {
		return err
	}
	return writeRelease(a, w, r, v, http.StatusOK)
}

// deleteRelease is DELETE /projects/:id/releases/:tag_name: the release
// as it was.
func deleteRelease(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	v, err := a.Service().DeleteRelease(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("tag_name"))
	if err != nil {
		return err
	}
	return writeRelease(a, w, r, v, http.StatusOK)
}

// add records err, if any.
func add(pe *v4.ParamErrors, err error) {
	if err != nil {
		pe.Add(err)
	}
}
