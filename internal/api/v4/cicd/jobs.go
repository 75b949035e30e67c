package cicd

import (
	"context"
	"io"
	"net/http"
	"strings"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// jobScopes are the statuses GET …/jobs?scope[]= takes.
var jobScopes = []string{"created", "pending", "running", "failed", "success", "canceled", "canceling", "skipped",
	"waiting_for_resource", "manual", "preparing", "scheduled"}

func jobFilterOf(p *v4.Params) (model.JobFilter, v4.Page, error) {
	pg := v4.PageOf(p)
	f := model.JobFilter{Limit: pg.PerPage, Offset: pg.Offset()}
	scopes, _, err := p.StrList("scope")
	if err != nil {
		return f, pg, err
	}
	for _, s := range scopes {
		ok := false
		for _, known := range jobScopes {
			ok = ok || s == known
		}
		if !ok {
			return f, pg, service.ParamError("scope does not have a valid value")
		}
	}
	f.Scopes = scopes
	f.IncludeRetried, _, err = p.Bool("include_retried")
	return f, pg, err
}

// pipelineJobFilterOf reads the filter of a pipeline's jobs or bridges,
// oldest first as GitLab lists them.
func pipelineJobFilterOf(r *http.Request, c *v4.Call) (model.JobFilter, v4.Page, error) {
	f, pg, err := jobFilterOf(c.Params())
	if err != nil {
		return f, pg, err
	}
	f.PipelineID, err = pipelineIDParam(r)
	f.Asc = true
	return f, pg, err
}

func writeJobs(a *v4.API, w http.ResponseWriter, r *http.Request, pg v4.Page, views []*service.JobView, total int64) error {
	out, err := jobEntities(a, r.Context(), a.BaseURL(r), views)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, int(total))
	return v4.WriteOK(w, out)
}

// listJobs is GET /projects/:id/jobs.
func listJobs(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	f, pg, err := jobFilterOf(c.Params())
	if err != nil {
		return err
	}
	views, total, err := a.Service().ListJobs(r.Context(), c.Identity(), r.PathValue("id"), f)
	if err != nil {
		return err
	}
	return writeJobs(a, w, r, pg, views, total)
}

// listPipelineJobs is GET /projects/:id/pipelines/:pipeline_id/jobs,
// oldest first as GitLab lists them.
func listPipelineJobs(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	f, pg, err := pipelineJobFilterOf(r, c)
	if err != nil {
		return err
	}
	views, total, err := a.Service().ListJobs(r.Context(), c.Identity(), r.PathValue("id"), f)
	if err != nil {
		return err
	}
	return writeJobs(a, w, r, pg, views, total)
}

// listPipelineBridges is GET /projects/:id/pipelines/:pipeline_id/bridges:
// the pipeline's trigger jobs, oldest first.
func listPipelineBridges(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	f, pg, err := pipelineJobFilterOf(r, c)
	if err != nil {
		return err
	}
	views, total, err := a.Service().ListBridges(r.Context(), c.Identity(), r.PathValue("id"), f)
	if err != nil {
		return err
	}
	out, err := bridgeEntities(a, r.Context(), a.BaseURL(r), views)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, int(total))
	return v4.WriteOK(w, out)
}

// writeJob answers with a job's entity, or a bridge's (GitLab's play).
func writeJob(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, v *service.JobView, status int) error {
	if v.Job.Type == model.JobTypeBridge {
		bv, err := a.Service().BridgeViewOf(r.Context(), c.Identity(), v)
		if err != nil {
			return err
		}
		out, err := bridgeEntities(a, r.Context(), a.BaseURL(r), []*service.BridgeView{bv})
		if err != nil {
			return err
		}
		v4.WriteJSON(w, status, out[0])
		return nil
	}
	out, err := jobEntities(a, r.Context(), a.BaseURL(r), []*service.JobView{v})
	if err != nil {
		return err
	}
	v4.WriteJSON(w, status, out[0])
	return nil
}

