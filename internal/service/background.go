package service

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/lablet/lablet/internal/store"
)

// Periods of the background work. Each runs as a River periodic job
// (RunBackground), enqueued by the elected leader among the instances
// sharing the database, so it runs once per period whatever their number.
const (
	// purgeInterval: scheduled deletions of projects and groups.
	purgeInterval = time.Second
	// ciHousekeepingInterval: delayed jobs start within about this much
	// of their time.
	ciHousekeepingInterval = time.Second
	// artifactExpiryInterval: expired artifacts already answer 404; this
	// only bounds how long their files stay on disk.
	artifactExpiryInterval = 5 * time.Second
	// housekeepingInterval: expired sessions, OAuth grants and shares.
	housekeepingInterval = 10 * time.Minute
)

// expiredGrace keeps expired OAuth grants a day longer, so a late replay of
// a code still meets its record (and revokes what it issued).
const expiredGrace = 24 * time.Hour

// Job queue settings. Fetching polls (no LISTEN on SQLite, nor through
// database/sql on PostgreSQL): every half second is a few cheap statements
// while idle and lets a periodic job start within that of its enqueueing.
const (
	queueFetchInterval = 500 * time.Millisecond
	// queueJobTimeout bounds one run of background work but a purge's,
	// which may repack forks and is not bounded.
	queueJobTimeout = time.Minute
	// queueRescueAfter is when a run still marked running (its instance
	// crashed) is given up, so the next run of its kind may start.
	queueRescueAfter = 2 * queueJobTimeout
	// queueRetention keeps finished runs of the periodic work briefly:
	// they are a log, not state.
	queueRetention = 10 * time.Minute
	// queueStopTimeout is how long a stop waits for running work before
	// cancelling it.
	queueStopTimeout = 5 * time.Second
)

// The background work's job kinds. Their args are empty: each run does
// whatever is due when it runs.
type (
	purgeArgs          struct{}
	ciHousekeepingArgs struct{}
	artifactExpiryArgs struct{}
	housekeepingArgs   struct{}
)

func (purgeArgs) Kind() string          { return "purge_deleted" }
func (ciHousekeepingArgs) Kind() string { return "ci_housekeeping" }
func (artifactExpiryArgs) Kind() string { return "expire_artifacts" }
func (housekeepingArgs) Kind() string   { return "housekeeping" }

// periodicOpts makes at most one run of a kind wait or run at a time (a
// slow run is not stacked up behind; one cut by a crash holds its kind
// until River rescues it, queueRescueAfter) and drops a failed run: the
// next period tries again.
func periodicOpts() *river.InsertOpts {
	return &river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled,
	}}}
}

// worker runs a service method for each run of a kind, within timeout
// (0: the client's queueJobTimeout; -1: none).
type worker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	work    func(context.Context) error
	timeout time.Duration
}

func (w worker[T]) Work(ctx context.Context, _ *river.Job[T]) error { return w.work(ctx) }

func (w worker[T]) Timeout(*river.Job[T]) time.Duration { return w.timeout }

// periodic is one periodic job of the background work: its args, its
// period, the service method a run calls and the run's timeout. due, when
// set, is asked first (reads only) and a period with nothing due queues no
// run: River's bookkeeping of a run is three writes, and on SQLite every
// write empties the page caches of the readers, so an idle instance that
// queued a run each second would slow every first read and write its
// database file all day.
func periodic[T river.JobArgs](ctx context.Context, workers *river.Workers, args T, every time.Duration,
	work func(context.Context) error, timeout time.Duration, due func(context.Context) (bool, error)) *river.PeriodicJob {
	river.AddWorker(workers, worker[T]{work: work, timeout: timeout})
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			if due != nil && !isDue(ctx, due) {
				return nil, nil
			}
			return args, periodicOpts()
		},
		&river.PeriodicJobOpts{RunOnStart: true})
}

// dueLookahead is how far ahead of now a due check of a job run every
// period looks. River asks a little before the period's time, and the run
// it queues starts a fetch poll later, when it takes whatever is due by
// then: work falling due in that gap counts as due now, or it would wait
// a whole period longer than before the checks.
func dueLookahead(period time.Duration) time.Duration { return period + queueFetchInterval }

// dueProbeTimeout bounds a due check: River's enqueuer waits for it.
const dueProbeTimeout = 250 * time.Millisecond

// isDue asks due, within dueProbeTimeout; a check that fails queues the
// run, which finds out for itself.
func isDue(ctx context.Context, due func(context.Context) (bool, error)) bool {
	ctx, cancel := context.WithTimeout(ctx, dueProbeTimeout)
	defer cancel()
	ok, err := due(ctx)
	return ok || err != nil
}

