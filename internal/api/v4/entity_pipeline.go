package v4

import (
	"net/http"
	"strconv"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// DetailedStatus is GitLab's DetailedStatus entity of a pipeline or job.
type DetailedStatus struct {
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

func StatusEntity(status string, warnings bool, path string) *DetailedStatus {
	t := statusTexts[status]
	d := &DetailedStatus{Icon: "status_" + status, Text: t[0], Label: t[1], Group: status, Tooltip: t[1],
		HasDetails: true, DetailsPath: path, Favicon: "/assets/ci_favicons/favicon_status_" + status + ".png"}
	if status == "success" && warnings {
		d.Icon, d.Label, d.Group, d.Tooltip = "status_warning", "passed with warnings", "success_with_warnings", "passed"
	}
	return d
}

// PipelineBasic is GitLab's PipelineBasic.
type PipelineBasic struct {
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

func PipelineBasicOf(base string, p *model.Project, pl *model.Pipeline) PipelineBasic {
	return PipelineBasic{ID: pl.ID, IID: pl.IID, ProjectID: pl.ProjectID, SHA: pl.SHA, Ref: pl.Ref, Status: pl.Status,
		Source: pl.Source, CreatedAt: TS(pl.CreatedAt), UpdatedAt: TS(pl.UpdatedAt), Name: pl.Name,
		WebURL: base + "/" + p.FullPath() + "/-/pipelines/" + strconv.FormatInt(pl.ID, 10)}
}

// PipelineEntity is GitLab's Pipeline entity (a single pipeline).
type PipelineEntity struct {
	PipelineBasic
	BeforeSHA      string          `json:"before_sha"`
	Tag            bool            `json:"tag"`
	YAMLErrors     *string         `json:"yaml_errors"`
	User           *BasicUser      `json:"user"`
	StartedAt      *string         `json:"started_at"`
	FinishedAt     *string         `json:"finished_at"`
	CommittedAt    *string         `json:"committed_at"`
	Duration       *int64          `json:"duration"`
	QueuedDuration *int64          `json:"queued_duration"`
	Coverage       *string         `json:"coverage"`
	DetailedStatus *DetailedStatus `json:"detailed_status"`
}

func (a *API) PipelineEntityOf(r *http.Request, v *service.PipelineView) (PipelineEntity, error) {
	base := a.BaseURL(r)
	pl := v.Pipeline
	e := PipelineEntity{PipelineBasic: PipelineBasicOf(base, v.Project, pl), BeforeSHA: pl.BeforeSHA, Tag: pl.Tag,
		YAMLErrors: pl.YAMLErrors, StartedAt: TSP(pl.StartedAt), FinishedAt: TSP(pl.FinishedAt),
		CommittedAt: TSP(pl.CommittedAt), Duration: pl.Duration, QueuedDuration: pl.QueuedDuration}
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
	e.DetailedStatus = StatusEntity(pl.Status, warnings, "/"+v.Project.FullPath()+"/-/pipelines/"+strconv.FormatInt(pl.ID, 10))
	if pl.UserID != nil {
		users, err := a.svc.UsersByIDs(r.Context(), []int64{*pl.UserID})
		if err != nil {
			return e, err
		}
		if u := users[*pl.UserID]; u != nil {
			bu := BasicUserAt(base, a.gravatar, u)
			e.User = &bu
		}
	}
	return e, nil
}

// withPipelines adds the single merge request's pipeline fields: its
// head_pipeline (the Pipeline entity), the same as `pipeline`
// (PipelineBasic), and its jobs' latest start and finish times.
func (a *API) withPipelines(r *http.Request, c *Call, e MergeRequestEntity, mp *service.MergeRequestInProject) (MergeRequestEntity, error) {
	v, err := a.svc.MergeRequestHeadPipeline(r.Context(), c.id, mp)
	if err != nil || v == nil {
		return e, err
	}
	head, err := a.PipelineEntityOf(r, v)
	if err != nil {
		return e, err
	}
	e.HeadPipeline, e.Pipeline = &head, &head.PipelineBasic
	for _, j := range v.Jobs {
		if j.StartedAt != nil && (e.LatestBuildStartedAt == nil || TS(*j.StartedAt) > *e.LatestBuildStartedAt) {
			e.LatestBuildStartedAt = TSP(j.StartedAt)
		}
		if j.FinishedAt != nil && (e.LatestBuildFinishedAt == nil || TS(*j.FinishedAt) > *e.LatestBuildFinishedAt) {
			e.LatestBuildFinishedAt = TSP(j.FinishedAt)
		}
	}
	return e, nil
}
