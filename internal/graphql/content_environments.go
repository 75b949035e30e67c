package graphql

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/lablet/lablet/internal/model"
)

// Environments: a project's environments through the environment service
// REST's routes call (read_environment); a page's last deployments load
// in one read.

// environmentPage is one page of environments of a project.
type environmentPage struct {
	p    *model.Project
	envs []*model.Environment

	mu   sync.Mutex
	last map[string]*lastDeployments // by status
}

func (v view) environment(pg *environmentPage, e *model.Environment) *Environment {
	out := &Environment{e: e, pg: pg, ID: gid("Environment", e.ID), Name: e.Name, Slug: nonEmpty(e.Slug), State: e.State,
		ExternalURL: e.ExternalURL, Path: "/" + pg.p.FullPath() + "/-/environments/" + strconv.FormatInt(e.ID, 10),
		CreatedAt: ptr(e.CreatedAt), UpdatedAt: ptr(e.UpdatedAt), AutoStopAt: e.AutoStopAt}
	if e.Tier != "" {
		out.Tier = ptr(DeploymentTier(strings.ToUpper(e.Tier)))
	}
	if folder, _, ok := strings.Cut(e.Name, "/"); ok {
		out.EnvironmentType = &folder
	}
	return out
}

// environmentLastDeployment is GitLab's last_<status>_deployment (it
// takes every DeploymentStatus), loaded for the whole page once a status.
func (r *Resolver) environmentLastDeployment(ctx context.Context, obj *Environment, status DeploymentStatus) (*Deployment, error) {
	last, err := obj.pg.lastIn(ctx, r, strings.ToLower(string(status)))
	if err != nil {
		return nil, err
	}
	d := last[obj.e.ID]
	if d == nil {
		return nil, nil
	}
	return r.at(ctx).deployment(d), nil
}

// maxEnvironments bounds a list filtered by several states.
const maxEnvironments = 10_000

// environments lists the project's environments; several states are
// filtered over the whole (small) list, one state by the service.
func (r *Resolver) environments(ctx context.Context, obj *Project, name, search *string, states []string,
	after, before *string, first, last *int) ([]*model.Environment, page, int, error) {
	f := model.EnvironmentFilter{}
	if name != nil {
		f.Name = *name
	}
	if search != nil {
		f.Search = *search
	}
	if len(states) == 1 {
		f.State = states[0]
	}
	pref := strconv.FormatInt(obj.p.ID, 10)
	list := func(offset, limit int) ([]*model.Environment, int, error) {
		views, n, err := r.svc.ListEnvironments(ctx, callerOf(ctx), pref, f, limit, offset)
		out := make([]*model.Environment, len(views))
		for i, v := range views {
			out[i] = v.Environment
		}
		return out, int(n), err
	}
	if len(states) <= 1 {
		return pageOf(after, before, first, last, list)
	}
	all, _, err := list(0, maxEnvironments)
	if err != nil {
		return nil, page{}, 0, err
	}
	all = slices.DeleteFunc(all, func(e *model.Environment) bool { return !slices.Contains(states, e.State) })
	items, w, err := inMemory(all, after, before, first, last)
	return items, w, len(all), err
}

func (r *Resolver) projectEnvironments(ctx context.Context, obj *Project, name, search *string, states []string,
	after, before *string, first, last *int) (*EnvironmentConnection, error) {
	items, w, total, err := r.environments(ctx, obj, name, search, states, after, before, first, last)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	pg := &environmentPage{p: obj.p, envs: items}
	v := r.at(ctx)
	nodes := mapped(items, func(e *model.Environment) *Environment { return v.environment(pg, e) })
	return &EnvironmentConnection{Count: total, Nodes: nodes, PageInfo: pageInfo(w, len(items), w.offset+len(items) < total),
		Edges: edgesOf(w, nodes, func(c string, n *Environment) *EnvironmentEdge { return &EnvironmentEdge{Cursor: c, Node: n} })}, nil
}

func (r *Resolver) projectEnvironment(ctx context.Context, obj *Project, name, search *string, states []string) (*Environment, error) {
	items, _, _, err := r.environments(ctx, obj, name, search, states, nil, nil, ptr(1), nil)
	if hidden(err) || err == nil && len(items) == 0 {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return r.at(ctx).environment(&environmentPage{p: obj.p, envs: items}, items[0]), nil
}
