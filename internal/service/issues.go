package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Issue limits, GitLab's model validations.
const (
	maxIssueTitle       = 255
	maxIssueDescription = 1_048_576
	// defaultLabelColor is Label::DEFAULT_COLOR, given to labels created
	// by naming them on an issue.
	defaultLabelColor = "#6699cc"
)

// IssueTypes are the issue_type values GitLab CE accepts on issues.
var IssueTypes = []string{"issue", "incident", "task"}

// IssueInput is what a create or update sets; nil fields are not given.
type IssueInput struct {
	Title        *string
	Description  *string
	Confidential *bool
	// AssigneeIDs replaces the assignees (CE: the first only); [0] or []
	// removes them.
	AssigneeIDs *[]int64
	// MilestoneID sets the milestone; 0 removes it.
	MilestoneID      *int64
	Labels           *[]string
	AddLabels        []string
	RemoveLabels     []string
	DueDateSet       bool
	DueDate          *string
	CreatedAt        *time.Time
	UpdatedAt        *time.Time
	IssueType        *string
	StateEvent       string // "close", "reopen"
	DiscussionLocked *bool
}

// validateIssueText applies GitLab's length validations.
func validateIssueText(in IssueInput) error {
	v := Validation{}
	if in.Title != nil && utf8.RuneCountInString(*in.Title) > maxIssueTitle {
		v.Add("title", fmt.Sprintf("is too long (maximum is %d characters)", maxIssueTitle))
	}
	if in.Description != nil && utf8.RuneCountInString(*in.Description) > maxIssueDescription {
		v.Add("description", fmt.Sprintf("is too long (maximum is %d characters)", maxIssueDescription))
	}
	if in.IssueType != nil && !slices.Contains(IssueTypes, *in.IssueType) {
		return ParamError("issue_type does not have a valid value")
	}
	return v.Err()
}

// issuesProject loads a project the caller sees whose issues are enabled.
func (s *Service) issuesProject(ctx context.Context, id *auth.Identity, ref string) (*model.Project, access.Level, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, 0, err
	}
	if !p.IssuesEnabled {
		return nil, 0, Forbidden("")
	}
	return p, level, nil
}

// canSetIssueDates is GitLab's set_issue_created_at/updated_at: Owners
// and administrators may backdate issues (imports).
func canSetIssueDates(level access.Level) bool { return level >= access.Owner }

// CreateIssue opens an issue in the project named by ref. Labels,
// milestone, assignees and due date are kept only for callers with
// set_issue_metadata (canSetIssueMetadata: project members on a new
// issue; GitLab's filter drops them silently for others); labels not yet
// available are created in the project.
//
// Quick actions in the description set what the matching parameters
// would (time tracking after the issue exists); their lines are removed.
func (s *Service) CreateIssue(ctx context.Context, id *auth.Identity, ref string, in IssueInput) (*IssueInProject, error) {
	p, level, err := s.issuesProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if !ProjectCan(id, p, level, access.CreateIssue) {
		return nil, Forbidden("")
	}
	var times []TimeAction
	if in.Description != nil {
		if in, times, err = s.quickActionsOnCreate(ctx, id, p, level, in); err != nil {
			return nil, err
		}
	}
	if in.Title == nil {
		return nil, ParamError("title is missing")
	}
	if strings.TrimSpace(*in.Title) == "" {
		return nil, Validation{"title": {"can't be blank"}}.Err()
	}
	if err := validateIssueText(in); err != nil {
		return nil, err
	}
	meta := canSetIssueMetadata(id, p, level, false)
	uid := id.User.ID
	issue := &model.Issue{ProjectID: p.ID, AuthorID: &uid, Title: *in.Title}
	if in.Description != nil {
		issue.Description = *in.Description
	}
	if in.Confidential != nil {
		issue.Confidential = *in.Confidential
	}
	if in.IssueType != nil {
		issue.IssueType = *in.IssueType
	}
	if in.DiscussionLocked != nil && meta {
		issue.DiscussionLocked = in.DiscussionLocked
	}
	if in.CreatedAt != nil && canSetIssueDates(level) {
		issue.CreatedAt = in.CreatedAt.UTC()
	}
	if meta && in.DueDateSet {
		issue.DueDate = in.DueDate
	}
	q := s.db.Queries()
	assignees := []int64{}
	if meta && in.AssigneeIDs != nil {
		ids, keep, err := s.filterAssignees(ctx, q, p, *in.AssigneeIDs)
		if err != nil {
			return nil, err
		}
		if keep {
			assignees = ids
		}
	}
	var milestone *model.Milestone
	if meta && in.MilestoneID != nil && *in.MilestoneID != 0 {
		if milestone, err = s.availableMilestone(ctx, q, p, *in.MilestoneID); err != nil {
			return nil, err
		}
		if milestone != nil {
			issue.MilestoneID = &milestone.ID
		}
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		var labelIDs []int64
		if meta && in.Labels != nil {
			if labelIDs, err = resolveLabels(ctx, q, p, *in.Labels, true); err != nil {
				return err
			}
		}
		if err := q.InsertIssue(ctx, issue); err != nil {
			return err
		}
		if err := q.SetIssueAssignees(ctx, issue.ID, assignees); err != nil {
			return err
		}
		if err := q.SetLabelLinks(ctx, model.NoteableIssue, issue.ID, labelIDs); err != nil {
			return err
		}
		issue.AssigneeIDs, issue.LabelIDs = assignees, labelIDs
		ev := issueEvents{ctx: ctx, q: q, issue: issue, userID: uid}
		for _, l := range labelIDs {
			if err := ev.label("add", l); err != nil {
				return err
			}
		}
		if milestone != nil {
			if err := ev.milestone("add", milestone); err != nil {
				return err
			}
		}
		return s.issueCreated(ctx, q, p, issue, uid)
	})
	if err != nil {
		return nil, err
	}
	if len(times) > 0 {
		iref := NoteableRef{Project: ref, Type: model.NoteableIssue, IID: issue.IID}
		for _, t := range times {
			if _, err := s.TrackTime(ctx, id, iref, t); err != nil {
				return nil, err
			}
		}
		return s.VisibleIssue(ctx, id, ref, issue.IID)
	}
	return &IssueInProject{Project: p, Level: level, Issue: issue}, nil
}

