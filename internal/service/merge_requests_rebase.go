package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// rebaseError is GitLab's RebaseService::REBASE_ERROR, kept as the merge
// request's merge_error when a rebase fails.
const rebaseError = "Rebase failed: Rebase locally, resolve all conflicts, then push the branch."

// errRebaseNotOpen is GitLab's answer when rebase_async finds the merge
// request closed or merged (MergeRequest::REBASE_LOCK_MESSAGE, 409).
var errRebaseNotOpen = &Error{Kind: KindConflict,
	Message: "Failed to enqueue the rebase operation, possibly due to a long-lived transaction. Try again later."}

// RebaseMergeRequest is PUT …/merge_requests/:iid/rebase: the source
// branch is rebased onto the target's head (repo.Rebase, no work tree).
// GitLab's RebaseService#validate decides who may: the source branch must
// exist, the caller push to it and force pushes to it be allowed (403 with
// GitLab's message otherwise). lablet has no job queue, so the rebase runs
// before the answer; it moves the branch by compare-and-swap from the
// head it read, so a push meanwhile makes the rebase fail (merge_error)
// instead of losing the pushed commits. A rebase that moved the branch is
// recorded as a push by the caller, which refreshes the merge request
// (head, diff_refs, its ref and the "added N commits" note) and runs its
// pipelines, unless skipCI (GitLab's skip_ci: the push's ci.skip).
func (s *Service) RebaseMergeRequest(ctx context.Context, id *auth.Identity, ref string, iid int64, skipCI bool) (*MergeRequestInProject, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	p, level, m := mp.Project, mp.Level, mp.MR
	if !id.Authenticated() {
		return nil, Unauthorized("")
	}
	if m.SourceProjectID == nil {
		return nil, Forbidden("Source branch does not exist") // its fork is gone
	}
	// The source branch is the source project's: a fork's, whose
	// objects include the target's (alternates), for a merge request
	// from a fork; pushing to it is decided there.
	tr := s.repos.Open(p.ID)
	if *m.SourceProjectID != p.ID {
		if p, level, err = s.VisibleProject(ctx, id, strconv.FormatInt(*m.SourceProjectID, 10)); err != nil {
			return nil, Forbidden("Cannot push to source branch")
		}
	}
	r := s.repos.Open(p.ID)
	src, err := r.Branch(m.SourceBranch)
	if errors.Is(err, repo.ErrNotFound) {
		return nil, Forbidden("Source branch does not exist")
	}
	if err != nil {
		return nil, err
	}
	rules, err := s.BranchRules(ctx, p)
	if err != nil {
		return nil, err
	}
	if p.Archived || !rules.CanPush(level, m.SourceBranch) {
		return nil, Forbidden("Cannot push to source branch")
	}
	if !rules.ForcePushAllowed(m.SourceBranch) {
		return nil, Forbidden("Source branch is protected from force push")
	}
	if m.State != "opened" {
		return nil, errRebaseNotOpen
	}
	var newHead string
	target, err := tr.Branch(m.TargetBranch)
	if err == nil {
		newHead, err = r.Rebase(ctx, repo.RebaseSpec{Branch: m.SourceBranch, Onto: target.Target, ExpectHead: src.Target,
			Committer: repo.Signature{Name: id.User.Name, Email: id.User.Email}})
	}
	var failed *string
	switch {
	case err == nil:
	case errors.Is(err, repo.ErrMergeConflict), errors.Is(err, repo.ErrConflict), errors.Is(err, repo.ErrNotFound):
		msg := rebaseError
		failed = &msg
	default:
		return nil, fmt.Errorf("service: rebase: %w", err)
	}
	if failed != nil || m.MergeError != nil {
		err := s.db.WithTx(ctx, func(q *store.Queries) error { return q.SetMergeRequestMergeError(ctx, m.ID, failed) })
		if err != nil {
			return nil, err
		}
		m.MergeError = failed
	}
	if failed == nil && newHead != src.Target {
		var opts []string
		if skipCI {
			opts = []string{"ci.skip"}
		}
		s.recordAPIPush(ctx, &ProjectRepo{Project: p, Repo: r, Level: level}, id.User, gitBranchPrefix+m.SourceBranch,
			src.Target, newHead, opts...)
	}
	return mp, nil
}

// CancelAutoMerge is POST …/cancel_merge_when_pipeline_succeeds. Who may
// merge, or the author, may ask (GitLab's can_cancel_auto_merge?, 401
// otherwise); a merge request that is not open is 405. lablet never sets
// an automatic merge (no pipelines), so there is none to cancel: 406.
func (s *Service) CancelAutoMerge(ctx context.Context, id *auth.Identity, ref string, iid int64) error {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return err
	}
	p, m := mp.Project, mp.MR
	if !id.Authenticated() {
		return Unauthorized("")
	}
	rules, err := s.BranchRules(ctx, p)
	if err != nil {
		return err
	}
	author := m.AuthorID != nil && *m.AuthorID == id.User.ID
	if !author && (p.Archived || !rules.CanMerge(mp.Level, m.TargetBranch)) {
		return Unauthorized("")
	}
	if m.State != "opened" {
		return errMergeNotAllowed
	}
	return &Error{Kind: KindNotAcceptable, Message: "406 Not Acceptable"}
}
