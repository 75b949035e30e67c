package keys

import (
	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
)

// gpgRoutes are GPG keys (gpg_keys.go) and commit signatures.
func gpgRoutes() []v4.Endpoint {
	return []v4.Endpoint{
		v4.Row("GET /user/gpg_keys", listGPGKeys, v4.SignedInOrReadUser, access.ReadCurrentUser),
		v4.Row("POST /user/gpg_keys", createGPGKey, v4.SignedIn, access.ReadCurrentUser),
		v4.Row("GET /user/gpg_keys/{key_id}", getGPGKey, v4.SignedInOrReadUser, access.ReadCurrentUser),
		v4.Row("DELETE /user/gpg_keys/{key_id}", deleteGPGKey, v4.SignedIn, access.ReadCurrentUser),
		v4.Row("POST /user/gpg_keys/{key_id}/revoke", revokeGPGKey, v4.SignedIn, access.ReadCurrentUser),
		v4.Row("GET /users/{id}/gpg_keys", listGPGKeys, v4.AnyoneOrReadUser, access.ReadUser),
		v4.Row("GET /users/{id}/gpg_keys/{key_id}", getGPGKey, v4.AnyoneOrReadUser, access.ReadUser),
		v4.Row("POST /users/{id}/gpg_keys", createGPGKey, v4.Admin, access.AdminAll),
		v4.Row("DELETE /users/{id}/gpg_keys/{key_id}", deleteGPGKey, v4.Admin, access.AdminAll),
		v4.Row("POST /users/{id}/gpg_keys/{key_id}/revoke", revokeGPGKey, v4.Admin, access.AdminAll),
		v4.Row("GET /projects/{id}/repository/commits/{sha}/signature", getCommitSignature, v4.Anyone, access.ReadCode),
	}
}
