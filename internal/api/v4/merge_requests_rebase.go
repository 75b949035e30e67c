package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/service"
)

// setMergeState writes a mergeability into the entity.
func (e *MergeRequestEntity) setMergeState(st service.MergeState) {
	e.MergeStatus, e.DetailedMergeStatus = st.Status, st.Detailed
	e.HasConflicts, e.BlockingDiscussionsResolved = st.HasConflicts, st.BlockingDiscussionsResolved
}

// getMergeRequest is GET /projects/:id/merge_requests/:iid: the one read
// that checks mergeability (service.CheckMergeRequest), as GitLab's
// single entity does; include_rebase_in_progress adds rebase_in_progress,
// always false as lablet rebases within the request.
func (a *API) getMergeRequest(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	withRebase, _, err := c.params.Bool("include_rebase_in_progress")
	if err != nil {
		return err
	}
	mp, err := a.svc.VisibleMergeRequest(r.Context(), c.id, r.PathValue("id"), iid)
	if err != nil {
		return err
	}
	st, err := a.svc.CheckMergeRequest(r.Context(), mp)
	if err != nil {
		return err
	}
	e, err := a.mergeRequestDetailed(r, c, mp)
	if err != nil {
		return err
	}
	e.setMergeState(st)
	if withRebase {
		e.RebaseInProgress = new(bool)
	}
	WriteJSON(w, http.StatusOK, e)
	return nil
}

// rebaseMergeRequest is PUT /projects/:id/merge_requests/:iid/rebase.
// GitLab answers 202 {"rebase_in_progress": true} and rebases in a job;
// lablet has rebased when it answers, so the rebase is no longer in
// progress (a failure is the merge request's merge_error). skip_ci skips
// the pipelines of the rebased branch.
func (a *API) rebaseMergeRequest(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	skipCI, _, err := c.params.Bool("skip_ci")
	if err != nil {
		return err
	}
	if _, err := a.svc.RebaseMergeRequest(r.Context(), c.id, r.PathValue("id"), iid, skipCI); err != nil {
		return err
	}
	WriteJSON(w, http.StatusAccepted, map[string]bool{"rebase_in_progress": false})
	return nil
}

// cancelAutoMerge is POST …/cancel_merge_when_pipeline_succeeds.
func (a *API) cancelAutoMerge(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	return a.svc.CancelAutoMerge(r.Context(), c.id, r.PathValue("id"), iid)
}
