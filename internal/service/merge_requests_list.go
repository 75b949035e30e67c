package service

import (
	"context"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// MergeRequestQuery is a merge request list's parameters, as GitLab's
// MergeRequestsFinder takes them: the filters issues share, and those of
// merge requests.
type MergeRequestQuery struct {
	IssueQuery
	// States: opened, closed, locked, merged; "all" or "" any.
	MRState          string
	ReviewerID       *string // an id, "None" or "Any"
	ReviewerUsername *string
	SourceBranch     string
	TargetBranch     string
	Draft            *bool
}

// MergeRequestPage is one page of merge requests and the total.
type MergeRequestPage struct {
	list  store.MergeRequestList
	Total int
	// GroupID: a group list's group (references are relative to it);
	// Project: a project list's project.
	GroupID int64
	Project *model.Project
	Key     string
	Version model.Version
}

// ListProjectMergeRequests lists a project's merge requests (read_merge_request).
func (s *Service) ListProjectMergeRequests(ctx context.Context, id *auth.Identity, ref string, qy MergeRequestQuery) (*MergeRequestPage, error) {
	p, level, err := s.mergeRequestsProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	return s.projectMergeRequests(ctx, id, p, level, "", qy)
}

// projectMergeRequests lists merge requests of p, those holding commit
// commitSHA when it is not "".
func (s *Service) projectMergeRequests(ctx context.Context, id *auth.Identity, p *model.Project, level access.Level, commitSHA string, qy MergeRequestQuery) (*MergeRequestPage, error) {
	f := store.MergeRequestFilter{IssueFilter: s.issueViewer(id), CommitSHA: commitSHA}
	f.ProjectID, f.ProjectLevel = p.ID, int(level)
	pg, err := s.listMergeRequests(ctx, id, f, qy, "all")
	if err != nil {
		return nil, err
	}
	pg.Project = p
	return pg, nil
}

// ListMilestoneMergeRequests lists the merge requests of a project
// milestone ("404 Milestone Not Found" when the project has no such
// milestone). Callers who see the project but may not read its merge
// requests get an empty list, as GitLab's finder leaves them none.
func (s *Service) ListMilestoneMergeRequests(ctx context.Context, id *auth.Identity, projectRef string, milestoneID int64, qy MergeRequestQuery) (*MergeRequestPage, error) {
	p, level, err := s.VisibleProject(ctx, id, projectRef)
	if err != nil {
		return nil, err
	}
	m, err := s.db.Queries().MilestoneByID(ctx, milestoneID)
	if err == nil && (m.ProjectID == nil || *m.ProjectID != p.ID) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, milestoneErr(err)
	}
	if !ProjectCan(id, p, level, access.ReadMergeRequest) {
		return &MergeRequestPage{Project: p}, nil
	}
	f := store.MergeRequestFilter{IssueFilter: s.issueViewer(id)}
	f.ProjectID, f.ProjectLevel = p.ID, int(level)
	qy.MilestoneID = m.ID
	pg, err := s.listMergeRequests(ctx, id, f, qy, "all")
	if err != nil {
		return nil, err
	}
	pg.Project = p
	return pg, nil
}

