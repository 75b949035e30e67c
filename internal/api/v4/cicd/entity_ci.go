package cicd

import (
	"context"
	"strconv"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

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
	ID             int64            `json:"id"`
	Status         string           `json:"status"`
	Stage          string           `json:"stage"`
	Name           string           `json:"name"`
	Ref            string           `json:"ref"`
	Tag            bool             `json:"tag"`
	Coverage       *float64         `json:"coverage"`
	AllowFailure   bool             `json:"allow_failure"`
	CreatedAt      string           `json:"created_at"`
	StartedAt      *string          `json:"started_at"`
	FinishedAt     *string          `json:"finished_at"`
	ErasedAt       *string          `json:"erased_at"`
	Duration       *float64         `json:"duration"`
	QueuedDuration *float64         `json:"queued_duration"`
	User           *v4.BasicUser    `json:"user"`
	Commit         *commitBasic     `json:"commit"`
	Pipeline       v4.PipelineBasic `json:"pipeline"`
	FailureReason  *string          `json:"failure_reason,omitempty"`
	WebURL         string           `json:"web_url"`
	Project        map[string]bool  `json:"project"`
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
func jobUsers(a *v4.API, ctx context.Context, views []*service.JobView) (map[int64]*model.User, error) {
	userIDs := []int64{}
	for _, v := range views {
		if v.Job.UserID != nil {
			userIDs = append(userIDs, *v.Job.UserID)
		}
	}
	return a.Service().UsersByIDs(ctx, userIDs)
}

// jobBasicOf is a job's JobBasic entity; users are its users by id.
func jobBasicOf(a *v4.API, base string, v *service.JobView, users map[int64]*model.User) jobBasic {
	j, pl := v.Job, v.Pipeline
	e := jobBasic{ID: j.ID, Status: j.Status, Stage: j.Stage, Name: j.Name, Ref: j.Ref, Tag: j.Tag,
		Coverage: j.Coverage, AllowFailure: j.AllowFailure, CreatedAt: v4.TS(j.CreatedAt), StartedAt: v4.TSP(j.StartedAt),
		FinishedAt: v4.TSP(j.FinishedAt), ErasedAt: v4.TSP(j.ErasedAt), FailureReason: j.FailureReason,
		WebURL:  base + "/" + v.Project.FullPath() + "/-/jobs/" + strconv.FormatInt(j.ID, 10),
		Project: map[string]bool{"ci_job_token_scope_enabled": false},
		Commit:  &commitBasic{ID: j.SHA, ShortID: j.SHA[:min(8, len(j.SHA))]}}
	if j.StartedAt != nil {
		end := a.Service().Now()
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
		e.Pipeline = v4.PipelineBasicOf(base, v.Project, pl)
	}
	if j.UserID != nil {
		if u := users[*j.UserID]; u != nil {
			bu := v4.BasicUserAt(base, a.Gravatar(), u)
			e.User = &bu
		}
	}
	return e
}

func jobEntities(a *v4.API, ctx context.Context, base string, views []*service.JobView) ([]jobEntity, error) {
	users, err := jobUsers(a, ctx, views)
	if err != nil {
		return nil, err
	}
	out := make([]jobEntity, len(views))
	for i, v := range views {
		j := v.Job
		e := jobEntity{jobBasic: jobBasicOf(a, base, v, users), ArtifactsExpireAt: v4.TSP(j.ArtifactsExpireAt),
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
			re := newRunnerEntity(v.Runner, a.Service().Now())
			e.Runner = &re
		}
		out[i] = e
	}
	return out, nil
}

// pipelineScheduleEntity is GitLab's Ci::PipelineSchedule entity (lists).
// Inputs stay empty: lablet's schedules take no pipeline inputs.
type pipelineScheduleEntity struct {
	ID           int64         `json:"id"`
	Description  string        `json:"description"`
	Ref          string        `json:"ref"`
	Cron         string        `json:"cron"`
	CronTimezone string        `json:"cron_timezone"`
	NextRunAt    *string       `json:"next_run_at"`
	Active       bool          `json:"active"`
	CreatedAt    string        `json:"created_at"`
	UpdatedAt    string        `json:"updated_at"`
	Owner        *v4.BasicUser `json:"owner"`
	Inputs       []struct{}    `json:"inputs"`
}

// pipelineScheduleDetails is PipelineScheduleDetails: one schedule with
// its last pipeline and, for who may read them, its variables (the key is
// left out otherwise, as GitLab's entity does).
type pipelineScheduleDetails struct {
	pipelineScheduleEntity
	LastPipeline *v4.PipelineBasic         `json:"last_pipeline"`
	Variables    *[]pipelineVariableEntity `json:"variables,omitempty"`
}

func pipelineScheduleEntityOf(a *v4.API, base string, v *service.PipelineScheduleView) pipelineScheduleEntity {
	ps := v.Schedule
	e := pipelineScheduleEntity{ID: ps.ID, Description: ps.Description, Ref: ps.Ref, Cron: ps.Cron,
		CronTimezone: ps.CronTimezone, NextRunAt: v4.TSP(ps.NextRunAt), Active: ps.Active, CreatedAt: v4.TS(ps.CreatedAt),
		UpdatedAt: v4.TS(ps.UpdatedAt), Inputs: []struct{}{}}
	if v.Owner != nil {
		u := v4.BasicUserAt(base, a.Gravatar(), v.Owner)
		e.Owner = &u
	}
	return e
}

func pipelineScheduleDetailsOf(a *v4.API, base string, v *service.PipelineScheduleView) pipelineScheduleDetails {
	d := pipelineScheduleDetails{pipelineScheduleEntity: pipelineScheduleEntityOf(a, base, v)}
	if v.LastPipeline != nil {
		pb := v4.PipelineBasicOf(base, v.Project, v.LastPipeline)
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
	DownstreamPipeline *v4.PipelineBasic `json:"downstream_pipeline"`
}

func bridgeEntities(a *v4.API, ctx context.Context, base string, views []*service.BridgeView) ([]bridgeEntity, error) {
	jobs := make([]*service.JobView, len(views))
	for i, v := range views {
		jobs[i] = v.JobView
	}
	users, err := jobUsers(a, ctx, jobs)
	if err != nil {
		return nil, err
	}
	out := make([]bridgeEntity, len(views))
	for i, v := range views {
		out[i] = bridgeEntity{jobBasic: jobBasicOf(a, base, v.JobView, users)}
		if v.Downstream != nil {
			pb := v4.PipelineBasicOf(base, v.DownstreamProject, v.Downstream)
			out[i].DownstreamPipeline = &pb
		}
	}
	return out, nil
}
