package v4

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// projectGroupLinkEntity is GitLab's Entities::ProjectGroupLink.
type projectGroupLinkEntity struct {
	ID          int64   `json:"id"`
	ProjectID   int64   `json:"project_id"`
	GroupID     int64   `json:"group_id"`
	GroupAccess int     `json:"group_access"`
	ExpiresAt   *string `json:"expires_at"`
}

// sharedWithGroupEntity is an element of a project's or a group's
// shared_with_groups.
type sharedWithGroupEntity struct {
	GroupID          int64   `json:"group_id"`
	GroupName        string  `json:"group_name"`
	GroupFullPath    string  `json:"group_full_path"`
	GroupAccessLevel int     `json:"group_access_level"`
	ExpiresAt        *string `json:"expires_at"`
}

func sharedWithGroups(links []*model.GroupLink) []sharedWithGroupEntity {
	out := make([]sharedWithGroupEntity, len(links))
	for i, l := range links {
		out[i] = sharedWithGroupEntity{GroupID: l.GroupID, GroupName: l.Group.Name, GroupFullPath: l.Group.FullPath,
			GroupAccessLevel: l.GroupAccess, ExpiresAt: l.ExpiresAt}
	}
	return out
}

// emptySharedWithGroups is what the generated project encoder writes; a
// shared project's entity replaces it with its shares.
var emptySharedWithGroups = []byte(`"shared_with_groups":[]`)

// withSharedWithGroups puts a project's shares into its rendered entity.
func withSharedWithGroups(b []byte, links []*model.GroupLink) ([]byte, error) {
	if len(links) == 0 {
		return b, nil
	}
	list, err := json.Marshal(sharedWithGroups(links))
	if err != nil {
		return nil, err
	}
	i := bytes.Index(b, emptySharedWithGroups)
	if i < 0 {
		return b, nil
	}
	end := i + len(emptySharedWithGroups)
	out := make([]byte, 0, len(b)+len(list))
	out = append(out, b[:end-2]...)
	out = append(out, list...)
	return append(out, b[end:]...), nil
}

// shareInput reads group_id, group_access and expires_at.
func shareInput(p *Params) (service.ShareInput, error) {
	var in service.ShareInput
	var err error
	if in.GroupID, err = p.RequiredInt("group_id"); err != nil {
		return in, err
	}
	level, err := p.RequiredInt("group_access")
	if err != nil {
		return in, err
	}
	in.GroupAccess = int(level)
	if in.ExpiresAt, _, err = p.date("expires_at"); err != nil {
		return in, err
	}
	return in, nil
}

// groupIDPath reads the {group_id} path segment.
func groupIDPath(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("group_id"), 10, 64)
	if err != nil || n <= 0 {
		return 0, service.ParamError("group_id is invalid")
	}
	return n, nil
}

