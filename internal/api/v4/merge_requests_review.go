package v4

import (
	"net/http"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// mergeRequestDiffEntity is GitLab's Entities::MergeRequestDiff (a
// version); the single version (MergeRequestDiffFull) adds its commits
// and diffs.
type mergeRequestDiffEntity struct {
	ID             int64           `json:"id"`
	HeadCommitSHA  string          `json:"head_commit_sha"`
	BaseCommitSHA  *string         `json:"base_commit_sha"`
	StartCommitSHA string          `json:"start_commit_sha"`
	CreatedAt      string          `json:"created_at"`
	MergeRequestID int64           `json:"merge_request_id"`
	State          string          `json:"state"`
	RealSize       *string         `json:"real_size"`
	PatchIDSHA     *string         `json:"patch_id_sha"`
	Commits        *[]commitEntity `json:"commits,omitempty"`
	Diffs          *[]diffEntity   `json:"diffs,omitempty"`
}

func mergeRequestDiffJSON(d *model.MergeRequestDiff) mergeRequestDiffEntity {
	return mergeRequestDiffEntity{ID: d.ID, HeadCommitSHA: d.HeadSHA, BaseCommitSHA: d.BaseSHA, StartCommitSHA: d.StartSHA,
		CreatedAt: TS(d.CreatedAt), MergeRequestID: d.MergeRequestID, State: d.State, RealSize: d.RealSize}
}

// listMergeRequestVersions is GET …/merge_requests/:iid/versions: newest
// first, a page at a time.
func (a *API) listMergeRequestVersions(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	pg := PageOf(c.params)
	list, total, err := a.svc.MergeRequestVersions(r.Context(), c.id, r.PathValue("id"), iid, pg.PerPage, pg.Offset())
	if err != nil {
		return err
	}
	out := make([]mergeRequestDiffEntity, 0, len(list))
	for _, d := range list {
		out = append(out, mergeRequestDiffJSON(d))
	}
	a.SetPageHeaders(w, r, pg, total)
	return WriteOK(w, out)
}

// getMergeRequestVersion is GET …/merge_requests/:iid/versions/:version_id.
func (a *API) getMergeRequestVersion(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	versionID, err := PathID(r, "version_id", "version_id")
	if err != nil {
		return err
	}
	if _, _, err := c.params.Bool("unidiff"); err != nil {
		return err
	}
	v, err := a.svc.GetMergeRequestVersion(r.Context(), c.id, r.PathValue("id"), iid, versionID)
	if err != nil {
		return err
	}
	e := mergeRequestDiffJSON(v.Diff)
	commits := make([]commitEntity, 0, len(v.Commits))
	for _, cm := range v.Commits {
		commits = append(commits, a.commitEntity(r, v.Project, cm))
	}
	diffs := diffEntities(v.Files)
	e.Commits, e.Diffs = &commits, &diffs
	return WriteOK(w, e)
}

// approvalsEntity is GitLab's approvals of a merge request as GitLab Free
// answers them (EE's ApprovalState without a license: no rules, nothing
// required); approved is CE's: someone approved.
type approvalsEntity struct {
	ID                             int64          `json:"id"`
	IID                            int64          `json:"iid"`
	ProjectID                      int64          `json:"project_id"`
	Title                          string         `json:"title"`
	Description                    string         `json:"description"`
	State                          string         `json:"state"`
	CreatedAt                      string         `json:"created_at"`
	UpdatedAt                      string         `json:"updated_at"`
	MergeStatus                    string         `json:"merge_status"`
	Approved                       bool           `json:"approved"`
	ApprovalsRequired              int            `json:"approvals_required"`
	ApprovalsLeft                  int            `json:"approvals_left"`
	RequirePasswordToApprove       bool           `json:"require_password_to_approve"`
	ApprovedBy                     []approvalUser `json:"approved_by"`
	SuggestedApprovers             []BasicUser    `json:"suggested_approvers"`
	Approvers                      []approvalUser `json:"approvers"`
	ApproverGroups                 []struct{}     `json:"approver_groups"`
	UserHasApproved                bool           `json:"user_has_approved"`
	UserCanApprove                 bool           `json:"user_can_approve"`
	ApprovalRulesLeft              []struct{}     `json:"approval_rules_left"`
	HasApprovalRules               bool           `json:"has_approval_rules"`
	MergeRequestApproversAvailable bool           `json:"merge_request_approvers_available"`
	MultipleApprovalRulesAvailable bool           `json:"multiple_approval_rules_available"`
	InvalidApproversRules          []struct{}     `json:"invalid_approvers_rules"`
}

// approvalUser is Entities::Approvals: the user who approved.
type approvalUser struct {
	User BasicUser `json:"user"`
}

func (a *API) approvalsJSON(r *http.Request, st *service.Approvals) approvalsEntity {
	m := st.MR.MR
	e := approvalsEntity{ID: m.ID, IID: m.IID, ProjectID: m.TargetProjectID, Title: m.Title, Description: m.Description,
		State: m.State, CreatedAt: TS(m.CreatedAt), UpdatedAt: TS(m.UpdatedAt), MergeStatus: "unchecked",
		Approved: len(st.Approvals) > 0, ApprovedBy: []approvalUser{}, SuggestedApprovers: []BasicUser{},
		Approvers: []approvalUser{}, ApproverGroups: []struct{}{}, UserHasApproved: st.UserHasApproved,
		UserCanApprove: st.UserCanApprove, ApprovalRulesLeft: []struct{}{}, InvalidApproversRules: []struct{}{}}
	base := a.BaseURL(r)
	for _, ap := range st.Approvals {
		if u := st.Users[ap.UserID]; u != nil {
			e.ApprovedBy = append(e.ApprovedBy, approvalUser{User: BasicUserAt(base, a.gravatar, u)})
		}
	}
	return e
}

// mergeRequestApprovals is GET …/merge_requests/:iid/approvals.
func (a *API) mergeRequestApprovals(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	st, err := a.svc.MergeRequestApprovals(r.Context(), c.id, r.PathValue("id"), iid)
	if err != nil {
		return err
	}
	return WriteOK(w, a.approvalsJSON(r, st))
}

// approveMergeRequest is POST …/merge_requests/:iid/approve (sha optional).
func (a *API) approveMergeRequest(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	var sha *string
	if s, ok, err := c.params.Text("sha", 64); err != nil {
		return err
	} else if ok {
		sha = &s
	}
	if _, _, err := c.params.Bool("publish_review"); err != nil {
		return err
	}
	st, err := a.svc.ApproveMergeRequest(r.Context(), c.id, r.PathValue("id"), iid, sha)
	if err != nil {
		return err
	}
	return WriteCreated(w, a.approvalsJSON(r, st))
}

// unapproveMergeRequest is POST …/merge_requests/:iid/unapprove.
func (a *API) unapproveMergeRequest(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	st, err := a.svc.UnapproveMergeRequest(r.Context(), c.id, r.PathValue("id"), iid)
	if err != nil {
		return err
	}
	return WriteCreated(w, a.approvalsJSON(r, st))
}

// mergeRequestApprovalState is GET …/merge_requests/:iid/approval_state:
// GitLab Free has no approval rules.
func (a *API) mergeRequestApprovalState(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	if _, err := a.svc.VisibleMergeRequest(r.Context(), c.id, r.PathValue("id"), iid); err != nil {
		return err
	}
	return WriteOK(w, map[string]any{"approval_rules_overwritten": false, "rules": []struct{}{}})
}

// projectApprovalsEntity is GitLab's project approval configuration as
// GitLab Free has it: no approvers or rules, authors may approve, and
// reset_approvals_on_push.
type projectApprovalsEntity struct {
	Approvers                                 []approvalUser `json:"approvers"`
	ApproverGroups                            []struct{}     `json:"approver_groups"`
	ApprovalsBeforeMerge                      int            `json:"approvals_before_merge"`
	ResetApprovalsOnPush                      bool           `json:"reset_approvals_on_push"`
	SelectiveCodeOwnerRemovals                bool           `json:"selective_code_owner_removals"`
	DisableOverridingApproversPerMergeRequest bool           `json:"disable_overriding_approvers_per_merge_request"`
	MergeRequestsAuthorApproval               bool           `json:"merge_requests_author_approval"`
	MergeRequestsDisableCommittersApproval    bool           `json:"merge_requests_disable_committers_approval"`
	RequirePasswordToApprove                  bool           `json:"require_password_to_approve"`
	RequireReauthenticationToApprove          bool           `json:"require_reauthentication_to_approve"`
}

func projectApprovalsJSON(st *service.ProjectApprovalSettings) projectApprovalsEntity {
	return projectApprovalsEntity{Approvers: []approvalUser{}, ApproverGroups: []struct{}{},
		ResetApprovalsOnPush: st.ResetApprovalsOnPush, MergeRequestsAuthorApproval: true}
}

// getProjectApprovals is GET /projects/:id/approvals.
func (a *API) getProjectApprovals(w http.ResponseWriter, r *http.Request, c *Call) error {
	st, err := a.svc.GetProjectApprovalSettings(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	return WriteOK(w, projectApprovalsJSON(st))
}

// projectApprovalParams are what POST /projects/:id/approvals takes (Grape's
// at_least_one_of); only reset_approvals_on_push means anything in Free.
var projectApprovalParams = []string{"approvals_before_merge", "reset_approvals_on_push",
	"disable_overriding_approvers_per_merge_request", "merge_requests_author_approval",
	"merge_requests_disable_committers_approval", "require_password_to_approve", "require_reauthentication_to_approve"}

// setProjectApprovals is POST /projects/:id/approvals.
func (a *API) setProjectApprovals(w http.ResponseWriter, r *http.Request, c *Call) error {
	given := false
	for _, name := range projectApprovalParams {
		given = given || c.params.Has(name)
	}
	if !given {
		return service.ParamError(strings.Join(projectApprovalParams, ", ") + " are missing, at least one parameter must be provided")
	}
	if _, _, err := c.params.Int("approvals_before_merge"); err != nil {
		return err
	}
	var reset *bool
	if v, ok, err := c.params.Bool("reset_approvals_on_push"); err != nil {
		return err
	} else if ok {
		reset = &v
	}
	st, err := a.svc.SetProjectApprovalSettings(r.Context(), c.id, r.PathValue("id"), reset)
	if err != nil {
		return err
	}
	return WriteCreated(w, projectApprovalsJSON(st))
}
