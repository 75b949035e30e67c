package graphql

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Environment.deployments through the service REST's deployments route
// calls (read_deployment: null for who may not). GitLab resolves it for
// one environment per request (FieldCallCount, limit 1), which is what
// keeps it free of N+1 reads; lablet answers the same error.

// maxDeployments bounds a list filtered by several statuses.
const maxDeployments = 10_000

// callOnce counts a call of field on typ in this request: an error past
// the first, in GitLab's words.
func callOnce(ctx context.Context, field, typ string) error {
	l := loaderOf(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.calls == nil {
		l.calls = map[string]int{}
	}
	l.calls[typ+"."+field]++
	if l.calls[typ+"."+field] > 1 {
		return fmt.Errorf("%q field can be requested only for 1 %s(s) at a time.", field, typ)
	}
	return nil
}

func (v view) deployment(d *service.DeploymentView) *Deployment {
	dep := d.Deployment
	return &Deployment{ID: gid("Deployment", dep.ID), Iid: ptr(strconv.FormatInt(dep.IID, 10)), Ref: ptr(dep.Ref),
		Sha: ptr(dep.SHA), Tag: ptr(dep.Tag), Status: ptr(DeploymentStatus(strings.ToUpper(dep.Status))),
		CreatedAt: ptr(dep.CreatedAt), UpdatedAt: ptr(dep.UpdatedAt), FinishedAt: dep.FinishedAt,
		Triggerer: v.userCore(d.User)}
}

// environmentDeployments lists obj's deployments, oldest first unless
// orderBy says otherwise (GitLab's DeploymentsFinder: id ascending).
func (r *Resolver) environmentDeployments(ctx context.Context, obj *Environment, statuses []DeploymentStatus,
	orderBy *DeploymentsOrderByInput, after, before *string, first, last *int) (*DeploymentConnection, error) {
	if err := callOnce(ctx, "deployments", "Environment"); err != nil {
		return nil, err
	}
	f := model.DeploymentFilter{EnvironmentID: obj.e.ID, OrderBy: "id"}
	if orderBy != nil {
		switch {
		case orderBy.CreatedAt != nil && orderBy.FinishedAt != nil:
			return nil, fmt.Errorf("orderBy takes one of createdAt and finishedAt")
		case orderBy.CreatedAt != nil:
			f.OrderBy, f.Desc = "created_at", *orderBy.CreatedAt == SortDirectionEnumDesc
		case orderBy.FinishedAt != nil:
			f.OrderBy, f.Desc = "finished_at", *orderBy.FinishedAt == SortDirectionEnumDesc
		}
	}
	want := mapped(statuses, func(s DeploymentStatus) string { return strings.ToLower(string(s)) })
	if len(want) == 1 {
		f.Status = want[0]
	}
	ref := strconv.FormatInt(obj.pg.p.ID, 10)
	list := func(offset, limit int) ([]*service.DeploymentView, int, error) {
		f.Offset, f.Limit = offset, limit
		views, n, err := r.svc.ListDeployments(ctx, callerOf(ctx), ref, service.DeploymentQuery{DeploymentFilter: f})
		return views, int(n), err
	}
	var items []*service.DeploymentView
	var w page
	var total int
	var err error
	if len(want) <= 1 {
		items, w, total, err = pageOf(after, before, first, last, list)
	} else {
		var all []*service.DeploymentView
		if all, _, err = list(0, maxDeployments); err == nil {
			all = slices.DeleteFunc(all, func(d *service.DeploymentView) bool { return !slices.Contains(want, d.Deployment.Status) })
			items, w, err = inMemory(all, after, before, first, last)
			total = len(all)
		}
	}
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	nodes := mapped(items, v.deployment)
	return &DeploymentConnection{Count: total, Nodes: nodes, PageInfo: pageInfo(w, len(items), w.offset+len(items) < total),
		Edges: edgesOf(w, nodes, func(c string, n *Deployment) *DeploymentEdge { return &DeploymentEdge{Cursor: c, Node: n} })}, nil
}

// lastDeployments is one status's last deployments of a page's
// environments, loaded once.
type lastDeployments struct {
	once sync.Once
	last map[int64]*service.DeploymentView
	err  error
}

func (pg *environmentPage) lastIn(ctx context.Context, r *Resolver, status string) (map[int64]*service.DeploymentView, error) {
	pg.mu.Lock()
	if pg.last == nil {
		pg.last = map[string]*lastDeployments{}
	}
	l := pg.last[status]
	if l == nil {
		l = &lastDeployments{}
		pg.last[status] = l
	}
	pg.mu.Unlock()
	l.once.Do(func() {
		ids := mapped(pg.envs, func(e *model.Environment) int64 { return e.ID })
		l.last, l.err = r.svc.LastDeploymentsIn(ctx, pg.p, ids, status)
	})
	return l.last, l.err
}
