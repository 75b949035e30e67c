package service

import (
	"context"
	"fmt"
	"strconv"

	"github.com/lablet/lablet/internal/model"
)

// IssueRefs are what issue entities show beside the issues, loaded for a
// whole page at once.
type IssueRefs struct {
	Projects   map[int64]*model.Project
	Users      map[int64]*model.User
	Labels     map[int64]*model.Label
	Milestones map[int64]*model.Milestone
	// Groups are the groups of group milestones (their web_url).
	Groups map[int64]*model.Namespace
}

// LoadIssueRefs loads the projects, users, labels and milestones issues
// show: one query each, however many issues. known projects are reused.
func (s *Service) LoadIssueRefs(ctx context.Context, issues []*model.Issue, known ...*model.Project) (*IssueRefs, error) {
	ids := newRefIDs(known)
	for _, i := range issues {
		ids.project(i.ProjectID)
		ids.users(i.AuthorID, i.ClosedByID)
		ids.users(ptrs(i.AssigneeIDs)...)
		ids.labels(i.LabelIDs)
		ids.milestone(i.MilestoneID)
	}
	return s.loadRefs(ctx, ids)
}

// refIDs collects, once each, the ids a page of issuables shows.
type refIDs struct {
	refs                                        *IssueRefs
	projectIDs, userIDs, labelIDs, milestoneIDs []int64
	seen                                        map[string]bool
}

func newRefIDs(known []*model.Project) *refIDs {
	r := &refIDs{refs: &IssueRefs{Projects: map[int64]*model.Project{}}, seen: map[string]bool{}}
	for _, p := range known {
		r.refs.Projects[p.ID] = p
	}
	return r
}

func (r *refIDs) add(list *[]int64, kind string, v int64) {
	k := kind + strconv.FormatInt(v, 10)
	if !r.seen[k] {
		r.seen[k] = true
		*list = append(*list, v)
	}
}

func (r *refIDs) project(id int64) {
	if r.refs.Projects[id] == nil {
		r.add(&r.projectIDs, "p", id)
	}
}

func (r *refIDs) users(ids ...*int64) {
	for _, u := range ids {
		if u != nil {
			r.add(&r.userIDs, "u", *u)
		}
	}
}

func (r *refIDs) labels(ids []int64) {
	for _, l := range ids {
		r.add(&r.labelIDs, "l", l)
	}
}

func (r *refIDs) milestone(id *int64) {
	if id != nil {
		r.add(&r.milestoneIDs, "m", *id)
	}
}

func ptrs(ids []int64) []*int64 {
	out := make([]*int64, len(ids))
	for i := range ids {
		out[i] = &ids[i]
	}
	return out
}

// loadRefs loads what ids names: one query per kind.
func (s *Service) loadRefs(ctx context.Context, ids *refIDs) (*IssueRefs, error) {
	q := s.db.Queries()
	refs := ids.refs
	ps, err := q.IssueProjects(ctx, ids.projectIDs)
	if err != nil {
		return nil, err
	}
	for k, v := range ps {
		refs.Projects[k] = v
	}
	if refs.Users, err = q.UsersByIDs(ctx, ids.userIDs); err != nil {
		return nil, fmt.Errorf("service: issue users: %w", err)
	}
	labels, err := q.LabelsByIDs(ctx, ids.labelIDs)
	if err != nil {
		return nil, err
	}
	refs.Labels = make(map[int64]*model.Label, len(labels))
	for _, l := range labels {
		refs.Labels[l.ID] = l
	}
	ms, err := q.MilestonesByIDs(ctx, ids.milestoneIDs)
	if err != nil {
		return nil, err
	}
	refs.Milestones = make(map[int64]*model.Milestone, len(ms))
	var groupIDs []int64
	for _, m := range ms {
		refs.Milestones[m.ID] = m
		if m.GroupID != nil {
			ids.add(&groupIDs, "g", *m.GroupID)
		}
	}
	refs.Groups = map[int64]*model.Namespace{}
	if len(groupIDs) > 0 {
		if refs.Groups, err = q.NamespacesByIDs(ctx, groupIDs); err != nil {
			return nil, fmt.Errorf("service: milestone groups: %w", err)
		}
	}
	return refs, nil
}
