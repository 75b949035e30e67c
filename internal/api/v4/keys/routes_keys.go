package keys

import (
	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
)

// Routes are the rows of credentials other than tokens: users' SSH and
// GPG keys, deploy keys and deploy tokens. internal/server hands them to
// v4.New.
func Routes() []v4.Endpoint {
	rows := []v4.Endpoint{
		// SSH keys (keys.go).
		v4.Row("GET /user/keys", listOwnKeys, v4.SignedInOrReadUser, access.ReadCurrentUser),
		v4.Row("POST /user/keys", createOwnKey, v4.SignedIn, access.ReadCurrentUser),
		v4.Row("GET /user/keys/{key_id}", getOwnKey, v4.SignedInOrReadUser, access.ReadCurrentUser),
		v4.Row("DELETE /user/keys/{key_id}", deleteOwnKey, v4.SignedIn, access.ReadCurrentUser),
		v4.Row("GET /users/{id}/keys", listUserKeys, v4.AnyoneOrReadUser, access.ReadUser),
		v4.Row("GET /users/{id}/keys/{key_id}", getUserKey, v4.AnyoneOrReadUser, access.ReadUser),
		v4.Row("POST /users/{id}/keys", createUserKey, v4.Admin, access.AdminAll),
		v4.Row("DELETE /users/{id}/keys/{key_id}", deleteUserKey, v4.Admin, access.AdminAll),
		v4.Row("GET /keys", findKey, v4.Admin, access.AdminAll),
		v4.Row("GET /keys/{id}", getKey, v4.Admin, access.AdminAll),

		// Deploy keys (deploy_keys.go).
		v4.Row("GET /deploy_keys", listDeployKeys, v4.Admin, access.AdminAll),
		v4.Row("POST /deploy_keys", createInstanceDeployKey, v4.Admin, access.AdminAll),
		v4.Row("GET /projects/{id}/deploy_keys", listProjectDeployKeys, v4.SignedIn, access.AdminProject),
		v4.Row("POST /projects/{id}/deploy_keys", createProjectDeployKey, v4.SignedIn, access.AdminProject),
		v4.Row("GET /projects/{id}/deploy_keys/{key_id}", getProjectDeployKey, v4.SignedIn, access.AdminProject),
		v4.Row("PUT /projects/{id}/deploy_keys/{key_id}", updateProjectDeployKey, v4.SignedIn, access.AdminProject),
		v4.Row("DELETE /projects/{id}/deploy_keys/{key_id}", deleteProjectDeployKey, v4.SignedIn, access.AdminProject),
		v4.Row("POST /projects/{id}/deploy_keys/{key_id}/enable", enableProjectDeployKey, v4.SignedIn, access.AdminProject),
	}
	rows = append(rows, deployTokenRoutes()...)
	return append(rows, gpgRoutes()...)
}
