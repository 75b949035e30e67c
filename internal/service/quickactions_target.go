package service

import (
	"context"
	"regexp"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// quickTarget is the issue or merge request commands run on: what their
// conditions read, and the caller's abilities on it.
type quickTarget struct {
	typ, noun                          string // model.NoteableIssue, "issue"
	project                            *model.Project
	state                              string
	title                              string
	draft, confidential, locked        bool
	dueDate                            *string
	labelIDs, assigneeIDs, reviewerIDs []int64
	milestoneID                        *int64
	// canUpdate: update_issue, update_merge_request (state, title, draft);
	// admin: set_issue_metadata, admin_merge_request (labels, people,
	// milestone, lock); tracker: admin_issue, admin_merge_request.
	canUpdate, admin, tracker, canAward, canSubscribe bool
	subscribed                                        func(context.Context, *store.Queries) (bool, error)
}

// issueQuickTarget is the quick action target an issue the caller reads is.
func (s *Service) issueQuickTarget(id *auth.Identity, ip *IssueInProject) *quickTarget {
	p, i := ip.Project, ip.Issue
	signedIn := id.Authenticated()
	return &quickTarget{typ: model.NoteableIssue, noun: "issue", project: p, state: i.State, title: i.Title,
		confidential: i.Confidential, locked: i.DiscussionLocked != nil && *i.DiscussionLocked, dueDate: i.DueDate,
		labelIDs: i.LabelIDs, assigneeIDs: i.AssigneeIDs, milestoneID: i.MilestoneID,
		canUpdate: signedIn && CanUpdateIssue(id, p, ip.Level, i),
		// Metadata takes set_issue_metadata, which a new issue's author
		// has as a member (canSetIssueMetadata); time tracking admin_issue.
		admin:        signedIn && canSetIssueMetadata(id, p, ip.Level, i.ID != 0),
		tracker:      signedIn && ProjectCan(id, p, ip.Level, access.AdminIssue),
		canAward:     IssueNoteable(ip).canAward(id),
		canSubscribe: signedIn,
		subscribed: func(ctx context.Context, q *store.Queries) (bool, error) {
			if !signedIn {
				return false, nil
			}
			return s.subscribed(ctx, q, id.User.ID, i)
		}}
}

// mergeRequestQuickTarget is the quick action target a merge request the
// caller reads is: GitLab's merge request commands check
// update_merge_request and admin_merge_request. Subscribing takes
// update_merge_request, as lablet's subscription endpoint does.
func mergeRequestQuickTarget(id *auth.Identity, mp *MergeRequestInProject) *quickTarget {
	p, m := mp.Project, mp.MR
	signedIn := id.Authenticated()
	canUpdate := signedIn && CanUpdateMergeRequest(id, p, mp.Level, m)
	admin := signedIn && ProjectCan(id, p, mp.Level, access.AdminMergeRequest)
	return &quickTarget{typ: model.NoteableMergeRequest, noun: "merge request", project: p, state: m.State, title: m.Title,
		draft: m.Draft, locked: m.DiscussionLocked != nil && *m.DiscussionLocked,
		labelIDs: m.LabelIDs, assigneeIDs: m.AssigneeIDs, reviewerIDs: m.ReviewerIDs, milestoneID: m.MilestoneID,
		canUpdate: canUpdate, admin: admin, tracker: admin, canAward: MergeRequestNoteable(mp).canAward(id),
		canSubscribe: canUpdate,
		subscribed: func(ctx context.Context, q *store.Queries) (bool, error) {
			if !signedIn {
				return false, nil
			}
			return mergeRequestSubscribed(ctx, q, id.User.ID, m)
		}}
}

// quickTargetOf loads the issue or merge request ref names.
func (s *Service) quickTargetOf(ctx context.Context, id *auth.Identity, ref NoteableRef) (*quickTarget, error) {
	if ref.Type == model.NoteableMergeRequest {
		mp, err := s.VisibleMergeRequest(ctx, id, ref.Project, ref.IID)
		if err != nil {
			return nil, err
		}
		return mergeRequestQuickTarget(id, mp), nil
	}
	ip, err := s.VisibleIssue(ctx, id, ref.Project, ref.IID)
	if err != nil {
		return nil, err
	}
	return s.issueQuickTarget(id, ip), nil
}

// quickUpdate applies the plan's update through the update operation of
// the target's kind.
func (s *Service) quickUpdate(ctx context.Context, id *auth.Identity, ref NoteableRef, pl *quickPlan) error {
	if ref.Type != model.NoteableMergeRequest {
		_, err := s.updateIssue(ctx, id, ref.Project, ref.IID, pl.in)
		return err
	}
	c := pl.in
	in := MergeRequestInput{Title: c.Title, AssigneeIDs: c.AssigneeIDs, ReviewerIDs: pl.reviewers, MilestoneID: c.MilestoneID,
		Labels: c.Labels, AddLabels: c.AddLabels, RemoveLabels: c.RemoveLabels, StateEvent: c.StateEvent,
		DiscussionLocked: c.DiscussionLocked}
	_, err := s.updateMergeRequest(ctx, id, ref.Project, ref.IID, in)
	return err
}

// quickSubscribe is /subscribe and /unsubscribe.
func (s *Service) quickSubscribe(ctx context.Context, id *auth.Identity, ref NoteableRef, on bool) error {
	var err error
	if ref.Type == model.NoteableMergeRequest {
		_, _, err = s.SetMergeRequestSubscription(ctx, id, ref.Project, ref.IID, on)
	} else {
		_, _, err = s.SetIssueSubscription(ctx, id, ref.Project, ref.IID, on)
	}
	return err
}

// draftPrefix is what MergeRequest#draftless_title strips.
var draftPrefix = regexp.MustCompile(`(?i)^\s*(draft:|\[draft\]|\(draft\))\s*`)

// draftless is MergeRequest#draftless_title.
func draftless(title string) string { return draftPrefix.ReplaceAllString(title, "") }

// planDraft plans /draft and /ready: a title with or without GitLab's
// "Draft: " prefix.
func planDraft(pl *quickPlan, t *quickTarget, draft bool) {
	title := t.title
	if pl.in.Title != nil {
		title = *pl.in.Title
	}
	title = draftless(title)
	msg := "Marked this merge request as ready."
	if draft {
		title, msg = "Draft: "+title, "Marked this merge request as a draft."
	}
	pl.in.Title, pl.hasUpdate = &title, true
	pl.did("wip_event", map[bool]string{true: "draft", false: "ready"}[draft], msg)
}

// updateThenQuickActions takes the commands out of a new description
// (nil: none given), runs update with the text left, then the commands
// on ref as the caller; ran reports whether any ran.
func (s *Service) updateThenQuickActions(ctx context.Context, id *auth.Identity, ref NoteableRef, description *string,
	update func(description *string) error) (ran bool, err error) {
	var cmds []QuickAction
	if description != nil {
		text, c := splitQuickActions(*description, ref.Type)
		description, cmds = &text, c
	}
	if err := update(description); err != nil || len(cmds) == 0 {
		return false, err
	}
	if _, err := s.runQuickActions(ctx, id, ref, cmds); err != nil {
		return false, err
	}
	return true, nil
}
