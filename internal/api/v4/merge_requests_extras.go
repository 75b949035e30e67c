package v4

import (
	"net/http"
	"strconv"
)

// mergeRequestReviewerEntity is Entities::MergeRequestReviewer.
type mergeRequestReviewerEntity struct {
	User      BasicUser `json:"user"`
	State     string    `json:"state"`
	CreatedAt string    `json:"created_at"`
}

// mergeRequestReviewers is GET …/merge_requests/:iid/reviewers: every
// reviewer, unpaginated as GitLab.
func (a *API) mergeRequestReviewers(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	list, err := a.svc.MergeRequestReviewers(r.Context(), c.id, r.PathValue("id"), iid)
	if err != nil {
		return err
	}
	out := make([]mergeRequestReviewerEntity, 0, len(list))
	for _, v := range list {
		out = append(out, mergeRequestReviewerEntity{User: a.basicUser(r, v.User), State: v.State, CreatedAt: TS(v.CreatedAt)})
	}
	return WriteOK(w, out)
}

// mergeRequestRawDiffs is GET …/merge_requests/:iid/raw_diffs: the merge
// request's changes as one plain-text patch.
func (a *API) mergeRequestRawDiffs(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	body, err := a.svc.MergeRequestRawDiff(r.Context(), c.id, r.PathValue("id"), iid)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return nil
}
