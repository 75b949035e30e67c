package v4

import "github.com/lablet/lablet/internal/access"

// gpgRoutes are GPG keys (gpg_keys.go) and commit signatures.
func gpgRoutes() []Endpoint {
	return []Endpoint{
		Row("GET /user/gpg_keys", (*API).listGPGKeys, signedInOrReadUser, access.ReadCurrentUser),
		Row("POST /user/gpg_keys", (*API).createGPGKey, SignedIn, access.ReadCurrentUser),
		Row("GET /user/gpg_keys/{key_id}", (*API).getGPGKey, signedInOrReadUser, access.ReadCurrentUser),
		Row("DELETE /user/gpg_keys/{key_id}", (*API).deleteGPGKey, SignedIn, access.ReadCurrentUser),
		Row("POST /user/gpg_keys/{key_id}/revoke", (*API).revokeGPGKey, SignedIn, access.ReadCurrentUser),
		Row("GET /users/{id}/gpg_keys", (*API).listGPGKeys, anyoneOrReadUser, access.ReadUser),
		Row("GET /users/{id}/gpg_keys/{key_id}", (*API).getGPGKey, anyoneOrReadUser, access.ReadUser),
		Row("POST /users/{id}/gpg_keys", (*API).createGPGKey, Admin, access.AdminAll),
		Row("DELETE /users/{id}/gpg_keys/{key_id}", (*API).deleteGPGKey, Admin, access.AdminAll),
		Row("POST /users/{id}/gpg_keys/{key_id}/revoke", (*API).revokeGPGKey, Admin, access.AdminAll),
		Row("GET /projects/{id}/repository/commits/{sha}/signature", (*API).getCommitSignature, Anyone, access.ReadCode),
	}
}
