package scim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// defaultCount is GET …/Users' page size when count is not given.
const defaultCount = 20

// userEntity is a User resource: the RFC's attributes and GitLab's
// "name.formatted" key beside them.
type userEntity struct {
	Schemas       []string   `json:"schemas"`
	ID            string     `json:"id"`
	ExternalID    string     `json:"externalId"`
	Active        bool       `json:"active"`
	NameFormatted string     `json:"name.formatted"`
	Name          nameEntity `json:"name"`
	DisplayName   string     `json:"displayName"`
	UserName      string     `json:"userName"`
	Emails        []email    `json:"emails"`
	Meta          metaEntity `json:"meta"`
}

type nameEntity struct {
	Formatted string `json:"formatted"`
}

type email struct {
	Type    string `json:"type"`
	Value   string `json:"value"`
	Primary bool   `json:"primary"`
}

type metaEntity struct {
	ResourceType string `json:"resourceType"`
	Created      string `json:"created,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	Location     string `json:"location,omitempty"`
	Version      string `json:"version,omitempty"`
}

func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

func (h *Handler) userOf(r *http.Request, i *model.SCIMIdentity) userEntity {
	return userEntity{
		Schemas: []string{schemaUser}, ID: i.ExternUID, ExternalID: i.ExternUID, Active: i.Active,
		NameFormatted: i.Name, Name: nameEntity{Formatted: i.Name}, DisplayName: i.Name, UserName: i.UserName,
		Emails: []email{{Type: "work", Value: i.Email, Primary: true}},
		Meta: metaEntity{ResourceType: "User", Created: i.CreatedAt.UTC().Format(time.RFC3339),
			LastModified: i.UpdatedAt.UTC().Format(time.RFC3339),
			Location:     h.baseURL(r) + "/Users/" + url.PathEscape(i.ExternUID), Version: etag(i.Version)},
	}
}

// writeUser answers one resource with its ETag.
func (h *Handler) writeUser(w http.ResponseWriter, r *http.Request, status int, i *model.SCIMIdentity) {
	w.Header().Set("ETag", etag(i.Version))
	w.Header().Set("Location", h.baseURL(r)+"/Users/"+url.PathEscape(i.ExternUID))
	writeJSON(w, status, h.userOf(r, i))
}

// listResponse is RFC 7644's ListResponse.
type listResponse struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	ItemsPerPage int      `json:"itemsPerPage"`
	StartIndex   int      `json:"startIndex"`
	Resources    []any    `json:"Resources"`
}

// intParam reads an integer query parameter (def when absent).
func intParam(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, badRequest("invalidValue", name+" must be an integer")
	}
	return n, nil
}

// listUsers is GET …/Users.
func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	sc, ok := h.scope(w, r)
	if !ok {
		return
	}
	q, err := queryOf(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	list, total, err := h.svc.ListSCIMUsers(r.Context(), sc, q)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := listResponse{Schemas: []string{schemaListResponse}, TotalResults: total, ItemsPerPage: len(list),
		StartIndex: max(q.StartIndex, 1), Resources: make([]any, len(list))}
	for n, i := range list {
		out.Resources[n] = h.userOf(r, i)
	}
	writeJSON(w, http.StatusOK, out)
}

func queryOf(r *http.Request) (service.SCIMQuery, error) {
	var q service.SCIMQuery
	var err error
	if q.StartIndex, err = intParam(r, "startIndex", 1); err != nil {
		return q, err
	}
	if q.Count, err = intParam(r, "count", defaultCount); err != nil {
		return q, err
	}
	if f := r.URL.Query().Get("filter"); f != "" {
		attr, value, err := parseFilter(f)
		if err != nil {
			return q, err
		}
		if attr == "userName" {
			q.UserName = value
		} else {
			q.ExternalID = value
		}
	}
	return q, nil
}

// getUser is GET …/Users/:id; If-None-Match with the current version is
// 304.
func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) {
	sc, ok := h.scope(w, r)
	if !ok {
		return
	}
	i, err := h.svc.SCIMUser(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && (inm == "*" || slices.Contains(etagList(inm), etag(i.Version))) {
		w.Header().Set("ETag", etag(i.Version))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.writeUser(w, r, http.StatusOK, i)
}

func etagList(h string) []string {
	var out []string
	for _, p := range strings.Split(h, ",") {
		p = strings.TrimSpace(p)
		if !strings.HasPrefix(p, "W/") {
			p = "W/" + p // weak comparison (RFC 7232 section 2.3.2)
		}
		out = append(out, p)
	}
	return out
}

// ifMatch reads If-Match: nil when absent or "*", else the version it
// names; a tag that is not one of lablet's matches no version (-1).
func ifMatch(r *http.Request) *int64 {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return nil
	}
	v := int64(-1)
	for _, t := range etagList(h) {
		t = strings.TrimSuffix(strings.TrimPrefix(t, `W/"`), `"`)
		if n, err := strconv.ParseInt(t, 10, 64); err == nil {
			v = n
			break
		}
	}
	return &v
}

// userBody is a User resource as a provider sends it.
type userBody struct {
	Schemas     []string        `json:"schemas"`
	ExternalID  *string         `json:"externalId"`
	UserName    *string         `json:"userName"`
	Active      json.RawMessage `json:"active"`
	DisplayName string          `json:"displayName"`
	Name        *struct {
		Formatted  string `json:"formatted"`
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
	} `json:"name"`
	Emails []email `json:"emails"`
}

// readBody decodes the request's JSON body into v: 400 invalidSyntax for
// what is not JSON of the resource's shape.
func readBody(w http.ResponseWriter, r *http.Request, v any) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return &service.SCIMError{Status: http.StatusRequestEntityTooLarge, Detail: "The request body is too large"}
	}
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(v); err != nil {
		return badRequest("invalidSyntax", "The request body is not valid JSON of a SCIM resource: "+err.Error())
	}
	return nil
}

// checkSchemas refuses a body whose schemas leave out the one it must
// carry (RFC 7643 section 3); a body without schemas is taken as meant.
func checkSchemas(schemas []string, want string) error {
	if len(schemas) > 0 && !slices.ContainsFunc(schemas, func(s string) bool { return strings.EqualFold(s, want) }) {
		return badRequest("invalidValue", "schemas must include "+want)
	}
	return nil
}

// inputOf turns a POST or PUT body into the service's input.
func inputOf(b *userBody) (service.SCIMUserInput, error) {
	var in service.SCIMUserInput
	if err := checkSchemas(b.Schemas, schemaUser); err != nil {
		return in, err
	}
	if b.ExternalID != nil {
		in.ExternalID = *b.ExternalID
	}
	if b.UserName != nil {
		in.UserName = *b.UserName
	}
	in.Name = b.DisplayName
	if b.Name != nil {
		switch {
		case b.Name.Formatted != "":
			in.Name = b.Name.Formatted
		case b.Name.GivenName != "" || b.Name.FamilyName != "":
			in.Name = strings.TrimSpace(b.Name.GivenName + " " + b.Name.FamilyName)
		}
	}
	in.Email = workEmail(b.Emails)
	if len(b.Active) > 0 && string(b.Active) != "null" {
		a, err := boolValue(b.Active)
		if err != nil {
			return in, err
		}
		in.Active = &a
	}
	return in, nil
}

// workEmail is the address a provider means: the primary one, else the
// work one, else the first.
func workEmail(list []email) string {
	for _, e := range list {
		if e.Primary {
			return e.Value
		}
	}
	for _, e := range list {
		if strings.EqualFold(e.Type, "work") {
			return e.Value
		}
	}
	if len(list) > 0 {
		return list[0].Value
	}
	return ""
}

// boolValue reads a boolean, or the strings "true" and "false" in any
// case, which Azure and GitLab's examples send.
func boolValue(raw json.RawMessage) (bool, error) {
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if v, err := strconv.ParseBool(strings.ToLower(s)); err == nil {
			return v, nil
		}
	}
	return false, badRequest("invalidValue", "active must be a boolean")
}

// createUser is POST …/Users: 201 with the resource.
func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	sc, ok := h.scope(w, r)
	if !ok {
		return
	}
	var b userBody
	if err := readBody(w, r, &b); err != nil {
		h.writeError(w, r, err)
		return
	}
	in, err := inputOf(&b)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	i, err := h.svc.CreateSCIMUser(r.Context(), sc, in)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeUser(w, r, http.StatusCreated, i)
}

// putUser is PUT …/Users/:id: the resource replaced, 200 with it.
func (h *Handler) putUser(w http.ResponseWriter, r *http.Request) {
	sc, ok := h.scope(w, r)
	if !ok {
		return
	}
	var b userBody
	if err := readBody(w, r, &b); err != nil {
		h.writeError(w, r, err)
		return
	}
	in, err := inputOf(&b)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	i, err := h.svc.ReplaceSCIMUser(r.Context(), sc, r.PathValue("id"), in, ifMatch(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeUser(w, r, http.StatusOK, i)
}

// patchUser is PATCH …/Users/:id: 204, as GitLab answers, with the new
// ETag.
func (h *Handler) patchUser(w http.ResponseWriter, r *http.Request) {
	sc, ok := h.scope(w, r)
	if !ok {
		return
	}
	var b patchBody
	if err := readBody(w, r, &b); err != nil {
		h.writeError(w, r, err)
		return
	}
	p, err := patchOf(&b)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	i, err := h.svc.UpdateSCIMUser(r.Context(), sc, r.PathValue("id"), p, ifMatch(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(i.Version))
	w.WriteHeader(http.StatusNoContent)
}

// deleteUser is DELETE …/Users/:id: 204.
func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request) {
	sc, ok := h.scope(w, r)
	if !ok {
		return
	}
	if err := h.svc.DeleteSCIMUser(r.Context(), sc, r.PathValue("id"), ifMatch(r)); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
