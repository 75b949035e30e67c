package service

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// UpdateMergeRequest is PUT /projects/:id/merge_requests/:iid:
// update_merge_request (Developer, the author or an assignee). Labels,
// milestone, assignees, reviewers and the discussion lock change only for
// callers with admin_merge_request, others' values being dropped as
// GitLab's filter_params drops them. A new target branch must exist (its
// diff_refs are read again); a closed merge request reopens only while no
// other open one has its branches. Every change, with its resource events
// and system notes, is one transaction.
//
// Quick actions in a new description run after the update, as the
// caller: their lines are removed from the stored text.
func (s *Service) UpdateMergeRequest(ctx context.Context, id *auth.Identity, ref string, iid int64, in MergeRequestInput) (*MergeRequestInProject, error) {
	var mp *MergeRequestInProject
	ran, err := s.updateThenQuickActions(ctx, id, NoteableRef{Project: ref, Type: model.NoteableMergeRequest, IID: iid}, in.Description,
		func(desc *string) (err error) {
			in.Description = desc
			mp, err = s.updateMergeRequest(ctx, id, ref, iid, in)
			return err
		})
	if err != nil || !ran {
		return mp, err
	}
	return s.VisibleMergeRequest(ctx, id, ref, iid)
}

// updateMergeRequest applies in as UpdateMergeRequest describes, without
// quick actions.
func (s *Service) updateMergeRequest(ctx context.Context, id *auth.Identity, ref string, iid int64, in MergeRequestInput) (*MergeRequestInProject, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	p, level := mp.Project, mp.Level
	if !CanUpdateMergeRequest(id, p, level, mp.MR) {
		return nil, Forbidden("")
	}
	in.SourceBranch = nil // GitLab's update takes no source_branch
	if err := validateMergeRequestText(in, false); err != nil {
		return nil, err
	}
	if !ProjectCan(id, p, level, access.AdminMergeRequest) {
		in.Labels, in.AddLabels, in.RemoveLabels, in.MilestoneID = nil, nil, nil, nil
		in.AssigneeIDs, in.ReviewerIDs, in.DiscussionLocked = nil, nil, nil
	}
	q := s.db.Queries()
	users, err := s.mergeRequestUsers(ctx, q, p, true, in)
	if err != nil {
		return nil, err
	}
	var milestone *model.Milestone
	if in.MilestoneID != nil && *in.MilestoneID != 0 {
		if milestone, err = s.availableMilestone(ctx, q, p, *in.MilestoneID); err != nil {
			return nil, err
		}
		if milestone == nil {
			in.MilestoneID = nil // not available: ignored, as GitLab does
		}
	}
	var refs *newDiffRefs
	if in.TargetBranch != nil && *in.TargetBranch != mp.MR.TargetBranch {
		if *in.TargetBranch == mp.MR.SourceBranch && !mp.MR.FromFork() {
			return nil, &Error{Kind: KindUnprocessable, List: []string{"You can't use same project/branch for source and target"}}
		}
		if mp.MR.SourceProjectID == nil { // its fork was deleted: validate_fork
			return nil, errNotForkNetwork
		}
		sr, r := s.mergeRequestRepos(mp.MR)
		base, head, start, err := diffRefs(ctx, sr, r, mp.MR.SourceBranch, *in.TargetBranch)
		if err != nil {
			return nil, err
		}
		commits, err := mergeRequestCommitIDs(ctx, r, base, head)
		if err != nil {
			return nil, err
		}
		version, err := newVersion(ctx, r, base, head, start)
		if err != nil {
			return nil, err
		}
		refs = &newDiffRefs{base: base, head: head, start: start, commits: commits, version: version}
	}
	uid := id.User.ID
	var out *model.MergeRequest
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		cur, err := q.LockMergeRequest(ctx, mp.MR.ID)
		if errors.Is(err, store.ErrNotFound) {
			return NotFound("Merge Request")
		}
		if err != nil {
			return err
		}
		if err := q.LoadMergeRequestRelations(ctx, []*model.MergeRequest{cur}); err != nil {
			return err
		}
		u := mergeRequestUpdate{ctx: ctx, q: q, p: p, old: *cur, mr: cur, uid: uid, ev: mergeRequestEvents(ctx, q, cur, uid)}
		if err := u.apply(in, users, milestone, refs); err != nil {
			return err
		}
		if hookAction := mergeRequestHookAction(&u.old, cur); hookAction != "" {
			if err := s.mergeRequestHooks(ctx, q, p, cur, uid, hookAction); err != nil {
				return err
			}
		}
		if refs != nil {
			// A new target is a new version, as GitLab's reload of the diff.
			if err := recordVersion(ctx, q, cur.ID, refs.version); err != nil {
				return err
			}
		}
		out = cur
		if cur.Title != u.old.Title || cur.Description != u.old.Description || cur.TargetBranch != u.old.TargetBranch {
			if err := s.linkMergeRequestIssues(ctx, q, p, cur); err != nil {
				return err
			}
		}
		return s.mergeRequestUpdated(ctx, q, p, &u.old, cur, uid)
	})
	if err != nil {
		return nil, err
	}
	if refs != nil {
		// The ref follows the source head read with the new diff_refs.
		if err := s.repos.Open(p.ID).WriteMergeRequestRef(ctx, out.IID, refs.head); err != nil && !errors.Is(err, repo.ErrNotFound) {
			return nil, err
		}
	}
	return &MergeRequestInProject{Project: p, Level: level, MR: out}, nil
}

