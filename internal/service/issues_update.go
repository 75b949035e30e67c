package service

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// UpdateIssue is PUT /projects/:id/issues/:iid: update_issue (Reporter,
// the author or an assignee); labels, milestone, assignees,
// confidentiality, due date and the discussion lock change only for
// callers with admin_issue, others' values being dropped silently, as
// GitLab's IssuableBaseService#filter_params does. Every change, with its
// resource events and system notes, is one transaction.
//
// Quick actions in a new description run after the update, as the
// caller: their lines are removed from the stored text.
func (s *Service) UpdateIssue(ctx context.Context, id *auth.Identity, ref string, iid int64, in IssueInput) (*IssueInProject, error) {
	var ip *IssueInProject
	ran, err := s.updateThenQuickActions(ctx, id, NoteableRef{Project: ref, Type: model.NoteableIssue, IID: iid}, in.Description,
		func(desc *string) (err error) {
			in.Description = desc
			ip, err = s.updateIssue(ctx, id, ref, iid, in)
			return err
		})
	if err != nil || !ran {
		return ip, err
	}
	return s.VisibleIssue(ctx, id, ref, iid)
}

// updateIssue applies in as UpdateIssue describes, without quick actions.
func (s *Service) updateIssue(ctx context.Context, id *auth.Identity, ref string, iid int64, in IssueInput) (*IssueInProject, error) {
	ip, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	p, level := ip.Project, ip.Level
	if !CanUpdateIssue(id, p, level, ip.Issue) {
		return nil, Forbidden("")
	}
	if in.Title != nil && strings.TrimSpace(*in.Title) == "" {
		return nil, Validation{"title": {"can't be blank"}}.Err()
	}
	if err := validateIssueText(in); err != nil {
		return nil, err
	}
	if !ProjectCan(id, p, level, access.AdminIssue) {
		in.Labels, in.AddLabels, in.RemoveLabels, in.MilestoneID, in.AssigneeIDs = nil, nil, nil, nil, nil
		in.Confidential, in.DiscussionLocked, in.DueDateSet = nil, nil, false
	}
	if !canSetIssueDates(level) {
		in.UpdatedAt = nil
	}
	q := s.db.Queries()
	var assignees []int64
	if in.AssigneeIDs != nil {
		ids, keep, err := s.filterAssignees(ctx, q, p, *in.AssigneeIDs)
		if err != nil {
			return nil, err
		}
		if !keep {
			in.AssigneeIDs = nil
		}
		assignees = ids
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
	uid := id.User.ID
	var out *model.Issue
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		cur, err := q.LockIssue(ctx, ip.Issue.ID)
		if errors.Is(err, store.ErrNotFound) {
			return NotFound("Issue")
		}
		if err != nil {
			return err
		}
		u := issueUpdate{ctx: ctx, q: q, p: p, old: *cur, issue: cur, uid: uid,
			ev: issueEvents{ctx: ctx, q: q, issue: cur, userID: uid}}
		if err := u.apply(in, assignees, milestone); err != nil {
			return err
		}
		out = cur
		return s.issueUpdated(ctx, q, p, &u.old, cur, uid)
	})
	if err != nil {
		return nil, err
	}
	return &IssueInProject{Project: p, Level: level, Issue: out}, nil
}

// issueUpdate applies one update inside its transaction.
type issueUpdate struct {
	ctx   context.Context
	q     *store.Queries
	p     *model.Project
	old   model.Issue
	issue *model.Issue
	uid   int64
	ev    issueEvents
	notes []string
}

