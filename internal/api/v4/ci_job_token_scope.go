package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/service"
)

// jobTokenScopeEntity is GitLab's Entities::ProjectJobTokenScope.
// outbound_enabled is the removed outbound scope: always false.
type jobTokenScopeEntity struct {
	InboundEnabled  bool `json:"inbound_enabled"`
	OutboundEnabled bool `json:"outbound_enabled"`
}

// jobTokenProjectLinkEntity is Entities::ProjectScopeLink.
type jobTokenProjectLinkEntity struct {
	SourceProjectID int64 `json:"source_project_id"`
	TargetProjectID int64 `json:"target_project_id"`
}

// jobTokenGroupLinkEntity is Entities::GroupScopeLink.
type jobTokenGroupLinkEntity struct {
	SourceProjectID int64 `json:"source_project_id"`
	TargetGroupID   int64 `json:"target_group_id"`
}

// getJobTokenScope is GET /projects/:id/job_token_scope.
func (a *API) getJobTokenScope(w http.ResponseWriter, r *http.Request, c *call) error {
	on, err := a.svc.JobTokenInboundEnabled(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeOK(w, jobTokenScopeEntity{InboundEnabled: on})
}

// patchJobTokenScope is PATCH /projects/:id/job_token_scope.
func (a *API) patchJobTokenScope(w http.ResponseWriter, r *http.Request, c *call) error {
	on, ok, err := c.params.bool("enabled")
	if err != nil {
		return err
	}
	if !ok {
		return service.ParamError("enabled is missing")
	}
	if err := a.svc.SetJobTokenInboundEnabled(r.Context(), c.id, r.PathValue("id"), on); err != nil {
		return err
	}
	return writeNoContent(w)
}

// listJobTokenAllowlist is GET /projects/:id/job_token_scope/allowlist.
func (a *API) listJobTokenAllowlist(w http.ResponseWriter, r *http.Request, c *call) error {
	list, err := a.svc.JobTokenAllowlist(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	pb := a.projectBase(r)
	page := paginateSlice(a, w, r, c, list)
	out := make([]basicProject, len(page))
	for i, p := range page {
		out[i] = basicProjectAt(pb, p)
	}
	return writeOK(w, out)
}

// addJobTokenAllowlistProject is POST /projects/:id/job_token_scope/allowlist.
func (a *API) addJobTokenAllowlistProject(w http.ResponseWriter, r *http.Request, c *call) error {
	target, err := c.params.requiredInt("target_project_id")
	if err != nil {
		return err
	}
	l, err := a.svc.AddJobTokenAllowlistProject(r.Context(), c.id, r.PathValue("id"), target)
	if err != nil {
		return err
	}
	return writeCreated(w, jobTokenProjectLinkEntity{SourceProjectID: l.SourceProjectID, TargetProjectID: l.TargetID})
}

// removeJobTokenAllowlistProject is DELETE
// /projects/:id/job_token_scope/allowlist/:target_project_id.
func (a *API) removeJobTokenAllowlistProject(w http.ResponseWriter, r *http.Request, c *call) error {
	target, err := pathID(r, "target_project_id", "target_project_id")
	if err != nil {
		return err
	}
	if err := a.svc.RemoveJobTokenAllowlistProject(r.Context(), c.id, r.PathValue("id"), target); err != nil {
		return err
	}
	return writeNoContent(w)
}

// listJobTokenGroupsAllowlist is GET /projects/:id/job_token_scope/groups_allowlist.
func (a *API) listJobTokenGroupsAllowlist(w http.ResponseWriter, r *http.Request, c *call) error {
	list, err := a.svc.JobTokenGroupsAllowlist(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	page := paginateSlice(a, w, r, c, list)
	out := make([]*basicGroupEntity, len(page))
	for i, g := range page {
		out[i] = a.basicGroup(r, g)
	}
	return writeOK(w, out)
}

// addJobTokenAllowlistGroup is POST /projects/:id/job_token_scope/groups_allowlist.
func (a *API) addJobTokenAllowlistGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	target, err := c.params.requiredInt("target_group_id")
	if err != nil {
		return err
	}
	l, err := a.svc.AddJobTokenAllowlistGroup(r.Context(), c.id, r.PathValue("id"), target)
	if err != nil {
		return err
	}
	return writeCreated(w, jobTokenGroupLinkEntity{SourceProjectID: l.SourceProjectID, TargetGroupID: l.TargetID})
}

// removeJobTokenAllowlistGroup is DELETE
// /projects/:id/job_token_scope/groups_allowlist/:target_group_id.
func (a *API) removeJobTokenAllowlistGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	target, err := pathID(r, "target_group_id", "target_group_id")
	if err != nil {
		return err
	}
	if err := a.svc.RemoveJobTokenAllowlistGroup(r.Context(), c.id, r.PathValue("id"), target); err != nil {
		return err
	}
	return writeNoContent(w)
}
