package v4

import "github.com/lablet/lablet/internal/access"

// deployTokenRoutes are the deploy tokens' rows of the route table
// (deploy_tokens.go): the instance's list, and a project's and a group's.
func deployTokenRoutes() []endpoint {
	return []endpoint{
		row("GET /deploy_tokens", (*API).listAllDeployTokens, admin, access.AdminAll),
		row("GET /projects/{id}/deploy_tokens", (*API).listProjectDeployTokens, signedIn, access.ReadDeployToken),
		row("POST /projects/{id}/deploy_tokens", (*API).createProjectDeployToken, signedIn, access.CreateDeployToken),
		row("GET /projects/{id}/deploy_tokens/{token_id}", (*API).getProjectDeployToken, signedIn, access.ReadDeployToken),
		row("DELETE /projects/{id}/deploy_tokens/{token_id}", (*API).deleteProjectDeployToken, signedIn, access.DestroyDeployToken),
		row("GET /groups/{id}/deploy_tokens", (*API).listGroupDeployTokens, signedIn, access.ReadDeployToken),
		row("POST /groups/{id}/deploy_tokens", (*API).createGroupDeployToken, signedIn, access.CreateDeployToken),
		row("GET /groups/{id}/deploy_tokens/{token_id}", (*API).getGroupDeployToken, signedIn, access.ReadDeployToken),
		row("DELETE /groups/{id}/deploy_tokens/{token_id}", (*API).deleteGroupDeployToken, signedIn, access.DestroyDeployToken),
	}
}
