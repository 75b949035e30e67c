package v4

import (
	"net/http"
)

// mergeRequestCommits is GET …/merge_requests/:iid/commits: its commits,
// newest first, a page at a time.
func (a *API) mergeRequestCommits(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	mp, commits, err := a.svc.MergeRequestCommits(r.Context(), c.id, r.PathValue("id"), iid)
	if err != nil {
		return err
	}
	pg := PageOf(c.params)
	out := []commitEntity{}
	for _, cm := range pageSlice(commits, pg) {
		out = append(out, a.commitEntity(r, mp.Project, cm))
	}
	a.SetPageHeaders(w, r, pg, len(commits))
	return WriteOK(w, out)
}

// mergeRequestDiffs is GET …/merge_requests/:iid/diffs: its file diffs, a
// page at a time.
func (a *API) mergeRequestDiffs(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	_, diffs, err := a.svc.MergeRequestDiffs(r.Context(), c.id, r.PathValue("id"), iid)
	if err != nil {
		return err
	}
	pg := PageOf(c.params)
	a.SetPageHeaders(w, r, pg, len(diffs))
	return WriteOK(w, diffEntities(pageSlice(diffs, pg)))
}

// mergeRequestChangesEntity is GitLab's MergeRequestChanges: the merge
// request with its diffs.
type mergeRequestChangesEntity struct {
	MergeRequestEntity
	Changes  []diffEntity `json:"changes"`
	Overflow bool         `json:"overflow"`
}

// mergeRequestChanges is GET …/merge_requests/:iid/changes.
func (a *API) mergeRequestChanges(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	mp, diffs, err := a.svc.MergeRequestDiffs(r.Context(), c.id, r.PathValue("id"), iid)
	if err != nil {
		return err
	}
	e, err := a.mergeRequestDetailed(r, c, mp)
	if err != nil {
		return err
	}
	return WriteOK(w, mergeRequestChangesEntity{MergeRequestEntity: e, Changes: diffEntities(diffs)})
}
