package keys

import (
	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
)

// deployTokenRoutes are the deploy tokens' rows of the route table
// (deploy_tokens.go): the instance's list, and a project's and a group's.
func deployTokenRoutes() []v4.Endpoint {
	return []v4.Endpoint{
		v4.Row("GET /deploy_tokens", listAllDeployTokens, v4.Admin, access.AdminAll),
		v4.Row("GET /projects/{id}/deploy_tokens", listProjectDeployTokens, v4.SignedIn, access.ReadDeployToken),
		v4.Row("POST /projects/{id}/deploy_tokens", createProjectDeployToken, v4.SignedIn, access.CreateDeployToken),
		v4.Row("GET /projects/{id}/deploy_tokens/{token_id}", getProjectDeployToken, v4.SignedIn, access.ReadDeployToken),
		v4.Row("DELETE /projects/{id}/deploy_tokens/{token_id}", deleteProjectDeployToken, v4.SignedIn, access.DestroyDeployToken),
		v4.Row("GET /groups/{id}/deploy_tokens", listGroupDeployTokens, v4.SignedIn, access.ReadDeployToken),
		v4.Row("POST /groups/{id}/deploy_tokens", createGroupDeployToken, v4.SignedIn, access.CreateDeployToken),
		v4.Row("GET /groups/{id}/deploy_tokens/{token_id}", getGroupDeployToken, v4.SignedIn, access.ReadDeployToken),
		v4.Row("DELETE /groups/{id}/deploy_tokens/{token_id}", deleteGroupDeployToken, v4.SignedIn, access.DestroyDeployToken),
	}
}