func (u *issueUpdate) apply(in IssueInput, assignees []int64, milestone *model.Milestone) error {
	i := u.issue
	changed := false
	if in.Title != nil && *in.Title != i.Title {
		u.notes = append(u.notes, titleChangeNote(i.Title, *in.Title))
		i.Title, changed = *in.Title, true
	}
	if in.Description != nil && *in.Description != i.Description {
		u.notes = append(u.notes, "changed the description")
		i.Description, changed = *in.Description, true
	}
	// GitLab writes the common notes (title, description, lock, dates)
	// first, then those of Issues::UpdateService#handle_changes
	// (assignees, confidentiality, type): later collects those.
	var later []string
	typeNote := ""
	if in.IssueType != nil && *in.IssueType != i.IssueType {
		typeNote = "changed type from " + i.IssueType + " to " + *in.IssueType
		i.IssueType, changed = *in.IssueType, true
	}
	if in.DiscussionLocked != nil && *in.DiscussionLocked != (i.DiscussionLocked != nil && *i.DiscussionLocked) {
		v := *in.DiscussionLocked
		word := "unlocked"
		if v {
			word = "locked"
		}
		u.notes = append(u.notes, word+" the discussion in this issue")
		i.DiscussionLocked, changed = &v, true
	}
	if in.DueDateSet && !sameDate(in.DueDate, i.DueDate) {
		u.notes = append(u.notes, dueDateNote(in.DueDate))
		i.DueDate, changed = in.DueDate, true
	}
	if in.Confidential != nil && *in.Confidential != i.Confidential {
		if *in.Confidential {
			later = append(later, "made the issue confidential")
		} else {
			later = append(later, "made the issue visible to everyone")
		}
		i.Confidential, changed = *in.Confidential, true
	}
	var stateEvent string
	switch {
	case in.StateEvent == "close" && i.State == "opened":
		now := u.q.Now()
		i.State, i.ClosedAt, i.ClosedByID, stateEvent, changed = "closed", &now, &u.uid, "closed", true
	case in.StateEvent == "reopen" && i.State == "closed":
		i.State, i.ClosedAt, i.ClosedByID, stateEvent, changed = "opened", nil, nil, "reopened", true
	}
	var oldMilestone *model.Milestone
	milestoneChanged := false
	if in.MilestoneID != nil {
		var next *int64
		if milestone != nil {
			next = &milestone.ID
		}
		if !sameID(next, i.MilestoneID) {
			if i.MilestoneID != nil {
				m, err := u.q.MilestoneByID(u.ctx, *i.MilestoneID)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				oldMilestone = m
			}
			i.MilestoneID, changed, milestoneChanged = next, true, true
		}
	}
	labelsChanged, err := u.labels(in)
	if err != nil {
		return err
	}
	assigneesChanged := false
	if in.AssigneeIDs != nil && !slices.Equal(sortedIDs(assignees), sortedIDs(i.AssigneeIDs)) {
		later = append([]string{assigneesNote(u.ctx, u.q, i.AssigneeIDs, assignees)}, later...)
		assigneesChanged, changed = true, true
	}
	if typeNote != "" {
		later = append(later, typeNote)
	}
	u.notes = append(u.notes, later...)
	if labelsChanged {
		changed = true
	}
	if !changed {
		return nil
	}
	if in.UpdatedAt != nil {
		i.UpdatedAt = in.UpdatedAt.UTC()
	} else {
		i.UpdatedAt = time.Time{}
	}
	if err := u.q.UpdateIssue(u.ctx, i); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return Conflict("409 Conflict - the issue was changed by someone else")
		}
		return err
	}
	if assigneesChanged {
		if err := u.q.SetIssueAssignees(u.ctx, i.ID, assignees); err != nil {
			return err
		}
		i.AssigneeIDs = assignees
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
	}
	for _, n := range u.notes {
		if err := u.ev.note(n); err != nil {
			return err
		}
	}
	return nil
}

// labels applies labels / add_labels / remove_labels and records an event
// per label added or removed.
func (u *issueUpdate) labels(in IssueInput) (bool, error) {
	i := u.issue
	next, changed, err := applyLabels(u.ctx, u.q, u.p, model.NoteableIssue, i.ID, i.LabelIDs, u.ev.of(),
		in.Labels, in.AddLabels, in.RemoveLabels)
	if err != nil || !changed {
		return false, err
	}
	i.LabelIDs = next
	return true, nil
}