// shareProject is POST /projects/:id/share.
func (a *API) shareProject(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := shareInput(c.params)
	if err != nil {
		return err
	}
	l, err := a.svc.ShareProject(r.Context(), c.id, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return WriteCreated(w, projectGroupLinkEntity{ID: l.ID, ProjectID: l.ProjectID, GroupID: l.GroupID,
		GroupAccess: l.GroupAccess, ExpiresAt: l.ExpiresAt})
}

// unshareProject is DELETE /projects/:id/share/:group_id.
func (a *API) unshareProject(w http.ResponseWriter, r *http.Request, c *Call) error {
	gid, err := groupIDPath(r)
	if err != nil {
		return err
	}
	if err := a.svc.UnshareProject(r.Context(), c.id, r.PathValue("id"), gid); err != nil {
		return err
	}
	return WriteNoContent(w)
}

// shareGroup is POST /groups/:id/share: the shared group's detail.
func (a *API) shareGroup(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := shareInput(c.params)
	if err != nil {
		return err
	}
	g, err := a.svc.ShareGroup(r.Context(), c.id, r.PathValue("id"), in)
	return a.writeGroupCreated(w, r, g, err)
}

// writeGroupCreated answers a POST that changed group g with its detail,
// shares included, unless err.
func (a *API) writeGroupCreated(w http.ResponseWriter, r *http.Request, g *model.Namespace, err error) error {
	if err != nil {
		return err
	}
	d, err := a.groupDetailShared(r, g)
	if err != nil {
		return err
	}
	return WriteCreated(w, d)
}

// unshareGroup is DELETE /groups/:id/share/:group_id.
func (a *API) unshareGroup(w http.ResponseWriter, r *http.Request, c *Call) error {
	gid, err := groupIDPath(r)
	if err != nil {
		return err
	}
	if err := a.svc.UnshareGroup(r.Context(), c.id, r.PathValue("id"), gid); err != nil {
		return err
	}
	return WriteNoContent(w)
}

// groupDetailShared is groupDetail with the group's shared_with_groups.
func (a *API) groupDetailShared(r *http.Request, g *model.Namespace) (groupDetail, error) {
	d := a.groupDetail(r, g)
	links, err := a.svc.GroupSharedWith(r.Context(), g)
	if err != nil {
		return d, err
	}
	for _, e := range sharedWithGroups(links) {
		d.SharedWithGroups = append(d.SharedWithGroups, e)
	}
	return d, nil
}

// projectUserEntity is the user entity of GET /projects/:id/users
// (Entities::UserBasic).
type projectUserEntity = BasicUser

// listProjectUsers is GET /projects/:id/users.
func (a *API) listProjectUsers(w http.ResponseWriter, r *http.Request, c *Call) error {
	pg := PageOf(c.params)
	f := model.ProjectUserFilter{Limit: pg.PerPage, Offset: pg.Offset()}
	var err error
	if f.Search, _, err = c.params.Text("search", 255); err != nil {
		return err
	}
	if f.SkipUsers, _, err = c.params.IntList("skip_users"); err != nil {
		return err
	}
	users, total, err := a.svc.ProjectUsers(r.Context(), c.id, r.PathValue("id"), f)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	out := make([]projectUserEntity, len(users))
	for i, u := range users {
		out[i] = a.basicUser(r, u)
	}
	return WriteOK(w, out)
}

// projectGroupEntity is Entities::PublicGroupDetails.
type projectGroupEntity struct {
	ID        int64   `json:"id"`
	WebURL    string  `json:"web_url"`
	Name      string  `json:"name"`
	AvatarURL *string `json:"avatar_url"`
	FullName  string  `json:"full_name"`
	FullPath  string  `json:"full_path"`
}

func (a *API) projectGroups(r *http.Request, gs []*model.Namespace) []projectGroupEntity {
	out := make([]projectGroupEntity, len(gs))
	for i, g := range gs {
		out[i] = projectGroupEntity{ID: g.ID, WebURL: a.groupWebURL(r, g.FullPath), Name: g.Name,
			AvatarURL: namespaceAvatar(a.BaseURL(r), g),
			FullName:  g.FullName, FullPath: g.FullPath}
	}
	return out
}

// listProjectGroups is GET /projects/:id/groups.
func (a *API) listProjectGroups(w http.ResponseWriter, r *http.Request, c *Call) error {
	var o service.ProjectGroupsOptions
	var err error
	if o.Search, _, err = c.params.Text("search", 255); err != nil {
		return err
	}
	if o.WithShared, _, err = c.params.Bool("with_shared"); err != nil {
		return err
	}
	level, _, err := c.params.Int("shared_min_access_level")
	if err != nil {
		return err
	}
	o.SharedMinAccessLevel = int(level)
	if o.SkipGroups, _, err = c.params.IntList("skip_groups"); err != nil {
		return err
	}
	gs, err := a.svc.ProjectGroups(r.Context(), c.id, r.PathValue("id"), o)
	if err != nil {
		return err
	}
	return WriteOK(w, a.projectGroups(r, PaginateSlice(a, w, r, c, gs)))
}

// transferProject is PUT /projects/:id/transfer.
func (a *API) transferProject(w http.ResponseWriter, r *http.Request, c *Call) error {
	ns, err := c.params.Required("namespace", 4096)
	if err != nil {
		return err
	}
	p, err := a.svc.TransferProject(r.Context(), c.id, r.PathValue("id"), ns)
	if err != nil {
		return err
	}
	return a.writeProject(w, r, c.id, http.StatusOK, p, nil, true)
}

// listTransferLocations is GET /projects/:id/transfer_locations.
func (a *API) listTransferLocations(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.writeTransferLocations(w, r, c, func(o service.GroupListOptions) ([]*model.Namespace, int, error) {
		return a.svc.TransferLocations(r.Context(), c.id, r.PathValue("id"), o)
	})
}

// writeTransferLocations answers a transfer_locations list (search, a
// page) with the groups list finds.
func (a *API) writeTransferLocations(w http.ResponseWriter, r *http.Request, c *Call,
	list func(service.GroupListOptions) ([]*model.Namespace, int, error)) error {
	pg := PageOf(c.params)
	o := service.GroupListOptions{Offset: pg.Offset(), Limit: pg.PerPage}
	var err error
	if o.Search, _, err = c.params.Text("search", 255); err != nil {
		return err
	}
	gs, total, err := list(o)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	return WriteOK(w, a.projectGroups(r, gs))
}
