package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// Pipeline and job events (Gitlab::DataBuilder::Pipeline and Build),
// queued in the transaction that changes the status. Their payloads are
// built only when some hook takes the event.

type hookRunner struct {
	ID          int64    `json:"id"`
	Description string   `json:"description"`
	RunnerType  string   `json:"runner_type"`
	Active      bool     `json:"active"`
	IsShared    bool     `json:"is_shared"`
	Tags        []string `json:"tags"`
}

type hookEnvironment struct {
	Name   string `json:"name"`
	Action string `json:"action"`
}

type hookArtifactsFile struct {
	Filename *string `json:"filename"`
	Size     *int64  `json:"size"`
}

type hookPipelineBuild struct {
	ID             int64             `json:"id"`
	Stage          string            `json:"stage"`
	Name           string            `json:"name"`
	Status         string            `json:"status"`
	CreatedAt      string            `json:"created_at"`
	StartedAt      *string           `json:"started_at"`
	FinishedAt     *string           `json:"finished_at"`
	Duration       *float64          `json:"duration"`
	QueuedDuration *float64          `json:"queued_duration"`
	FailureReason  *string           `json:"failure_reason"`
	When           string            `json:"when"`
	Manual         bool              `json:"manual"`
	AllowFailure   bool              `json:"allow_failure"`
	User           *hookUser         `json:"user"`
	Runner         *hookRunner       `json:"runner"`
	ArtifactsFile  hookArtifactsFile `json:"artifacts_file"`
	Environment    *hookEnvironment  `json:"environment"`
}

type hookPipelineAttrs struct {
	ID             int64            `json:"id"`
	IID            int64            `json:"iid"`
	Name           *string          `json:"name"`
	Ref            string           `json:"ref"`
	Tag            bool             `json:"tag"`
	SHA            string           `json:"sha"`
	BeforeSHA      string           `json:"before_sha"`
	Source         string           `json:"source"`
	Status         string           `json:"status"`
	DetailedStatus string           `json:"detailed_status"`
	Stages         []string         `json:"stages"`
	CreatedAt      string           `json:"created_at"`
	FinishedAt     *string          `json:"finished_at"`
	Duration       *int64           `json:"duration"`
	QueuedDuration *int64           `json:"queued_duration"`
	ProtectedRef   bool             `json:"protected_ref"`
	Variables      []hookCIVariable `json:"variables"`
	URL            string           `json:"url"`
}

type hookCIVariable struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type hookPipelineMR struct {
	ID                  int64  `json:"id"`
	IID                 int64  `json:"iid"`
	Title               string `json:"title"`
	SourceBranch        string `json:"source_branch"`
	SourceProjectID     *int64 `json:"source_project_id"`
	TargetBranch        string `json:"target_branch"`
	TargetProjectID     int64  `json:"target_project_id"`
	State               string `json:"state"`
	MergeStatus         string `json:"merge_status"`
	DetailedMergeStatus string `json:"detailed_merge_status"`
	URL                 string `json:"url"`
}

// hookCICommit is Commit#hook_attrs without the changed files.
type hookCICommit struct {
	ID        string   `json:"id"`
	Message   string   `json:"message"`
	Title     string   `json:"title"`
	Timestamp string   `json:"timestamp"`
	URL       string   `json:"url"`
	Author    hookName `json:"author"`
}

type hookPipelineData struct {
	ObjectKind       string              `json:"object_kind"`
	ObjectAttributes hookPipelineAttrs   `json:"object_attributes"`
	MergeRequest     *hookPipelineMR     `json:"merge_request"`
	User             *hookUser           `json:"user"`
	Project          hookProject         `json:"project"`
	Commit           *hookCICommit       `json:"commit"`
	Builds           []hookPipelineBuild `json:"builds"`
}