// applyLabels computes a noteable's labels after labels (replacing),
// add and remove, writes them if they changed and records an event per
// label added or removed. next is sorted.
func applyLabels(ctx context.Context, q *store.Queries, p *model.Project, typ string, id int64, cur []int64,
	ev noteableEvents, labels *[]string, add, remove []string) (next []int64, changed bool, err error) {
	if labels == nil && len(add) == 0 && len(remove) == 0 {
		return cur, false, nil
	}
	next = slices.Clone(cur)
	if labels != nil {
		if next, err = resolveLabels(ctx, q, p, *labels, true); err != nil {
			return nil, false, err
		}
	}
	if len(add) > 0 {
		ids, err := resolveLabels(ctx, q, p, add, true)
		if err != nil {
			return nil, false, err
		}
		for _, id := range ids {
			if !slices.Contains(next, id) {
				next = append(next, id)
			}
		}
	}
	if len(remove) > 0 {
		ids, err := resolveLabels(ctx, q, p, remove, false)
		if err != nil {
			return nil, false, err
		}
		next = slices.DeleteFunc(next, func(id int64) bool { return slices.Contains(ids, id) })
	}
	var added, removed []int64
	for _, id := range next {
		if !slices.Contains(cur, id) {
			added = append(added, id)
		}
	}
	for _, id := range cur {
		if !slices.Contains(next, id) {
			removed = append(removed, id)
		}
	}
	if len(added) == 0 && len(removed) == 0 {
		return cur, false, nil
	}
	if err := q.SetLabelLinks(ctx, typ, id, next); err != nil {
		return nil, false, err
	}
	for _, id := range added {
		if err := ev.label("add", id); err != nil {
			return nil, false, err
		}
	}
	for _, id := range removed {
		if err := ev.label("remove", id); err != nil {
			return nil, false, err
		}
	}
	slices.Sort(next)
	return next, true, nil
}

func sortedIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func sameID(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func sameDate(a, b *string) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// assigneesNote is SystemNotes::IssuablesService#change_issuable_assignees:
// "assigned to @a and unassigned @b".
func assigneesNote(ctx context.Context, q *store.Queries, before, after []int64) string {
	return usersChangeNote(ctx, q, before, after, "assigned to ", "unassigned ")
}

// usersChangeNote names the users added to and removed from a set
// (assignees, reviewers), each part after its words, joined by " and ".
func usersChangeNote(ctx context.Context, q *store.Queries, before, after []int64, addedWords, removedWords string) string {
	var added, removed []int64
	for _, id := range after {
		if !slices.Contains(before, id) {
			added = append(added, id)
		}
	}
	for _, id := range before {
		if !slices.Contains(after, id) {
			removed = append(removed, id)
		}
	}
	users, _ := q.UsersByIDs(ctx, append(slices.Clone(added), removed...))
	refs := func(ids []int64) string {
		var names []string
		for _, id := range ids {
			if usr := users[id]; usr != nil {
				names = append(names, "@"+usr.Username)
			}
		}
		return toSentence(names)
	}
	var parts []string
	if len(added) > 0 {
		parts = append(parts, addedWords+refs(added))
	}
	if len(removed) > 0 {
		parts = append(parts, removedWords+refs(removed))
	}
	return strings.Join(parts, " and ")
}

// toSentence is Rails' Array#to_sentence.
func toSentence(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	case 2:
		return words[0] + " and " + words[1]
	}
	return strings.Join(words[:len(words)-1], ", ") + ", and " + words[len(words)-1]
}

// dueDateNote is change_start_date_or_due_date's wording for issues.
func dueDateNote(d *string) string {
	if d == nil {
		return "removed due date"
	}
	t, err := time.Parse("2006-01-02", *d)
	if err != nil {
		return "changed due date to " + *d
	}
	return "changed due date to " + t.Format("January 2, 2006")
}

// titleChangeNote is change_title: the changed middle of each title is
// marked {-removed-} and {+added+} (Gitlab::Diff::InlineDiff), unless the
// titles share neither a prefix nor a suffix.
func titleChangeNote(old, cur string) string {
	a, b := []rune(old), []rune(cur)
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	mark := func(r []rune, open, close string) string {
		if pre == 0 && suf == 0 || len(r)-suf <= pre {
			return string(r)
		}
		return string(r[:pre]) + open + string(r[pre:len(r)-suf]) + close + string(r[len(r)-suf:])
	}
	return "changed title from **" + mark(a, "{-", "-}") + "** to **" + mark(b, "{+", "+}") + "**"
}
