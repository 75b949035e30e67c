package v4

import "github.com/lablet/lablet/internal/access"

// gpgRoutes are GPG keys (gpg_keys.go) and commit signatures.
func gpgRoutes() []endpoint {
	return []endpoint{
		row("GET /user/gpg_keys", (*API).listOwnGPGKeys, signedInOrReadUser, access.ReadCurrentUser),
		row("POST /user/gpg_keys", (*API).createOwnGPGKey, signedIn, access.ReadCurrentUser),
		row("GET /user/gpg_keys/{key_id}", (*API).getOwnGPGKey, signedInOrReadUser, access.ReadCurrentUser),
		row("DELETE /user/gpg_keys/{key_id}", (*API).deleteOwnGPGKey, signedIn, access.ReadCurrentUser),
		row("POST /user/gpg_keys/{key_id}/revoke", (*API).revokeOwnGPGKey, signedIn, access.ReadCurrentUser),
		row("GET /users/{id}/gpg_keys", (*API).listUserGPGKeys, anyoneOrReadUser, access.ReadUser),
		row("GET /users/{id}/gpg_keys/{key_id}", (*API).getUserGPGKey, anyoneOrReadUser, access.ReadUser),
		row("POST /users/{id}/gpg_keys", (*API).createUserGPGKey, admin, access.AdminAll),
		row("DELETE /users/{id}/gpg_keys/{key_id}", (*API).deleteUserGPGKey, admin, access.AdminAll),
		row("POST /users/{id}/gpg_keys/{key_id}/revoke", (*API).revokeUserGPGKey, admin, access.AdminAll),
		row("GET /projects/{id}/repository/commits/{sha}/signature", (*API).getCommitSignature, anyone, access.ReadCode),
	}
}
