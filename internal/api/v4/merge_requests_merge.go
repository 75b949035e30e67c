package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/service"
)

// mergeInput reads PUT …/merge's parameters.
func mergeInput(p *Params) (service.MergeInput, error) {
	var in service.MergeInput
	for _, s := range []struct {
		name string
		dst  **string
	}{{"sha", &in.SHA}, {"merge_commit_message", &in.MergeCommitMessage}, {"squash_commit_message", &in.SquashCommitMessage}} {
		v, ok, err := p.Text(s.name, 1<<20)
		if err != nil {
			return in, err
		}
		if ok {
			*s.dst = &v
		}
	}
	for _, b := range []struct {
		name string
		dst  **bool
	}{{"squash", &in.Squash}, {"should_remove_source_branch", &in.ShouldRemoveSourceBranch}} {
		v, ok, err := p.Bool(b.name)
		if err != nil {
			return in, err
		}
		if ok {
			*b.dst = &v
		}
	}
	for _, name := range []string{"merge_when_pipeline_succeeds", "auto_merge"} {
		v, _, err := p.Bool(name)
		if err != nil {
			return in, err
		}
		in.AutoMerge = in.AutoMerge || v
	}
	return in, nil
}

// mergeMergeRequest is PUT /projects/:id/merge_requests/:iid/merge.
func (a *API) mergeMergeRequest(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	in, err := mergeInput(c.params)
	if err != nil {
		return err
	}
	in.BaseURL = a.BaseURL(r)
	mp, err := a.svc.MergeMergeRequest(r.Context(), c.id, r.PathValue("id"), iid, in)
	if err != nil {
		return err
	}
	return a.writeMergeRequest(w, r, c, mp, http.StatusOK)
}

// mergeRequestMergeRef is GET /projects/:id/merge_requests/:iid/merge_ref.
func (a *API) mergeRequestMergeRef(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	id, err := a.svc.MergeRequestMergeRef(r.Context(), c.id, r.PathValue("id"), iid)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]string{"commit_id": id})
	return nil
}
