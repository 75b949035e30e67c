package v4

import (
	"net/http"
	"slices"

	"github.com/lablet/lablet/internal/service"
)

// listGroupSharedProjects is GET /groups/:id/projects/shared: the projects
// shared with the group, filtered as GET /groups/:id/projects.
func (a *API) listGroupSharedProjects(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.projectList(w, r, c, listPlain, func(o service.ProjectListOptions) (*service.ProjectList, error) {
		return a.svc.GroupSharedProjects(r.Context(), c.id, r.PathValue("id"), o)
	})
}

// listGroupSharedGroups is GET /groups/:id/groups/shared: the groups the
// group was invited to.
func (a *API) listGroupSharedGroups(w http.ResponseWriter, r *http.Request, c *Call) error {
	o, pg, err := groupListOptions(c.params)
	if err != nil {
		return err
	}
	gs, total, err := a.svc.GroupSharedGroups(r.Context(), c.id, r.PathValue("id"), o)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	return WriteOK(w, a.groups(r, gs))
}

// listGroupInvitedGroups is GET /groups/:id/invited_groups: the groups
// invited to the group (relation direct) or to its ancestors (inherited).
func (a *API) listGroupInvitedGroups(w http.ResponseWriter, r *http.Request, c *Call) error {
	o, pg, err := groupListOptions(c.params)
	if err != nil {
		return err
	}
	relations, _, err := c.params.StrList("relation")
	if err != nil {
		return err
	}
	relation := ""
	for _, rel := range relations {
		if rel != "direct" && rel != "inherited" {
			return service.ParamError("relation does not have a valid value")
		}
	}
	if len(relations) > 0 && !(slices.Contains(relations, "direct") && slices.Contains(relations, "inherited")) {
		relation = relations[0]
	}
	gs, total, err := a.svc.GroupInvitedGroups(r.Context(), c.id, r.PathValue("id"), relation, o)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	return WriteOK(w, a.groups(r, gs))
}
