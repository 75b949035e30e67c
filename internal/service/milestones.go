package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// MilestoneView is a milestone with the web path of its page
// ("/group/app/-/milestones/3" or "/groups/group/-/milestones/1").
type MilestoneView struct {
	Milestone *model.Milestone
	WebPath   string
	// Expired: the due date has passed (GitLab's `expired? || false`).
	Expired bool
}

// MilestoneListOptions are the list parameters of the milestone APIs.
type MilestoneListOptions struct {
	State              string // "active", "closed", "" or "all"
	IIDs               []int64
	Title              *string
	Search             string
	IncludeAncestors   bool
	IncludeDescendants bool
	UpdatedBefore      *time.Time
	UpdatedAfter       *time.Time
	Limit, Offset      int
}

// MilestoneInput is a milestone's create or update parameters; nil fields
// are absent. ClearDueDate and ClearStartDate remove a date.
type MilestoneInput struct {
	Title          *string
	Description    *string
	DueDate        *string
	ClearDueDate   bool
	StartDate      *string
	ClearStartDate bool
	StateEvent     string // "close", "activate" or ""
}

// milestoneParent is the project or group whose milestones an operation
// handles, with the caller's level there.
type milestoneParent struct {
	project *model.Project
	group   *model.Namespace // a group parent, or a project's group (nil in a personal namespace)
	level   access.Level
}

func (mp *milestoneParent) can(id *auth.Identity, a access.Ability) bool {
	if mp.project != nil {
		return planningFeatureOn(mp.project) && ProjectCan(id, mp.project, mp.level, a)
	}
	return GroupCan(mp.level, a)
}

func (s *Service) milestoneParent(ctx context.Context, id *auth.Identity, ref string, group bool) (*milestoneParent, error) {
	if group {
		g, level, err := s.VisibleGroup(ctx, id, ref)
		if err != nil {
			return nil, err
		}
		return &milestoneParent{group: g, level: level}, nil
	}
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	mp := &milestoneParent{project: p, level: level}
	if p.Namespace != nil && p.Namespace.IsGroup() {
		mp.group = p.Namespace
	}
	return mp, nil
}

// milestoneNotFound is GitLab's answer to an unknown milestone id: a
// RecordNotFound of parent.milestones.find, "404 Not found".
var milestoneNotFound = &Error{Kind: KindNotFound, Message: "Not found"}