// filterAssignees is IssuableBaseService#filter_assignees_using_checks in
// CE: only the first id counts (one assignee); 0 or none clears; a user
// who could not read the issue makes the parameter dropped (nil, false),
// leaving the assignees as they were.
func (s *Service) filterAssignees(ctx context.Context, q *store.Queries, p *model.Project, ids []int64) ([]int64, bool, error) {
	if len(ids) == 0 || ids[0] == 0 {
		return []int64{}, true, nil
	}
	users, err := q.UsersByIDs(ctx, ids[:1])
	if err != nil {
		return nil, false, fmt.Errorf("service: assignees: %w", err)
	}
	u := users[ids[0]]
	if u == nil || !u.Active() {
		return nil, false, nil
	}
	level := access.Admin
	if !u.IsAdmin {
		l, err := q.ProjectAccessLevel(ctx, u.ID, p.ID, p.NamespaceID, s.Today())
		if err != nil {
			return nil, false, fmt.Errorf("service: assignee level: %w", err)
		}
		level = access.Level(l)
	}
	v := access.Viewer{Authenticated: true, External: u.External, Admin: u.IsAdmin}
	if !v.CanSee(p.VisibilityLevel, level) {
		return nil, false, nil
	}
	return []int64{u.ID}, true, nil
}

// availableMilestone returns the milestone if it belongs to the project or
// one of its groups; GitLab silently drops any other milestone_id.
func (s *Service) availableMilestone(ctx context.Context, q *store.Queries, p *model.Project, mid int64) (*model.Milestone, error) {
	ok, err := q.MilestoneAvailable(ctx, mid, p.ID, p.NamespaceID)
	if err != nil || !ok {
		return nil, err
	}
	m, err := q.MilestoneByID(ctx, mid)
	if err != nil {
		return nil, fmt.Errorf("service: milestone: %w", err)
	}
	return m, nil
}

