package keys

import (
	"net/http"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// gpgKeyEntity is GitLab's Entities::GpgKey.
type gpgKeyEntity struct {
	ID        int64  `json:"id"`
	Key       string `json:"key"`
	CreatedAt string `json:"created_at"`
}

func gpgKeyEntityOf(k *model.GPGKey) gpgKeyEntity {
	return gpgKeyEntity{ID: k.ID, Key: k.Key, CreatedAt: v4.TS(k.CreatedAt)}
}

// gpgKeyUserID is the user /users/:id names (Grape types it Integer), 0
// for the /user routes, where the caller is meant.
func gpgKeyUserID(r *http.Request) (int64, error) {
	if r.PathValue("id") == "" {
		return 0, nil
	}
	id, ok := v4.UserPathID(r, "id")
	switch {
	case !ok:
		return 0, service.ParamError("id is invalid")
	case id == 0: // no user has id 0; it must not mean the caller
		return 0, service.NotFound("User")
	}
	return id, nil
}

// listGPGKeys is GET /user/gpg_keys and GET /users/:id/gpg_keys.
func listGPGKeys(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	userID, err := gpgKeyUserID(r)
	if err != nil {
		return err
	}
	keys, err := a.Service().UserGPGKeys(r.Context(), c.Identity(), userID)
	if err != nil {
		return err
	}
	page := v4.PaginateSlice(a, w, r, c, keys)
	out := make([]gpgKeyEntity, len(page))
	for i, k := range page {
		out[i] = gpgKeyEntityOf(k)
	}
	return v4.WriteOK(w, out)
}

// getGPGKey is GET /user/gpg_keys/:key_id and GET /users/:id/gpg_keys/:key_id.
func getGPGKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	userID, err := gpgKeyUserID(r)
	if err != nil {
		return err
	}
	id, err := v4.PathID(r, "key_id", "key_id")
	if err != nil {
		return err
	}
	k, err := a.Service().UserGPGKey(r.Context(), c.Identity(), userID, id)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, gpgKeyEntityOf(k))
}

// createGPGKey is POST /user/gpg_keys and, for administrators, POST
// /users/:id/gpg_keys.
func createGPGKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	userID, err := gpgKeyUserID(r)
	if err != nil {
		return err
	}
	text, err := c.Params().Required("key", 1<<20)
	if err != nil {
		return err
	}
	k, err := a.Service().CreateGPGKey(r.Context(), c.Identity(), userID, text)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, gpgKeyEntityOf(k))
}

// deleteGPGKey is DELETE /user/gpg_keys/:key_id and, for administrators,
// DELETE /users/:id/gpg_keys/:key_id.
func deleteGPGKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return removeGPGKey(a, w, r, c, false)
}

// revokeGPGKey is POST /user/gpg_keys/:key_id/revoke and, for
// administrators, POST /users/:id/gpg_keys/:key_id/revoke.
func revokeGPGKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return removeGPGKey(a, w, r, c, true)
}

// removeGPGKey deletes or revokes a key: 204, or 202 Accepted for a
// revocation, as GitLab answers.
func removeGPGKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, revoke bool) error {
	userID, err := gpgKeyUserID(r)
	if err != nil {
		return err
	}
	id, err := v4.PathID(r, "key_id", "key_id")
	if err != nil {
		return err
	}
	if err := a.Service().DeleteGPGKey(r.Context(), c.Identity(), userID, id); err != nil {
		return err
	}
	if revoke {
		return v4.WriteAccepted(w)
	}
	return v4.WriteNoContent(w)
}

// commitSignatureEntity is GitLab's Entities::CommitSignature for a GPG
// signature (GpgCommitSignature merged in).
type commitSignatureEntity struct {
	SignatureType      string  `json:"signature_type"`
	GPGKeyID           *int64  `json:"gpg_key_id"`
	GPGKeyPrimaryKeyID *string `json:"gpg_key_primary_keyid"`
	GPGKeyUserName     *string `json:"gpg_key_user_name"`
	GPGKeyUserEmail    *string `json:"gpg_key_user_email"`
	VerificationStatus string  `json:"verification_status"`
	GPGKeySubkeyID     *int64  `json:"gpg_key_subkey_id"`
	CommitSource       string  `json:"commit_source"`
}

// sshCommitSignatureEntity is Entities::CommitSignature for an SSH
// signature (SshSignature merged in: the signing key, null when unknown).
type sshCommitSignatureEntity struct {
	SignatureType      string        `json:"signature_type"`
	VerificationStatus string        `json:"verification_status"`
	Key                *sshKeyEntity `json:"key"`
	CommitSource       string        `json:"commit_source"`
}

func nonZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// getCommitSignature is GET /projects/:id/repository/commits/:sha/signature.
func getCommitSignature(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	sig, err := a.Service().CommitSignatureOf(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("sha"))
	if err != nil {
		return err
	}
	if sig.Type == "SSH" {
		e := sshCommitSignatureEntity{SignatureType: sig.Type, VerificationStatus: sig.VerificationStatus, CommitSource: "gitaly"}
		if sig.SSHKey != nil {
			k := sshKeyEntityOf(sig.SSHKey)
			e.Key = &k
		}
		return v4.WriteOK(w, e)
	}
	return v4.WriteOK(w, commitSignatureEntity{SignatureType: sig.Type, GPGKeyID: nonZero(sig.GPGKeyID),
		GPGKeyPrimaryKeyID: nonZero(sig.GPGKeyPrimaryKeyID), GPGKeyUserName: nonZero(sig.GPGKeyUserName),
		GPGKeyUserEmail: nonZero(sig.GPGKeyUserEmail), VerificationStatus: sig.VerificationStatus,
		GPGKeySubkeyID: nonZero(sig.GPGKeySubkeyID), CommitSource: "gitaly"})
}