// newBackgroundQueue builds the River client that runs the background work.
// ctx is the context of the due checks.
func (s *Service) newBackgroundQueue(ctx context.Context) (*river.Client[*sql.Tx], error) {
	workers := river.NewWorkers()
	jobs := []*river.PeriodicJob{
		// A purge cut short would leave a deleted project's repository
		// on disk: its row is gone by then.
		periodic(ctx, workers, purgeArgs{}, purgeInterval, s.purgeDeleted, -1, s.purgeDue),
		periodic(ctx, workers, ciHousekeepingArgs{}, ciHousekeepingInterval, s.ciHousekeeping, 0, s.ciHousekeepingDue),
		periodic(ctx, workers, artifactExpiryArgs{}, artifactExpiryInterval, s.expireArtifacts, 0, s.artifactExpiryDue),
		periodic(ctx, workers, housekeepingArgs{}, housekeepingInterval, s.Housekeeping, 0, nil),
	}
	s.backgroundWorkers.Store(int64(len(jobs) + hookWorkers + 1 + mailWorkers + importExportWorkers + 1))
	river.AddWorker(workers, hookWorker{s: s})
	river.AddWorker(workers, repoHousekeepingWorker{s: s})
	river.AddWorker(workers, emailsOnPushWorker{s: s})
	river.AddWorker(workers, pipelinesEmailWorker{s: s})
	river.AddWorker(workers, projectExportWorker{s: s})
	river.AddWorker(workers, projectImportWorker{s: s})
	river.AddWorker(workers, groupExportWorker{s: s})
	river.AddWorker(workers, statisticsWorker{s: s})
	c, err := river.NewClient(s.db.JobQueueDriver(), &river.Config{
		Logger:       quietLogger(s.log),
		Workers:      workers,
		PeriodicJobs: jobs,
		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: len(jobs)},
			hookQueueName: {MaxWorkers: hookWorkers}, repoHousekeepingQueue: {MaxWorkers: 1},
			mailQueueName: {MaxWorkers: mailWorkers}, importExportQueue: {MaxWorkers: importExportWorkers},
			statisticsQueue: {MaxWorkers: 1}},
		PollOnly:                    true,
		FetchPollInterval:           queueFetchInterval,
		JobTimeout:                  queueJobTimeout,
		RescueStuckJobsAfter:        queueRescueAfter,
		CompletedJobRetentionPeriod: queueRetention,
		DiscardedJobRetentionPeriod: time.Hour,
		SoftStopTimeout:             queueStopTimeout,
	})
	if err != nil {
		return nil, fmt.Errorf("service: job queue: %w", err)
	}
	return c, nil
}

// quietLogger passes River's warnings and errors to log and drops its
// routine info lines (a line per queue every few seconds).
func quietLogger(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(minLevel{log.Handler(), slog.LevelWarn})
}

// minLevel is a handler that passes records of at least level to h.
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(attrs), h.level}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.level}
}

// RunBackground runs the background work (deletions, delayed and stuck CI
// jobs, artifact expiry, housekeeping) on River until ctx ends, then stops
// River and returns once its work has stopped.
func (s *Service) RunBackground(ctx context.Context) error {
	// Jobs' contexts derive from the start context: their statements
	// are background work.
	ctx = store.Background(ctx)
	c, err := s.newBackgroundQueue(ctx)
	if err != nil {
		return err
	}
	// River stops on Stop below, not on ctx: a cancelled start context
	// would cancel the final writes of running work too.
	if err := c.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("service: start job queue: %w", err)
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*queueStopTimeout)
	defer cancel()
	if err := c.Stop(stopCtx); err != nil {
		return fmt.Errorf("service: stop job queue: %w", err)
	}
	return nil
}

// purgeDue reports whether a project or group waits for its deletion.
func (s *Service) purgeDue(ctx context.Context) (bool, error) {
	q := s.db.Queries()
	projects, err := q.ProjectIDsMarkedForDeletion(ctx, 1)
	if err != nil || len(projects) > 0 {
		return true, err
	}
	groups, err := q.GroupIDsMarkedForDeletion(ctx)
	return len(groups) > 0, err
}

// purgeDeleted carries out scheduled deletions: projects, then groups.
func (s *Service) purgeDeleted(ctx context.Context) error {
	if err := s.PurgeDeletedProjects(ctx); err != nil {
		return fmt.Errorf("purge projects: %w", err)
	}
	if err := s.PurgeDeletedGroups(ctx); err != nil {
		return fmt.Errorf("purge groups: %w", err)
	}
	return nil
}

// Housekeeping removes expired sessions, expired OAuth grants and webhook
// delivery logs past their retention.
func (s *Service) Housekeeping(ctx context.Context) error {
	now := s.Now()
	if err := s.purgeHookLogs(ctx); err != nil {
		return err
	}
	if err := s.db.Queries().DeleteExpiredSessions(ctx, now); err != nil {
		return err
	}
	if err := s.DeleteExpiredGroupLinks(ctx); err != nil {
		return err
	}
	if err := s.deleteExpiredRateLimits(ctx); err != nil {
		return err
	}
	if err := s.failStuckTransfers(ctx); err != nil {
		return err
	}
	return s.db.Queries().DeleteExpiredOAuthGrants(ctx, now.Add(-expiredGrace))
}
