package service

import (
	"context"
	"errors"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// MoveIssue moves an issue to another project (Issues::MoveService, and
// WorkItems::DataSync::MoveService since GitLab 17): a new issue with the
// next iid there, its labels and milestone mapped by title onto what the
// target has, its relative position kept within the same top-level group,
// and a copy of what hangs off it — notes and their award emoji, award
// emoji, label, milestone and state events, time logs, subscriptions and
// links (CopyIssueData); the original closed with moved_to_id, and "moved
// to"/"moved from" system notes on both. To-do items stay on the original,
// as GitLab's. admin_issue on both projects; one transaction.
func (s *Service) MoveIssue(ctx context.Context, id *auth.Identity, ref string, iid int64, toRef string) (*IssueInProject, error) {
	src, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	if !ProjectCan(id, src.Project, src.Level, access.AdminIssue) {
		return nil, Forbidden("")
	}
	dst, dstLevel, err := s.VisibleProject(ctx, id, toRef)
	if err != nil {
		return nil, err
	}
	if dst.ID == src.Project.ID {
		return nil, Invalid("Cannot move issue to project it originates from!")
	}
	if src.Issue.MovedToID != nil {
		return nil, Invalid("Cannot move issue which was already moved!")
	}
	if !dst.IssuesEnabled || !ProjectCan(id, dst, dstLevel, access.AdminIssue) {
		return nil, Invalid("Cannot move issue due to insufficient permissions!")
	}
	old := src.Issue
	moved := &model.Issue{ProjectID: dst.ID, AuthorID: old.AuthorID, Title: old.Title, Description: old.Description,
		IssueType: old.IssueType, Confidential: old.Confidential, DiscussionLocked: old.DiscussionLocked,
		DueDate: old.DueDate, TimeEstimate: old.TimeEstimate, CreatedAt: old.CreatedAt}
	if sameRoot(src.Project, dst) {
		moved.RelativePosition = old.RelativePosition
	}
	uid := id.User.ID
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		cur, err := q.LockIssue(ctx, old.ID)
		if err != nil {
			return err
		}
		if cur.MovedToID != nil {
			return Invalid("Cannot move issue which was already moved!")
		}
		cur.AssigneeIDs, cur.LabelIDs = old.AssigneeIDs, old.LabelIDs
		labelIDs, err := s.mapLabels(ctx, q, dst, old.LabelIDs)
		if err != nil {
			return err
		}
		milestone, err := s.mapMilestone(ctx, q, dst, old.MilestoneID)
		if err != nil {
			return err
		}
		if milestone != nil {
			moved.MilestoneID = &milestone.ID
		}
		if err := q.InsertIssue(ctx, moved); err != nil {
			return err
		}
		moved.UpdatedAt = q.Now()
		if err := q.SetIssueAssignees(ctx, moved.ID, old.AssigneeIDs); err != nil {
			return err
		}
		if err := q.SetLabelLinks(ctx, model.NoteableIssue, moved.ID, labelIDs); err != nil {
			return err
		}
		moved.AssigneeIDs, moved.LabelIDs = old.AssigneeIDs, labelIDs
		copies, err := copyIssueNotes(ctx, q, old.ID, moved)
		if err != nil {
			return err
		}
		if err := q.CopyNoteAwardEmoji(ctx, old.ID, copies); err != nil {
			return err
		}
		// The original's label, milestone and state events are copied
		// (GitLab creates the new issue with skip_system_notes), so the
		// copy's labels and milestone leave no events of their own.
		if err := q.CopyIssueData(ctx, old.ID, moved.ID, dst.ID); err != nil {
			return err
		}
		// Votes and time spent were counted from the copies.
		counted, err := q.IssueByID(ctx, moved.ID)
		if err != nil {
			return err
		}
		moved.Upvotes, moved.Downvotes, moved.TotalTimeSpent = counted.Upvotes, counted.Downvotes, counted.TotalTimeSpent
		newEv := issueEvents{ctx: ctx, q: q, issue: moved, userID: uid}
		oldEv := issueEvents{ctx: ctx, q: q, issue: cur, userID: uid}
		cur.MovedToID = &moved.ID
		if cur.State != "closed" {
			now := q.Now()
			cur.State, cur.ClosedAt, cur.ClosedByID = "closed", &now, &uid
			if err := oldEv.state("closed"); err != nil {
				return err
			}
		}
		cur.UpdatedAt = q.Now()
		if err := q.UpdateIssue(ctx, cur); err != nil {
			return err
		}
		movedRef := &IssueInProject{Project: dst, Issue: moved}
		if err := oldEv.note("moved to " + issueReference(movedRef, src.Project)); err != nil {
			return err
		}
		return newEv.note("moved from " + issueReference(&IssueInProject{Project: src.Project, Issue: cur}, dst))
	})
	if err != nil {
		return nil, err
	}
	return &IssueInProject{Project: dst, Level: dstLevel, Issue: moved}, nil
}

