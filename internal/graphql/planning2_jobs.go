package graphql

import (
	"context"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Project.jobs through the service call REST's GET /projects/:id/jobs
// makes (who may not read pipelines gets null); a page's pipelines,
// artifacts and runners are read with it, one statement each.

func (r *Resolver) projectJobs(ctx context.Context, obj *Project, statuses []CiJobStatus, after, before *string,
	first, last *int) (*CiJobConnection, error) {
	f := model.JobFilter{}
	for _, s := range statuses {
		f.Scopes = append(f.Scopes, strings.ToLower(string(s)))
	}
	ref := strconv.FormatInt(obj.p.ID, 10)
	hiddenList := false
	list, pg, total, err := pageOf(after, before, first, last, func(offset, limit int) ([]*CiJob, int, error) {
		f.Offset, f.Limit = offset, limit
		views, n, err := r.svc.ListJobs(ctx, callerOf(ctx), ref, f)
		if hidden(err) {
			hiddenList = true
			return nil, 0, nil
		}
		if err != nil {
			return nil, 0, err
		}
		return mapped(views, ciJob), int(n), nil
	})
	if hiddenList {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c := &CiJobConnection{Count: total, PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < total)}
	for i, n := range list {
		c.Nodes = append(c.Nodes, n)
		c.Edges = append(c.Edges, &CiJobEdge{Cursor: cursor(pg.offset + i), Node: n})
	}
	return c, nil
}

// ciJob renders a job the caller may read.
func ciJob(jv *service.JobView) *CiJob {
	j := jv.Job
	sha := j.SHA
	if len(sha) > 8 {
		sha = sha[:8]
	}
	return &CiJob{ID: ptr(gid("Ci::Build", j.ID)), Name: ptr(j.Name), Status: ptr(CiJobStatus(strings.ToUpper(j.Status))),
		Stage: ptr(j.Stage), AllowFailure: j.AllowFailure, RefName: ptr(j.Ref), ShortSha: sha, Tags: j.Tags,
		Retried: ptr(j.Retried), CreatedAt: j.CreatedAt, StartedAt: j.StartedAt, FinishedAt: j.FinishedAt,
		WebPath: ptr("/" + jv.Project.FullPath() + "/-/jobs/" + strconv.FormatInt(j.ID, 10))}
}
