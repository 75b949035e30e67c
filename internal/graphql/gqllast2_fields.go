package graphql

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/lablet/lablet/internal/repo"
)

// Pipeline.testReportSummary, Project.ciJobTokenScope and Tree.lastCommit
// through the service calls their REST routes make.

// pipelineTestReportSummary is REST's …/test_report_summary. Each
// pipeline reads its junit artifacts, so lablet answers it for one
// pipeline per request, which keeps a pipeline list free of N+1 reads.
func (r *Resolver) pipelineTestReportSummary(ctx context.Context, obj *Pipeline) (*TestReportSummary, error) {
	if err := callOnce(ctx, "testReportSummary", "Pipeline"); err != nil {
		return nil, err
	}
	sum, err := r.svc.PipelineTestReportSummary(ctx, callerOf(ctx), strconv.FormatInt(obj.pl.ProjectID, 10), obj.pl.ID)
	if hidden(err) {
		return &TestReportSummary{Total: &TestReportTotal{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("test report summary: %w", err)
	}
	t := sum.Total
	out := &TestReportSummary{Total: &TestReportTotal{Time: &t.TotalTime, Count: &t.TotalCount, Success: &t.SuccessCount,
		Failed: &t.FailedCount, Skipped: &t.SkippedCount, Error: &t.ErrorCount, SuiteError: t.SuiteError}}
	for _, s := range sum.Suites {
		ids := make([]string, len(s.BuildIDs))
		for i, id := range s.BuildIDs {
			ids[i] = strconv.FormatInt(id, 10)
		}
		out.suites = append(out.suites, &TestSuiteSummary{Name: ptr(s.Name), TotalTime: ptr(s.TotalTime),
			TotalCount: ptr(s.TotalCount), SuccessCount: ptr(s.SuccessCount), FailedCount: ptr(s.FailedCount),
			SkippedCount: ptr(s.SkippedCount), ErrorCount: ptr(s.ErrorCount), SuiteError: s.SuiteError, BuildIds: ids})
	}
	return out, nil
}

func (r *Resolver) testReportSuites(obj *TestReportSummary, after, before *string, first, last *int) (*TestSuiteSummaryConnection, error) {
	list, pg, err := inMemory(obj.suites, after, before, first, last)
	if err != nil {
		return nil, err
	}
	c := &TestSuiteSummaryConnection{Count: len(obj.suites), Nodes: []*TestSuiteSummary{}, Edges: []*TestSuiteSummaryEdge{},
		PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < len(obj.suites))}
	for i, s := range list {
		c.Nodes = append(c.Nodes, s)
		c.Edges = append(c.Edges, &TestSuiteSummaryEdge{Cursor: cursor(pg.offset + i), Node: s})
	}
	return c, nil
}

// projectCiJobTokenScope is REST's job_token_scope allowlists: null for
// a caller below Maintainer, as GitLab's admin_project check.
func (r *Resolver) projectCiJobTokenScope(ctx context.Context, obj *Project) (*CiJobTokenScopeType, error) {
	ref := strconv.FormatInt(obj.p.ID, 10)
	ps, err := r.svc.JobTokenAllowlist(ctx, callerOf(ctx), ref)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("job token allowlist: %w", err)
	}
	gs, err := r.svc.JobTokenGroupsAllowlist(ctx, callerOf(ctx), ref)
	if err != nil {
		return nil, fmt.Errorf("job token groups allowlist: %w", err)
	}
	return &CiJobTokenScopeType{projects: ps, groups: gs, self: obj}, nil
}

func (r *Resolver) jobTokenInbound(ctx context.Context, obj *CiJobTokenScopeType, after, before *string,
	first, last *int) (*ProjectConnection, error) {
	list, pg, err := inMemory(obj.projects, after, before, first, last)
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	ps := make([]*Project, len(list))
	for i, p := range list {
		if p.ID == obj.self.p.ID {
			ps[i] = obj.self
			continue
		}
		// Other projects carry no access level of the caller's: their
		// code fields answer as for a non-member (public code only).
		ps[i] = v.project(p, 0)
	}
	return projectConnection(ps, pg, len(obj.projects), pg.offset+len(list) < len(obj.projects)), nil
}

func (r *Resolver) jobTokenGroups(ctx context.Context, obj *CiJobTokenScopeType, after, before *string,
	first, last *int) (*GroupConnection, error) {
	list, pg, err := inMemory(obj.groups, after, before, first, last)
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	c := &GroupConnection{Count: len(obj.groups), PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < len(obj.groups))}
	for i, g := range list {
		node := v.group(g)
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &GroupEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}

// treeLastCommit is the newest commit that touched the tree's directory,
// from the repository's last-commit cache (a full commit id is cached).
func (r *Resolver) treeLastCommit(ctx context.Context, obj *Tree) (*Commit, error) {
	if obj.sha == "" {
		return nil, nil
	}
	pr, err := r.openRepo(ctx, obj.project)
	if err != nil || pr == nil {
		return nil, err
	}
	c, err := pr.Repo.LastCommitForPath(ctx, obj.sha, obj.path)
	if errors.Is(err, repo.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tree last commit: %w", err)
	}
	return r.commit(obj.project.FullPath, c), nil
}
