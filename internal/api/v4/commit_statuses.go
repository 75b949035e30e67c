package v4

import (
	"context"
	"net/http"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// commitStatusEntity is GitLab's CommitStatus.
type commitStatusEntity struct {
	ID           int64      `json:"id"`
	SHA          string     `json:"sha"`
	Ref          string     `json:"ref"`
	Status       string     `json:"status"`
	Name         string     `json:"name"`
	TargetURL    *string    `json:"target_url"`
	Description  *string    `json:"description"`
	CreatedAt    string     `json:"created_at"`
	StartedAt    *string    `json:"started_at"`
	FinishedAt   *string    `json:"finished_at"`
	AllowFailure bool       `json:"allow_failure"`
	Coverage     *float64   `json:"coverage"`
	PipelineID   int64      `json:"pipeline_id"`
	Author       *basicUser `json:"author"`
}

func (a *API) commitStatusEntities(ctx context.Context, base string, views []*service.JobView) ([]commitStatusEntity, error) {
	users, err := a.jobUsers(ctx, views)
	if err != nil {
		return nil, err
	}
	out := make([]commitStatusEntity, len(views))
	for i, v := range views {
		j := v.Job
		e := commitStatusEntity{ID: j.ID, SHA: j.SHA, Ref: j.Ref, Status: j.Status, Name: j.Name, TargetURL: j.TargetURL,
			Description: j.Description, CreatedAt: ts(j.CreatedAt), StartedAt: tsp(j.StartedAt),
			FinishedAt: tsp(j.FinishedAt), AllowFailure: j.AllowFailure, Coverage: j.Coverage, PipelineID: j.PipelineID}
		if j.UserID != nil {
			if u := users[*j.UserID]; u != nil {
				bu := basicUserAt(base, a.gravatar, u)
				e.Author = &bu
			}
		}
		out[i] = e
	}
	return out, nil
}

// setCommitStatus is POST /projects/:id/statuses/:sha.
func (a *API) setCommitStatus(w http.ResponseWriter, r *http.Request, c *call) error {
	in := service.CommitStatusInput{SHA: r.PathValue("sha")}
	var err error
	if in.State, err = c.params.required("state", 255); err != nil {
		return err
	}
	if _, _, err := c.params.oneOf("state", service.CommitStatusStates...); err != nil {
		return err
	}
	if in.Ref, _, err = c.params.text("ref", 1024); err != nil {
		return err
	}
	// name, or its older spelling context.
	for _, key := range []string{"context", "name"} {
		if s, ok, err := c.params.text(key, 255); err != nil {
			return err
		} else if ok && s != "" {
			in.Name = s
		}
	}
	for key, dst := range map[string]**string{"target_url": &in.TargetURL, "description": &in.Description} {
		if s, ok, err := c.params.text(key, 1024); err != nil {
			return err
		} else if ok {
			*dst = &s
		}
	}
	if in.Coverage, err = c.params.float("coverage"); err != nil {
		return err
	}
	if in.PipelineID, _, err = c.params.int("pipeline_id"); err != nil {
		return err
	}
	v, err := a.svc.SetCommitStatus(r.Context(), c.id, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	out, err := a.commitStatusEntities(r.Context(), a.baseURL(r), []*service.JobView{v})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out[0])
	return nil
}

// listCommitStatuses is GET /projects/:id/repository/commits/:sha/statuses.
func (a *API) listCommitStatuses(w http.ResponseWriter, r *http.Request, c *call) error {
	f := model.CommitStatusFilter{SHA: r.PathValue("sha")}
	var err error
	for key, dst := range map[string]*string{"ref": &f.Ref, "stage": &f.Stage, "name": &f.Name} {
		if *dst, _, err = c.params.text(key, 1024); err != nil {
			return err
		}
	}
	if f.PipelineID, _, err = c.params.int("pipeline_id"); err != nil {
		return err
	}
	if f.All, _, err = c.params.bool("all"); err != nil {
		return err
	}
	pg := pageOf(c.params)
	f.Offset, f.Limit = pg.Offset(), pg.PerPage
	views, total, err := a.svc.CommitStatuses(r.Context(), c.id, r.PathValue("id"), f)
	if err != nil {
		return err
	}
	out, err := a.commitStatusEntities(r.Context(), a.baseURL(r), views)
	if err != nil {
		return err
	}
	a.setPageHeaders(w, r, pg, int(total))
	return writeOK(w, out)
}
