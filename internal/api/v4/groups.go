package v4

import (
	"net/http"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/service"
)

// MaxParamText bounds names and paths before the service's own checks, so
// that overlong values still get GitLab's model message.
const MaxParamText = 4096

// groupInput reads the writable group attributes.
func groupInput(p *Params) (service.GroupInput, error) {
	var in service.GroupInput
	for _, f := range []struct {
		name string
		dst  **string
	}{{"name", &in.Name}, {"path", &in.Path}, {"description", &in.Description}} {
		s, ok, err := p.Text(f.name, MaxParamText)
		if err != nil {
			return in, err
		}
		if ok {
			*f.dst = &s
		}
	}
	if n, ok, err := p.Int("parent_id"); err != nil {
		return in, err
	} else if ok {
		in.ParentID = &n
	}
	if v, ok, err := p.OneOf("visibility", "private", "internal", "public"); err != nil {
		return in, err
	} else if ok {
		level, _ := access.ParseVisibility(v)
		in.Visibility = &level
	}
	for _, f := range []struct {
		name string
		dst  **bool
	}{{"lfs_enabled", &in.LFSEnabled}, {"request_access_enabled", &in.RequestAccessEnabled}} {
		b, ok, err := p.Bool(f.name)
		if err != nil {
			return in, err
		}
		if ok {
			*f.dst = &b
		}
	}
	if v, ok, err := p.OneOf("project_creation_level", "noone", "owner", "maintainer", "developer", "administrator"); err != nil {
		return in, err
	} else if ok {
		in.ProjectCreationLevel = &v
	}
	if v, ok, err := p.OneOf("subgroup_creation_level", "owner", "maintainer"); err != nil {
		return in, err
	} else if ok {
		in.SubgroupCreationLevel = &v
	}
	return in, nil
}

func (a *API) createGroup(w http.ResponseWriter, r *http.Request, c *Call) error {
	for _, name := range []string{"name", "path"} {
		if !c.params.Has(name) {
			return service.ParamError(name + " is missing")
		}
	}
	in, err := groupInput(c.params)
	if err != nil {
		return err
	}
	if in.Name == nil || in.Path == nil {
		return service.ParamError("name is invalid")
	}
	av, err := readAvatarParam(c.params, "")
	if err != nil {
		return err
	}
	g, err := a.svc.CreateGroup(r.Context(), c.id, in)
	if err != nil {
		return err
	}
	if g.Avatar, err = a.applyAvatar(r, c, service.AvatarGroup, g.ID, av, g.Avatar); err != nil {
		return err
	}
	return WriteCreated(w, a.groupDetail(r, g))
}

func (a *API) getGroup(w http.ResponseWriter, r *http.Request, c *Call) error {
	g, _, err := a.svc.GetGroup(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := a.groupDetailShared(r, g)
	if err != nil {
		return err
	}
	return WriteOK(w, d)
}

func (a *API) updateGroup(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := groupInput(c.params)
	if err != nil {
		return err
	}
	if in.ParentID != nil {
		// Moving a group is POST /groups/:id/transfer in GitLab, not PUT.
		in.ParentID = nil
	}
	av, err := readAvatarParam(c.params, "")
	if err != nil {
		return err
	}
	g, err := a.svc.UpdateGroup(r.Context(), c.id, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	if g.Avatar, err = a.applyAvatar(r, c, service.AvatarGroup, g.ID, av, g.Avatar); err != nil {
		return err
	}
	return WriteOK(w, a.groupDetail(r, g))
}

func (a *API) deleteGroup(w http.ResponseWriter, r *http.Request, c *Call) error {
	if err := a.svc.DeleteGroup(r.Context(), c.id, r.PathValue("id")); err != nil {
		return err
	}
	return WriteAccepted(w)
}

// groupListOptions reads the filters shared by the group lists.
func groupListOptions(p *Params) (service.GroupListOptions, Page, error) {
	pg := PageOf(p)
	o := service.GroupListOptions{Offset: pg.Offset(), Limit: pg.PerPage}
	search, _, err := p.Text("search", MaxParamText)
	if err != nil {
		return o, pg, err
	}
	o.Search = search
	var pe ParamErrors
	if o.CustomAttributes = customAttributesFilter(p, &pe); pe.Err() != nil {
		return o, pg, pe.Err()
	}
	if o.Owned, _, err = p.Bool("owned"); err != nil {
		return o, pg, err
	}
	if o.TopLevelOnly, _, err = p.Bool("top_level_only"); err != nil {
		return o, pg, err
	}
	if b, ok, err := p.Bool("all_available"); err != nil {
		return o, pg, err
	} else if ok {
		o.AllAvailable = &b
	}
	if n, ok, err := p.Int("min_access_level"); err != nil {
		return o, pg, err
	} else if ok {
		if !access.ValidMemberLevel(int(n)) {
			return o, pg, service.ParamError("min_access_level does not have a valid value")
		}
		o.MinAccessLevel = int(n)
	}
	if v, ok, err := p.OneOf("visibility", "private", "internal", "public"); err != nil {
		return o, pg, err
	} else if ok {
		level, _ := access.ParseVisibility(v)
		o.Visibility = &level
	}
	skip, _, err := p.StrList("skip_groups")
	if err != nil {
		return o, pg, err
	}
	for _, s := range skip {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return o, pg, service.ParamError("skip_groups is invalid")
		}
		o.SkipIDs = append(o.SkipIDs, id)
	}
	if o.OrderBy, _, err = p.OneOf("order_by", "name", "path", "id", "similarity"); err != nil {
		return o, pg, err
	}
	sort, _, err := p.OneOf("sort", "asc", "desc")
	if err != nil {
		return o, pg, err
	}
	o.Desc = sort == "desc"
	return o, pg, nil
}

func (a *API) listGroups(w http.ResponseWriter, r *http.Request, c *Call) error {
	o, pg, err := groupListOptions(c.params)
	if err != nil {
		return err
	}
	gs, total, err := a.svc.ListGroups(r.Context(), c.id, o)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	return WriteOK(w, a.groups(r, gs))
}

func listSubgroups(all bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		o, pg, err := groupListOptions(c.params)
		if err != nil {
			return err
		}
		gs, total, err := a.svc.ListSubgroups(r.Context(), c.id, r.PathValue("id"), all, o)
		if err != nil {
			return err
		}
		a.SetPageHeaders(w, r, pg, total)
		return WriteOK(w, a.groups(r, gs))
	}
}