// sameRoot reports whether two projects are in the same top-level
// namespace, within which a moved issue keeps its relative position.
func sameRoot(a, b *model.Project) bool {
	root := func(p *model.Project) string { return strings.ToLower(strings.SplitN(p.Namespace.FullPath, "/", 2)[0]) }
	return root(a) == root(b)
}

// copyIssueNotes copies an issue's notes onto the issue it moves to, each
// discussion under a new id, as GitLab's MoveService does; the moved
// issue's user_notes_count follows. It returns each note's copy's id.
func copyIssueNotes(ctx context.Context, q *store.Queries, fromID int64, to *model.Issue) (map[int64]int64, error) {
	notes, err := q.IssueNotesForCopy(ctx, fromID)
	if err != nil {
		return nil, err
	}
	copies := make(map[int64]int64, len(notes))
	discussions := map[string]string{}
	for _, n := range notes {
		d, ok := discussions[n.DiscussionID]
		if !ok {
			d = NewDiscussionID()
			discussions[n.DiscussionID] = d
		}
		pid := to.ProjectID
		c := *n
		c.ID, c.ProjectID, c.NoteableID, c.DiscussionID = 0, &pid, to.ID, d
		if err := q.InsertNote(ctx, &c); err != nil {
			return nil, err
		}
		copies[n.ID] = c.ID
		if !c.System {
			to.UserNotesCount++
		}
	}
	return copies, nil
}

// mapLabels maps labels onto those of the target project with the same
// titles (MoveService's LabelsFinder), leaving out titles it lacks.
func (s *Service) mapLabels(ctx context.Context, q *store.Queries, dst *model.Project, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return []int64{}, nil
	}
	labels, err := q.LabelsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var titles []string
	for _, l := range labels {
		titles = append(titles, l.Title)
	}
	return resolveLabels(ctx, q, dst, titles, false)
}

// mapMilestone finds the target's milestone with the source milestone's
// title (its own, or its groups').
func (s *Service) mapMilestone(ctx context.Context, q *store.Queries, dst *model.Project, mid *int64) (*model.Milestone, error) {
	if mid == nil {
		return nil, nil
	}
	m, err := q.MilestoneByID(ctx, *mid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	id, err := q.AvailableMilestoneByTitle(ctx, dst.ID, dst.NamespaceID, m.Title)
	if err != nil || id == 0 {
		return nil, err
	}
	return q.MilestoneByID(ctx, id)
}

// relativeGap is the distance left between reordered neighbours.
const relativeGap = 1024

// ReorderIssue places an issue between two others of its project
// (move_after_id comes after it, move_before_id before it, as GitLab's
// reorder): update_issue.
func (s *Service) ReorderIssue(ctx context.Context, id *auth.Identity, ref string, iid int64, afterID, beforeID *int64) (*IssueInProject, error) {
	ip, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	if !CanUpdateIssue(id, ip.Project, ip.Level, ip.Issue) {
		return nil, Forbidden("")
	}
	var out *model.Issue
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		neighbour := func(nid *int64) (*model.Issue, error) {
			if nid == nil {
				return nil, nil
			}
			n, err := q.IssueByID(ctx, *nid)
			if errors.Is(err, store.ErrNotFound) || err == nil && n.ProjectID != ip.Project.ID {
				return nil, NotFound("Issue")
			}
			return n, err
		}
		after, err := neighbour(afterID)
		if err != nil {
			return err
		}
		before, err := neighbour(beforeID)
		if err != nil {
			return err
		}
		pos, ok := between(before, after)
		if !ok {
			// No room (or unpositioned neighbours): spread the project's
			// issues out, then look again.
			if err := q.SpreadIssuePositions(ctx, ip.Project.ID, relativeGap); err != nil {
				return err
			}
			if before, err = neighbour(beforeID); err != nil {
				return err
			}
			if after, err = neighbour(afterID); err != nil {
				return err
			}
			if pos, ok = between(before, after); !ok {
				return Invalid("400 Bad request - issues cannot be placed there")
			}
		}
		cur, err := q.LockIssue(ctx, ip.Issue.ID)
		if err != nil {
			return err
		}
		cur.RelativePosition = &pos
		if err := q.UpdateIssue(ctx, cur); err != nil {
			return err
		}
		cur.AssigneeIDs, cur.LabelIDs = ip.Issue.AssigneeIDs, ip.Issue.LabelIDs
		out = cur
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &IssueInProject{Project: ip.Project, Level: ip.Level, Issue: out}, nil
}

// between is a position after before and ahead of after (either may be
// nil); ok is false when a neighbour has no position or there is no room.
func between(before, after *model.Issue) (int64, bool) {
	switch {
	case before == nil && after == nil:
		return 0, true
	case before != nil && before.RelativePosition == nil, after != nil && after.RelativePosition == nil:
		return 0, false
	case before == nil:
		return *after.RelativePosition - relativeGap, true
	case after == nil:
		return *before.RelativePosition + relativeGap, true
	}
	lo, hi := *before.RelativePosition, *after.RelativePosition
	if hi-lo < 2 {
		return 0, false
	}
	return lo + (hi-lo)/2, true
}
