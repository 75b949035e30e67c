package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
	"github.com/riverqueue/river"
)

// Project statistics (GitLab's project_statistics): stored figures,
// refreshed by a River job of their own queue after what changes them
// and read as stored. A change counts a refresh as asked for, then
// queues a job; a job finding the stored figures answer every refresh
// asked for (a job queued meanwhile did the work) does nothing, so a
// burst of pushes costs one computation and a statement per other job.
const statisticsQueue = "project_statistics"

// statisticsArgs is one refresh of one project's statistics.
type statisticsArgs struct {
	ProjectID int64 `json:"project_id"`
}

func (statisticsArgs) Kind() string { return "project_statistics" }

// statisticsWorker refreshes a project's statistics.
type statisticsWorker struct {
	river.WorkerDefaults[statisticsArgs]
	s *Service
}

func (w statisticsWorker) Work(ctx context.Context, job *river.Job[statisticsArgs]) error {
	return w.s.refreshStatistics(ctx, job.Args.ProjectID)
}

// statisticsChanged asks for a refresh of a project's statistics after
// a change to what they measure. A failure is logged: the change has
// landed, and the next one refreshes them.
func (s *Service) statisticsChanged(ctx context.Context, projectID int64) {
	if s.hookQueue == nil {
		return
	}
	// One transaction, so on SQLite the request and its job join the
	// group commit instead of taking the write lock twice on their own.
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := q.RequestStatisticsRefresh(ctx, projectID); err != nil {
			return err
		}
		return s.insertJobs(ctx, q, []river.InsertManyParams{{Args: statisticsArgs{ProjectID: projectID},
			InsertOpts: &river.InsertOpts{Queue: statisticsQueue, MaxAttempts: 3}}})
	})
	if err != nil {
		s.log.Warn("project statistics refresh", "project", projectID, "err", err)
	}
}

// refreshStatistics computes and stores a project's statistics unless
// they answer every refresh asked for already.
func (s *Service) refreshStatistics(ctx context.Context, projectID int64) error {
	q := s.db.Queries()
	requested, due, err := q.StatisticsRefreshDue(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) || err == nil && !due {
		return nil // the project is gone, or a job did this one's work
	}
	if err != nil {
		return err
	}
	st, err := q.ProjectStorageSums(ctx, projectID)
	if err != nil {
		return err
	}
	r := s.repos.Open(projectID)
	if st.RepositorySize, err = r.DiskSize(); err != nil {
		return err
	}
	if r.Exists() {
		head, err := r.DefaultBranch(ctx)
		if err != nil {
			return fmt.Errorf("service: statistics: %w", err)
		}
		if st.CommitCount, err = r.CommitCount(ctx, head); err != nil {
			return err
		}
	}
	if st.WikiSize, err = s.repos.OpenWiki(repo.ProjectWiki, projectID).DiskSize(); err != nil {
		return err
	}
	snippets, err := q.ProjectSnippetIDs(ctx, projectID)
	if err != nil {
		return err
	}
	for _, id := range snippets {
		n, err := s.repos.OpenSnippet(id).DiskSize()
		if err != nil {
			return err
		}
		st.SnippetsSize += n
	}
	return q.SaveProjectStatistics(ctx, projectID, requested, st)
}

// ProjectStatistics returns the stored statistics of those of projects
// the caller may read them of (read_statistics: Reporter and above, or an
// administrator), keyed by project id, in one statement; levels holds the
// caller's level on each project. A project nothing has been measured of
// yet answers zeros.
func (s *Service) ProjectStatistics(ctx context.Context, id *auth.Identity, projects []*model.Project,
	levels map[int64]access.Level) (map[int64]*model.ProjectStatistics, error) {
	var ids []int64
	for _, p := range projects {
		level := levels[p.ID]
		if id.IsAdmin() {
			level = access.Admin
		}
		if ProjectCan(id, p, level, access.ReadStatistics) {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) == 0 {
		return map[int64]*model.ProjectStatistics{}, nil
	}
	got, err := s.db.Queries().ProjectStatisticsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, pid := range ids {
		if got[pid] == nil {
			got[pid] = &model.ProjectStatistics{}
		}
	}
	return got, nil
}