// ListGroupMergeRequests lists the merge requests of a group's and its
// subgroups' projects the caller may read.
func (s *Service) ListGroupMergeRequests(ctx context.Context, id *auth.Identity, ref string, qy MergeRequestQuery) (*MergeRequestPage, error) {
	g, _, err := s.VisibleGroup(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	f := store.MergeRequestFilter{IssueFilter: s.issueViewer(id)}
	f.GroupID, f.GroupOnly = g.ID, qy.GroupOnly
	pg, err := s.listMergeRequests(ctx, id, f, qy, "all")
	if err != nil {
		return nil, err
	}
	pg.GroupID = g.ID
	return pg, nil
}

// ListAllMergeRequests is GET /merge_requests: created by the caller
// unless scope says otherwise; anonymous callers must ask for scope=all.
func (s *Service) ListAllMergeRequests(ctx context.Context, id *auth.Identity, qy MergeRequestQuery) (*MergeRequestPage, error) {
	if !id.Authenticated() && qy.Scope != "all" {
		return nil, auth.ErrUnauthorized
	}
	return s.listMergeRequests(ctx, id, store.MergeRequestFilter{IssueFilter: s.issueViewer(id)}, qy, "created_by_me")
}

func (s *Service) listMergeRequests(ctx context.Context, id *auth.Identity, f store.MergeRequestFilter, qy MergeRequestQuery, defaultScope string) (*MergeRequestPage, error) {
	ok, err := s.issueFilter(ctx, id, &f.IssueFilter, qy.IssueQuery, defaultScope)
	if err != nil {
		return nil, err
	}
	if ok {
		ok, err = s.mergeRequestFilter(ctx, &f, qy)
		if err != nil {
			return nil, err
		}
	}
	if !ok {
		return &MergeRequestPage{}, nil
	}
	f.Limit, f.Offset, f.Count = qy.PerPage, (qy.Page-1)*qy.PerPage, true
	if qy.Offset > 0 {
		f.Offset = qy.Offset
	}
	res, err := s.db.Queries().ListMergeRequests(ctx, f)
	if err != nil {
		return nil, err
	}
	return &MergeRequestPage{list: res, Total: res.Total, Key: res.Key, Version: res.Version}, nil
}

// MergeRequests are the page's merge requests, the caller's own (a copy
// each call: a page rendered from its kept body never asks).
func (pg *MergeRequestPage) MergeRequests() []*model.MergeRequest { return pg.list.MergeRequests() }

// mergeRequestFilter adds the filters of merge requests only; ok is false
// when the query can match nothing (an unknown reviewer).
func (s *Service) mergeRequestFilter(ctx context.Context, f *store.MergeRequestFilter, qy MergeRequestQuery) (bool, error) {
	f.State = "" // issueFilter's: merge requests have more states
	switch qy.MRState {
	case "opened", "closed", "locked", "merged":
		f.States = []string{qy.MRState}
	}
	if qy.ReviewerID != nil {
		switch strings.ToLower(*qy.ReviewerID) {
		case "none":
			f.ReviewerMode = "none"
		case "any":
			f.ReviewerMode = "any"
		default:
			n, err := strconv.ParseInt(*qy.ReviewerID, 10, 64)
			if err != nil {
				return false, ParamError("reviewer_id is invalid")
			}
			f.ReviewerID = &n
		}
	}
	if qy.ReviewerUsername != nil {
		u, err := s.UserByUsername(ctx, *qy.ReviewerUsername)
		if KindOf(err) == KindNotFound || err == nil && f.ReviewerID != nil && *f.ReviewerID != u.ID {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		f.ReviewerID = &u.ID
	}
	f.SourceBranch, f.TargetBranch, f.Draft = qy.SourceBranch, qy.TargetBranch, qy.Draft
	if !store.MergeRequestOrderable(f.OrderBy) {
		f.OrderBy = "created_at"
	}
	return true, nil
}

// LoadMergeRequestRefs loads the projects, users, labels and milestones
// merge requests show: one query each, however many merge requests.
func (s *Service) LoadMergeRequestRefs(ctx context.Context, list []*model.MergeRequest, known ...*model.Project) (*IssueRefs, error) {
	ids := newRefIDs(known)
	for _, m := range list {
		ids.project(m.TargetProjectID)
		ids.users(m.AuthorID, m.ClosedByID, m.MergedByID)
		ids.users(ptrs(m.AssigneeIDs)...)
		ids.users(ptrs(m.ReviewerIDs)...)
		ids.labels(m.LabelIDs)
		ids.milestone(m.MilestoneID)
	}
	return s.loadRefs(ctx, ids)
}
