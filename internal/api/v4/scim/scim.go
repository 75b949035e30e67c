// Package scim is the REST side of SCIM provisioning: a group's (and the
// instance's) SCIM token, and GitLab's SCIM identities API
// (doc/api/scim.md). The SCIM protocol itself is internal/scim.
package scim

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
)

// Routes are the SCIM rows of the REST API.
func Routes() []v4.Endpoint {
	return []v4.Endpoint{
		v4.Row("POST /groups/{id}/scim/tokens", resetGroupToken, v4.SignedIn, access.AdminGroup),
		v4.Row("POST /application/scim/tokens", resetInstanceToken, v4.Admin, access.AdminAll),
		v4.Row("GET /groups/{id}/scim/identities", listIdentities, v4.SignedIn, access.AdminGroup),
		v4.Row("GET /groups/{id}/scim/{uid}", getIdentity, v4.SignedIn, access.AdminGroup),
		v4.Row("PATCH /groups/{id}/scim/{uid}", updateIdentity, v4.SignedIn, access.AdminGroup),
		v4.Row("DELETE /groups/{id}/scim/{uid}", deleteIdentity, v4.SignedIn, access.AdminGroup),
	}
}

// tokenEntity answers a token reset (lablet's addition; GitLab resets the
// token on the group's SAML SSO settings page): the SCIM base URL an
// identity provider is given, and the token, shown this once.
type tokenEntity struct {
	SCIMAPIURL string `json:"scim_api_url"`
	Token      string `json:"token"`
}

func root(a *v4.API, r *http.Request) string { return strings.TrimSuffix(a.BaseURL(r), "/") }

// resetGroupToken is POST /groups/:id/scim/tokens (the group's Owners).
func resetGroupToken(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	token, g, err := a.Service().ResetGroupSCIMToken(r.Context(), c.Identity(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, tokenEntity{SCIMAPIURL: root(a, r) + "/api/scim/v2/groups/" + url.PathEscape(g.FullPath),
		Token: token})
}

// resetInstanceToken is POST /application/scim/tokens (administrators):
// the token of the instance SCIM API.
func resetInstanceToken(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	token, err := a.Service().ResetInstanceSCIMToken(r.Context(), c.Identity())
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, tokenEntity{SCIMAPIURL: root(a, r) + "/api/scim/v2/application", Token: token})
}

// identityEntity is GitLab's SCIM identity (API::Entities::ScimIdentity).
type identityEntity struct {
	ExternUID string `json:"extern_uid"`
	UserID    int64  `json:"user_id"`
	Active    bool   `json:"active"`
	CreatedAt string `json:"created_at"`
}

func identityOf(i *model.SCIMIdentity) identityEntity {
	return identityEntity{ExternUID: i.ExternUID, UserID: i.UserID, Active: i.Active,
		CreatedAt: i.CreatedAt.UTC().Format(time.RFC3339Nano)}
}

// listIdentities is GET /groups/:id/scim/identities.
func listIdentities(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	list, err := a.Service().ListSCIMIdentities(r.Context(), c.Identity(), r.PathValue("id"))
	if err != nil {
		return err
	}
	page := v4.PaginateSlice(a, w, r, c, list)
	out := make([]identityEntity, len(page))
	for n, i := range page {
		out[n] = identityOf(i)
	}
	return v4.WriteOK(w, out)
}

// getIdentity is GET /groups/:id/scim/:uid.
func getIdentity(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	i, err := a.Service().GroupSCIMIdentity(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("uid"))
	if err != nil {
		return err
	}
	return v4.WriteOK(w, identityOf(i))
}

// updateIdentity is PATCH /groups/:id/scim/:uid: a new extern_uid; 204.
func updateIdentity(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	uid, err := c.Params().Required("extern_uid", 255)
	if err != nil {
		return err
	}
	if err := a.Service().SetGroupSCIMIdentityUID(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("uid"), uid); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

// deleteIdentity is DELETE /groups/:id/scim/:uid; 204.
func deleteIdentity(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	if err := a.Service().DeleteGroupSCIMIdentity(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("uid")); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}
