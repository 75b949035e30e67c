package v4

import (
	"net/http"
	"strconv"

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
	return sshKeyEntity{ID: k.ID, Title: k.Title, CreatedAt: TS(k.CreatedAt), ExpiresAt: TSP(k.ExpiresAt),
		LastUsedAt: TSP(k.LastUsedAt), Key: k.Text, UsageType: k.UsageType}
}

// sshKeyWithUserEntity is Entities::SSHKeyWithUser (GET /keys).
type sshKeyWithUserEntity struct {
	sshKeyEntity
	User *userEntity `json:"user"`
}

// keyIDParam reads :key_id (or :id for /keys/:id); Grape types it Integer.
func keyIDParam(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		return 0, service.ParamError(name + " is invalid")
	}
	return n, nil
}

// keyInput reads POST …/keys: title and key required, expires_at and
// usage_type optional.
func keyInput(p *Params) (service.KeyInput, error) {
	var in service.KeyInput
	var pe ParamErrors
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

func writeKeys(a *API, w http.ResponseWriter, r *http.Request, c *Call, keys []*model.Key) error {
	page := PaginateSlice(a, w, r, c, keys)
	out := make([]sshKeyEntity, len(page))
	for i, k := range page {
		out[i] = sshKeyEntityOf(k)
	}
	return WriteOK(w, out)
}

// listOwnKeys is GET /user/keys.
func (a *API) listOwnKeys(w http.ResponseWriter, r *http.Request, c *Call) error {
	keys, err := a.svc.UserKeys(r.Context(), c.id, "")
	if err != nil {
		return err
	}
	return writeKeys(a, w, r, c, keys)
}

// listUserKeys is GET /users/:id/keys (id or username).
func (a *API) listUserKeys(w http.ResponseWriter, r *http.Request, c *Call) error {
	keys, err := a.svc.UserKeys(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeKeys(a, w, r, c, keys)
}

// getOwnKey is GET /user/keys/:key_id.
func (a *API) getOwnKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.getKeyOf(w, r, c, "")
}

// getUserKey is GET /users/:id/keys/:key_id.
func (a *API) getUserKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.getKeyOf(w, r, c, r.PathValue("id"))
}

func (a *API) getKeyOf(w http.ResponseWriter, r *http.Request, c *Call, user string) error {
	id, err := keyIDParam(r, "key_id")
	if err != nil {
		return err
	}
	k, err := a.svc.UserKey(r.Context(), c.id, user, id)
	if err != nil {
		return err
	}
	return WriteOK(w, sshKeyEntityOf(k))
}

// createOwnKey is POST /user/keys.
func (a *API) createOwnKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.createKeyFor(w, r, c, 0)
}

// createUserKey is POST /users/:id/keys (administrators).
func (a *API) createUserKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	userID, found := userPathID(r, "id")
	if !found {
		return routeNotFound(w)
	}
	if userID == 0 { // no user has id 0; it must not mean the caller
		return service.NotFound("User")
	}
	return a.createKeyFor(w, r, c, userID)
}

func (a *API) createKeyFor(w http.ResponseWriter, r *http.Request, c *Call, userID int64) error {
	in, err := keyInput(c.params)
	if err != nil {
		return err
	}
	k, err := a.svc.CreateUserKey(r.Context(), c.id, userID, in)
	if err != nil {
		return err
	}
	return WriteCreated(w, sshKeyEntityOf(k))
}

// deleteOwnKey is DELETE /user/keys/:key_id.
func (a *API) deleteOwnKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.deleteKeyOf(w, r, c, 0)
}

// deleteUserKey is DELETE /users/:id/keys/:key_id (administrators).
func (a *API) deleteUserKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	userID, found := userPathID(r, "id")
	if !found {
		return routeNotFound(w)
	}
	if userID == 0 { // no user has id 0; it must not mean the caller
		return service.NotFound("User")
	}
	return a.deleteKeyOf(w, r, c, userID)
}

func (a *API) deleteKeyOf(w http.ResponseWriter, r *http.Request, c *Call, userID int64) error {
	id, err := keyIDParam(r, "key_id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteUserKey(r.Context(), c.id, userID, id); err != nil {
		return err
	}
	return WriteNoContent(w)
}

func (a *API) writeKeyWithUser(w http.ResponseWriter, r *http.Request, kw *service.KeyWithUser) error {
	e := sshKeyWithUserEntity{sshKeyEntity: sshKeyEntityOf(kw.Key)}
	if kw.User != nil {
		u := a.publicUser(r, kw.User, true)
		e.User = &u
	}
	return WriteOK(w, e)
}

// getKey is GET /keys/:id (administrators).
func (a *API) getKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, err := keyIDParam(r, "id")
	if err != nil {
		return err
	}
	kw, err := a.svc.KeyByID(r.Context(), c.id, id)
	if err != nil {
		return err
	}
	return a.writeKeyWithUser(w, r, kw)
}

// findKey is GET /keys?fingerprint= (administrators).
func (a *API) findKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	fp, err := c.params.Required("fingerprint", 1024)
	if err != nil {
		return err
	}
	kw, err := a.svc.KeyByFingerprint(r.Context(), c.id, fp)
	if err != nil {
		return err
	}
	return a.writeKeyWithUser(w, r, kw)
}