// mergeRequestUpdated: closing marks the closer's to-do items on it done
// (TodoService#close_merge_request); new assignees, new reviewers and
// users newly mentioned get to-do items.
func (s *Service) mergeRequestUpdated(ctx context.Context, q *store.Queries, p *model.Project, old, m *model.MergeRequest, uid int64) error {
	if old.State != m.State && m.State == "closed" {
		if err := q.MarkTodosDone(ctx, uid, model.NoteableMergeRequest, m.ID); err != nil {
			return err
		}
	}
	added := func(before, after []int64) []int64 {
		var out []int64
		for _, id := range after {
			if !slices.Contains(before, id) {
				out = append(out, id)
			}
		}
		return out
	}
	return s.mergeRequestTodos(ctx, q, p, m, uid, added(old.AssigneeIDs, m.AssigneeIDs), added(old.ReviewerIDs, m.ReviewerIDs),
		old.Description, m.Description)
}

// newDiffRefs are the diff_refs read for a new target branch.
type newDiffRefs struct {
	base        *string
	head, start string
	version     *model.MergeRequestDiff
	commits     []string // of the new diff, for merge_request_commits
}

// mergeRequestUpdate applies one update inside its transaction.
type mergeRequestUpdate struct {
	ctx   context.Context
	q     *store.Queries
	p     *model.Project
	old   model.MergeRequest
	mr    *model.MergeRequest
	uid   int64
	ev    noteableEvents
	notes []string
}

