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
	return gpgKeyEntity{ID: k.ID, Key: k.Key, CreatedAt: ts(k.CreatedAt)}
}

// gpgKeyUserID is the user /users/:id names (Grape types it Integer), 0
// for /user routes; ok false when :id is not a number.
func gpgKeyUserID(r *http.Request) (id int64, ok bool) {
	if r.PathValue("id") == "" {
		return 0, true
	}
	return userPathID(r, "id")
}

// listOwnGPGKeys is GET /user/gpg_keys.
func (a *API) listOwnGPGKeys(w http.ResponseWriter, r *http.Request, c *call) error {
	return a.listGPGKeys(w, r, c)
}

// listUserGPGKeys is GET /users/:id/gpg_keys.
func (a *API) listUserGPGKeys(w http.ResponseWriter, r *http.Request, c *call) error {
	return a.listGPGKeys(w, r, c)
}

func (a *API) listGPGKeys(w http.ResponseWriter, r *http.Request, c *call) error {
	userID, ok := gpgKeyUserID(r)
	if !ok {
		return service.ParamError("id is invalid")
	}
	keys, err := a.svc.UserGPGKeys(r.Context(), c.id, userID)
	if err != nil {
		return err
	}
	page := paginateSlice(a, w, r, c, keys)
	out := make([]gpgKeyEntity, len(page))
	for i, k := range page {
		out[i] = gpgKeyEntityOf(k)
	}
	return writeOK(w, out)
}

// getOwnGPGKey is GET /user/gpg_keys/:key_id.
func (a *API) getOwnGPGKey(w http.ResponseWriter, r *http.Request, c *call) error {
	return a.getGPGKey(w, r, c)
}

// getUserGPGKey is GET /users/:id/gpg_keys/:key_id.
func (a *API) getUserGPGKey(w http.ResponseWriter, r *http.Request, c *call) error {
	return a.getGPGKey(w, r, c)
}

func (a *API) getGPGKey(w http.ResponseWriter, r *http.Request, c *call) error {
	userID, ok := gpgKeyUserID(r)
	if !ok {
		return service.ParamError("id is invalid")
	}
	id, err := keyIDParam(r, "key_id")
	if err != nil {
		return err
	}
	k, err := a.svc.UserGPGKey(r.Context(), c.id, userID, id)
	if err != nil {
		return err
	}
	return writeOK(w, gpgKeyEntityOf(k))
}

// createOwnGPGKey is POST /user/gpg_keys.
func (a *API) createOwnGPGKey(w http.ResponseWriter, r *http.Request, c *call) error {
	return a.createGPGKey(w, r, c)
}

// createUserGPGKey is POST /users/:id/gpg_keys (administrators).
func (a *API) createUserGPGKey(w http.ResponseWriter, r *http.Request, c *call) error {
	return a.createGPGKey(w, r, c)
}

func (a *API) createGPGKey(w http.ResponseWriter, r *http.Request, c *call) error {
	userID, ok := gpgKeyUserID(r)
	if !ok {
		return service.ParamError("id is invalid")
	}
	text, err := c.params.required("key", 1<<20)
	if err != nil {
		return err
	}
	k, err := a.svc.CreateGPGKey(r.Context(), c.id, userID, text)
	if err != nil {
		return err
	}
	return writeCreated(w, gpgKeyEntityOf(k))
}

// deleteOwnGPGKey is DELETE /user/gpg_keys/:key_id.
func (a *API) deleteOwnGPGKey(w http.ResponseWriter, r *http.Request, c *call) error {
	return a.removeGPGKey(w, r, c, false)
}

// deleteUserGPGKey is DELETE /users/:id/gpg_keys/:key_id (administrators).
func (a *API) deleteUserGPGKey(w http.ResponseWriter, r *http.Request, c *call) error {
	return a.removeGPGKey(w, r, c, false)
}

// revokeOwnGPGKey is POST /user/gpg_keys/:key_id/revoke.
func (a *API) revokeOwnGPGKey(w http.ResponseWriter, r *http.Request, c *call) error {
	return a.removeGPGKey(w, r, c, true)
}

// revokeUserGPGKey is POST /users/:id/gpg_keys/:key_id/revoke
// (administrators).
func (a *API) revokeUserGPGKey(w http.ResponseWriter, r *http.Request, c *call) error {
	return a.removeGPGKey(w, r, c, true)
}

// removeGPGKey deletes or revokes a key: 204, or 202 Accepted for a
// revocation, as GitLab answers.
func (a *API) removeGPGKey(w http.ResponseWriter, r *http.Request, c *call, revoke bool) error {
	userID, ok := gpgKeyUserID(r)
	if !ok {
		return service.ParamError("id is invalid")
	}
	id, err := keyIDParam(r, "key_id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteGPGKey(r.Context(), c.id, userID, id); err != nil {
		return err
	}
	if revoke {
		return writeAccepted(w)
	}
	return writeNoContent(w)
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

func nonZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// getCommitSignature is GET /projects/:id/repository/commits/:sha/signature.
func (a *API) getCommitSignature(w http.ResponseWriter, r *http.Request, c *call) error {
	sig, err := a.svc.CommitSignatureOf(r.Context(), c.id, r.PathValue("id"), r.PathValue("sha"))
	if err != nil {
		return err
	}
	return writeOK(w, commitSignatureEntity{SignatureType: sig.Type, GPGKeyID: nonZero(sig.GPGKeyID),
		GPGKeyPrimaryKeyID: nonZero(sig.GPGKeyPrimaryKeyID), GPGKeyUserName: nonZero(sig.GPGKeyUserName),
		GPGKeyUserEmail: nonZero(sig.GPGKeyUserEmail), VerificationStatus: sig.VerificationStatus,
		GPGKeySubkeyID: nonZero(sig.GPGKeySubkeyID), CommitSource: "gitaly"})
}
