package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Repository housekeeping: git's repack, gc and prune, run by River jobs
// of their own queue, one at a time per instance (they are CPU and disk
// heavy), at most one waiting or running per repository and task. They
// are started by POST /projects/:id/housekeeping and, as GitLab's
// pushes_since_gc counter does, after every so many pushes.
const (
	repoHousekeepingQueue = "repository_housekeeping"
	// repoHousekeepingTimeout bounds one run; a gc of a large repository
	// takes minutes.
	repoHousekeepingTimeout = time.Hour
	// GitLab's housekeeping periods, in pushes: a gc every 200, a full
	// repack every 50, an incremental one every 10.
	housekeepingGCPeriod          = 200
	housekeepingFullRepackPeriod  = 50
	housekeepingIncrementalPeriod = 10
)

// repoHousekeepingArgs is one housekeeping run of one repository.
type repoHousekeepingArgs struct {
	ProjectID int64  `json:"project_id"`
	Task      string `json:"task"`
}

func (repoHousekeepingArgs) Kind() string { return "repository_housekeeping" }

// repoHousekeepingWorker runs a housekeeping task.
type repoHousekeepingWorker struct {
	river.WorkerDefaults[repoHousekeepingArgs]
	s *Service
}

func (w repoHousekeepingWorker) Work(ctx context.Context, job *river.Job[repoHousekeepingArgs]) error {
	task := repo.HousekeepingTask(job.Args.Task)
	err := w.s.repos.Housekeep(ctx, job.Args.ProjectID, task)
	if errors.Is(err, repo.ErrNotFound) {
		return nil // deleted since
	}
	if err != nil {
		return err
	}
	if task == repo.TaskGC {
		return w.s.db.Queries().ResetPushCount(ctx, job.Args.ProjectID)
	}
	return nil
}

func (w repoHousekeepingWorker) Timeout(*river.Job[repoHousekeepingArgs]) time.Duration {
	return repoHousekeepingTimeout
}

// housekeepingTasks maps the API's tasks onto git's: eager is a gc, prune
// removes unreachable objects.
var housekeepingTasks = map[string]repo.HousekeepingTask{"eager": repo.TaskGC, "prune": repo.TaskPrune}

// StartHousekeeping queues a housekeeping task ("eager" or "prune") of a
// project's repository; admin_project. A task of the project already
// waiting or running is a conflict, as GitLab's lease.
func (s *Service) StartHousekeeping(ctx context.Context, id *auth.Identity, ref, task string) error {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return err
	}
	if !ProjectCan(id, p, level, access.AdminProject) {
		return Forbidden("")
	}
	t, ok := housekeepingTasks[task]
	if !ok {
		return ParamError("task does not have a valid value")
	}
	queued, err := s.enqueueHousekeeping(ctx, p.ID, t)
	if err != nil {
		return err
	}
	if !queued {
		return Conflict("Somebody already triggered housekeeping for this resource")
	}
	return nil
}

// enqueueHousekeeping inserts a run of task for a project; false when one
// is waiting or running already.
func (s *Service) enqueueHousekeeping(ctx context.Context, projectID int64, task repo.HousekeepingTask) (bool, error) {
	if s.hookQueue == nil {
		return false, errors.New("service: housekeeping: no job queue")
	}
	res, err := s.hookQueue.Insert(ctx, repoHousekeepingArgs{ProjectID: projectID, Task: string(task)},
		&river.InsertOpts{Queue: repoHousekeepingQueue, MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true,
			ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
				rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}}})
	if err != nil {
		return false, fmt.Errorf("service: enqueue housekeeping: %w", err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// countPushForHousekeeping counts a push towards the repository's
// periodic housekeeping and queues the task its count is due for. A
// failure is logged: the push has landed.
func (s *Service) countPushForHousekeeping(ctx context.Context, projectID int64) {
	n, err := s.db.Queries().CountPush(ctx, projectID)
	if err == nil {
		var task repo.HousekeepingTask
		switch {
		case n%housekeepingGCPeriod == 0:
			task = repo.TaskGC
		case n%housekeepingFullRepackPeriod == 0:
			task = repo.TaskFullRepack
		case n%housekeepingIncrementalPeriod == 0:
			task = repo.TaskIncrementalRepack
		default:
			return
		}
		_, err = s.enqueueHousekeeping(ctx, projectID, task)
	}
	if err != nil {
		s.log.Warn("housekeeping after push", "project", projectID, "err", err)
	}
}

// ProjectStorage is where a project's repository lives (GitLab's
// ProjectRepositoryStorage).
type ProjectStorage struct {
	Project *model.Project
	// DiskPath is the hashed path under the storage, without ".git".
	DiskPath string
}

// RepositoryStorage shows an administrator where a project's repository
// is stored.
func (s *Service) RepositoryStorage(ctx context.Context, id *auth.Identity, ref string) (*ProjectStorage, error) {
	if !id.IsAdmin() {
		return nil, Forbidden("")
	}
	p, _, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	path := repo.HashedPath(p.ID)
	return &ProjectStorage{Project: p, DiskPath: path[:len(path)-len(".git")]}, nil
}

// RepositorySnapshot checks that an administrator may take a snapshot of
// a project's repository (wiki: its wiki's, which lablet does not keep)
// and returns the project and what writes the snapshot.
func (s *Service) RepositorySnapshot(ctx context.Context, id *auth.Identity, ref string, wiki bool) (*model.Project, func(io.Writer) error, error) {
	if !id.IsAdmin() {
		return nil, nil, Forbidden("")
	}
	p, _, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, nil, err
	}
	if wiki {
		return nil, nil, NotFound("Wiki Repository")
	}
	if !s.repos.Open(p.ID).Exists() {
		return nil, nil, NotFound("Repository")
	}
	return p, func(w io.Writer) error { return s.repos.Snapshot(ctx, p.ID, w) }, nil
}
