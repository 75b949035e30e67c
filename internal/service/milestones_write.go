package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

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
func milestoneTitleScope(ctx context.Context, q *store.Queries, m *model.Milestone, mp *planningParent) (projects, groups []int64, err error) {
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
	mp, err := s.planningParent(ctx, id, ref, group)
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

func (s *Service) checkMilestoneTitle(ctx context.Context, q *store.Queries, m *model.Milestone, mp *planningParent, verb string) error {
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
	mp, err := s.planningParent(ctx, id, ref, group)
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
	mp, err := s.planningParent(ctx, id, ref, group)
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
	mp, err := s.planningParent(ctx, id, ref, false)
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
		// Promotions in one group queue (PostgreSQL), so that a second one
		// of the same title sees the first's group milestone.
		if err := q.LockNamespaceChain(ctx, mp.group.ID); err != nil {
			return err
		}
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
