// Package wikis is the REST API of project and group wikis (GitLab's
// API::Wikis and API::GroupWikis): pages CRUD and attachments.
package wikis

import (
	"net/http"

	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
)

// Routes are the wikis' rows of the route table: a project's and a
// group's, the same operations.
func Routes() []v4.Endpoint {
	return []v4.Endpoint{
		v4.Row("GET /projects/{id}/wikis", listProjectPages, v4.Anyone, access.ReadWiki),
		v4.Row("POST /projects/{id}/wikis", createProjectPage, v4.SignedIn, access.CreateWiki),
		v4.Row("POST /projects/{id}/wikis/attachments", uploadProjectAttachment, v4.SignedIn, access.CreateWiki).WithRawBody(),
		v4.Row("GET /projects/{id}/wikis/{slug}", getProjectPage, v4.Anyone, access.ReadWiki),
		v4.Row("PUT /projects/{id}/wikis/{slug}", updateProjectPage, v4.SignedIn, access.CreateWiki),
		v4.Row("DELETE /projects/{id}/wikis/{slug}", deleteProjectPage, v4.SignedIn, access.AdminWiki),
		v4.Row("GET /groups/{id}/wikis", listGroupPages, v4.Anyone, access.ReadWiki),
		v4.Row("POST /groups/{id}/wikis", createGroupPage, v4.SignedIn, access.CreateWiki),
		v4.Row("POST /groups/{id}/wikis/attachments", uploadGroupAttachment, v4.SignedIn, access.CreateWiki).WithRawBody(),
		v4.Row("GET /groups/{id}/wikis/{slug}", getGroupPage, v4.Anyone, access.ReadWiki),
		v4.Row("PUT /groups/{id}/wikis/{slug}", updateGroupPage, v4.SignedIn, access.CreateWiki),
		v4.Row("DELETE /groups/{id}/wikis/{slug}", deleteGroupPage, v4.SignedIn, access.AdminWiki),
	}
}

func listProjectPages(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return listPages(a, w, r, c, false)
}

func createProjectPage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return createPage(a, w, r, c, false)
}

func uploadProjectAttachment(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return uploadAttachment(a, w, r, c, false)
}

func getProjectPage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return getPage(a, w, r, c, false)
}

func updateProjectPage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return updatePage(a, w, r, c, false)
}

func deleteProjectPage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return deletePage(a, w, r, c, false)
}

func listGroupPages(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return listPages(a, w, r, c, true)
}

func createGroupPage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return createPage(a, w, r, c, true)
}

func uploadGroupAttachment(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return uploadAttachment(a, w, r, c, true)
}

func getGroupPage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return getPage(a, w, r, c, true)
}

func updateGroupPage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return updatePage(a, w, r, c, true)
}

func deleteGroupPage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return deletePage(a, w, r, c, true)
}
