package graphql

import (
	"context"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// A group's CI/CD variables (GET /groups/:id/variables) and runners (GET
// /groups/:id/runners) under GitLab's names, through the same service
// calls: who may not read them gets null, as GitLab's authorized fields.

func (r *Resolver) groupCIVariables(ctx context.Context, g *Group, after, before *string, first, last *int) (*CiGroupVariableConnection, error) {
	vars, err := r.svc.ListCIVariables(ctx, callerOf(ctx), model.CIVariableOfGroup, strconv.FormatInt(g.g.ID, 10))
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	list, pg, err := inMemory(vars, after, before, first, last)
	if err != nil {
		return nil, err
	}
	c := &CiGroupVariableConnection{Count: len(vars), PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < len(vars))}
	for i, v := range list {
		node := &CiGroupVariable{ID: gid("Ci::GroupVariable", v.ID), Key: ptr(v.Key),
			VariableType: ptr(CiVariableType(strings.ToUpper(v.VariableType))), Protected: ptr(v.Protected),
			Masked: ptr(v.Masked), Raw: ptr(v.Raw), Hidden: ptr(v.Hidden), EnvironmentScope: ptr(v.EnvironmentScope),
			Description: v.Description}
		if !v.Hidden {
			node.Value = ptr(v.Value) // GitLab never shows a hidden variable's value
		}
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &CiGroupVariableEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}

func (r *Resolver) groupRunners(ctx context.Context, g *Group, typ *CiRunnerType, paused *bool, tags []string,
	after, before *string, first, last *int) (*CiRunnerConnection, error) {
	ref := strconv.FormatInt(g.g.ID, 10)
	return r.runners(ctx, runnerFilter(typ, paused, tags), func(f model.RunnerFilter) (*service.RunnerList, error) {
		return r.svc.ListGroupRunners(ctx, callerOf(ctx), ref, f)
	}, after, before, first, last)
}

// descendantGroups is GET /groups/:id/descendant_groups?all_available=true
// (or, without includeParentDescendants, /subgroups): the visible ones.
func (r *Resolver) descendantGroups(ctx context.Context, g *Group, all, owned *bool, search *string,
	after, before *string, first, last *int) (*GroupConnection, error) {
	// GitLab's GroupsResolver lists every group the caller may see, not
	// only their memberships (REST's all_available).
	o := service.GroupListOptions{Owned: owned != nil && *owned, AllAvailable: ptr(true)}
	if search != nil {
		o.Search = *search
	}
	every := all == nil || *all
	ref := strconv.FormatInt(g.g.ID, 10)
	list := func(o service.GroupListOptions) ([]*model.Namespace, int, error) {
		return r.svc.ListSubgroups(ctx, callerOf(ctx), ref, every, o)
	}
	total := func() (int, error) {
		o := o
		o.Limit = 1
		_, n, err := list(o)
		return n, err
	}
	pg, err := window(after, before, first, last, total)
	if err != nil {
		return nil, err
	}
	o.Offset, o.Limit = pg.offset, pg.limit+1
	gs, n, err := list(o)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	more := len(gs) > pg.limit
	if more {
		gs = gs[:pg.limit]
	}
	c := &GroupConnection{Count: n, PageInfo: pageInfo(pg, len(gs), more)}
	for i, sg := range gs {
		node := r.at(ctx).group(sg)
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &GroupEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}