// resolveLabels turns label titles into the ids of the labels available to
// the project (its own before its groups'), creating the missing ones as
// project labels when create is set (Labels::FindOrCreateService), else
// dropping them. Order of first mention; duplicates once.
func resolveLabels(ctx context.Context, q *store.Queries, p *model.Project, titles []string, create bool) ([]int64, error) {
	var clean []string
	for _, t := range titles {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(clean, t) {
			clean = append(clean, t)
		}
	}
	if len(clean) == 0 {
		return []int64{}, nil
	}
	found, err := q.AvailableLabels(ctx, p.ID, p.NamespaceID, clean)
	if err != nil {
		return nil, err
	}
	byTitle := map[string]int64{}
	for _, l := range found {
		if _, ok := byTitle[l.Title]; !ok {
			byTitle[l.Title] = l.ID
		}
	}
	ids := []int64{}
	for _, t := range clean {
		if lid, ok := byTitle[t]; ok {
			if !slices.Contains(ids, lid) {
				ids = append(ids, lid)
			}
			continue
		}
		if !create {
			continue
		}
		if utf8.RuneCountInString(t) > 255 {
			return nil, Validation{"labels": {"title is too long (maximum is 255 characters)"}}.Err()
		}
		pid := p.ID
		l, err := q.InsertProjectLabelOnce(ctx, &model.Label{ProjectID: &pid, Title: t, Color: defaultLabelColor})
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ids, l.ID) {
			ids = append(ids, l.ID)
		}
	}
	return ids, nil
}

// issueEvents records an issue's resource events and system notes in the
// transaction of the change.
type issueEvents struct {
	ctx    context.Context
	q      *store.Queries
	issue  *model.Issue
	userID int64
}

func (e issueEvents) of() noteableEvents {
	return noteableEvents{ctx: e.ctx, q: e.q, typ: model.NoteableIssue, id: e.issue.ID, projectID: e.issue.ProjectID, userID: e.userID}
}

func (e issueEvents) label(action string, labelID int64) error { return e.of().label(action, labelID) }

func (e issueEvents) milestone(action string, m *model.Milestone) error {
	return e.of().milestone(action, m)
}

func (e issueEvents) state(state string) error { return e.of().state(state) }

func (e issueEvents) note(body string) error { return e.of().note(body) }

// noteableEvents records a noteable's resource events and system notes
// in the transaction of the change: issues' and merge requests' alike.
type noteableEvents struct {
	ctx                   context.Context
	q                     *store.Queries
	typ                   string
	id, projectID, userID int64
}

func (e noteableEvents) label(action string, labelID int64) error {
	l := labelID
	return e.q.InsertResourceEvent(e.ctx, &model.ResourceEvent{Kind: "label", ResourceType: e.typ,
		ResourceID: e.id, UserID: &e.userID, Action: action, LabelID: &l})
}

func (e noteableEvents) milestone(action string, m *model.Milestone) error {
	mid := m.ID
	return e.q.InsertResourceEvent(e.ctx, &model.ResourceEvent{Kind: "milestone", ResourceType: e.typ,
		ResourceID: e.id, UserID: &e.userID, Action: action, MilestoneID: &mid, State: m.State})
}

func (e noteableEvents) state(state string) error {
	return e.q.InsertResourceEvent(e.ctx, &model.ResourceEvent{Kind: "state", ResourceType: e.typ,
		ResourceID: e.id, UserID: &e.userID, State: state})
}

// note writes a system note: a discussion of its own, as GitLab's.
func (e noteableEvents) note(body string) error {
	pid := e.projectID
	return e.q.InsertNote(e.ctx, &model.Note{ProjectID: &pid, NoteableType: e.typ, NoteableID: e.id,
		DiscussionID: NewDiscussionID(), AuthorID: &e.userID, Body: body, System: true})
}

// IssueByGlobalID is GET /issues/:id: administrators only, as GitLab.
func (s *Service) IssueByGlobalID(ctx context.Context, id *auth.Identity, issueID int64) (*IssueInProject, error) {
	if !id.IsAdmin() {
		return nil, Forbidden("")
	}
	q := s.db.Queries()
	issue, err := q.IssueByID(ctx, issueID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("Issue")
	}
	if err != nil {
		return nil, fmt.Errorf("service: issue: %w", err)
	}
	p, err := q.ProjectByID(ctx, issue.ProjectID)
	if err != nil {
		return nil, fmt.Errorf("service: issue project: %w", err)
	}
	return &IssueInProject{Project: p, Level: access.Admin, Issue: issue}, nil
}

// DeleteIssue is destroy_issue: Owners and administrators.
func (s *Service) DeleteIssue(ctx context.Context, id *auth.Identity, ref string, iid int64) error {
	ip, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return err
	}
	if !ProjectCan(id, ip.Project, ip.Level, access.DestroyIssue) {
		return Forbidden("")
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error { return q.DeleteIssue(ctx, ip.Issue.ID) })
}
