package service

import (
	"context"
	"errors"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Approvals is a merge request's approval state as GitLab Free shows it:
// who approved, and whether the caller has or may.
type Approvals struct {
	MR        *MergeRequestInProject
	Approvals []*model.Approval
	Users     map[int64]*model.User
	// UserHasApproved and UserCanApprove are of the caller.
	UserHasApproved, UserCanApprove bool
}

// CanApproveMergeRequest is MergeRequestPolicy's approve_merge_request:
// update_merge_request and membership of the project (administrators
// count, as for comments on locked discussions). GitLab Free lets the
// author approve.
func CanApproveMergeRequest(id *auth.Identity, mp *MergeRequestInProject) bool {
	return id.Authenticated() && CanUpdateMergeRequest(id, mp.Project, mp.Level, mp.MR) &&
		MergeRequestNoteable(mp).member()
}

// MergeRequestApprovals is GET …/approvals (read_merge_request).
func (s *Service) MergeRequestApprovals(ctx context.Context, id *auth.Identity, ref string, iid int64) (*Approvals, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	return s.approvalState(ctx, s.db.Queries(), id, mp)
}

func (s *Service) approvalState(ctx context.Context, q *store.Queries, id *auth.Identity, mp *MergeRequestInProject) (*Approvals, error) {
	list, err := q.Approvals(ctx, mp.MR.ID)
	if err != nil {
		return nil, err
	}
	out := &Approvals{MR: mp, Approvals: list}
	ids := make([]int64, 0, len(list))
	for _, a := range list {
		ids = append(ids, a.UserID)
		out.UserHasApproved = out.UserHasApproved || id.Authenticated() && a.UserID == id.User.ID
	}
	// eligible_for_approval_by?: not yet approved and approve_merge_request.
	out.UserCanApprove = !out.UserHasApproved && CanApproveMergeRequest(id, mp)
	if out.Users, err = s.UsersByIDs(ctx, ids); err != nil {
		return nil, err
	}
	return out, nil
}

// ApproveMergeRequest is MergeRequests::ApprovalService behind POST
// …/approve: 403 without approve_merge_request; sha, when given, must be
// the source head (409 with GitLab's message); a caller who already
// approved is 401, as GitLab's unauthorized!. The approval, its system
// note, its event and the approver's to-do items marked done are one
// transaction.
func (s *Service) ApproveMergeRequest(ctx context.Context, id *auth.Identity, ref string, iid int64, sha *string) (*Approvals, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	if !CanApproveMergeRequest(id, mp) {
		return nil, Forbidden("")
	}
	if sha != nil {
		head := ""
		if mp.MR.HeadSHA != nil {
			head = *mp.MR.HeadSHA
		}
		if *sha != head {
			return nil, Conflict("SHA does not match HEAD of source branch: " + head)
		}
	}
	uid := id.User.ID
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := q.InsertApproval(ctx, mp.MR.ID, uid); errors.Is(err, store.ErrConflict) {
			return Unauthorized("")
		} else if err != nil {
			return err
		}
		if err := mergeRequestEvents(ctx, q, mp.MR, uid).note("approved this merge request"); err != nil {
			return err
		}
		if err := recordMergeRequestEvent(ctx, q, model.EventApproved, mp.MR, uid); err != nil {
			return err
		}
		// The approver's to-do items on it are done, as GitLab's approval.
		return q.MarkTodosDone(ctx, uid, model.NoteableMergeRequest, mp.MR.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.approvalState(ctx, s.db.Queries(), id, mp)
}

// UnapproveMergeRequest is MergeRequests::RemoveApprovalService behind
// POST …/unapprove: "404 Not found" when the caller has not approved.
func (s *Service) UnapproveMergeRequest(ctx context.Context, id *auth.Identity, ref string, iid int64) (*Approvals, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	if !CanApproveMergeRequest(id, mp) {
		return nil, Forbidden("")
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		n, err := q.DeleteApprovals(ctx, mp.MR.ID, id.User.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return errRecordNotFound
		}
		return mergeRequestEvents(ctx, q, mp.MR, id.User.ID).note("unapproved this merge request")
	})
	if err != nil {
		return nil, err
	}
	return s.approvalState(ctx, s.db.Queries(), id, mp)
}

// resetApprovalsOnPush removes a merge request's approvals when a push
// brought it new commits and its project resets them (GitLab's default).
func resetApprovalsOnPush(ctx context.Context, q *store.Queries, projectID, mrID int64) error {
	on, err := q.ResetApprovalsOnPush(ctx, projectID)
	if err != nil || !on {
		return err
	}
	_, err = q.DeleteApprovals(ctx, mrID, 0)
	return err
}

// ProjectApprovalSettings is a project's approval configuration as GitLab
// Free keeps it: whether a push of new commits removes approvals.
type ProjectApprovalSettings struct {
	ResetApprovalsOnPush bool
}

// GetProjectApprovalSettings is GET /projects/:id/approvals (Maintainer,
// GitLab's update_approvers on the project).
func (s *Service) GetProjectApprovalSettings(ctx context.Context, id *auth.Identity, ref string) (*ProjectApprovalSettings, error) {
	p, _, err := s.protectedBranchProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	on, err := s.db.Queries().ResetApprovalsOnPush(ctx, p.ID)
	return &ProjectApprovalSettings{ResetApprovalsOnPush: on}, err
}

// SetProjectApprovalSettings is POST /projects/:id/approvals: sets what is
// given (nil: unchanged) and answers the settings.
func (s *Service) SetProjectApprovalSettings(ctx context.Context, id *auth.Identity, ref string, resetOnPush *bool) (*ProjectApprovalSettings, error) {
	p, _, err := s.protectedBranchProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	var out ProjectApprovalSettings
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if resetOnPush != nil {
			if err := q.SetResetApprovalsOnPush(ctx, p.ID, *resetOnPush); err != nil {
				return err
			}
		}
		out.ResetApprovalsOnPush, err = q.ResetApprovalsOnPush(ctx, p.ID)
		return err
	})
	return &out, err
}
