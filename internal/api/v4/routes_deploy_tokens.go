package v4

import "github.com/lablet/lablet/internal/access"

// deployTokenRoutes are the deploy tokens' rows of the route table
// (deploy_tokens.go): the instance's list, and a project's and a group's.
func deployTokenRoutes() []Endpoint {
	return []Endpoint{
		Row("GET /deploy_tokens", (*API).listAllDeployTokens, Admin, access.AdminAll),
		Row("GET /projects/{id}/deploy_tokens", (*API).listProjectDeployTokens, SignedIn, access.ReadDeployToken),
		Row("POST /projects/{id}/deploy_tokens", (*API).createProjectDeployToken, SignedIn, access.CreateDeployToken),
		Row("GET /projects/{id}/deploy_tokens/{token_id}", (*API).getProjectDeployToken, SignedIn, access.ReadDeployToken),
		Row("DELETE /projects/{id}/deploy_tokens/{token_id}", (*API).deleteProjectDeployToken, SignedIn, access.DestroyDeployToken),
		Row("GET /groups/{id}/deploy_tokens", (*API).listGroupDeployTokens, SignedIn, access.ReadDeployToken),
		Row("POST /groups/{id}/deploy_tokens", (*API).createGroupDeployToken, SignedIn, access.CreateDeployToken),
		Row("GET /groups/{id}/deploy_tokens/{token_id}", (*API).getGroupDeployToken, SignedIn, access.ReadDeployToken),
		Row("DELETE /groups/{id}/deploy_tokens/{token_id}", (*API).deleteGroupDeployToken, SignedIn, access.DestroyDeployToken),
	}
}
