package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/model"
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
	return a.writeGroupCreated(w, r, g, err)
}

// listGroupTransferLocations is GET /groups/:id/transfer_locations.
func (a *API) listGroupTransferLocations(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.writeTransferLocations(w, r, c, func(o service.GroupListOptions) ([]*model.Namespace, int, error) {
		return a.svc.GroupTransferLocations(r.Context(), c.id, r.PathValue("id"), o)
	})
}

// transferProjectToGroup is POST /groups/:id/projects/:project_id, an
// administrator's move of a project into the group.
func (a *API) transferProjectToGroup(w http.ResponseWriter, r *http.Request, c *Call) error {
	g, err := a.svc.TransferProjectToGroup(r.Context(), c.id, r.PathValue("id"), r.PathValue("project_id"))
	return a.writeGroupCreated(w, r, g, err)
}
