package v4

import "github.com/lablet/lablet/internal/access"

// gpgRoutes are GPG keys (gpg_keys.go) and commit signatures.
func gpgRoutes() []endpoint {
	return []endpoint{
		row("GET /user/gpg_keys", (*API).listGPGKeys, signedInOrReadUser, access.ReadCurrentUser),
		row("POST /user/gpg_keys", (*API).createGPGKey, signedIn, access.ReadCurrentUser),
		row("GET /user/gpg_keys/{key_id}", (*API).getGPGKey, signedInOrReadUser, access.ReadCurrentUser),
		row("DELETE /user/gpg_keys/{key_id}", (*API).deleteGPGKey, signedIn, access.ReadCurrentUser),
		row("POST /user/gpg_keys/{key_id}/revoke", (*API).revokeGPGKey, signedIn, access.ReadCurrentUser),
		row("GET /users/{id}/gpg_keys", (*API).listGPGKeys, anyoneOrReadUser, access.ReadUser),
		row("GET /users/{id}/gpg_keys/{key_id}", (*API).getGPGKey, anyoneOrReadUser, access.ReadUser),
		row("POST /users/{id}/gpg_keys", (*API).createGPGKey, admin, access.AdminAll),
		row("DELETE /users/{id}/gpg_keys/{key_id}", (*API).deleteGPGKey, admin, access.AdminAll),
		row("POST /users/{id}/gpg_keys/{key_id}/revoke", (*API).revokeGPGKey, admin, access.AdminAll),
		row("GET /projects/{id}/repository/commits/{sha}/signature", (*API).getCommitSignature, anyone, access.ReadCode),
	}
}