type hookJobCommit struct {
	ID          int64   `json:"id"`
	Name        *string `json:"name"`
	SHA         string  `json:"sha"`
	Message     string  `json:"message"`
	AuthorName  string  `json:"author_name"`
	AuthorEmail string  `json:"author_email"`
	AuthorURL   string  `json:"author_url"`
	Status      string  `json:"status"`
	Duration    *int64  `json:"duration"`
	StartedAt   *string `json:"started_at"`
	FinishedAt  *string `json:"finished_at"`
}

type hookJobData struct {
	ObjectKind          string           `json:"object_kind"`
	Ref                 string           `json:"ref"`
	Tag                 bool             `json:"tag"`
	BeforeSHA           string           `json:"before_sha"`
	SHA                 string           `json:"sha"`
	RetriesCount        int              `json:"retries_count"`
	BuildID             int64            `json:"build_id"`
	BuildName           string           `json:"build_name"`
	BuildStage          string           `json:"build_stage"`
	BuildStatus         string           `json:"build_status"`
	BuildCreatedAt      string           `json:"build_created_at"`
	BuildStartedAt      *string          `json:"build_started_at"`
	BuildFinishedAt     *string          `json:"build_finished_at"`
	BuildDuration       *float64         `json:"build_duration"`
	BuildQueuedDuration *float64         `json:"build_queued_duration"`
	BuildAllowFailure   bool             `json:"build_allow_failure"`
	BuildFailureReason  string           `json:"build_failure_reason"`
	PipelineID          int64            `json:"pipeline_id"`
	Runner              *hookRunner      `json:"runner"`
	ProjectID           int64            `json:"project_id"`
	ProjectName         string           `json:"project_name"`
	User                *hookUser        `json:"user"`
	Commit              hookJobCommit    `json:"commit"`
	Repository          hookRepository   `json:"repository"`
	Project             hookProject      `json:"project"`
	Environment         *hookEnvironment `json:"environment"`
}

func hookTimeOf(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(hookTime)
	return &s
}

// jobDurations are a job's run and queue times in seconds, up to now
// while it runs or waits (Ci::Build#duration, #queued_duration).
func jobDurations(j *model.Job, now time.Time) (duration, queued *float64) {
	if j.StartedAt != nil {
		end := now
		if j.FinishedAt != nil {
			end = *j.FinishedAt
		}
		d := end.Sub(*j.StartedAt).Seconds()
		duration = &d
	}
	if j.QueuedAt != nil {
		end := now
		if j.StartedAt != nil {
			end = *j.StartedAt
		}
		d := end.Sub(*j.QueuedAt).Seconds()
		queued = &d
	}
	return duration, queued
}

// pipelineStatusLabel is a pipeline's detailed status label.
func pipelineStatusLabel(status string, warnings bool) string {
	switch {
	case status == model.CIStatusSuccess && warnings:
		return "passed with warnings"
	case status == model.CIStatusSuccess:
		return "passed"
	case status == model.CIStatusManual:
		return "manual action"
	case status == model.CIStatusWaitingForResource:
		return "waiting for resource"
	}
	return status
}

// ciHookLookups loads, once each, the users and runners CI payloads name.
type ciHookLookups struct {
	q       *store.Queries
	users   map[int64]*hookUser
	runners map[int64]*hookRunner
}

func newCIHookLookups(q *store.Queries) *ciHookLookups {
	return &ciHookLookups{q: q, users: map[int64]*hookUser{}, runners: map[int64]*hookRunner{}}
}