// ListMilestones lists a project's (group false) or a group's milestones.
func (s *Service) ListMilestones(ctx context.Context, id *auth.Identity, ref string, group bool, o MilestoneListOptions) ([]*MilestoneView, int, error) {
	mp, err := s.milestoneParent(ctx, id, ref, group)
	if err != nil {
		return nil, 0, err
	}
	if !mp.can(id, access.ReadMilestone) {
		return nil, 0, Forbidden("")
	}
	q := s.db.Queries()
	f := store.MilestoneFilter{IIDs: o.IIDs, Title: o.Title, Search: o.Search, UpdatedBefore: o.UpdatedBefore,
		UpdatedAfter: o.UpdatedAfter, Limit: o.Limit, Offset: o.Offset}
	if o.State == "active" || o.State == "closed" {
		f.State = o.State
	}
	switch {
	case mp.project != nil:
		f.ProjectIDs = []int64{mp.project.ID}
		if o.IncludeAncestors && mp.group != nil {
			anc, err := q.AncestorIDs(ctx, mp.group.ID)
			if err != nil {
				return nil, 0, err
			}
			f.GroupIDs = append([]int64{mp.group.ID}, anc...)
		}
	default:
		f.GroupIDs = []int64{mp.group.ID}
		if o.IncludeAncestors {
			anc, err := s.visibleAncestors(ctx, id, mp.group.ID)
			if err != nil {
				return nil, 0, err
			}
			f.GroupIDs = append(f.GroupIDs, anc...)
		}
		if o.IncludeDescendants {
			desc, err := s.visibleDescendants(ctx, id, mp.group.ID)
			if err != nil {
				return nil, 0, err
			}
			f.GroupIDs = append(f.GroupIDs, desc...)
			list, err := s.listProjects(ctx, id, ProjectListOptions{IncludeSubgroups: true, Limit: maxScopeProjects}, mp.group.ID)
			if err != nil {
				return nil, 0, err
			}
			for _, p := range list.Projects {
				if p.IssuesEnabled {
					f.ProjectIDs = append(f.ProjectIDs, p.ID)
				}
			}
		}
	}
	if o.IncludeAncestors {
		// GitLab ignores iids with ancestors.
		f.IIDs = nil
	}
	list, total, err := q.ListMilestones(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	views, err := s.milestoneViews(ctx, list)
	return views, total, err
}

// visibleAncestors returns the ids of groupID's ancestors the caller sees.
func (s *Service) visibleAncestors(ctx context.Context, id *auth.Identity, groupID int64) ([]int64, error) {
	q := s.db.Queries()
	ids, err := q.AncestorIDs(ctx, groupID)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	byID, err := q.NamespacesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, nid := range ids {
		ns := byID[nid]
		if ns == nil {
			continue
		}
		level, err := s.NamespaceLevel(ctx, id, ns)
		if err != nil {
			return nil, err
		}
		if viewer(id).CanSee(ns.VisibilityLevel, level) {
			out = append(out, nid)
		}
	}
	return out, nil
}

// milestoneViews adds web paths (namespaces and projects loaded in batch)
// and expiry to milestones.
func (s *Service) milestoneViews(ctx context.Context, list []*model.Milestone) ([]*MilestoneView, error) {
	q := s.db.Queries()
	var nsIDs, projectIDs []int64
	for _, m := range list {
		if m.GroupID != nil {
			nsIDs = append(nsIDs, *m.GroupID)
		} else if m.ProjectID != nil {
			projectIDs = append(projectIDs, *m.ProjectID)
		}
	}
	groups, err := q.NamespacesByIDs(ctx, nsIDs)
	if err != nil {
		return nil, err
	}
	projects, err := q.ProjectFullPaths(ctx, projectIDs)
	if err != nil {
		return nil, err
	}
	today := s.Today()
	out := make([]*MilestoneView, 0, len(list))
	for _, m := range list {
		v := &MilestoneView{Milestone: m}
		if m.GroupID != nil {
			if g := groups[*m.GroupID]; g != nil {
				v.WebPath = fmt.Sprintf("/groups/%s/-/milestones/%d", g.FullPath, m.IID)
			}
		} else if m.ProjectID != nil {
			v.WebPath = fmt.Sprintf("/%s/-/milestones/%d", projects[*m.ProjectID], m.IID)
		}
		v.Expired = m.DueDate != nil && *m.DueDate < today
		out = append(out, v)
	}
	return out, nil
}

func (s *Service) milestoneView(ctx context.Context, m *model.Milestone) (*MilestoneView, error) {
	views, err := s.milestoneViews(ctx, []*model.Milestone{m})
	if err != nil {
		return nil, err
	}
	return views[0], nil
}

// milestoneOf loads milestone mid of the parent.
func (s *Service) milestoneOf(ctx context.Context, q *store.Queries, mp *milestoneParent, mid int64) (*model.Milestone, error) {
	m, err := q.MilestoneByID(ctx, mid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, milestoneNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: load milestone: %w", err)
	}
	if mp.project != nil && (m.ProjectID == nil || *m.ProjectID != mp.project.ID) ||
		mp.project == nil && (m.GroupID == nil || *m.GroupID != mp.group.ID) {
		return nil, milestoneNotFound
	}
	return m, nil
}

// GetMilestone returns milestone mid of a project or group.
func (s *Service) GetMilestone(ctx context.Context, id *auth.Identity, ref string, group bool, mid int64) (*MilestoneView, error) {
	mp, err := s.milestoneParent(ctx, id, ref, group)
	if err != nil {
		return nil, err
	}
	if !mp.can(id, access.ReadMilestone) {
		return nil, Forbidden("")
	}
	m, err := s.milestoneOf(ctx, s.db.Queries(), mp, mid)
	if err != nil {
		return nil, err
	}
	return s.milestoneView(ctx, m)
}

// milestoneFailure is GitLab's answer to an invalid milestone:
// "Failed to create milestone {:title=>[\"can't be blank\"]}" (the Ruby
// inspection of its errors).
func milestoneFailure(verb, field, msg string) error {
	return Invalid(fmt.Sprintf("Failed to %s milestone {:%s=>[%q]}", verb, field, msg))
}

// maxMilestoneTitle is GitLab's milestone title length limit.
const maxMilestoneTitle = 255

// validateMilestone checks m as GitLab's Milestone model does; the
// returned field and message are empty when it is valid.
func validateMilestone(m *model.Milestone) (field, msg string) {
	switch {
	case strings.TrimSpace(m.Title) == "":
		return "title", "can't be blank"
	case utf8.RuneCountInString(m.Title) > maxMilestoneTitle:
		return "title", fmt.Sprintf("is too long (maximum is %d characters)", maxMilestoneTitle)
	case m.StartDate != nil && m.DueDate != nil && *m.DueDate < *m.StartDate:
		return "due_date", "must be greater than start date"
	}
	return "", ""
}

// milestoneTitleScope is where a milestone's title must be unique
// (Milestone#uniqueness_of_title): a project milestone among its
// project's and its group's milestones; a group milestone among the
// group's and its projects' milestones.
func milestoneTitleScope(ctx context.Context, q *store.Queries, m *model.Milestone, mp *milestoneParent) (projects, groups []int64, err error) {
	if m.ProjectID != nil {
		projects = []int64{*m.ProjectID}
		if mp.group != nil {
			groups = []int64{mp.group.ID}
		}
		return projects, groups, nil
	}
	projects, err = q.ProjectIDsInNamespaces(ctx, []int64{*m.GroupID})
	return projects, []int64{*m.GroupID}, err
}

const milestoneTitleUsed = "already being used for another group or project milestone."

func applyMilestoneInput(m *model.Milestone, in MilestoneInput) {
	if in.Title != nil {
		m.Title = strings.TrimSpace(*in.Title)
	}
	if in.Description != nil {
		m.Description = *in.Description
	}
	if in.DueDate != nil || in.ClearDueDate {
		m.DueDate = in.DueDate
	}
	if in.StartDate != nil || in.ClearStartDate {
		m.StartDate = in.StartDate
	}
	switch in.StateEvent {
	case "close":
		m.State = "closed"
	case "activate":
		m.State = "active"
	}
}

// CreateMilestone creates a project or group milestone.
func (s *Service) CreateMilestone(ctx context.Context, id *auth.Identity, ref string, group bool, in MilestoneInput) (*MilestoneView, error) {
	mp, err := s.milestoneParent(ctx, id, ref, group)
	if err != nil {
		return nil, err
	}
	if !mp.can(id, access.AdminMilestone) {
		return nil, Forbidden("")
	}
	m := &model.Milestone{State: "active"}
	if mp.project != nil {
		m.ProjectID = &mp.project.ID
	} else {
		m.GroupID = &mp.group.ID
	}
	applyMilestoneInput(m, in)
	if f, msg := validateMilestone(m); f != "" {
		return nil, milestoneFailure("create", f, msg)
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := s.checkMilestoneTitle(ctx, q, m, mp, "create"); err != nil {
			return err
		}
		err := q.InsertMilestone(ctx, m)
		if errors.Is(err, store.ErrConflict) {
			return milestoneFailure("create", "title", milestoneTitleUsed)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.milestoneView(ctx, m)
}

func (s *Service) checkMilestoneTitle(ctx context.Context, q *store.Queries, m *model.Milestone, mp *milestoneParent, verb string) error {
	projects, groups, err := milestoneTitleScope(ctx, q, m, mp)
	if err != nil {
		return err
	}
	used, err := q.MilestoneTitleUsed(ctx, m.Title, projects, groups, m.ID)
	if err != nil {
		return err
	}
	if used {
		return milestoneFailure(verb, "title", milestoneTitleUsed)
	}
	return nil
}

// UpdateMilestone changes a project or group milestone.
func (s *Service) UpdateMilestone(ctx context.Context, id *auth.Identity, ref string, group bool, mid int64, in MilestoneInput) (*MilestoneView, error) {
	mp, err := s.milestoneParent(ctx, id, ref, group)
	if err != nil {
		return nil, err
	}
	if !mp.can(id, access.AdminMilestone) {
		return nil, Forbidden("")
	}
	var m *model.Milestone
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if m, err = s.milestoneOf(ctx, q, mp, mid); err != nil {
			return err
		}
		oldTitle := m.Title
		applyMilestoneInput(m, in)
		if f, msg := validateMilestone(m); f != "" {
			return milestoneFailure("update", f, msg)
		}
		if m.Title != oldTitle {
			if err := s.checkMilestoneTitle(ctx, q, m, mp, "update"); err != nil {
				return err
			}
		}
		err := q.UpdateMilestone(ctx, m)
		if errors.Is(err, store.ErrConflict) {
			return milestoneFailure("update", "title", milestoneTitleUsed)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.milestoneView(ctx, m)
}

// DeleteMilestone deletes a project or group milestone; its issues keep
// no milestone.
func (s *Service) DeleteMilestone(ctx context.Context, id *auth.Identity, ref string, group bool, mid int64) error {
	mp, err := s.milestoneParent(ctx, id, ref, group)
	if err != nil {
		return err
	}
	if !mp.can(id, access.AdminMilestone) {
		return Forbidden("")
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		m, err := s.milestoneOf(ctx, q, mp, mid)
		if err != nil {
			return err
		}
		return q.DeleteMilestones(ctx, []int64{m.ID})
	})
}

// PromoteMilestone turns a project milestone into a milestone of the
// project's group; the milestones with its title in the group's projects
// merge into it, their issues moving over (GitLab's
// Milestones::PromoteService). The caller manages milestones of both.
func (s *Service) PromoteMilestone(ctx context.Context, id *auth.Identity, ref string, mid int64) error {
	mp, err := s.milestoneParent(ctx, id, ref, false)
	if err != nil {
		return err
	}
	if !mp.can(id, access.AdminMilestone) || mp.group == nil {
		return Forbidden("")
	}
	glevel, err := s.NamespaceLevel(ctx, id, mp.group)
	if err != nil {
		return err
	}
	if !GroupCan(glevel, access.AdminMilestone) {
		return Forbidden("")
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		m, err := s.milestoneOf(ctx, q, mp, mid)
		if err != nil {
			return err
		}
		projects, err := q.ProjectIDsInNamespaces(ctx, []int64{mp.group.ID})
		if err != nil {
			return err
		}
		used, err := q.MilestoneTitleUsed(ctx, m.Title, nil, []int64{mp.group.ID}, 0)
		if err != nil {
			return err
		}
		if used {
			return Invalid("Promotion failed - Title " + milestoneTitleUsed)
		}
		same, _, err := q.ListMilestones(ctx, store.MilestoneFilter{ProjectIDs: projects, Title: &m.Title, Limit: maxScopeProjects})
		if err != nil {
			return err
		}
		gm := &model.Milestone{GroupID: &mp.group.ID, Title: m.Title, Description: m.Description, State: m.State,
			DueDate: m.DueDate, StartDate: m.StartDate}
		if err := q.InsertMilestone(ctx, gm); err != nil {
			return err
		}
		ids := make([]int64, len(same))
		for i, o := range same {
			ids[i] = o.ID
		}
		if err := q.MoveMilestoneIssues(ctx, gm.ID, ids, projects); err != nil {
			return err
		}
		return q.DeleteMilestones(ctx, ids)
	})
}
