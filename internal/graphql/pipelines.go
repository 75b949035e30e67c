package graphql

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
)

// Pipelines: a project's pipelines through the service REST's pipeline
// routes call (read_pipeline), users loaded once per list.

// activePipelineStatuses are Ci::HasStatus::ACTIVE_STATUSES.
var activePipelineStatuses = []string{"waiting_for_resource", "preparing", "waiting_for_callback", "pending",
	"running", "canceling"}

func (v view) pipeline(p *model.Project, pl *model.Pipeline, user *model.User) *Pipeline {
	path := "/" + p.FullPath() + "/-/pipelines/" + strconv.FormatInt(pl.ID, 10)
	out := &Pipeline{pl: pl, ID: gid("Ci::Pipeline", pl.ID), Iid: strconv.FormatInt(pl.IID, 10), Sha: ptr(pl.SHA), Ref: ptr(pl.Ref),
		Name: pl.Name, Status: PipelineStatusEnum(strings.ToUpper(pl.Status)), Source: ptr(pl.Source),
		Active: slices.Contains(activePipelineStatuses, pl.Status), CreatedAt: pl.CreatedAt, UpdatedAt: pl.UpdatedAt,
		StartedAt: pl.StartedAt, FinishedAt: pl.FinishedAt, User: v.userCore(user), Path: &path}
	if pl.Duration != nil {
		out.Duration = ptr(int(*pl.Duration))
	}
	if pl.QueuedDuration != nil {
		out.QueuedDuration = ptr(float64(*pl.QueuedDuration))
	}
	return out
}

func (r *Resolver) pipelinesOf(ctx context.Context, p *model.Project, list []*model.Pipeline) ([]*Pipeline, error) {
	users, err := usersOf(ctx, r, list, func(pl *model.Pipeline) *int64 { return pl.UserID })
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	out := make([]*Pipeline, len(list))
	for n, pl := range list {
		out[n] = v.pipeline(p, pl, userOf(users, pl.UserID))
	}
	newPipelinePage(p, out)
	return out, nil
}

func (r *Resolver) projectPipelines(ctx context.Context, obj *Project, status *PipelineStatusEnum, ref, sha, source *string,
	after, before *string, first, last *int) (*PipelineConnection, error) {
	f := model.PipelineFilter{OrderBy: "id", Sort: "desc"}
	if status != nil {
		f.Status = strings.ToLower(string(*status))
	}
	for dst, v := range map[*string]*string{&f.Ref: ref, &f.SHA: sha, &f.Source: source} {
		if v != nil {
			*dst = *v
		}
	}
	pref := strconv.FormatInt(obj.p.ID, 10)
	id := callerOf(ctx)
	list, pg, total, err := pageOf(after, before, first, last, func(offset, limit int) ([]*model.Pipeline, int, error) {
		f := f
		f.Offset, f.Limit = offset, limit
		_, ps, n, err := r.svc.ListPipelines(ctx, id, pref, f)
		return ps, int(n), err
	})
	if hidden(err) {
		return nil, nil // CI/CD off, or the project invisible
	}
	if err != nil {
		return nil, err
	}
	nodes, err := r.pipelinesOf(ctx, obj.p, list)
	if err != nil {
		return nil, err
	}
	c := &PipelineConnection{Count: total, Nodes: nodes, PageInfo: pageInfo(pg, len(nodes), pg.offset+len(nodes) < total)}
	for i, node := range nodes {
		c.Edges = append(c.Edges, &PipelineEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}

func (r *Resolver) projectPipeline(ctx context.Context, obj *Project, gidText string) (*Pipeline, error) {
	n, err := parseGID("Ci::Pipeline", gidText)
	if err != nil {
		return nil, err
	}
	pv, err := r.svc.Pipeline(ctx, callerOf(ctx), strconv.FormatInt(obj.p.ID, 10), n)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	nodes, err := r.pipelinesOf(ctx, pv.Project, []*model.Pipeline{pv.Pipeline})
	if err != nil {
		return nil, err
	}
	return nodes[0], nil
}
