package graphql

import (
	"context"
	"strconv"
)

// projectPipelineTriggers is REST's GET /projects/:id/triggers
// (maintainers): its owners come with the list in one read; a caller who
// may not manage triggers gets null, as GitLab's admin_build check.
func (r *Resolver) projectPipelineTriggers(ctx context.Context, obj *Project, after, before *string,
	first, last *int) (*PipelineTriggerConnection, error) {
	all, err := r.svc.ListCITriggers(ctx, callerOf(ctx), strconv.FormatInt(obj.p.ID, 10))
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	list, pg, err := inMemory(all, after, before, first, last)
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	c := &PipelineTriggerConnection{Count: len(all), PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < len(all)),
		Nodes: []*PipelineTrigger{}, Edges: []*PipelineTriggerEdge{}}
	for i, tv := range list {
		t := tv.Trigger
		node := &PipelineTrigger{ID: gid("Ci::Trigger", t.ID), Description: ptr(t.Description), Token: tv.ShownToken(),
			HasTokenExposed: tv.Token != "", Owner: v.userCore(tv.Owner), LastUsed: t.LastUsedAt, ExpiresAt: t.ExpiresAt}
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &PipelineTriggerEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}
