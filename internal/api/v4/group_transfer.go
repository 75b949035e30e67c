package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/service"
)

// transferGroup is POST /groups/:id/transfer: group_id names the new
// parent; without it the group becomes a top-level group.
func (a *API) transferGroup(w http.ResponseWriter, r *http.Request, c *Call) error {
	var parent *int64
	if n, ok, err := c.params.Int("group_id"); err != nil {
		return err
	} else if ok {
		parent = &n
	}
	g, err := a.svc.TransferGroup(r.Context(), c.id, r.PathValue("id"), parent)
	if err != nil {
		return err
	}
	d, err := a.groupDetailShared(r, g)
	if err != nil {
		return err
	}
	return WriteCreated(w, d)
}

// listGroupTransferLocations is GET /groups/:id/transfer_locations.
func (a *API) listGroupTransferLocations(w http.ResponseWriter, r *http.Request, c *Call) error {
	pg := PageOf(c.params)
	o := service.GroupListOptions{Offset: pg.Offset(), Limit: pg.PerPage}
	var err error
	if o.Search, _, err = c.params.Text("search", MaxParamText); err != nil {
		return err
	}
	gs, total, err := a.svc.GroupTransferLocations(r.Context(), c.id, r.PathValue("id"), o)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	return WriteOK(w, a.projectGroups(r, gs))
}

// transferProjectToGroup is POST /groups/:id/projects/:project_id, an
// administrator's move of a project into the group.
func (a *API) transferProjectToGroup(w http.ResponseWriter, r *http.Request, c *Call) error {
	g, err := a.svc.TransferProjectToGroup(r.Context(), c.id, r.PathValue("id"), r.PathValue("project_id"))
	if err != nil {
		return err
	}
	d, err := a.groupDetailShared(r, g)
	if err != nil {
		return err
	}
	return WriteCreated(w, d)
}
