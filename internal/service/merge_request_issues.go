package service

import (
	"context"
	"errors"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/markdown"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// refProjectPath is the full path of the project a reference's project
// part names from project p: p itself when empty, a full path when it has
// a slash, else a project of p's namespace (GitLab's "project#1").
func refProjectPath(p *model.Project, refProject string) string {
	switch {
	case refProject == "":
		return p.FullPath()
	case strings.Contains(refProject, "/"):
		return refProject
	default:
		return p.Namespace.FullPath + "/" + refProject
	}
}

// linkMergeRequestIssues rewrites merge_request_issues for m from its
// title and description, in the transaction of q: the issues of its
// closing pattern close (only when m targets the project's default
// branch, as GitLab's closes_issues), the other issues it names are
// mentioned. Who may see them is for the readers (closed_by,
// related_merge_requests, closes_issues) to check against their caller.
func (s *Service) linkMergeRequestIssues(ctx context.Context, q *store.Queries, p *model.Project, m *model.MergeRequest) error {
	text := m.Title + "\n" + m.Description
	type key struct {
		path string
		iid  int64
	}
	closes := map[key]bool{}
	var order []key
	add := func(r markdown.Ref, closing bool) {
		k := key{strings.ToLower(refProjectPath(p, r.Project)), r.IID}
		if _, seen := closes[k]; !seen {
			order = append(order, k)
		}
		closes[k] = closes[k] || closing
	}
	if p.DefaultBranch != nil && *p.DefaultBranch == m.TargetBranch {
		for _, r := range markdown.ClosingRefs(text) {
			add(r, true)
		}
	}
	for _, r := range s.markdown.References(text) {
		if r.Kind == markdown.KindIssue {
			add(r, false)
		}
	}
	byPath := map[string][]int64{}
	var paths []string
	for _, k := range order {
		if byPath[k.path] == nil {
			paths = append(paths, k.path)
		}
		byPath[k.path] = append(byPath[k.path], k.iid)
	}
	var links []store.MergeRequestIssue
	for _, path := range paths {
		projectID := p.ID
		if path != strings.ToLower(p.FullPath()) {
			other, err := q.ProjectByFullPath(ctx, path)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			projectID = other.ID
		}
		ids, err := q.IssueIDsByIIDs(ctx, projectID, byPath[path])
		if err != nil {
			return err
		}
		for _, iid := range byPath[path] {
			if id, ok := ids[iid]; ok {
				links = append(links, store.MergeRequestIssue{IssueID: id, Closes: closes[key{path, iid}]})
			}
		}
	}
	return q.SetMergeRequestIssues(ctx, m.ID, links)
}

// IssueClosedBy is an issue's closed_by: the merge requests of its project
// that close it when merged, as many as the caller may read (GitLab's
// MergeRequestsFinder on the project).
func (s *Service) IssueClosedBy(ctx context.Context, id *auth.Identity, ref string, iid int64, qy MergeRequestQuery) (*MergeRequestPage, error) {
	ip, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	p := ip.Project
	if !ProjectCan(id, p, ip.Level, access.ReadMergeRequest) {
		return &MergeRequestPage{Project: p}, nil
	}
	f := store.MergeRequestFilter{IssueFilter: s.issueViewer(id)}
	f.ProjectID, f.ProjectLevel = p.ID, int(ip.Level)
	f.LinkedTo, f.LinkedClosing = ip.Issue.ID, true
	pg, err := s.listMergeRequests(ctx, id, f, qy, "all")
	if err != nil {
		return nil, err
	}
	pg.Project = p
	return pg, nil
}

// IssueRelatedMergeRequests is an issue's related_merge_requests: the
// merge requests of any project the caller reads that close or mention it.
func (s *Service) IssueRelatedMergeRequests(ctx context.Context, id *auth.Identity, ref string, iid int64, qy MergeRequestQuery) (*MergeRequestPage, error) {
	ip, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	f := store.MergeRequestFilter{IssueFilter: s.issueViewer(id)}
	f.LinkedTo = ip.Issue.ID
	return s.listMergeRequests(ctx, id, f, qy, "all")
}

// MergeRequestIssues is a merge request's closes_issues (closing: the
// issues it closes when merged) or related_issues (the issues its title
// and description close or mention), those the caller may read.
func (s *Service) MergeRequestIssues(ctx context.Context, id *auth.Identity, ref string, iid int64, closing bool, qy IssueQuery) (*IssuePage, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	f := s.issueViewer(id)
	f.LinkedTo, f.LinkedClosing = mp.MR.ID, closing
	return s.listIssues(ctx, id, f, qy, "all")
}
