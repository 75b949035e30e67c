package v4

import (
	"context"
	"net/http"
	"strconv"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// detailedStatus is GitLab's DetailedStatus entity of a pipeline or job.
type detailedStatus struct {
	Icon        string `json:"icon"`
	Text        string `json:"text"`
	Label       string `json:"label"`
	Group       string `json:"group"`
	Tooltip     string `json:"tooltip"`
	HasDetails  bool   `json:"has_details"`
	DetailsPath string `json:"details_path"`
	Favicon     string `json:"favicon"`
}

// statusTexts are GitLab's Gitlab::Ci::Status texts and labels by status.
var statusTexts = map[string][2]string{
	"created": {"Created", "created"}, "waiting_for_resource": {"Waiting", "waiting for resource"},
	"preparing": {"Preparing", "preparing"}, "pending": {"Pending", "pending"}, "running": {"Running", "running"},
	"success": {"Passed", "passed"}, "failed": {"Failed", "failed"}, "canceling": {"Canceling", "canceling"},
	"canceled": {"Canceled", "canceled"}, "skipped": {"Skipped", "skipped"}, "manual": {"Manual", "manual action"},
	"scheduled": {"Scheduled", "scheduled"},
}

func statusEntity(status string, warnings bool, path string) *detailedStatus {
	t := statusTexts[status]
	d := &detailedStatus{Icon: "status_" + status, Text: t[0], Label: t[1], Group: status, Tooltip: t[1],
		HasDetails: true, DetailsPath: path, Favicon: "/assets/ci_favicons/favicon_status_" + status + ".png"}
	if status == "success" && warnings {
		d.Icon, d.Label, d.Group, d.Tooltip = "status_warning", "passed with warnings", "success_with_warnings", "passed"
	}
	return d
}

// pipelineBasic is GitLab's PipelineBasic.
type pipelineBasic struct {
	ID        int64   `json:"id"`
	IID       int64   `json:"iid"`
	ProjectID int64   `json:"project_id"`
	SHA       string  `json:"sha"`
	Ref       string  `json:"ref"`
	Status    string  `json:"status"`
	Source    string  `json:"source"`
	CreatedAt string  `json:"created_at"`
	UpdatedAt string  `json:"updated_at"`
	WebURL    string  `json:"web_url"`
	Name      *string `json:"name"`
}

func pipelineBasicOf(base string, p *model.Project, pl *model.Pipeline) pipelineBasic {
	return pipelineBasic{ID: pl.ID, IID: pl.IID, ProjectID: pl.ProjectID, SHA: pl.SHA, Ref: pl.Ref, Status: pl.Status,
		Source: pl.Source, CreatedAt: ts(pl.CreatedAt), UpdatedAt: ts(pl.UpdatedAt), Name: pl.Name,
		WebURL: base + "/" + p.FullPath() + "/-/pipelines/" + strconv.FormatInt(pl.ID, 10)}
}

// pipelineEntity is GitLab's Pipeline entity (a single pipeline).
type pipelineEntity struct {
	pipelineBasic
	BeforeSHA      string          `json:"before_sha"`
	Tag            bool            `json:"tag"`
	YAMLErrors     *string         `json:"yaml_errors"`
	User           *basicUser      `json:"user"`
	StartedAt      *string         `json:"started_at"`
	FinishedAt     *string         `json:"finished_at"`
	CommittedAt    *string         `json:"committed_at"`
	Duration       *int64          `json:"duration"`
	QueuedDuration *int64          `json:"queued_duration"`
	Coverage       *string         `json:"coverage"`
	DetailedStatus *detailedStatus `json:"detailed_status"`
}

func (a *API) pipelineEntityOf(r *http.Request, v *service.PipelineView) (pipelineEntity, error) {
	base := a.baseURL(r)
	pl := v.Pipeline
	e := pipelineEntity{pipelineBasic: pipelineBasicOf(base, v.Project, pl), BeforeSHA: pl.BeforeSHA, Tag: pl.Tag,
		YAMLErrors: pl.YAMLErrors, StartedAt: tsp(pl.StartedAt), FinishedAt: tsp(pl.FinishedAt),
		CommittedAt: tsp(pl.CommittedAt), Duration: pl.Duration, QueuedDuration: pl.QueuedDuration}
	if c := v.Coverage(); c != nil {
		s := strconv.FormatFloat(*c, 'f', 2, 64)
		e.Coverage = &s
	}
	warnings := false
	for _, j := range v.Jobs {
		if j.AllowFailure && (j.Status == model.CIStatusFailed || j.Status == model.CIStatusCanceled) {
			warnings = true
		}
	}
	e.DetailedStatus = statusEntity(pl.Status, warnings, "/"+v.Project.FullPath()+"/-/pipelines/"+strconv.FormatInt(pl.ID, 10))
	if pl.UserID != nil {
		users, err := a.svc.UsersByIDs(r.Context(), []int64{*pl.UserID})
		if err != nil {
			return e, err
		}
		if u := users[*pl.UserID]; u != nil {
			bu := basicUserAt(base, a.gravatar, u)
			e.User = &bu
		}
	}
	return e, nil
}

// jobArtifact is one of a job's stored files.
type jobArtifact struct {
	FileType   string  `json:"file_type"`
	Size       int64   `json:"size"`
	Filename   string  `json:"filename"`
	FileFormat *string `json:"file_format"`
}

// jobArtifactsFile is a job's archive.
type jobArtifactsFile struct {
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
}

// jobBasic is GitLab's JobBasic entity, what jobs and bridges show.
type jobBasic struct {
	ID             int64           `json:"id"`
	Status         string          `json:"status"`
	Stage          string          `json:"stage"`
	Name           string          `json:"name"`
	Ref            string          `json:"ref"`
	Tag            bool            `json:"tag"`
	Coverage       *float64        `json:"coverage"`
	AllowFailure   bool            `json:"allow_failure"`
	CreatedAt      string          `json:"created_at"`
	StartedAt      *string         `json:"started_at"`
	FinishedAt     *string         `json:"finished_at"`
	ErasedAt       *string         `json:"erased_at"`
	Duration       *float64        `json:"duration"`
	QueuedDuration *float64        `json:"queued_duration"`
	User           *basicUser      `json:"user"`
	Commit         *commitBasic    `json:"commit"`
	Pipeline       pipelineBasic   `json:"pipeline"`
	FailureReason  *string         `json:"failure_reason,omitempty"`
	WebURL         string          `json:"web_url"`
	Project        map[string]bool `json:"project"`
}

// jobEntity is GitLab's Job entity.
type jobEntity struct {
	jobBasic
	Artifacts         []jobArtifact     `json:"artifacts"`
	ArtifactsFile     *jobArtifactsFile `json:"artifacts_file,omitempty"`
	Runner            *runnerEntity     `json:"runner"`
	ArtifactsExpireAt *string           `json:"artifacts_expire_at"`
	Archived          bool              `json:"archived"`
	TagList           []string          `json:"tag_list"`
}

// commitBasic is the short commit a job shows.
type commitBasic struct {
	ID      string `json:"id"`
	ShortID string `json:"short_id"`
}

// jobUsers loads the users of jobs, by id.
func (a *API) jobUsers(ctx context.Context, views []*service.JobView) (map[int64]*model.User, error) {
	userIDs := []int64{}
	for _, v := range views {
		if v.Job.UserID != nil {
			userIDs = append(userIDs, *v.Job.UserID)
		}
	}
	return a.svc.UsersByIDs(ctx, userIDs)
}

// jobBasicOf is a job's JobBasic entity; users are its users by id.
func (a *API) jobBasicOf(base string, v *service.JobView, users map[int64]*model.User) jobBasic {
	j, pl := v.Job, v.Pipeline
	e := jobBasic{ID: j.ID, Status: j.Status, Stage: j.Stage, Name: j.Name, Ref: j.Ref, Tag: j.Tag,
		Coverage: j.Coverage, AllowFailure: j.AllowFailure, CreatedAt: ts(j.CreatedAt), StartedAt: tsp(j.StartedAt),
		FinishedAt: tsp(j.FinishedAt), ErasedAt: tsp(j.ErasedAt), FailureReason: j.FailureReason,
		WebURL:  base + "/" + v.Project.FullPath() + "/-/jobs/" + strconv.FormatInt(j.ID, 10),
		Project: map[string]bool{"ci_job_token_scope_enabled": false},
		Commit:  &commitBasic{ID: j.SHA, ShortID: j.SHA[:min(8, len(j.SHA))]}}
	if j.StartedAt != nil {
		end := a.svc.Now()
		if j.FinishedAt != nil {
			end = *j.FinishedAt
		}
		d := end.Sub(*j.StartedAt).Seconds()
		e.Duration = &d
		if j.QueuedAt != nil {
			qd := j.StartedAt.Sub(*j.QueuedAt).Seconds()
			e.QueuedDuration = &qd
		}
	}
	if pl != nil {
		// GitLab's Job entity shows its pipeline as PipelineBasic.
		e.Pipeline = pipelineBasicOf(base, v.Project, pl)
	}
	if j.UserID != nil {
		if u := users[*j.UserID]; u != nil {
			bu := basicUserAt(base, a.gravatar, u)
			e.User = &bu
		}
	}
	return e
}

func (a *API) jobEntities(ctx context.Context, base string, views []*service.JobView) ([]jobEntity, error) {
	users, err := a.jobUsers(ctx, views)
	if err != nil {
		return nil, err
	}
	out := make([]jobEntity, len(views))
	for i, v := range views {
		j := v.Job
		e := jobEntity{jobBasic: a.jobBasicOf(base, v, users), ArtifactsExpireAt: tsp(j.ArtifactsExpireAt),
			Archived: v.Project.Archived, TagList: j.Tags, Artifacts: []jobArtifact{}}
		if e.TagList == nil {
			e.TagList = []string{}
		}
		for _, art := range v.Artifacts {
			f := art.FileFormat
			e.Artifacts = append(e.Artifacts, jobArtifact{FileType: art.FileType, Size: art.Size, Filename: art.FileName,
				FileFormat: &f})
			if art.FileType == "archive" {
				e.ArtifactsFile = &jobArtifactsFile{Filename: art.FileName, Size: art.Size}
			}
		}
		if v.Runner != nil {
			re := newRunnerEntity(v.Runner, a.svc.Now())
			e.Runner = &re
		}
		out[i] = e
	}
	return out, nil
}

// pipelineScheduleEntity is GitLab's Ci::PipelineSchedule entity (lists).
// Inputs stay empty: lablet's schedules take no pipeline inputs.
type pipelineScheduleEntity struct {
	ID           int64      `json:"id"`
	Description  string     `json:"description"`
	Ref          string     `json:"ref"`
	Cron         string     `json:"cron"`
	CronTimezone string     `json:"cron_timezone"`
	NextRunAt    *string    `json:"next_run_at"`
	Active       bool       `json:"active"`
	CreatedAt    string     `json:"created_at"`
	UpdatedAt    string     `json:"updated_at"`
	Owner        *basicUser `json:"owner"`
	Inputs       []struct{} `json:"inputs"`
}

// pipelineScheduleDetails is PipelineScheduleDetails: one schedule with
// its last pipeline and, for who may read them, its variables (the key is
// left out otherwise, as GitLab's entity does).
type pipelineScheduleDetails struct {
	pipelineScheduleEntity
	LastPipeline *pipelineBasic            `json:"last_pipeline"`
	Variables    *[]pipelineVariableEntity `json:"variables,omitempty"`
}

func (a *API) pipelineScheduleEntityOf(base string, v *service.PipelineScheduleView) pipelineScheduleEntity {
	ps := v.Schedule
	e := pipelineScheduleEntity{ID: ps.ID, Description: ps.Description, Ref: ps.Ref, Cron: ps.Cron,
		CronTimezone: ps.CronTimezone, NextRunAt: tsp(ps.NextRunAt), Active: ps.Active, CreatedAt: ts(ps.CreatedAt),
		UpdatedAt: ts(ps.UpdatedAt), Inputs: []struct{}{}}
	if v.Owner != nil {
		u := basicUserAt(base, a.gravatar, v.Owner)
		e.Owner = &u
	}
	return e
}

func (a *API) pipelineScheduleDetailsOf(base string, v *service.PipelineScheduleView) pipelineScheduleDetails {
	d := pipelineScheduleDetails{pipelineScheduleEntity: a.pipelineScheduleEntityOf(base, v)}
	if v.LastPipeline != nil {
		pb := pipelineBasicOf(base, v.Project, v.LastPipeline)
		d.LastPipeline = &pb
	}
	if v.ShowVariables {
		vars := make([]pipelineVariableEntity, len(v.Variables))
		for i, pv := range v.Variables {
			vars[i] = pipelineVariableEntityOf(pv)
		}
		d.Variables = &vars
	}
	return d
}

// bridgeEntity is GitLab's Bridge entity: a trigger job and the pipeline
// it created.
type bridgeEntity struct {
	jobBasic
	DownstreamPipeline *pipelineBasic `json:"downstream_pipeline"`
}

func (a *API) bridgeEntities(ctx context.Context, base string, views []*service.BridgeView) ([]bridgeEntity, error) {
	jobs := make([]*service.JobView, len(views))
	for i, v := range views {
		jobs[i] = v.JobView
	}
	users, err := a.jobUsers(ctx, jobs)
	if err != nil {
		return nil, err
	}
	out := make([]bridgeEntity, len(views))
	for i, v := range views {
		out[i] = bridgeEntity{jobBasic: a.jobBasicOf(base, v.JobView, users)}
		if v.Downstream != nil {
			pb := pipelineBasicOf(base, v.DownstreamProject, v.Downstream)
			out[i].DownstreamPipeline = &pb
		}
	}
	return out, nil
}
