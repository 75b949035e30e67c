package cicd

import (
	"net/http"

	v4 "github.com/lablet/lablet/internal/api/v4"
)

// listMergeRequestPipelines is GET /projects/:id/merge_requests/:iid/pipelines:
// the merge request's pipelines (PipelineBasic), newest first.
func listMergeRequestPipelines(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	iid, err := v4.MergeRequestIID(r)
	if err != nil {
		return err
	}
	pg := v4.PageOf(c.Params())
	list, total, err := a.Service().MergeRequestPipelines(r.Context(), c.Identity(), r.PathValue("id"), iid, pg.PerPage, pg.Offset())
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, int(total))
	base := a.BaseURL(r)
	out := make([]v4.PipelineBasic, len(list))
	for i, v := range list {
		out[i] = v4.PipelineBasicOf(base, v.Project, v.Pipeline)
	}
	return v4.WriteOK(w, out)
}

// createMergeRequestPipeline is POST /projects/:id/merge_requests/:iid/pipelines:
// a new merge request pipeline, answered 200 with the Pipeline entity as
// GitLab's (status :ok); a configuration that gives no jobs is 400.
func createMergeRequestPipeline(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	iid, err := v4.MergeRequestIID(r)
	if err != nil {
		return err
	}
	v, err := a.Service().CreateMergeRequestPipeline(r.Context(), c.Identity(), r.PathValue("id"), iid, a.BaseURL(r))
	if err != nil {
		return pipelineConfigError(err)
	}
	return writePipeline(a, w, r, v, http.StatusOK)
}
