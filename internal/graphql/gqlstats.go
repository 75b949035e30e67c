package graphql

import (
	"context"
	"sync"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/model"
)

// Project.statistics through the service call REST's statistics=true
// makes (read_statistics: null for who may not). The projects of one
// connection share a projectSet, so the first one's statistics asked for
// load those of the whole page in one statement.

// projectSet is the projects of one connection page.
type projectSet struct {
	projects []*Project
	once     sync.Once
	stats    map[int64]*model.ProjectStatistics
	err      error
}

// shareSet gives the projects of a page one set.
func shareSet(ps []*Project) {
	set := &projectSet{projects: ps}
	for _, p := range ps {
		p.set = set
	}
}

func (r *Resolver) projectStatistics(ctx context.Context, obj *Project) (*ProjectStatistics, error) {
	set := obj.set
	if set == nil {
		set = &projectSet{projects: []*Project{obj}}
		obj.set = set
	}
	set.once.Do(func() {
		ps := make([]*model.Project, len(set.projects))
		levels := make(map[int64]access.Level, len(set.projects))
		for i, p := range set.projects {
			ps[i] = p.p
			levels[p.p.ID] = access.Level(p.level)
		}
		set.stats, set.err = r.svc.ProjectStatistics(ctx, callerOf(ctx), ps, levels)
	})
	if set.err != nil {
		return nil, set.err
	}
	st := set.stats[obj.p.ID]
	if st == nil {
		return nil, nil
	}
	f := func(n int64) *float64 { v := float64(n); return &v }
	return &ProjectStatistics{BuildArtifactsSize: float64(st.BuildArtifactsSize), CommitCount: float64(st.CommitCount),
		ContainerRegistrySize: f(st.ContainerRegistrySize), LfsObjectsSize: float64(st.LFSObjectsSize),
		PackagesSize: float64(st.PackagesSize), PipelineArtifactsSize: f(st.PipelineArtifactsSize),
		RepositorySize: float64(st.RepositorySize), SnippetsSize: f(st.SnippetsSize), StorageSize: float64(st.StorageSize()),
		UploadsSize: f(st.UploadsSize), WikiSize: f(st.WikiSize)}, nil
}
