package releases

import (
	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
)

// Routes are the releases' rows of the route table. A single release, the
// latest's permalink and its downloads take read_code too, as GitLab's
// authorize_read_code!.
func Routes() []v4.Endpoint {
	return []v4.Endpoint{
		v4.Row("GET /projects/{id}/releases", listReleases, v4.Anyone, access.ReadRelease),
		v4.Row("POST /projects/{id}/releases", createRelease, v4.SignedIn, access.CreateRelease),
		v4.Row("GET /projects/{id}/releases/permalink/latest", latestRelease, v4.Anyone, access.ReadCode),
		v4.Row("GET /projects/{id}/releases/permalink/latest/{suffix...}", latestRelease, v4.Anyone, access.ReadCode),
		v4.Row("GET /projects/{id}/releases/{tag_name}", getRelease, v4.Anyone, access.ReadCode),
		v4.Row("PUT /projects/{id}/releases/{tag_name}", updateRelease, v4.SignedIn, access.UpdateRelease),
		v4.Row("DELETE /projects/{id}/releases/{tag_name}", deleteRelease, v4.SignedIn, access.DestroyRelease),
		v4.Row("GET /projects/{id}/releases/{tag_name}/assets/links", listLinks, v4.Anyone, access.ReadRelease),
		v4.Row("POST /projects/{id}/releases/{tag_name}/assets/links", createLink, v4.SignedIn, access.CreateRelease),
		v4.Row("GET /projects/{id}/releases/{tag_name}/assets/links/{link_id}", getLink, v4.Anyone, access.ReadRelease),
		v4.Row("PUT /projects/{id}/releases/{tag_name}/assets/links/{link_id}", updateLink, v4.SignedIn, access.UpdateRelease),
		v4.Row("DELETE /projects/{id}/releases/{tag_name}/assets/links/{link_id}", deleteLink, v4.SignedIn, access.DestroyRelease),
		v4.Row("GET /groups/{id}/releases", listGroupReleases, v4.Anyone, access.ReadRelease),
	}
}
