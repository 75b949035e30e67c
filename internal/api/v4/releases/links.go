package releases

import (
	"net/http"
	"strconv"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/service"
)

// linkInputOf reads a link's name, url, direct_asset_path (filepath, its
// deprecated alias) and link_type through get; prefix and suffix wrap the
// names in error messages.
func linkInputOf(get func(name string) (string, bool, error), prefix, suffix string) (service.ReleaseLinkInput, error) {
	var in service.ReleaseLinkInput
	var pe v4.ParamErrors
	read := func(name string) *string {
		s, ok, err := get(name)
		if err != nil {
			pe.Add(err)
			return nil
		}
		if !ok {
			return nil
		}
		return &s
	}
	in.Name, in.URL = read("name"), read("url")
	in.Filepath = read("direct_asset_path")
	if in.Filepath == nil {
		in.Filepath = read("filepath")
	}
	if t := read("link_type"); t != nil {
		ok := false
		for _, v := range service.ReleaseLinkTypes {
			ok = ok || v == *t
		}
		if !ok {
			pe.Add(service.ParamError(prefix + "link_type" + suffix + " does not have a valid value"))
		}
		in.LinkType = t
	}
	return in, pe.Err()
}

func linkInput(p *v4.Params) (service.ReleaseLinkInput, error) {
	return linkInputOf(func(name string) (string, bool, error) { return p.Text(name, maxNameParam) }, "", "")
}

func linkIDParam(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("link_id"), 10, 64)
	if err != nil {
		return 0, service.ParamError("link_id is invalid")
	}
	return n, nil
}

func writeLink(a *v4.API, w http.ResponseWriter, r *http.Request, v *service.ReleaseLinkView, status int) error {
	v4.WriteJSON(w, status, linkEntityOf(a.BaseURL(r), v.Project, v.Release, v.Link))
	return nil
}

// listLinks is GET …/releases/:tag_name/assets/links.
func listLinks(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	p, rel, links, err := a.Service().ReleaseLinks(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("tag_name"))
	if err != nil {
		return err
	}
	page := v4.PaginateSlice(a, w, r, c, links)
	base := a.BaseURL(r)
	out := make([]linkEntity, len(page))
	for i, l := range page {
		out[i] = linkEntityOf(base, p, rel, l)
	}
	return v4.WriteOK(w, out)
}

// getLink is GET …/assets/links/:link_id.
func getLink(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := linkIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.Service().ReleaseLink(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("tag_name"), id)
	if err != nil {
		return err
	}
	return writeLink(a, w, r, v, http.StatusOK)
}

// createLink is POST …/assets/links: name and url required.
func createLink(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	in, err := linkInput(c.Params())
	if err != nil {
		return err
	}
	var pe v4.ParamErrors
	if in.Name == nil {
		pe.Add(service.ParamError("name is missing"))
	}
	if in.URL == nil {
		pe.Add(service.ParamError("url is missing"))
	}
	if err := pe.Err(); err != nil {
		return err
	}
	v, err := a.Service().CreateReleaseLink(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("tag_name"), in)
	if err != nil {
		return err
	}
	return writeLink(a, w, r, v, http.StatusCreated)
}

// updateLink is PUT …/assets/links/:link_id: at least one field.
func updateLink(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := linkIDParam(r)
	if err != nil {
		return err
	}
	in, err := linkInput(c.Params())
	if err != nil {
		return err
	}
	if in.Name == nil && in.URL == nil && in.Filepath == nil && in.LinkType == nil {
		return service.ParamError("name, url, filepath, direct_asset_path, link_type are missing, at least one parameter must be provided")
	}
	v, err := a.Service().UpdateReleaseLink(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("tag_name"), id, in)
	if err != nil {
		return err
	}
	return writeLink(a, w, r, v, http.StatusOK)
}

// deleteLink is DELETE …/assets/links/:link_id: the link as it was.
func deleteLink(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := linkIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.Service().DeleteReleaseLink(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("tag_name"), id)
	if err != nil {
		return err
	}
	return writeLink(a, w, r, v, http.StatusOK)
}
