package graphql

import (
	"context"
	"strconv"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// A merge request's commits, diff stats and pipelines. Commits and diff
// stats read the repository only (no statement per node: the page's
// merge requests were listed through the service's visibility answers);
// pipelines go through the service's MergeRequestPipelines, which checks
// read_pipeline as REST's …/merge_requests/:iid/pipelines does.

// modelMR is the page's merge request behind obj.
func (obj *MergeRequest) modelMR() *model.MergeRequest {
	for _, m := range obj.page.mrs {
		if m.ID == obj.i.id {
			return m
		}
	}
	return nil
}

func (r *Resolver) mergeRequestCommits(ctx context.Context, obj *MergeRequest, after, before *string,
	first, last *int) (*CommitConnection, error) {
	m := obj.modelMR()
	if m == nil {
		return nil, nil
	}
	all, err := r.svc.ShownMergeRequestCommits(ctx, obj.page.p, m)
	if err != nil {
		return nil, err
	}
	list, pg, err := inMemory(all, after, before, first, last)
	if err != nil {
		return nil, err
	}
	path := obj.page.p.FullPath()
	c := &CommitConnection{Count: len(all), PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < len(all)),
		Nodes: []*Commit{}, Edges: []*CommitEdge{}}
	for i, cm := range list {
		node := r.commit(path, cm)
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &CommitEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}

func (r *Resolver) mergeRequestCommitCount(ctx context.Context, obj *MergeRequest) (*int, error) {
	m := obj.modelMR()
	if m == nil {
		return nil, nil
	}
	all, err := r.svc.ShownMergeRequestCommits(ctx, obj.page.p, m)
	if err != nil {
		return nil, err
	}
	return ptr(len(all)), nil
}

func (r *Resolver) mergeRequestDiffStats(ctx context.Context, obj *MergeRequest, path *string) ([]*DiffStats, error) {
	m := obj.modelMR()
	if m == nil {
		return nil, nil
	}
	stats, err := r.svc.ShownMergeRequestDiffStats(ctx, obj.page.p, m)
	if err != nil {
		return nil, err
	}
	out := []*DiffStats{}
	for _, st := range stats {
		if path == nil || *path == st.Path {
			out = append(out, &DiffStats{Path: st.Path, Additions: st.Additions, Deletions: st.Deletions})
		}
	}
	return out, nil
}

func (r *Resolver) mergeRequestDiffStatsSummary(ctx context.Context, obj *MergeRequest) (*DiffStatsSummary, error) {
	m := obj.modelMR()
	if m == nil {
		return nil, nil
	}
	stats, err := r.svc.ShownMergeRequestDiffStats(ctx, obj.page.p, m)
	if err != nil {
		return nil, err
	}
	s := &DiffStatsSummary{FileCount: len(stats)}
	for _, st := range stats {
		s.Additions += st.Additions
		s.Deletions += st.Deletions
	}
	s.Changes = s.Additions + s.Deletions
	return s, nil
}

func (r *Resolver) mergeRequestPipelines(ctx context.Context, obj *MergeRequest, after, before *string,
	first, last *int) (*PipelineConnection, error) {
	iid, err := strconv.ParseInt(obj.Iid, 10, 64)
	if err != nil {
		return nil, err
	}
	ref, id := service.ProjectRef(obj.page.p), callerOf(ctx)
	list, pg, total, err := pageOf(after, before, first, last, func(offset, limit int) ([]service.PipelineView, int, error) {
		vs, n, err := r.svc.MergeRequestPipelines(ctx, id, ref, iid, limit, offset)
		return vs, int(n), err
	})
	if hidden(err) {
		return nil, nil // CI/CD off, or pipelines not the caller's to read
	}
	if err != nil {
		return nil, err
	}
	pls := make([]*model.Pipeline, len(list))
	for i, v := range list {
		pls[i] = v.Pipeline
	}
	nodes, err := r.pipelinesOf(ctx, obj.page.p, pls)
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	c := &PipelineConnection{Count: total, Nodes: []*Pipeline{}, Edges: []*PipelineEdge{},
		PageInfo: pageInfo(pg, len(nodes), pg.offset+len(nodes) < total)}
	for i, node := range nodes {
		if p := list[i].Project; p.ID != obj.page.p.ID { // a fork's branch pipeline: its own path
			node.Path = v.pipeline(p, list[i].Pipeline, nil).Path
		}
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &PipelineEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}
