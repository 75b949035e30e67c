package v4

import (
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// jobScopes are the statuses GET …/jobs?scope[]= takes.
var jobScopes = []string{"created", "pending", "running", "failed", "success", "canceled", "canceling", "skipped",
	"waiting_for_resource", "manual", "preparing", "scheduled"}

func jobFilterOf(p *params) (model.JobFilter, page, error) {
	pg := pageOf(p)
	f := model.JobFilter{Limit: pg.PerPage, Offset: pg.Offset()}
	scopes, _, err := p.strList("scope")
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
	f.IncludeRetried, _, err = p.bool("include_retried")
	return f, pg, err
}

// pipelineJobFilterOf reads the filter of a pipeline's jobs or bridges,
// oldest first as GitLab lists them.
func pipelineJobFilterOf(r *http.Request, c *call) (model.JobFilter, page, error) {
	f, pg, err := jobFilterOf(c.params)
	if err != nil {
		return f, pg, err
	}
	f.PipelineID, err = pipelineIDParam(r)
	f.Asc = true
	return f, pg, err
}

func (a *API) writeJobs(w http.ResponseWriter, r *http.Request, pg page, views []*service.JobView, total int64) error {
	out, err := a.jobEntities(r.Context(), a.baseURL(r), views)
	if err != nil {
		return err
	}
	a.setPageHeaders(w, r, pg, int(total))
	return writeOK(w, out)
}

// listJobs is GET /projects/:id/jobs.
func (a *API) listJobs(w http.ResponseWriter, r *http.Request, c *call) error {
	f, pg, err := jobFilterOf(c.params)
	if err != nil {
		return err
	}
	views, total, err := a.svc.ListJobs(r.Context(), c.id, r.PathValue("id"), f)
	if err != nil {
		return err
	}
	return a.writeJobs(w, r, pg, views, total)
}

// listPipelineJobs is GET /projects/:id/pipelines/:pipeline_id/jobs,
// oldest first as GitLab lists them.
func (a *API) listPipelineJobs(w http.ResponseWriter, r *http.Request, c *call) error {
	f, pg, err := pipelineJobFilterOf(r, c)
	if err != nil {
		return err
	}
	views, total, err := a.svc.ListJobs(r.Context(), c.id, r.PathValue("id"), f)
	if err != nil {
		return err
	}
	return a.writeJobs(w, r, pg, views, total)
}

// listPipelineBridges is GET /projects/:id/pipelines/:pipeline_id/bridges:
// the pipeline's trigger jobs, oldest first.
func (a *API) listPipelineBridges(w http.ResponseWriter, r *http.Request, c *call) error {
	f, pg, err := pipelineJobFilterOf(r, c)
	if err != nil {
		return err
	}
	views, total, err := a.svc.ListBridges(r.Context(), c.id, r.PathValue("id"), f)
	if err != nil {
		return err
	}
	out, err := a.bridgeEntities(r.Context(), a.baseURL(r), views)
	if err != nil {
		return err
	}
	a.setPageHeaders(w, r, pg, int(total))
	return writeOK(w, out)
}

// writeJob answers with a job's entity, or a bridge's (GitLab's play).
func (a *API) writeJob(w http.ResponseWriter, r *http.Request, c *call, v *service.JobView, status int) error {
	if v.Job.Type == model.JobTypeBridge {
		bv, err := a.svc.BridgeViewOf(r.Context(), c.id, v)
		if err != nil {
			return err
		}
		out, err := a.bridgeEntities(r.Context(), a.baseURL(r), []*service.BridgeView{bv})
		if err != nil {
			return err
		}
		writeJSON(w, status, out[0])
		return nil
	}
	out, err := a.jobEntities(r.Context(), a.baseURL(r), []*service.JobView{v})
	if err != nil {
		return err
	}
	writeJSON(w, status, out[0])
	return nil
}

// jobOp is a service operation on one job of a project.
type jobOp func(s *service.Service, ctx context.Context, id *auth.Identity, ref string, jobID int64) (*service.JobView, error)

// jobAction serves op on :job_id, answering with the job it returns (for
// retry, the new one) and status.
func jobAction(op jobOp, status int) handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *call) error {
		id, err := jobIDParam(r, "job_id")
		if err != nil {
			return err
		}
		v, err := op(a.svc, r.Context(), c.id, r.PathValue("id"), id)
		if err != nil {
			return err
		}
		return a.writeJob(w, r, c, v, status)
	}
}

// getCurrentJob is GET /job: the job of the CI_JOB_TOKEN sent (the
// JOB-TOKEN header or job_token).
func (a *API) getCurrentJob(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := a.jobIdentity(r, c)
	if err != nil {
		return err
	}
	v, err := a.svc.CurrentJob(r.Context(), id)
	if err != nil {
		return err
	}
	return a.writeJob(w, r, c, v, http.StatusOK)
}

// getJobTrace is GET /projects/:id/jobs/:job_id/trace: the log as text.
func (a *API) getJobTrace(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := jobIDParam(r, "job_id")
	if err != nil {
		return err
	}
	trace, err := a.svc.JobTrace(r.Context(), c.id, r.PathValue("id"), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain")
	_, err = w.Write(trace)
	return err
}

// getJobArtifacts is GET /projects/:id/jobs/:job_id/artifacts.
func (a *API) getJobArtifacts(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := jobIDParam(r, "job_id")
	if err != nil {
		return err
	}
	f, err := a.svc.JobArtifacts(r.Context(), c.id, r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return sendArtifact(w, r, f)
}

// getJobArtifactFile is GET /projects/:id/jobs/:job_id/artifacts/*path:
// one file of the archive.
func (a *API) getJobArtifactFile(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := jobIDParam(r, "job_id")
	if err != nil {
		return err
	}
	body, _, err := a.svc.ArtifactEntry(r.Context(), c.id, r.PathValue("id"), id, r.PathValue("artifact_path"))
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
func (a *API) getRefArtifactFile(w http.ResponseWriter, r *http.Request, c *call) error {
	job, err := c.params.required("job", 255)
	if err != nil {
		return err
	}
	body, _, err := a.svc.LatestArtifactEntry(r.Context(), c.id, r.PathValue("id"),
		strings.TrimSpace(r.PathValue("ref_name")), job, r.PathValue("artifact_path"))
	return sendArtifactEntry(w, body, err)
}

// deleteJobArtifacts is DELETE /projects/:id/jobs/:job_id/artifacts.
func (a *API) deleteJobArtifacts(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := jobIDParam(r, "job_id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteJobArtifacts(r.Context(), c.id, r.PathValue("id"), id); err != nil {
		return err
	}
	return writeNoContent(w)
}

// deleteProjectArtifacts is DELETE /projects/:id/artifacts: scheduled, 202.
func (a *API) deleteProjectArtifacts(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := a.svc.DeleteProjectArtifacts(r.Context(), c.id, r.PathValue("id")); err != nil {
		return err
	}
	return writeAccepted(w)
}

// downloadRefArtifacts is GET /projects/:id/jobs/artifacts/:ref_name/download?job=.
func (a *API) downloadRefArtifacts(w http.ResponseWriter, r *http.Request, c *call) error {
	job, err := c.params.required("job", 255)
	if err != nil {
		return err
	}
	f, err := a.svc.LatestArtifacts(r.Context(), c.id, r.PathValue("id"), strings.TrimSpace(r.PathValue("ref_name")), job)
	if err != nil {
		return err
	}
	return sendArtifact(w, r, f)
}
