package graphql

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Pipeline.jobs: the jobs of every pipeline of a list load in one read
// (service.PipelinesJobs: ReadPipeline as REST's pipeline jobs route) when
// the first pipeline asks, per set of filter arguments; each pipeline's
// connection windows its own jobs.

// Pipeline is a pipeline the caller may read; page is the list it came in.
type Pipeline struct {
	pl   *model.Pipeline
	page *pipelinePage

	ID             string             `json:"id"`
	Iid            string             `json:"iid"`
	Sha            *string            `json:"sha,omitempty"`
	Ref            *string            `json:"ref,omitempty"`
	Name           *string            `json:"name,omitempty"`
	Status         PipelineStatusEnum `json:"status"`
	Source         *string            `json:"source,omitempty"`
	Active         bool               `json:"active"`
	CreatedAt      time.Time          `json:"createdAt"`
	UpdatedAt      time.Time          `json:"updatedAt"`
	StartedAt      *time.Time         `json:"startedAt,omitempty"`
	FinishedAt     *time.Time         `json:"finishedAt,omitempty"`
	Duration       *int               `json:"duration,omitempty"`
	QueuedDuration *float64           `json:"queuedDuration,omitempty"`
	User           *UserCore          `json:"user,omitempty"`
	Path           *string            `json:"path,omitempty"`
}

// pipelinePage is a list of pipelines of project p.
type pipelinePage struct {
	p   *model.Project
	ids []int64

	mu   sync.Mutex
	jobs map[string]*pipelineJobsLoad
}

type pipelineJobsLoad struct {
	once sync.Once
	jobs map[int64][]*service.JobView
	err  error
}

func newPipelinePage(p *model.Project, nodes []*Pipeline) *pipelinePage {
	pg := &pipelinePage{p: p}
	for _, n := range nodes {
		pg.ids = append(pg.ids, n.pl.ID)
		n.page = pg
	}
	return pg
}

// loadJobs loads the jobs of every pipeline of the page matching f once
// per filter (key).
func (pg *pipelinePage) loadJobs(ctx context.Context, r *Resolver, key string, f model.JobFilter) (map[int64][]*service.JobView, error) {
	pg.mu.Lock()
	if pg.jobs == nil {
		pg.jobs = map[string]*pipelineJobsLoad{}
	}
	l := pg.jobs[key]
	if l == nil {
		l = &pipelineJobsLoad{}
		pg.jobs[key] = l
	}
	pg.mu.Unlock()
	l.once.Do(func() {
		views, err := r.svc.PipelinesJobs(ctx, callerOf(ctx), strconv.FormatInt(pg.p.ID, 10), pg.ids, f)
		if err != nil {
			l.err = err
			return
		}
		l.jobs = map[int64][]*service.JobView{}
		for _, jv := range views {
			l.jobs[jv.Job.PipelineID] = append(l.jobs[jv.Job.PipelineID], jv)
		}
	})
	return l.jobs, l.err
}

// pipelineJobs is Pipeline.jobs: retried null lists every job, false the
// latest ones, true the retried ones (GitLab's JobsResolver).
func (r *Resolver) pipelineJobs(ctx context.Context, obj *Pipeline, statuses []CiJobStatus, retried *bool,
	after, before *string, first, last *int) (*CiJobConnection, error) {
	f := model.JobFilter{IncludeRetried: retried == nil, OnlyRetried: retried != nil && *retried}
	for _, s := range statuses {
		f.Scopes = append(f.Scopes, strings.ToLower(string(s)))
	}
	key := fmt.Sprint(f.Scopes, f.IncludeRetried, f.OnlyRetried)
	jobs, err := obj.page.loadJobs(ctx, r, key, f)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	all := jobs[obj.pl.ID]
	list, w, err := inMemory(all, after, before, first, last)
	if err != nil {
		return nil, err
	}
	nodes := mapped(list, ciJob)
	return &CiJobConnection{Count: len(all), Nodes: nodes, PageInfo: pageInfo(w, len(list), w.offset+len(list) < len(all)),
		Edges: edgesOf(w, nodes, func(c string, n *CiJob) *CiJobEdge { return &CiJobEdge{Cursor: c, Node: n} })}, nil
}
