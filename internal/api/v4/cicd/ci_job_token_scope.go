package cicd

import (
	"net/http"

	v4 "github.com/lablet/lablet/internal/api/v4"
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
func getJobTokenScope(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	on, err := a.Service().JobTokenInboundEnabled(r.Context(), c.Identity(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return v4.WriteOK(w, jobTokenScopeEntity{InboundEnabled: on})
}

// patchJobTokenScope is PATCH /projects/:id/job_token_scope.
func patchJobTokenScope(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	on, ok, err := c.Params().Bool("enabled")
	if err != nil {
		return err
	}
	if !ok {
		return service.ParamError("enabled is missing")
	}
	if err := a.Service().SetJobTokenInboundEnabled(r.Context(), c.Identity(), r.PathValue("id"), on); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

// listJobTokenAllowlist is GET /projects/:id/job_token_scope/allowlist.
func listJobTokenAllowlist(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	list, err := a.Service().JobTokenAllowlist(r.Context(), c.Identity(), r.PathValue("id"))
	if err != nil {
		return err
	}
	pb := a.ProjectBase(r)
	page := v4.PaginateSlice(a, w, r, c, list)
	out := make([]v4.BasicProject, len(page))
	for i, p := range page {
		out[i] = v4.BasicProjectAt(pb, p)
	}
	return v4.WriteOK(w, out)
}

// addJobTokenAllowlistProject is POST /projects/:id/job_token_scope/allowlist.
func addJobTokenAllowlistProject(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	target, err := c.Params().RequiredInt("target_project_id")
	if err != nil {
		return err
	}
	l, err := a.Service().AddJobTokenAllowlistProject(r.Context(), c.Identity(), r.PathValue("id"), target)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, jobTokenProjectLinkEntity{SourceProjectID: l.SourceProjectID, TargetProjectID: l.TargetID})
}

// removeJobTokenAllowlistProject is DELETE
// /projects/:id/job_token_scope/allowlist/:target_project_id.
func removeJobTokenAllowlistProject(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	target, err := v4.PathID(r, "target_project_id", "target_project_id")
	if err != nil {
		return err
	}
	if err := a.Service().RemoveJobTokenAllowlistProject(r.Context(), c.Identity(), r.PathValue("id"), target); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

// listJobTokenGroupsAllowlist is GET /projects/:id/job_token_scope/groups_allowlist.
func listJobTokenGroupsAllowlist(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	list, err := a.Service().JobTokenGroupsAllowlist(r.Context(), c.Identity(), r.PathValue("id"))
	if err != nil {
		return err
	}
	page := v4.PaginateSlice(a, w, r, c, list)
	out := make([]*v4.BasicGroupEntity, len(page))
	for i, g := range page {
		out[i] = a.BasicGroup(r, g)
	}
	return v4.WriteOK(w, out)
}

// addJobTokenAllowlistGroup is POST /projects/:id/job_token_scope/groups_allowlist.
func addJobTokenAllowlistGroup(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	target, err := c.Params().RequiredInt("target_group_id")
	if err != nil {
		return err
	}
	l, err := a.Service().AddJobTokenAllowlistGroup(r.Context(), c.Identity(), r.PathValue("id"), target)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, jobTokenGroupLinkEntity{SourceProjectID: l.SourceProjectID, TargetGroupID: l.TargetID})
}

// removeJobTokenAllowlistGroup is DELETE
// /projects/:id/job_token_scope/groups_allowlist/:target_group_id.
func removeJobTokenAllowlistGroup(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	target, err := v4.PathID(r, "target_group_id", "target_group_id")
	if err != nil {
		return err
	}
	if err := a.Service().RemoveJobTokenAllowlistGroup(r.Context(), c.Identity(), r.PathValue("id"), target); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}
