package cicd

import (
	"context"
	"net/http"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// commitStatusEntity is GitLab's CommitStatus.
type commitStatusEntity struct {
	ID           int64         `json:"id"`
	SHA          string        `json:"sha"`
	Ref          string        `json:"ref"`
	Status       string        `json:"status"`
	Name         string        `json:"name"`
	TargetURL    *string       `json:"target_url"`
	Description  *string       `json:"description"`
	CreatedAt    string        `json:"created_at"`
	StartedAt    *string       `json:"started_at"`
	FinishedAt   *string       `json:"finished_at"`
	AllowFailure bool          `json:"allow_failure"`
	Coverage     *float64      `json:"coverage"`
	PipelineID   int64         `json:"pipeline_id"`
	Author       *v4.BasicUser `json:"author"`
}

func commitStatusEntities(a *v4.API, ctx context.Context, base string, views []*service.JobView) ([]commitStatusEntity, error) {
	users, err := jobUsers(a, ctx, views)
	if err != nil {
		return nil, err
	}
	out := make([]commitStatusEntity, len(views))
	for i, v := range views {
		j := v.Job
		e := commitStatusEntity{ID: j.ID, SHA: j.SHA, Ref: j.Ref, Status: j.Status, Name: j.Name, TargetURL: j.TargetURL,
			Description: j.Description, CreatedAt: v4.TS(j.CreatedAt), StartedAt: v4.TSP(j.StartedAt),
			FinishedAt: v4.TSP(j.FinishedAt), AllowFailure: j.AllowFailure, Coverage: j.Coverage, PipelineID: j.PipelineID}
		if j.UserID != nil {
			if u := users[*j.UserID]; u != nil {
				bu := v4.BasicUserAt(base, a.Gravatar(), u)
				e.Author = &bu
			}
		}
		out[i] = e
	}
	return out, nil
}

// setCommitStatus is POST /projects/:id/statuses/:sha.
func setCommitStatus(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	in := service.CommitStatusInput{SHA: r.PathValue("sha")}
	var err error
	if in.State, err = c.Params().Required("state", 255); err != nil {
		return err
	}
	if _, _, err := c.Params().OneOf("state", service.CommitStatusStates...); err != nil {
		return err
	}
	if in.Ref, _, err = c.Params().Text("ref", 1024); err != nil {
		return err
	}
	// name, or its older spelling context.
	for _, key := range []string{"context", "name"} {
		if s, ok, err := c.Params().Text(key, 255); err != nil {
			return err
		} else if ok && s != "" {
			in.Name = s
		}
	}
	for key, dst := range map[string]**string{"target_url": &in.TargetURL, "description": &in.Description} {
		if s, ok, err := c.Params().Text(key, 1024); err != nil {
			return err
		} else if ok {
			*dst = &s
		}
	}
	if in.Coverage, err = c.Params().Float("coverage"); err != nil {
		return err
	}
	if in.PipelineID, _, err = c.Params().Int("pipeline_id"); err != nil {
		return err
	}
	v, err := a.Service().SetCommitStatus(r.Context(), c.Identity(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	out, err := commitStatusEntities(a, r.Context(), a.BaseURL(r), []*service.JobView{v})
	if err != nil {
		return err
	}
	v4.WriteJSON(w, http.StatusCreated, out[0])
	return nil
}

// listCommitStatuses is GET /projects/:id/repository/commits/:sha/statuses.
func listCommitStatuses(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	f := model.CommitStatusFilter{SHA: r.PathValue("sha")}
	var err error
	for key, dst := range map[string]*string{"ref": &f.Ref, "stage": &f.Stage, "name": &f.Name} {
		if *dst, _, err = c.Params().Text(key, 1024); err != nil {
			return err
		}
	}
	if f.PipelineID, _, err = c.Params().Int("pipeline_id"); err != nil {
		return err
	}
	if f.All, _, err = c.Params().Bool("all"); err != nil {
		return err
	}
	pg := v4.PageOf(c.Params())
	f.Offset, f.Limit = pg.Offset(), pg.PerPage
	views, total, err := a.Service().CommitStatuses(r.Context(), c.Identity(), r.PathValue("id"), f)
	if err != nil {
		return err
	}
	out, err := commitStatusEntities(a, r.Context(), a.BaseURL(r), views)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, int(total))
	return v4.WriteOK(w, out)
}
