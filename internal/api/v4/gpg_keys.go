package v4

import (
	"net/http"

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
	return gpgKeyEntity{ID: k.ID, Key: k.Key, CreatedAt: TS(k.CreatedAt)}
}

// gpgKeyUserID is the user /users/:id names (Grape types it Integer), 0
// for the /user routes, where the caller is meant.
func gpgKeyUserID(r *http.Request) (int64, error) {
	if r.PathValue("id") == "" {
		return 0, nil
	}
	id, ok := userPathID(r, "id")
	switch {
	case !ok:
		return 0, service.ParamError("id is invalid")
	case id == 0: // no user has id 0; it must not mean the caller
		return 0, service.NotFound("User")
	}
	return id, nil
}

// listGPGKeys is GET /user/gpg_keys and GET /users/:id/gpg_keys.
func (a *API) listGPGKeys(w http.ResponseWriter, r *http.Request, c *Call) error {
	userID, err := gpgKeyUserID(r)
	if err != nil {
		return err
	}
	keys, err := a.svc.UserGPGKeys(r.Context(), c.id, userID)
	if err != nil {
		return err
	}
	page := PaginateSlice(a, w, r, c, keys)
	out := make([]gpgKeyEntity, len(page))
	for i, k := range page {
		out[i] = gpgKeyEntityOf(k)
	}
	return WriteOK(w, out)
}

// getGPGKey is GET /user/gpg_keys/:key_id and GET /users/:id/gpg_keys/:key_id.
func (a *API) getGPGKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	userID, err := gpgKeyUserID(r)
	if err != nil {
		return err
	}
	id, err := keyIDParam(r, "key_id")
	if err != nil {
		return err
	}
	k, err := a.svc.UserGPGKey(r.Context(), c.id, userID, id)
	if err != nil {
		return err
	}
	return WriteOK(w, gpgKeyEntityOf(k))
}

// createGPGKey is POST /user/gpg_keys and, for administrators, POST
// /users/:id/gpg_keys.
func (a *API) createGPGKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	userID, err := gpgKeyUserID(r)
	if err != nil {
		return err
	}
	text, err := c.params.Required("key", 1<<20)
	if err != nil {
		return err
	}
	k, err := a.svc.CreateGPGKey(r.Context(), c.id, userID, text)
	if err != nil {
		return err
	}
	return WriteCreated(w, gpgKeyEntityOf(k))
}

// deleteGPGKey is DELETE /user/gpg_keys/:key_id and, for administrators,
// DELETE /users/:id/gpg_keys/:key_id.
func (a *API) deleteGPGKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.removeGPGKey(w, r, c, false)
}

// revokeGPGKey is POST /user/gpg_keys/:key_id/revoke and, for
// administrators, POST /users/:id/gpg_keys/:key_id/revoke.
func (a *API) revokeGPGKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.removeGPGKey(w, r, c, true)
}

// removeGPGKey deletes or revokes a key: 204, or 202 Accepted for a
// revocation, as GitLab answers.
func (a *API) removeGPGKey(w http.ResponseWriter, r *http.Request, c *Call, revoke bool) error {
	userID, err := gpgKeyUserID(r)
	if err != nil {
		return err
	}
	id, err := keyIDParam(r, "key_id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteGPGKey(r.Context(), c.id, userID, id); err != nil {
		return err
	}
	if revoke {
		return WriteAccepted(w)
	}
	return WriteNoContent(w)
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
func (a *API) getCommitSignature(w http.ResponseWriter, r *http.Request, c *Call) error {
	sig, err := a.svc.CommitSignatureOf(r.Context(), c.id, r.PathValue("id"), r.PathValue("sha"))
	if err != nil {
		return err
	}
	if sig.Type == "SSH" {
		e := sshCommitSignatureEntity{SignatureType: sig.Type, VerificationStatus: sig.VerificationStatus, CommitSource: "gitaly"}
		if sig.SSHKey != nil {
			k := sshKeyEntityOf(sig.SSHKey)
			e.Key = &k
		}
		return WriteOK(w, e)
	}
	return WriteOK(w, commitSignatureEntity{SignatureType: sig.Type, GPGKeyID: nonZero(sig.GPGKeyID),
		GPGKeyPrimaryKeyID: nonZero(sig.GPGKeyPrimaryKeyID), GPGKeyUserName: nonZero(sig.GPGKeyUserName),
		GPGKeyUserEmail: nonZero(sig.GPGKeyUserEmail), VerificationStatus: sig.VerificationStatus,
		GPGKeySubkeyID: nonZero(sig.GPGKeySubkeyID), CommitSource: "gitaly"})
}