func (l *ciHookLookups) user(ctx context.Context, id *int64) (*hookUser, error) {
	if id == nil {
		return nil, nil
	}
	if u, ok := l.users[*id]; ok {
		return u, nil
	}
	u, err := l.q.UserByID(ctx, *id)
	if errors.Is(err, store.ErrNotFound) {
		l.users[*id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	hu := hookUserOf(u)
	l.users[*id] = &hu
	return &hu, nil
}

func (l *ciHookLookups) runner(ctx context.Context, id *int64) (*hookRunner, error) {
	if id == nil {
		return nil, nil
	}
	if r, ok := l.runners[*id]; ok {
		return r, nil
	}
	r, err := l.q.RunnerByID(ctx, *id)
	if errors.Is(err, store.ErrNotFound) {
		l.runners[*id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	tags := r.Tags
	if tags == nil {
		tags = []string{}
	}
	hr := &hookRunner{ID: r.ID, Description: r.Description, RunnerType: r.RunnerType, Active: !r.Paused,
		IsShared: r.RunnerType == "instance_type", Tags: tags}
	l.runners[*id] = hr
	return hr, nil
}

// jobEnvironment is a job's environment keyword as payloads show it.
func jobEnvironment(j *model.Job) *hookEnvironment {
	if j.Environment == nil {
		return nil
	}
	action := "start"
	if spec, err := specOf(j); err == nil && spec.Environment != nil && spec.Environment.Action != "" {
		action = spec.Environment.Action
	}
	return &hookEnvironment{Name: *j.Environment, Action: action}
}

// pipelineCommit reads a pipeline's commit; nil when the repository no
// longer has it.
func (s *Service) pipelineCommit(ctx context.Context, projectID int64, sha string) *repo.Commit {
	found, err := s.repos.Open(projectID).CommitsByID(ctx, []string{sha})
	if err != nil {
		return nil
	}
	return found[sha]
}

// pipelineHookData builds a pipeline's payload from its latest jobs.
func (s *Service) pipelineHookData(ctx context.Context, q *store.Queries, p *model.Project, pl *model.Pipeline, jobs []*model.Job) (*hookPipelineData, error) {
	l := newCIHookLookups(q)
	web := s.hookProjectOf(p).WebURL
	jobs = slices.Clone(jobs)
	slices.SortStableFunc(jobs, func(a, b *model.Job) int { return a.StageIdx - b.StageIdx })
	attrs := hookPipelineAttrs{ID: pl.ID, IID: pl.IID, Name: pl.Name, Ref: pl.Ref, Tag: pl.Tag, SHA: pl.SHA,
		BeforeSHA: pl.BeforeSHA, Source: pl.Source, Status: pl.Status,
		DetailedStatus: pipelineStatusLabel(pl.Status, hasWarnings(jobs)), Stages: []string{},
		CreatedAt: pl.CreatedAt.UTC().Format(hookTime), FinishedAt: hookTimeOf(pl.FinishedAt),
		Duration: pl.Duration, QueuedDuration: pl.QueuedDuration, ProtectedRef: pl.Protected,
		Variables: []hookCIVariable{}, URL: web + "/-/pipelines/" + strconv.FormatInt(pl.ID, 10)}
	vars, err := q.PipelineVariables(ctx, pl.ID)
	if err != nil {
		return nil, err
	}
	for _, v := range vars {
		attrs.Variables = append(attrs.Variables, hookCIVariable{Key: v.Key, Value: v.Value})
	}
	d := &hookPipelineData{ObjectKind: "pipeline", Project: s.hookProjectOf(p), Builds: []hookPipelineBuild{}}
	if d.User, err = l.user(ctx, pl.UserID); err != nil {
		return nil, err
	}
	now := q.Now()
	for _, j := range jobs {
		if j.Type != model.JobTypeBuild && j.Type != model.JobTypeBridge {
			continue
		}
		if !slices.Contains(attrs.Stages, j.Stage) {
			attrs.Stages = append(attrs.Stages, j.Stage)
		}
		b := hookPipelineBuild{ID: j.ID, Stage: j.Stage, Name: j.Name, Status: j.Status,
			CreatedAt: j.CreatedAt.UTC().Format(hookTime), StartedAt: hookTimeOf(j.StartedAt),
			FinishedAt: hookTimeOf(j.FinishedAt), When: j.When, Manual: j.When == "manual",
			AllowFailure: j.AllowFailure, Environment: jobEnvironment(j)}
		b.Duration, b.QueuedDuration = jobDurations(j, now)
		if j.Status == model.CIStatusFailed {
			b.FailureReason = j.FailureReason
		}
		if b.User, err = l.user(ctx, j.UserID); err != nil {
			return nil, err
		}
		if b.Runner, err = l.runner(ctx, j.RunnerID); err != nil {
			return nil, err
		}
		d.Builds = append(d.Builds, b)
	}
	d.ObjectAttributes = attrs
	if pl.MergeRequestID != nil {
		m, err := q.MergeRequestByID(ctx, *pl.MergeRequestID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if m != nil {
			st := StoredMergeState(p, m)
			d.MergeRequest = &hookPipelineMR{ID: m.ID, IID: m.IID, Title: m.Title, SourceBranch: m.SourceBranch,
				SourceProjectID: m.SourceProjectID, TargetBranch: m.TargetBranch, TargetProjectID: m.TargetProjectID,
				State: m.State, MergeStatus: st.Status, DetailedMergeStatus: st.Detailed,
				URL: s.mrAttrs(p, m, "").URL}
		}
	}
	if c := s.pipelineCommit(ctx, p.ID, pl.SHA); c != nil {
		d.Commit = &hookCICommit{ID: c.ID, Message: c.Message, Title: c.Title,
			Timestamp: c.Author.Date.Format(time.RFC3339), URL: web + "/-/commit/" + c.ID,
			Author: hookName{Name: c.Author.Name, Email: c.Author.Email}}
	}
	return d, nil
}

// jobHookData builds a job's payload.
func (s *Service) jobHookData(ctx context.Context, q *store.Queries, p *model.Project, j *model.Job) (*hookJobData, error) {
	pl, err := q.PipelineByID(ctx, j.PipelineID)
	if err != nil {
		return nil, err
	}
	l := newCIHookLookups(q)
	d := &hookJobData{ObjectKind: "build", Ref: j.Ref, Tag: j.Tag, BeforeSHA: pl.BeforeSHA, SHA: j.SHA,
		BuildID: j.ID, BuildName: j.Name, BuildStage: j.Stage, BuildStatus: j.Status,
		BuildCreatedAt: j.CreatedAt.UTC().Format(hookTime), BuildStartedAt: hookTimeOf(j.StartedAt),
		BuildFinishedAt: hookTimeOf(j.FinishedAt), BuildAllowFailure: j.AllowFailure,
		BuildFailureReason: "unknown_failure", PipelineID: pl.ID, ProjectID: p.ID, ProjectName: p.Namespace.FullName + " / " + p.Name,
		Repository: s.hookRepositoryOf(p, true), Project: s.hookProjectOf(p), Environment: jobEnvironment(j)}
	if j.FailureReason != nil {
		d.BuildFailureReason = *j.FailureReason
	}
	d.BuildDuration, d.BuildQueuedDuration = jobDurations(j, q.Now())
	if d.User, err = l.user(ctx, j.UserID); err != nil {
		return nil, err
	}
	if d.Runner, err = l.runner(ctx, j.RunnerID); err != nil {
		return nil, err
	}
	if d.RetriesCount, err = q.JobRetriesCount(ctx, j.PipelineID, j.Name, j.ID); err != nil {
		return nil, err
	}
	d.Commit = hookJobCommit{ID: pl.ID, Name: pl.Name, SHA: pl.SHA, Status: pl.Status, Duration: pl.Duration,
		StartedAt: hookTimeOf(pl.StartedAt), FinishedAt: hookTimeOf(pl.FinishedAt)}
	if c := s.pipelineCommit(ctx, p.ID, pl.SHA); c != nil {
		d.Commit.Message, d.Commit.AuthorName, d.Commit.AuthorEmail = c.Message, c.Author.Name, c.Author.Email
		d.Commit.AuthorURL = "mailto:" + c.Author.Email
	}
	return d, nil
}

func pipelineHookEvent(build func() (any, error)) hookEvent {
	return hookEvent{trigger: "pipeline_hooks", header: "Pipeline Hook", build: build,
		wants: func(h *model.WebHook) bool { return h.Events.Pipeline }}
}

func jobHookEvent(build func() (any, error)) hookEvent {
	return hookEvent{trigger: "job_hooks", header: "Job Hook", build: build,
		wants: func(h *model.WebHook) bool { return h.Events.Job }}
}

// pipelineHooks queues a pipeline's status change in q's transaction: its
// webhooks and its pipeline status email.
func (s *Service) pipelineHooks(ctx context.Context, q *store.Queries, pl *model.Pipeline, jobs []*model.Job) error {
	p, err := q.ProjectByID(ctx, pl.ProjectID)
	if err != nil {
		return err
	}
	err = s.enqueueHookEvent(ctx, q, p, pipelineHookEvent(func() (any, error) {
		return s.pipelineHookData(ctx, q, p, pl, jobs)
	}))
	if err != nil {
		return err
	}
	return s.enqueuePipelinesEmail(ctx, q, p, pl)
}

// jobHooks queues a job's status change in q's transaction. External
// commit statuses send none, as GitLab's GenericCommitStatus.
func (s *Service) jobHooks(ctx context.Context, q *store.Queries, j *model.Job) error {
	if j.Type != model.JobTypeBuild {
		return nil
	}
	p, err := q.ProjectByID(ctx, j.ProjectID)
	if err != nil {
		return err
	}
	return s.enqueueHookEvent(ctx, q, p, jobHookEvent(func() (any, error) {
		return s.jobHookData(ctx, q, p, j)
	}))
}

// setJobStatus moves j as q.SetJobStatus does and queues its job event
// with the move, in q's transaction or, outside one, in its own.
func (s *Service) setJobStatus(ctx context.Context, q *store.Queries, j *model.Job, from ...string) (bool, error) {
	if q.SQLTx() == nil {
		var ok bool
		err := s.db.WithTx(ctx, func(q *store.Queries) error {
			var err error
			ok, err = s.setJobStatus(ctx, q, j, from...)
			return err
		})
		return ok, err
	}
	ok, err := q.SetJobStatus(ctx, j, from)
	if err != nil || !ok {
		return ok, err
	}
	return true, s.jobHooks(ctx, q, j)
}

// sampleCIHookEvent is a pipeline or job test's sample: the project's
// newest pipeline or job.
func (s *Service) sampleCIHookEvent(ctx context.Context, p *model.Project, trigger string) (hookEvent, error) {
	q := s.db.Queries()
	pipelineID, jobID, err := q.LatestProjectCI(ctx, p.ID)
	if err != nil {
		return hookEvent{}, err
	}
	if trigger == "pipeline_events" {
		if pipelineID == 0 {
			return hookEvent{}, &Error{Kind: KindUnprocessable, Message: "Ensure the project has CI pipelines."}
		}
		pl, err := q.PipelineByID(ctx, pipelineID)
		if err != nil {
			return hookEvent{}, err
		}
		all, err := q.JobsOfPipeline(ctx, pl.ID)
		if err != nil {
			return hookEvent{}, err
		}
		d, err := s.pipelineHookData(ctx, q, p, pl, latestJobs(all))
		ev := pipelineHookEvent(nil)
		ev.payload = d
		return ev, err
	}
	if jobID == 0 {
		return hookEvent{}, &Error{Kind: KindUnprocessable, Message: "Ensure the project has CI jobs."}
	}
	j, err := q.JobByID(ctx, jobID)
	if err != nil {
		return hookEvent{}, fmt.Errorf("service: sample job: %w", err)
	}
	d, err := s.jobHookData(ctx, q, p, j)
	ev := jobHookEvent(nil)
	ev.payload = d
	return ev, err
}