// jobOp is a service operation on one job of a project.
type jobOp func(s *service.Service, ctx context.Context, id *auth.Identity, ref string, jobID int64) (*service.JobView, error)

// jobAction serves op on :job_id, answering with the job it returns (for
// retry, the new one) and status.
func jobAction(op jobOp, status int) v4.Handler {
	return func(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
		id, err := jobIDParam(r, "job_id")
		if err != nil {
			return err
		}
		v, err := op(a.Service(), r.Context(), c.Identity(), r.PathValue("id"), id)
		if err != nil {
			return err
		}
		return writeJob(a, w, r, c, v, status)
	}
}

// getCurrentJob is GET /job: the job of the CI_JOB_TOKEN sent (the
// JOB-TOKEN header or job_token).
func getCurrentJob(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := jobIdentity(a, r, c)
	if err != nil {
		return err
	}
	v, err := a.Service().CurrentJob(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJob(a, w, r, c, v, http.StatusOK)
}

// getJobTrace is GET /projects/:id/jobs/:job_id/trace: the log as text.
func getJobTrace(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := jobIDParam(r, "job_id")
	if err != nil {
		return err
	}
	trace, err := a.Service().JobTrace(r.Context(), c.Identity(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain")
	_, err = w.Write(trace)
	return err
}

// getJobArtifacts is GET /projects/:id/jobs/:job_id/artifacts.
func getJobArtifacts(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := jobIDParam(r, "job_id")
	if err != nil {
		return err
	}
	f, err := a.Service().JobArtifacts(r.Context(), c.Identity(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return sendArtifact(w, r, f)
}

// getJobArtifactFile is GET /projects/:id/jobs/:job_id/artifacts/*path:
// one file of the archive.
func getJobArtifactFile(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := jobIDParam(r, "job_id")
	if err != nil {
		return err
	}
	body, _, err := a.Service().ArtifactEntry(r.Context(), c.Identity(), r.PathValue("id"), id, r.PathValue("artifact_path"))
	return sendArtifactEntry(w, body, err)
}

// sendArtifactEntry streams one file of an artifacts archive, which it
// closes, or returns err, the opening's failure.
func sendArtifactEntry(w http.ResponseWriter, body io.ReadCloser, err error) error {
	if err != nil {
		return err
	}
	defer body.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	_, err = io.Copy(w, body)
	return err
}

// getRefArtifactFile is GET
// /projects/:id/jobs/artifacts/:ref_name/raw/*artifact_path?job=: one file
// of the archive downloadRefArtifacts sends.
func getRefArtifactFile(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	job, err := c.Params().Required("job", 255)
	if err != nil {
		return err
	}
	body, _, err := a.Service().LatestArtifactEntry(r.Context(), c.Identity(), r.PathValue("id"),
		strings.TrimSpace(r.PathValue("ref_name")), job, r.PathValue("artifact_path"))
	return sendArtifactEntry(w, body, err)
}

// deleteJobArtifacts is DELETE /projects/:id/jobs/:job_id/artifacts.
func deleteJobArtifacts(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := jobIDParam(r, "job_id")
	if err != nil {
		return err
	}
	if err := a.Service().DeleteJobArtifacts(r.Context(), c.Identity(), r.PathValue("id"), id); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

// deleteProjectArtifacts is DELETE /projects/:id/artifacts: scheduled, 202.
func deleteProjectArtifacts(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	if err := a.Service().DeleteProjectArtifacts(r.Context(), c.Identity(), r.PathValue("id")); err != nil {
		return err
	}
	return v4.WriteAccepted(w)
}

// downloadRefArtifacts is GET /projects/:id/jobs/artifacts/:ref_name/download?job=.
func downloadRefArtifacts(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	job, err := c.Params().Required("job", 255)
	if err != nil {
		return err
	}
	f, err := a.Service().LatestArtifacts(r.Context(), c.Identity(), r.PathValue("id"), strings.TrimSpace(r.PathValue("ref_name")), job)
	if err != nil {
		return err
	}
	return sendArtifact(w, r, f)
}
