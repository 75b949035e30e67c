package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// badgeDetails is GitLab's Entities::BasicBadgeDetails.
type badgeDetails struct {
	Name             *string `json:"name"`
	LinkURL          string  `json:"link_url"`
	ImageURL         string  `json:"image_url"`
	RenderedLinkURL  string  `json:"rendered_link_url"`
	RenderedImageURL string  `json:"rendered_image_url"`
}

// badgeEntity is Entities::Badge.
type badgeEntity struct {
	badgeDetails
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
}

func (a *API) badgeDetailsOf(r *http.Request, src *service.BadgeSource, b *model.Badge) badgeDetails {
	host := a.ProjectBase(r).host
	return badgeDetails{Name: b.Name, LinkURL: b.LinkURL, ImageURL: b.ImageURL,
		RenderedLinkURL:  a.svc.RenderBadgeURL(r.Context(), src, b.LinkURL, host),
		RenderedImageURL: a.svc.RenderBadgeURL(r.Context(), src, b.ImageURL, host)}
}

func (a *API) badgeEntityOf(r *http.Request, src *service.BadgeSource, b *model.Badge) badgeEntity {
	kind := "project"
	if b.GroupID != 0 {
		kind = "group"
	}
	return badgeEntity{badgeDetails: a.badgeDetailsOf(r, src, b), ID: b.ID, Kind: kind}
}

// badgeRoute is a badge endpoint of projects (group false) or groups.
type badgeRoute func(a *API, w http.ResponseWriter, r *http.Request, c *Call, group bool) error

func (h badgeRoute) of(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error { return h(a, w, r, c, group) }
}

// badgeInput reads link_url, image_url (required on create) and name.
func badgeInput(p *Params, create bool) (service.BadgeInput, error) {
	var in service.BadgeInput
	var pe ParamErrors
	for _, f := range []struct {
		name string
		dst  **string
	}{{"link_url", &in.LinkURL}, {"image_url", &in.ImageURL}, {"name", &in.Name}} {
		s, ok, err := p.Text(f.name, 1<<12)
		switch {
		case err != nil:
			pe.Add(err)
		case ok:
			*f.dst = &s
		case create && f.name != "name":
			pe.Add(service.ParamError(f.name + " is missing"))
		}
	}
	return in, pe.Err()
}

func listBadges(a *API, w http.ResponseWriter, r *http.Request, c *Call, group bool) error {
	pg := PageOf(c.params)
	var name *string
	if s, ok, err := c.params.Text("name", 1<<12); err != nil {
		return err
	} else if ok {
		name = &s
	}
	src, badges, total, err := a.svc.Badges(r.Context(), c.id, r.PathValue("id"), group, name, pg.PerPage, pg.Offset())
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	out := make([]badgeEntity, len(badges))
	for i, b := range badges {
		out[i] = a.badgeEntityOf(r, src, b)
	}
	return WriteOK(w, out)
}

func getBadge(a *API, w http.ResponseWriter, r *http.Request, c *Call, group bool) error {
	id, err := PathID(r, "badge_id", "badge_id")
	if err != nil {
		return err
	}
	src, b, err := a.svc.Badge(r.Context(), c.id, r.PathValue("id"), group, id)
	if err != nil {
		return err
	}
	return WriteOK(w, a.badgeEntityOf(r, src, b))
}

func renderBadge(a *API, w http.ResponseWriter, r *http.Request, c *Call, group bool) error {
	in, err := badgeInput(c.params, true)
	if err != nil {
		return err
	}
	src, b, err := a.svc.RenderBadge(r.Context(), c.id, r.PathValue("id"), group, *in.LinkURL, *in.ImageURL)
	if err != nil {
		return err
	}
	return WriteOK(w, a.badgeDetailsOf(r, src, b))
}

func createBadge(a *API, w http.ResponseWriter, r *http.Request, c *Call, group bool) error {
	in, err := badgeInput(c.params, true)
	if err != nil {
		return err
	}
	src, b, err := a.svc.CreateBadge(r.Context(), c.id, r.PathValue("id"), group, in)
	if err != nil {
		return err
	}
	return WriteCreated(w, a.badgeEntityOf(r, src, b))
}

func updateBadge(a *API, w http.ResponseWriter, r *http.Request, c *Call, group bool) error {
	id, err := PathID(r, "badge_id", "badge_id")
	if err != nil {
		return err
	}
	in, err := badgeInput(c.params, false)
	if err != nil {
		return err
	}
	src, b, err := a.svc.UpdateBadge(r.Context(), c.id, r.PathValue("id"), group, id, in)
	if err != nil {
		return err
	}
	return WriteOK(w, a.badgeEntityOf(r, src, b))
}

func deleteBadge(a *API, w http.ResponseWriter, r *http.Request, c *Call, group bool) error {
	id, err := PathID(r, "badge_id", "badge_id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteBadge(r.Context(), c.id, r.PathValue("id"), group, id); err != nil {
		return err
	}
	return WriteNoContent(w)
}
