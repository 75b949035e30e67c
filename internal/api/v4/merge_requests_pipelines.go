package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/service"
)

// listMergeRequestPipelines is GET /projects/:id/merge_requests/:iid/pipelines:
// the merge request's pipelines (PipelineBasic), newest first.
func (a *API) listMergeRequestPipelines(w http.ResponseWriter, r *http.Request, c *call) error {
	iid, err := mergeRequestIID(r)
	if err != nil {
		return err
	}
	pg := pageOf(c.params)
	list, total, err := a.svc.MergeRequestPipelines(r.Context(), c.id, r.PathValue("id"), iid, pg.PerPage, pg.Offset())
	if err != nil {
		return err
	}
	a.setPageHeaders(w, r, pg, int(total))
	base := a.baseURL(r)
	out := make([]pipelineBasic, len(list))
	for i, v := range list {
		out[i] = pipelineBasicOf(base, v.Project, v.Pipeline)
	}
	return writeOK(w, out)
}

// createMergeRequestPipeline is POST /projects/:id/merge_requests/:iid/pipelines:
// a new merge request pipeline, answered 200 with the Pipeline entity as
// GitLab's (status :ok); a configuration that gives no jobs is 400.
func (a *API) createMergeRequestPipeline(w http.ResponseWriter, r *http.Request, c *call) error {
	iid, err := mergeRequestIID(r)
	if err != nil {
		return err
	}
	v, err := a.svc.CreateMergeRequestPipeline(r.Context(), c.id, r.PathValue("id"), iid, a.baseURL(r))
	if err != nil {
		return pipelineConfigError(err)
	}
	return a.writePipeline(w, r, v, http.StatusOK)
}

// withPipelines adds the single merge request's pipeline fields: its
// head_pipeline (the Pipeline entity), the same as `pipeline`
// (PipelineBasic), and its jobs' latest start and finish times.
func (a *API) withPipelines(r *http.Request, c *call, e mergeRequestEntity, mp *service.MergeRequestInProject) (mergeRequestEntity, error) {
	v, err := a.svc.MergeRequestHeadPipeline(r.Context(), c.id, mp)
	if err != nil || v == nil {
		return e, err
	}
	head, err := a.pipelineEntityOf(r, v)
	if err != nil {
		return e, err
	}
	e.HeadPipeline, e.Pipeline = &head, &head.pipelineBasic
	for _, j := range v.Jobs {
		if j.StartedAt != nil && (e.LatestBuildStartedAt == nil || ts(*j.StartedAt) > *e.LatestBuildStartedAt) {
			e.LatestBuildStartedAt = tsp(j.StartedAt)
		}
		if j.FinishedAt != nil && (e.LatestBuildFinishedAt == nil || ts(*j.FinishedAt) > *e.LatestBuildFinishedAt) {
			e.LatestBuildFinishedAt = tsp(j.FinishedAt)
		}
	}
	return e, nil
}
