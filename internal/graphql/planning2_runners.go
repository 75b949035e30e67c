package graphql

import (
	"context"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Runners: Query.runners (GET /runners/all, administrators) and
// Project.runners (GET /projects/:id/runners, Maintainers) through the
// same service calls; who may not list them gets null.

func runnerFilter(typ *CiRunnerType, paused *bool, tags []string) model.RunnerFilter {
	f := model.RunnerFilter{Paused: paused, Tags: tags}
	if typ != nil {
		f.Type = strings.ToLower(string(*typ))
	}
	return f
}

func (r *Resolver) runners(ctx context.Context, f model.RunnerFilter, list func(model.RunnerFilter) (*service.RunnerList, error),
	after, before *string, first, last *int) (*CiRunnerConnection, error) {
	hiddenList := false
	items, pg, total, err := pageOf(after, before, first, last, func(offset, limit int) ([]*model.Runner, int, error) {
		f.Offset, f.Limit = offset, limit
		l, err := list(f)
		if hidden(err) {
			hiddenList = true
			return nil, 0, nil
		}
		if err != nil {
			return nil, 0, err
		}
		return l.Runners, l.Total, nil
	})
	if hiddenList {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c := &CiRunnerConnection{Count: total, PageInfo: pageInfo(pg, len(items), pg.offset+len(items) < total)}
	for i, rn := range items {
		node := &CiRunner{ID: gid("Ci::Runner", rn.ID), Description: ptr(rn.Description),
			RunnerType: CiRunnerType(strings.ToUpper(rn.RunnerType)), Paused: rn.Paused, Locked: ptr(rn.Locked),
			RunUntagged: rn.RunUntagged, TagList: rn.Tags, AccessLevel: strings.ToUpper(rn.AccessLevel),
			MaximumTimeout: rn.MaximumTimeout, ContactedAt: rn.ContactedAt, CreatedAt: ptr(rn.CreatedAt)}
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &CiRunnerEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}

func (r *Resolver) allRunners(ctx context.Context, typ *CiRunnerType, paused *bool, tags []string, after, before *string,
	first, last *int) (*CiRunnerConnection, error) {
	return r.runners(ctx, runnerFilter(typ, paused, tags), func(f model.RunnerFilter) (*service.RunnerList, error) {
		return r.svc.ListAllRunners(ctx, callerOf(ctx), f)
	}, after, before, first, last)
}

func (r *Resolver) projectRunners(ctx context.Context, obj *Project, typ *CiRunnerType, paused *bool, tags []string,
	after, before *string, first, last *int) (*CiRunnerConnection, error) {
	ref := strconv.FormatInt(obj.p.ID, 10)
	return r.runners(ctx, runnerFilter(typ, paused, tags), func(f model.RunnerFilter) (*service.RunnerList, error) {
		return r.svc.ListProjectRunners(ctx, callerOf(ctx), ref, f)
	}, after, before, first, last)
}
