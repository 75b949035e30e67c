package service

import (
	"context"
	"errors"
	"fmt"
	"time"

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

// milestoneNotFound is GitLab's answer to an unknown milestone id: a
// RecordNotFound of parent.milestones.find, "404 Not found".
var milestoneNotFound = &Error{Kind: KindNotFound, Message: "Not found"}

// ListMilestones lists a project's (group false) or a group's milestones.
func (s *Service) ListMilestones(ctx context.Context, id *auth.Identity, ref string, group bool, o MilestoneListOptions) ([]*MilestoneView, int, error) {
	mp, err := s.planningParent(ctx, id, ref, group)
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
		groupPath := ""
		if m.GroupID != nil {
			if g := groups[*m.GroupID]; g != nil {
				groupPath = g.FullPath
			}
		}
		projectPath := ""
		if m.ProjectID != nil {
			projectPath = projects[*m.ProjectID]
		}
		out = append(out, &MilestoneView{Milestone: m, WebPath: MilestoneWebPath(m, projectPath, groupPath),
			Expired: MilestoneExpired(m, today)})
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
func (s *Service) milestoneOf(ctx context.Context, q *store.Queries, mp *planningParent, mid int64) (*model.Milestone, error) {
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
	mp, err := s.planningParent(ctx, id, ref, group)
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

// MilestoneWebPath is a milestone's page: under its project's full path
// or its group's ("" when the owner's path is unknown).
func MilestoneWebPath(m *model.Milestone, projectPath, groupPath string) string {
	switch {
	case m.GroupID != nil && groupPath != "":
		return fmt.Sprintf("/groups/%s/-/milestones/%d", groupPath, m.IID)
	case m.ProjectID != nil && projectPath != "":
		return fmt.Sprintf("/%s/-/milestones/%d", projectPath, m.IID)
	}
	return ""
}

// MilestoneExpired is GitLab's `expired? || false`: the due date has
// passed (today is YYYY-MM-DD).
func MilestoneExpired(m *model.Milestone, today string) bool {
	return m.DueDate != nil && *m.DueDate < today
}
