package v4

import (
	"errors"
	"net/http"

	"github.com/lablet/lablet/internal/service"
)

// starrerEntity is GitLab's Entities::UserStarsProject.
type starrerEntity struct {
	StarredSince string    `json:"starred_since"`
	User         BasicUser `json:"user"`
}

// starProject is POST /projects/:id/star: 201 with the project, 304 when
// the caller starred it already.
func (a *API) starProject(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.writeStarred(w, r, c, true)
}

// unstarProject is POST /projects/:id/unstar: 201, or 304 without a star.
func (a *API) unstarProject(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.writeStarred(w, r, c, false)
}

func (a *API) writeStarred(w http.ResponseWriter, r *http.Request, c *Call, star bool) error {
	run := a.svc.UnstarProject
	if star {
		run = a.svc.StarProject
	}
	p, err := run(r.Context(), c.id, r.PathValue("id"))
	if errors.Is(err, service.ErrNotModified) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if err != nil {
		return err
	}
	return a.writeProject(w, r, c.id, http.StatusCreated, p, nil, true)
}

// listStarrers is GET /projects/:id/starrers.
func (a *API) listStarrers(w http.ResponseWriter, r *http.Request, c *Call) error {
	pg := PageOf(c.params)
	search, _ := c.params.Str("search")
	starrers, total, err := a.svc.ProjectStarrers(r.Context(), c.id, r.PathValue("id"), search, pg.PerPage, pg.Offset())
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	base := a.BaseURL(r)
	out := make([]starrerEntity, len(starrers))
	for i, s := range starrers {
		out[i] = starrerEntity{StarredSince: TS(s.StarredAt), User: BasicUserAt(base, a.gravatar, s.User)}
	}
	return WriteOK(w, out)
}

// listStarredProjects is GET /users/:id/starred_projects.
func (a *API) listStarredProjects(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.projectList(w, r, c, listWithAccess, func(o service.ProjectListOptions) (*service.ProjectList, error) {
		return a.svc.StarredProjects(r.Context(), c.id, r.PathValue("user_id"), o)
	})
}
