// Package projectops is the part of GitLab's REST API v4 that operates a
// project's repository as a whole: housekeeping, where it is stored and
// snapshots. Its handlers are functions of the core package's Handler
// type; Routes is its route table, which internal/server hands to v4.New.
package projectops

import (
	"net/http"

	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
)

// Routes are the repository operations of a project.
func Routes() []v4.Endpoint {
	return []v4.Endpoint{
		v4.Row("POST /projects/{id}/housekeeping", startHousekeeping, v4.SignedIn, access.AdminProject),
		v4.Row("GET /projects/{id}/storage", repositoryStorage, v4.Admin, access.AdminAll),
		v4.Row("GET /projects/{id}/snapshot", repositorySnapshot, v4.Admin, access.AdminAll),
	}
}

// startHousekeeping queues a housekeeping task and answers at once.
func startHousekeeping(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	task, ok, err := c.Params().OneOf("task", "eager", "prune")
	if err != nil {
		return err
	}
	if !ok {
		task = "eager"
	}
	if err := a.Service().StartHousekeeping(r.Context(), c.Identity(), r.PathValue("id"), task); err != nil {
		return err
	}
	return v4.WriteCreated(w, nil)
}

// repositoryStorageEntity is GitLab's Entities::ProjectRepositoryStorage.
type repositoryStorageEntity struct {
	DiskPath          string `json:"disk_path"`
	ProjectID         int64  `json:"project_id"`
	CreatedAt         string `json:"created_at"`
	RepositoryStorage string `json:"repository_storage"`
}

func repositoryStorage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	st, err := a.Service().RepositoryStorage(r.Context(), c.Identity(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return v4.WriteOK(w, repositoryStorageEntity{DiskPath: st.DiskPath, ProjectID: st.Project.ID,
		CreatedAt: v4.TS(st.Project.CreatedAt), RepositoryStorage: "default"})
}

// repositorySnapshot streams a tar of the bare repository, with the
// headers GitLab Workhorse sends with one.
func repositorySnapshot(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	wiki, _, err := c.Params().Bool("wiki")
	if err != nil {
		return err
	}
	p, write, err := a.Service().RepositorySnapshot(r.Context(), c.Identity(), r.PathValue("id"), wiki)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-tar")
	h.Set("Content-Disposition", `attachment; filename="snapshot.tar"`)
	h.Set("Content-Transfer-Encoding", "binary")
	h.Set("Cache-Control", "private")
	w.WriteHeader(http.StatusOK)
	if err := write(w); err != nil {
		// The status is sent: the client sees a cut tar stream.
		a.Log().WarnContext(r.Context(), "repository snapshot", "project", p.ID, "err", err)
	}
	return nil
}
