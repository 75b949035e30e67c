package v4

import "net/http"

// listCommitMergeRequests is GET …/repository/commits/:sha/merge_requests:
// the project's merge requests holding the commit, as a merge request
// list (state and the list's other filters apply).
func (a *API) listCommitMergeRequests(w http.ResponseWriter, r *http.Request, c *Call) error {
	qy, err := mergeRequestQuery(c.params)
	if err != nil {
		return err
	}
	pg, err := a.svc.ListCommitMergeRequests(r.Context(), c.id, r.PathValue("id"), r.PathValue("sha"), qy)
	if err != nil {
		return err
	}
	return a.writeMergeRequestPage(w, r, c, qy, pg)
}
