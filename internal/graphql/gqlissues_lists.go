package graphql

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Issue and merge request lists across projects: Query.issues (REST's
// GET /issues?scope=all), Group.issues and Group.mergeRequests (REST's
// group lists), with the filters of the project lists. A page spans
// projects: its labels, milestones and users load once for the page, and
// each project's nodes share one issuablePage for what is loaded through
// the project (notes, discussions, award emoji).

// errNoFilter is GitLab's answer to Query.issues without a filter.
var errNoFilter = errors.New("You must provide at least one filter argument for this query")

// issueQueryOf is the service query of the issue lists' filter arguments.
func issueQueryOf(iid *string, iids []string, state *IssuableState, search *string, labelName []*string,
	authorUsername *string, assigneeUsernames []string, confidential *bool) (service.IssueQuery, error) {
	qy := service.IssueQuery{Page: 1, OrderBy: "created_at", Sort: "desc", Confidential: confidential,
		AuthorUsername: authorUsername, AssigneeUsernames: assigneeUsernames}
	if iid != nil {
		iids = append(iids, *iid)
	}
	for _, s := range iids {
		n, err := parseIID(s)
		if err != nil {
			return qy, err
		}
		qy.IIDs = append(qy.IIDs, n)
	}
	if state != nil {
		qy.State = string(*state)
	}
	if search != nil {
		qy.Search = *search
	}
	for _, l := range labelName {
		if l != nil {
			qy.Labels = append(qy.Labels, *l)
		}
	}
	return qy, nil
}

// mergeRequestQueryOf is the service query of the merge request lists'
// filter arguments.
func mergeRequestQueryOf(iids []string, state *MergeRequestState, search *string, sourceBranches, targetBranches,
	labels []string, authorUsername *string, draft *bool) (service.MergeRequestQuery, error) {
	qy := service.MergeRequestQuery{IssueQuery: service.IssueQuery{Page: 1, OrderBy: "created_at", Sort: "desc",
		AuthorUsername: authorUsername, Labels: labels}, Draft: draft}
	for _, s := range iids {
		n, err := parseIID(s)
		if err != nil {
			return qy, err
		}
		qy.IIDs = append(qy.IIDs, n)
	}
	if state != nil {
		qy.MRState = string(*state)
	}
	if search != nil {
		qy.Search = *search
	}
	var err error
	if qy.SourceBranch, err = oneBranch("sourceBranches", sourceBranches); err != nil {
		return qy, err
	}
	if qy.TargetBranch, err = oneBranch("targetBranches", targetBranches); err != nil {
		return qy, err
	}
	return qy, nil
}

func issueConnection(nodes []*Issue, pg page, total int) *IssueConnection {
	c := &IssueConnection{Count: total, Nodes: nodes, PageInfo: pageInfo(pg, len(nodes), pg.offset+len(nodes) < total)}
	for n, node := range nodes {
		c.Edges = append(c.Edges, &IssueEdge{Cursor: cursor(pg.offset + n), Node: node})
	}
	return c
}

func mergeRequestConnection(nodes []*MergeRequest, pg page, total int) *MergeRequestConnection {
	c := &MergeRequestConnection{Count: total, Nodes: nodes, PageInfo: pageInfo(pg, len(nodes), pg.offset+len(nodes) < total)}
	for n, node := range nodes {
		c.Edges = append(c.Edges, &MergeRequestEdge{Cursor: cursor(pg.offset + n), Node: node})
	}
	return c
}

// pagesByProject gives each project of a page its issuablePage, the
// page's refs (loaded once for all projects) already set.
func pagesByProject[T any](r *Resolver, refs *service.IssueRefs, list []T, projectID func(T) int64,
	set func(*issuablePage, []T)) (map[int64]*issuablePage, error) {
	byProject := map[int64][]T{}
	for _, it := range list {
		byProject[projectID(it)] = append(byProject[projectID(it)], it)
	}
	pages := make(map[int64]*issuablePage, len(byProject))
	for id, items := range byProject {
		p := refs.Projects[id]
		if p == nil {
			return nil, fmt.Errorf("project %d of a listed issuable not found", id)
		}
		pg := &issuablePage{r: r, p: p}
		set(pg, items)
		pg.refsOnce.Do(func() { pg.refs = refs })
		pages[id] = pg
	}
	return pages, nil
}

// issuesAcross renders a page of issues of many projects.
func (r *Resolver) issuesAcross(ctx context.Context, list []*model.Issue) ([]*Issue, error) {
	refs, err := r.svc.LoadIssueRefs(ctx, list)
	if err != nil {
		return nil, fmt.Errorf("load issue refs: %w", err)
	}
	pages, err := pagesByProject(r, refs, list, func(i *model.Issue) int64 { return i.ProjectID },
		func(pg *issuablePage, items []*model.Issue) { pg.issues = items })
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	out := make([]*Issue, len(list))
	for n, i := range list {
		pg := pages[i.ProjectID]
		out[n] = v.issue(pg.p, i, userOf(refs.Users, i.AuthorID))
		out[n].i, out[n].page = issueFields(i), pg
	}
	return out, nil
}

// mergeRequestsAcross renders a page of merge requests of many projects.
func (r *Resolver) mergeRequestsAcross(ctx context.Context, list []*model.MergeRequest) ([]*MergeRequest, error) {
	refs, err := r.svc.LoadMergeRequestRefs(ctx, list)
	if err != nil {
		return nil, fmt.Errorf("load merge request refs: %w", err)
	}
	pages, err := pagesByProject(r, refs, list, func(m *model.MergeRequest) int64 { return m.TargetProjectID },
		func(pg *issuablePage, items []*model.MergeRequest) { pg.mrs = items })
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	out := make([]*MergeRequest, len(list))
	for n, m := range list {
		pg := pages[m.TargetProjectID]
		out[n] = v.mergeRequest(pg.p, m, userOf(refs.Users, m.AuthorID))
		out[n].i, out[n].page = mergeRequestFields(m), pg
	}
	return out, nil
}

// issuesList pages a cross-project issue list.
func (r *Resolver) issuesList(ctx context.Context, qy service.IssueQuery, after, before *string, first, last *int,
	list func(service.IssueQuery) (*service.IssuePage, error)) (*IssueConnection, error) {
	items, pg, total, err := pageOf(after, before, first, last, func(offset, limit int) ([]*model.Issue, int, error) {
		q := qy
		q.Offset, q.PerPage = offset, limit
		page, err := list(q)
		if err != nil {
			return nil, 0, err
		}
		return page.Issues, page.Total, nil
	})
	if hidden(err) {
		return nil, nil // the group invisible
	}
	if err != nil {
		return nil, err
	}
	nodes, err := r.issuesAcross(ctx, items)
	if err != nil {
		return nil, err
	}
	return issueConnection(nodes, pg, total), nil
}

func (r *Resolver) allIssues(ctx context.Context, iid *string, iids []string, state *IssuableState, search *string,
	labelName []*string, authorUsername *string, assigneeUsernames []string, confidential *bool,
	after, before *string, first, last *int) (*IssueConnection, error) {
	qy, err := issueQueryOf(iid, iids, state, search, labelName, authorUsername, assigneeUsernames, confidential)
	if err != nil {
		return nil, err
	}
	if len(qy.IIDs) == 0 && qy.Search == "" && len(qy.Labels) == 0 && qy.AuthorUsername == nil &&
		len(qy.AssigneeUsernames) == 0 && qy.Confidential == nil {
		return nil, errNoFilter
	}
	qy.Scope = "all" // every issue the caller sees, as GitLab's Query.issues
	id := callerOf(ctx)
	return r.issuesList(ctx, qy, after, before, first, last, func(q service.IssueQuery) (*service.IssuePage, error) {
		return r.svc.ListAllIssues(ctx, id, q)
	})
}

func (r *Resolver) groupIssues(ctx context.Context, obj *Group, iid *string, iids []string, state *IssuableState,
	search *string, labelName []*string, authorUsername *string, assigneeUsernames []string, confidential *bool,
	includeSubgroups *bool, after, before *string, first, last *int) (*IssueConnection, error) {
	qy, err := issueQueryOf(iid, iids, state, search, labelName, authorUsername, assigneeUsernames, confidential)
	if err != nil {
		return nil, err
	}
	qy.GroupOnly = includeSubgroups == nil || !*includeSubgroups
	ref, id := strconv.FormatInt(obj.g.ID, 10), callerOf(ctx)
	return r.issuesList(ctx, qy, after, before, first, last, func(q service.IssueQuery) (*service.IssuePage, error) {
		return r.svc.ListGroupIssues(ctx, id, ref, q)
	})
}

func (r *Resolver) groupMergeRequests(ctx context.Context, obj *Group, iids []string, state *MergeRequestState,
	search *string, sourceBranches, targetBranches, labels []string, authorUsername *string, draft *bool,
	includeSubgroups *bool, after, before *string, first, last *int) (*MergeRequestConnection, error) {
	qy, err := mergeRequestQueryOf(iids, state, search, sourceBranches, targetBranches, labels, authorUsername, draft)
	if err != nil {
		return nil, err
	}
	qy.GroupOnly = includeSubgroups == nil || !*includeSubgroups
	ref, id := strconv.FormatInt(obj.g.ID, 10), callerOf(ctx)
	return r.mergeRequestsList(ctx, qy, after, before, first, last, func(q service.MergeRequestQuery) (*service.MergeRequestPage, error) {
		return r.svc.ListGroupMergeRequests(ctx, id, ref, q)
	})
}

// mergeRequestsList pages a cross-project merge request list.
func (r *Resolver) mergeRequestsList(ctx context.Context, qy service.MergeRequestQuery, after, before *string,
	first, last *int, list func(service.MergeRequestQuery) (*service.MergeRequestPage, error)) (*MergeRequestConnection, error) {
	items, pg, total, err := pageOf(after, before, first, last, func(offset, limit int) ([]*model.MergeRequest, int, error) {
		q := qy
		q.Offset, q.PerPage = offset, limit
		page, err := list(q)
		if err != nil {
			return nil, 0, err
		}
		return page.MergeRequests(), page.Total, nil
	})
	if hidden(err) {
		return nil, nil // the group invisible
	}
	if err != nil {
		return nil, err
	}
	nodes, err := r.mergeRequestsAcross(ctx, items)
	if err != nil {
		return nil, err
	}
	return mergeRequestConnection(nodes, pg, total), nil
}

// issueStatusCounts is REST's issues_statistics of a project: the
// issues the filters select, by state, in one count.
func (r *Resolver) issueStatusCounts(ctx context.Context, obj *Project, iid *string, iids []string, search *string,
	labelName []*string, authorUsername *string, assigneeUsernames []string, confidential *bool) (*IssueStatusCountsType, error) {
	qy, err := issueQueryOf(iid, iids, nil, search, labelName, authorUsername, assigneeUsernames, confidential)
	if err != nil {
		return nil, err
	}
	c, err := r.svc.IssueStatistics(ctx, callerOf(ctx), strconv.FormatInt(obj.p.ID, 10), "", qy)
	if hidden(err) {
		return nil, nil // issues off, or the project invisible
	}
	if err != nil {
		return nil, fmt.Errorf("issue status counts: %w", err)
	}
	return &IssueStatusCountsType{All: ptr(int(c.All)), Opened: ptr(int(c.Opened)), Closed: ptr(int(c.Closed))}, nil
}

// issueRelatedMergeRequests is REST's related_merge_requests of one
// issue. GitLab resolves it for one issue per request (FieldCallCount,
// limit 1), which keeps a page of issues from reading it per node.
func (r *Resolver) issueRelatedMergeRequests(ctx context.Context, obj *Issue, after, before *string,
	first, last *int) (*MergeRequestConnection, error) {
	if err := callOnce(ctx, "relatedMergeRequests", "Issue"); err != nil {
		return nil, err
	}
	iid, err := parseIID(obj.Iid)
	if err != nil {
		return nil, err
	}
	qy, err := mergeRequestQueryOf(nil, nil, nil, nil, nil, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	ref, id := strconv.FormatInt(obj.page.p.ID, 10), callerOf(ctx)
	return r.mergeRequestsList(ctx, qy, after, before, first, last, func(q service.MergeRequestQuery) (*service.MergeRequestPage, error) {
		return r.svc.IssueRelatedMergeRequests(ctx, id, ref, iid, q)
	})
}