func (u *mergeRequestUpdate) apply(in MergeRequestInput, users mergeRequestPeople, milestone *model.Milestone, refs *newDiffRefs) error {
	m := u.mr
	changed := false
	if in.Title != nil && *in.Title != m.Title {
		// Only the draft prefix changing notes the draft change alone, as
		// GitLab's draftless_title_changed.
		if draftless(m.Title) != draftless(*in.Title) {
			u.notes = append(u.notes, titleChangeNote(m.Title, *in.Title))
		}
		m.Title, m.Draft, changed = *in.Title, isDraftTitle(*in.Title), true
		if m.Draft != u.old.Draft {
			word := "marked this merge request as **ready**"
			if m.Draft {
				word = "marked this merge request as **draft**"
			}
			u.notes = append(u.notes, word)
		}
	}
	if in.Description != nil && *in.Description != m.Description {
		u.notes = append(u.notes, "changed the description")
		m.Description, changed = *in.Description, true
	}
	if refs != nil {
		u.notes = append(u.notes, "changed target branch from `"+m.TargetBranch+"` to `"+*in.TargetBranch+"`")
		m.TargetBranch, m.BaseSHA, m.HeadSHA, m.StartSHA, changed = *in.TargetBranch, refs.base, &refs.head, &refs.start, true
		if err := u.q.SetMergeRequestCommits(u.ctx, m.ID, refs.commits); err != nil {
			return err
		}
	}
	if in.DiscussionLocked != nil && *in.DiscussionLocked != (m.DiscussionLocked != nil && *m.DiscussionLocked) {
		v := *in.DiscussionLocked
		word := "unlocked"
		if v {
			word = "locked"
		}
		u.notes = append(u.notes, word+" the discussion in this merge request")
		m.DiscussionLocked, changed = &v, true
	}
	for _, f := range []struct {
		in  *bool
		dst *bool
	}{{in.Squash, &m.Squash}, {in.AllowCollaboration, &m.AllowCollaboration}} {
		if f.in != nil && *f.in != *f.dst {
			*f.dst, changed = *f.in, true
		}
	}
	if in.RemoveSourceBranch != nil && (m.ForceRemoveSourceBranch == nil || *m.ForceRemoveSourceBranch != *in.RemoveSourceBranch) {
		v := *in.RemoveSourceBranch
		m.ForceRemoveSourceBranch, changed = &v, true
	}
	stateEvent, err := u.state(in.StateEvent)
	if err != nil {
		return err
	}
	changed = changed || stateEvent != ""
	var oldMilestone *model.Milestone
	milestoneChanged := false
	if in.MilestoneID != nil {
		var next *int64
		if milestone != nil {
			next = &milestone.ID
		}
		if !sameID(next, m.MilestoneID) {
			if m.MilestoneID != nil {
				old, err := u.q.MilestoneByID(u.ctx, *m.MilestoneID)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				oldMilestone = old
			}
			m.MilestoneID, changed, milestoneChanged = next, true, true
		}
	}
	labels, labelsChanged, err := applyLabels(u.ctx, u.q, u.p, model.NoteableMergeRequest, m.ID, m.LabelIDs, u.ev,
		in.Labels, in.AddLabels, in.RemoveLabels)
	if err != nil {
		return err
	}
	m.LabelIDs = labels
	changed = changed || labelsChanged
	assigneesChanged := in.AssigneeIDs != nil && users.assignees != nil && !slices.Equal(sortedIDs(users.assignees), sortedIDs(m.AssigneeIDs))
	if assigneesChanged {
		u.notes = append(u.notes, assigneesNote(u.ctx, u.q, m.AssigneeIDs, users.assignees))
		changed = true
	}
	reviewersChanged := in.ReviewerIDs != nil && users.reviewers != nil && !slices.Equal(sortedIDs(users.reviewers), sortedIDs(m.ReviewerIDs))
	if reviewersChanged {
		u.notes = append(u.notes, reviewersNote(u.ctx, u.q, m.ReviewerIDs, users.reviewers))
		changed = true
	}
	if !changed {
		return nil
	}
	m.UpdatedAt = time.Time{}
	if err := u.q.UpdateMergeRequest(u.ctx, m); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return Conflict("409 Conflict - the merge request was changed by someone else")
		}
		return err
	}
	if assigneesChanged {
		if err := u.q.SetMergeRequestUsers(u.ctx, m.ID, false, users.assignees); err != nil {
			return err
		}
		m.AssigneeIDs = users.assignees
	}
	if reviewersChanged {
		if err := u.q.SetMergeRequestUsers(u.ctx, m.ID, true, users.reviewers); err != nil {
			return err
		}
		m.ReviewerIDs = users.reviewers
	}
	if milestoneChanged {
		switch {
		case milestone != nil:
			if err := u.ev.milestone("add", milestone); err != nil {
				return err
			}
		case oldMilestone != nil:
			if err := u.ev.milestone("remove", oldMilestone); err != nil {
				return err
			}
		}
	}
	if stateEvent != "" {
		if err := u.ev.state(stateEvent); err != nil {
			return err
		}
		action := model.EventClosed
		if stateEvent == "reopened" {
			action = model.EventReopened
		}
		if err := recordMergeRequestEvent(u.ctx, u.q, action, m, u.uid); err != nil {
			return err
		}
	}
	for _, n := range u.notes {
		if err := u.ev.note(n); err != nil {
			return err
		}
	}
	return nil
}

// state applies state_event: close an open merge request, reopen a closed
// one (refused with 409, as GitLab's validate_branches, while another
// open merge request has its branches). It returns the state event to
// record, "" for none.
func (u *mergeRequestUpdate) state(event string) (string, error) {
	m := u.mr
	switch {
	case event == "close" && m.State == "opened":
		now := u.q.Now()
		m.State, m.ClosedAt, m.ClosedByID = "closed", &now, &u.uid
		return "closed", nil
	case event == "reopen" && m.State == "closed":
		source := m.TargetProjectID
		if m.SourceProjectID != nil {
			source = *m.SourceProjectID
		}
		other, err := u.q.OpenMergeRequestIID(u.ctx, m.TargetProjectID, source, m.SourceBranch, m.TargetBranch)
		if err != nil {
			return "", err
		}
		if other != 0 {
			return "", &Error{Kind: KindConflict, List: []string{
				"Another open merge request already exists for this source branch: !" + itoa(other)}}
		}
		m.State, m.ClosedAt, m.ClosedByID = "opened", nil, nil
		return "reopened", nil
	}
	return "", nil
}

// reviewersNote is SystemNotes::IssuablesService#change_issuable_reviewers:
// "requested review from @a and removed review request for @b".
func reviewersNote(ctx context.Context, q *store.Queries, before, after []int64) string {
	return usersChangeNote(ctx, q, before, after, "requested review from ", "removed review request for ")
}
