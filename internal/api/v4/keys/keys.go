// Package keys is the credentials part of GitLab's REST API v4 other than
// tokens: users' SSH and GPG keys, commit signatures' keys, deploy keys
// and deploy tokens. Its handlers are functions of the core package's
// Handler type; Routes is its route table, which internal/server hands to
// v4.New.
package keys

import (
	"net/http"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// sshKeyEntity is GitLab's Entities::SSHKey.
type sshKeyEntity struct {
	ID         int64   `json:"id"`
	Title      string  `json:"title"`
	CreatedAt  string  `json:"created_at"`
	ExpiresAt  *string `json:"expires_at"`
	LastUsedAt *string `json:"last_used_at"`
	Key        string  `json:"key"`
	UsageType  string  `json:"usage_type"`
}

func sshKeyEntityOf(k *model.Key) sshKeyEntity {
	return sshKeyEntity{ID: k.ID, Title: k.Title, CreatedAt: v4.TS(k.CreatedAt), ExpiresAt: v4.TSP(k.ExpiresAt),
		LastUsedAt: v4.TSP(k.LastUsedAt), Key: k.Text, UsageType: k.UsageType}
}

// sshKeyWithUserEntity is Entities::SSHKeyWithUser (GET /keys).
type sshKeyWithUserEntity struct {
	sshKeyEntity
	User *v4.UserEntity `json:"user"`
}

// keyInput reads POST …/keys: title and key required, expires_at and
// usage_type optional.
func keyInput(p *v4.Params) (service.KeyInput, error) {
	var in service.KeyInput
	var pe v4.ParamErrors
	var err error
	if in.Key, err = p.Required("key", 1<<16); err != nil {
		pe.Add(err)
	}
	if in.Title, err = p.Required("title", 1<<16); err != nil {
		pe.Add(err)
	}
	if err := pe.Err(); err != nil {
		return in, err
	}
	if in.ExpiresAt, err = p.TimeParam("expires_at"); err != nil {
		return in, err
	}
	in.UsageType, _, err = p.OneOf("usage_type", model.KeyUsageAuth, model.KeyUsageSigning, model.KeyUsageAuthAndSigning)
	return in, err
}

func writeKeys(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, keys []*model.Key) error {
	page := v4.PaginateSlice(a, w, r, c, keys)
	out := make([]sshKeyEntity, len(page))
	for i, k := range page {
		out[i] = sshKeyEntityOf(k)
	}
	return v4.WriteOK(w, out)
}

// listOwnKeys is GET /user/keys.
func listOwnKeys(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	keys, err := a.Service().UserKeys(r.Context(), c.Identity(), "")
	if err != nil {
		return err
	}
	return writeKeys(a, w, r, c, keys)
}

// listUserKeys is GET /users/:id/keys (id or username).
func listUserKeys(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	keys, err := a.Service().UserKeys(r.Context(), c.Identity(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeKeys(a, w, r, c, keys)
}

// getOwnKey is GET /user/keys/:key_id.
func getOwnKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return getKeyOf(a, w, r, c, "")
}

// getUserKey is GET /users/:id/keys/:key_id.
func getUserKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return getKeyOf(a, w, r, c, r.PathValue("id"))
}

func getKeyOf(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, user string) error {
	id, err := v4.PathID(r, "key_id", "key_id")
	if err != nil {
		return err
	}
	k, err := a.Service().UserKey(r.Context(), c.Identity(), user, id)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, sshKeyEntityOf(k))
}

// createOwnKey is POST /user/keys.
func createOwnKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return createKeyFor(a, w, r, c, 0)
}

// createUserKey is POST /users/:id/keys (administrators).
func createUserKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	userID, found := v4.UserPathID(r, "id")
	if !found {
		return v4.RouteNotFound(w)
	}
	if userID == 0 { // no user has id 0; it must not mean the caller
		return service.NotFound("User")
	}
	return createKeyFor(a, w, r, c, userID)
}

func createKeyFor(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, userID int64) error {
	in, err := keyInput(c.Params())
	if err != nil {
		return err
	}
	k, err := a.Service().CreateUserKey(r.Context(), c.Identity(), userID, in)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, sshKeyEntityOf(k))
}

// deleteOwnKey is DELETE /user/keys/:key_id.
func deleteOwnKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return deleteKeyOf(a, w, r, c, 0)
}

// deleteUserKey is DELETE /users/:id/keys/:key_id (administrators).
func deleteUserKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	userID, found := v4.UserPathID(r, "id")
	if !found {
		return v4.RouteNotFound(w)
	}
	if userID == 0 { // no user has id 0; it must not mean the caller
		return service.NotFound("User")
	}
	return deleteKeyOf(a, w, r, c, userID)
}

func deleteKeyOf(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, userID int64) error {
	id, err := v4.PathID(r, "key_id", "key_id")
	if err != nil {
		return err
	}
	if err := a.Service().DeleteUserKey(r.Context(), c.Identity(), userID, id); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

func writeKeyWithUser(a *v4.API, w http.ResponseWriter, r *http.Request, kw *service.KeyWithUser) error {
	e := sshKeyWithUserEntity{sshKeyEntity: sshKeyEntityOf(kw.Key)}
	if kw.User != nil {
		u := a.PublicUser(r, kw.User, true)
		e.User = &u
	}
	return v4.WriteOK(w, e)
}

// getKey is GET /keys/:id (administrators).
func getKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := v4.PathID(r, "id", "id")
	if err != nil {
		return err
	}
	kw, err := a.Service().KeyByID(r.Context(), c.Identity(), id)
	if err != nil {
		return err
	}
	return writeKeyWithUser(a, w, r, kw)
}

// findKey is GET /keys?fingerprint= (administrators).
func findKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	fp, err := c.Params().Required("fingerprint", 1024)
	if err != nil {
		return err
	}
	kw, err := a.Service().KeyByFingerprint(r.Context(), c.Identity(), fp)
	if err != nil {
		return err
	}
	return writeKeyWithUser(a, w, r, kw)
}
