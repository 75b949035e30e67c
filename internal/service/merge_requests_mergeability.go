package service

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// MergeState is a merge request's mergeability as its entity shows it.
type MergeState struct {
	Status                      string // merge_status
	Detailed                    string // detailed_merge_status
	HasConflicts                bool
	BlockingDiscussionsResolved bool
}

// Mergeable reports whether a merge may run now.
func (st MergeState) Mergeable() bool { return st.Detailed == "mergeable" }

// StoredMergeState is what the merge request's row says without reading
// the repository or its discussions: what lists show, as GitLab's show
// the stored merge_status ("unchecked" until a single read checks it).
// A project that asks for a successful pipeline shows ci_must_pass there:
// lists read no pipelines.
func StoredMergeState(p *model.Project, m *model.MergeRequest) MergeState {
	return mergeStateOf(p, m, false, false, ciCheck(p, nil))
}

// ciCheck is GitLab's CI mergeability check against the merge request's
// head pipeline: "" when the project asks for none or it passed (or was
// skipped where skipped pipelines are allowed), ci_still_running while it
// is active, ci_must_pass otherwise.
func ciCheck(p *model.Project, head *model.Pipeline) string {
	switch {
	case p == nil || !p.OnlyAllowMergeIfPipelineSucceeds:
		return ""
	case head == nil:
		return "ci_must_pass"
	case head.Status == model.CIStatusSuccess,
		head.Status == model.CIStatusSkipped && p.AllowMergeOnSkippedPipeline:
		return ""
	case slices.Contains(activePipelineStatuses, head.Status):
		return "ci_still_running"
	}
	return "ci_must_pass"
}

// activePipelineStatuses are GitLab's Ci::HasStatus::ACTIVE_STATUSES.
var activePipelineStatuses = []string{"waiting_for_resource", "preparing", "waiting_for_callback", "pending",
	"running", "canceling"}

// mergeStateOf applies GitLab's mergeability checks in their order (open,
// draft, broken, discussions, CI, conflict, rebase) to the stored check
// of m. broken: a branch is gone; unresolved: the project asks for
// resolved discussions and some are not; ci: ciCheck's answer.
func mergeStateOf(p *model.Project, m *model.MergeRequest, broken, unresolved bool, ci string) MergeState {
	st := MergeState{Status: m.MergeStatus, BlockingDiscussionsResolved: !unresolved}
	if st.Status == "" {
		st.Status = "unchecked"
	}
	st.HasConflicts = st.Status == "cannot_be_merged"
	switch {
	case m.State != "opened":
		st.Detailed = "not_open"
	case m.Draft:
		st.Detailed = "draft_status"
	case broken:
		st.Detailed = "broken_status"
	case unresolved:
		st.Detailed = "discussions_not_resolved"
	case ci != "":
		st.Detailed = ci
	case st.Status == "unchecked":
		st.Detailed = "unchecked"
	case st.HasConflicts:
		st.Detailed = "conflict"
	case p != nil && p.FastForwardOnly() && !m.MergeFF:
		st.Detailed = "need_rebase"
	default:
		st.Detailed = "mergeable"
	}
	return st
}

// CheckMergeRequest is GitLab's MergeabilityCheckService for one merge
// request the caller reads: an open one's branches are read, and unless
// the stored check was made at the same two heads, git decides whether
// they merge without conflicts and whether the target is an ancestor of
// the source (a fast-forward), and the result is stored for lists. The
// merge request in mp is updated in place.
func (s *Service) CheckMergeRequest(ctx context.Context, mp *MergeRequestInProject) (MergeState, error) {
	p, m := mp.Project, mp.MR
	if m.State != "opened" {
		return mergeStateOf(p, m, false, false, ""), nil
	}
	ci := ""
	if p.OnlyAllowMergeIfPipelineSucceeds {
		head, err := s.db.Queries().MergeRequestHeadPipeline(ctx, m)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return MergeState{}, err
		}
		ci = ciCheck(p, head)
	}
	unresolved := false
	if p.OnlyAllowMergeIfAllDiscussionsAreResolved {
		n, err := s.db.Queries().UnresolvedDiscussionNotes(ctx, model.NoteableMergeRequest, m.ID)
		if err != nil {
			return MergeState{}, err
		}
		unresolved = n > 0
	}
	r := s.repos.Open(p.ID)
	head, target, err := s.mergeRequestHeads(ctx, r, m)
	if err != nil {
		return MergeState{}, err
	}
	if head == "" || target == "" {
		return mergeStateOf(p, m, true, unresolved, ci), nil
	}
	if !m.CheckedAt(head, target) {
		mb, err := checkHeads(ctx, r, head, target)
		if err != nil {
			return MergeState{}, err
		}
		mb.MergeError = m.MergeError
		err = s.db.WithTx(ctx, func(q *store.Queries) error { return q.SetMergeRequestMergeability(ctx, m.ID, mb) })
		if err != nil {
			return MergeState{}, err
		}
		m.Mergeability = mb
	}
	return mergeStateOf(p, m, false, unresolved, ci), nil
}

// mergeRequestHeads reads the heads of m's source branch (in its source
// project, copied into the target's repository r when a fork's) and of
// its target branch; "" for a branch that is gone.
func (s *Service) mergeRequestHeads(ctx context.Context, r *repo.Repo, m *model.MergeRequest) (head, target string, err error) {
	if head, err = s.mergeRequestSourceHead(ctx, r, m); err != nil {
		return "", "", err
	}
	br, err := r.Branch(m.TargetBranch)
	if errors.Is(err, repo.ErrNotFound) {
		return head, "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("service: merge request branch: %w", err)
	}
	return head, br.Target, nil
}

// checkHeads is the git half of a mergeability check: a merge base (none:
// unrelated histories, which cannot be merged; the target itself: a
// fast-forward is possible) and a merge-tree, run side by side since
// neither needs the other's answer.
func checkHeads(ctx context.Context, r *repo.Repo, head, target string) (model.Mergeability, error) {
	mb := model.Mergeability{MergeStatus: "can_be_merged", MergeStatusHead: &head, MergeStatusTarget: &target}
	var conflicts bool
	var conflictsErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		conflicts, conflictsErr = r.HasConflicts(ctx, target, head)
	}()
	base, err := r.MergeBaseOf(ctx, target, head)
	<-done
	if errors.Is(err, repo.ErrNotFound) {
		mb.MergeStatus = "cannot_be_merged"
		return mb, nil
	} else if err != nil {
		return mb, fmt.Errorf("service: merge base: %w", err)
	}
	if conflictsErr != nil {
		return mb, fmt.Errorf("service: mergeability: %w", conflictsErr)
	}
	if conflicts {
		mb.MergeStatus = "cannot_be_merged"
	}
	// The target is an ancestor of the head exactly when it is their
	// merge base.
	mb.MergeFF = base == target
	return mb, nil
}
