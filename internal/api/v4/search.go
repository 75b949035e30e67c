package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/service"
)

// search serves GET /search, /groups/:id/search and /projects/:id/search
// (level "global", "group", "project"): GitLab's basic search, one scope
// a request, offset pagination.
func searchAt(level string) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		in := service.SearchInput{}
		var err error
		if in.Scope, err = c.params.Required("scope", 64); err != nil {
			return err
		}
		if !service.SearchScopeValid(level, in.Scope) {
			return service.ParamError("scope does not have a valid value")
		}
		if in.Text, err = c.params.Required("search", 1<<20); err != nil {
			return err
		}
		state, _, err := c.params.OneOf("state", "all", "opened", "closed", "merged")
		if err != nil {
			return err
		}
		if state != "all" {
			in.State = state
		}
		if v, ok, err := c.params.Bool("confidential"); err != nil {
			return err
		} else if ok {
			in.Confidential = &v
		}
		if _, _, err := c.params.OneOf("order_by", "created_at"); err != nil {
			return err
		}
		sort, _, err := c.params.OneOf("sort", "asc", "desc")
		if err != nil {
			return err
		}
		in.Asc = sort == "asc"
		switch level {
		case "group":
			in.GroupRef = r.PathValue("id")
		case "project":
			in.ProjectRef = r.PathValue("id")
			if in.Ref, _, err = c.params.Text("ref", 1024); err != nil {
				return err
			}
		}
		pg := PageOf(c.params)
		in.Offset, in.Limit = pg.Offset(), pg.PerPage
		res, err := a.svc.Search(r.Context(), c.id, in)
		if err != nil {
			return err
		}
		out, err := a.searchResultJSON(r, c, in.Scope, res)
		if err != nil {
			return err
		}
		if res.Counted {
			a.SetPageHeaders(w, r, pg, res.Total)
		} else {
			a.setPageHeadersWithoutCount(w, r, pg, res.More)
		}
		if body, ok := out.([]byte); ok {
			writeJSONBytes(w, http.StatusOK, body)
			return nil
		}
		return WriteOK(w, out)
	}
}

// foundBlobEntity is GitLab's Blob entity, a code search result. filename
// repeats path, as GitLab's does.
type foundBlobEntity struct {
	Basename  string  `json:"basename"`
	Data      string  `json:"data"`
	Path      string  `json:"path"`
	Filename  string  `json:"filename"`
	ID        *string `json:"id"`
	Ref       string  `json:"ref"`
	Startline int     `json:"startline"`
	ProjectID int64   `json:"project_id"`
}

func blobJSON(projectID int64, b service.FoundBlob) foundBlobEntity {
	e := foundBlobEntity{Basename: b.Basename, Data: b.Data, Path: b.Path, Filename: b.Path, Ref: b.Ref,
		Startline: b.StartLine, ProjectID: projectID}
	if b.ID != "" {
		e.ID = &b.ID
	}
	return e
}

// searchResultJSON renders the found objects with the entities their own
// APIs use (projects: BasicProjectDetails; users: UserBasic): issues as
// their encoded page (a []byte), the others as values to encode.
func (a *API) searchResultJSON(r *http.Request, c *Call, scope string, res *service.SearchResult) (any, error) {
	switch scope {
	case "projects":
		pb := a.ProjectBase(r)
		out := make([]BasicProject, 0, len(res.Projects.Projects))
		for _, p := range res.Projects.Projects {
			out = append(out, BasicProjectAt(pb, p))
		}
		return out, nil
	case "issues":
		// A list page's rendering, kept under the page's key: the same
		// words searched again by the same caller are not rendered again.
		return a.issuePageBody(r, c, res.Issues, false)
	case "milestones":
		out := make([]milestoneEntity, 0, len(res.Milestones))
		for _, v := range res.Milestones {
			out = append(out, a.milestoneJSON(r, v))
		}
		return out, nil
	case "notes":
		out := make([]noteEntity, 0, len(res.Notes))
		for _, n := range res.Notes {
			on := &service.Noteable{Type: n.NoteableType, ID: n.NoteableID, IID: res.NoteIIDs[n.NoteableID]}
			out = append(out, a.noteJSON(r, on, n, res.NoteUsers))
		}
		return out, nil
	case "users":
		out := make([]BasicUser, 0, len(res.Users))
		for _, u := range res.Users {
			out = append(out, a.basicUser(r, u))
		}
		return out, nil
	case "blobs":
		out := make([]foundBlobEntity, 0, len(res.Blobs))
		for _, b := range res.Blobs {
			out = append(out, blobJSON(res.Project.ID, b))
		}
		return out, nil
	case "commits":
		out := make([]commitDetailEntity, 0, len(res.Commits))
		for _, c := range res.Commits {
			out = append(out, a.commitDetailOf(r, res.Project, c))
		}
		return out, nil
	}
	// Scopes of features lablet does not have yet find nothing.
	return []struct{}{}, nil
}
