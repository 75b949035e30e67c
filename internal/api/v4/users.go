package v4

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// UserPathID reads a numeric path segment. GitLab's users routes only match
// digits, so anything else is an unknown route.
func UserPathID(r *http.Request, name string) (int64, bool) {
	v := r.PathValue(name)
	if v == "" || len(v) > 18 || strings.TrimLeft(v, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// RouteNotFound answers as an unmatched route does.
func RouteNotFound(w http.ResponseWriter) error {
	WriteJSON(w, http.StatusNotFound, map[string]string{"error": "404 Not Found"})
	return nil
}

func (a *API) getCurrentUser(w http.ResponseWriter, r *http.Request, c *Call) error {
	u := c.id.User
	if c.id.IsAdmin() {
		creator, err := a.userCreator(r, u)
		if err != nil {
			return err
		}
		e, err := a.adminUserOne(r, u, creator)
		if err != nil {
			return err
		}
		return WriteOK(w, e)
	}
	return WriteOK(w, a.selfUser(r, u))
}

// userCreator loads who created u, if recorded and still present.
func (a *API) userCreator(r *http.Request, u *model.User) (*model.User, error) {
	if u.CreatedByID == nil {
		return nil, nil
	}
	m, err := a.svc.UsersByIDs(r.Context(), []int64{*u.CreatedByID})
	if err != nil {
		return nil, err
	}
	return m[*u.CreatedByID], nil
}

// ParamErrors collects Grape-style parameter errors so that one answer
// names every bad parameter, joined as Grape joins them.
type ParamErrors []string

func (pe *ParamErrors) Add(err error) {
	var se *service.Error
	if errors.As(err, &se) {
		*pe = append(*pe, se.Message)
		return
	}
	*pe = append(*pe, err.Error())
}

func (pe ParamErrors) Err() error {
	if len(pe) == 0 {
		return nil
	}
	return service.ParamError(strings.Join(pe, ", "))
}

// OptStr reads an optional string; maxLen only bounds the request, the
// model validation reports lengths in GitLab's words.
func (pe *ParamErrors) OptStr(p *Params, name string) *string {
	s, present, err := p.Text(name, 1<<16)
	if err != nil {
		pe.Add(err)
		return nil
	}
	if !present {
		return nil
	}
	return &s
}

func (pe *ParamErrors) OptBool(p *Params, name string) *bool {
	b, present, err := p.Bool(name)
	if err != nil {
		pe.Add(err)
		return nil
	}
	if !present {
		return nil
	}
	return &b
}

func (pe *ParamErrors) OptInt(p *Params, name string) *int64 {
	n, present, err := p.Int(name)
	if err != nil {
		pe.Add(err)
		return nil
	}
	if !present {
		return nil
	}
	return &n
}

// OptTime reads a DateTime parameter as Grape coerces it.
func (pe *ParamErrors) OptTime(p *Params, name string) *time.Time {
	s, present := p.Str(name)
	if !present {
		if p.Has(name) {
			pe.Add(service.ParamError(name + " is invalid"))
		}
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	pe.Add(service.ParamError(name + " is invalid"))
	return nil
}

func (pe *ParamErrors) flag(p *Params, name string) bool {
	b := pe.OptBool(p, name)
	return b != nil && *b
}

func (pe *ParamErrors) OneOf(p *Params, name string, allowed ...string) string {
	s, _, err := p.OneOf(name, allowed...)
	if err != nil {
		pe.Add(err)
	}
	return s
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, c *Call) error {
	var pe ParamErrors
	p := c.params
	in := service.UserListInput{
		Active:          pe.flag(p, "active"),
		Blocked:         pe.flag(p, "blocked"),
		External:        pe.flag(p, "external"),
		ExcludeExternal: pe.flag(p, "exclude_external"),
		Admins:          pe.flag(p, "admins"),
		Humans:          pe.flag(p, "humans"),
		ExcludeHumans:   pe.flag(p, "exclude_humans"),
		CreatedBefore:   pe.OptTime(p, "created_before"),
		CreatedAfter:    pe.OptTime(p, "created_after"),
		OrderBy:         pe.OneOf(p, "order_by", "id", "name", "username", "created_at", "updated_at"),
		Sort:            pe.OneOf(p, "sort", "asc", "desc"),
	}
	if s := pe.OptStr(p, "search"); s != nil {
		in.Search = *s
	}
	if s := pe.OptStr(p, "username"); s != nil {
		in.Username = *s
	}
	in.CustomAttributes = customAttributesFilter(p, &pe)
	if prov, uid := identityParams(p, &pe); prov != nil {
		in.Provider, in.ExternUID = *prov, *uid
	}
	if err := pe.Err(); err != nil {
		return err
	}
	pg := PageOf(p)
	in.Offset, in.Limit = pg.Offset(), pg.PerPage
	users, total, err := a.svc.ListUsers(r.Context(), c.id, in)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	if !c.id.IsAdmin() {
		out := make([]BasicUser, 0, len(users))
		for _, u := range users {
			out = append(out, a.basicUser(r, u))
		}
		return WriteOK(w, out)
	}
	var creatorIDs []int64
	for _, u := range users {
		if u.CreatedByID != nil {
			creatorIDs = append(creatorIDs, *u.CreatedByID)
		}
	}
	creators, err := a.svc.UsersByIDs(r.Context(), creatorIDs)
	if err != nil {
		return err
	}
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	idents, err := a.svc.UserIdentities(r.Context(), ids)
	if err != nil {
		return err
	}
	out := make([]userAdminEntity, 0, len(users))
	for _, u := range users {
		var creator *model.User
		if u.CreatedByID != nil {
			creator = creators[*u.CreatedByID]
		}
		out = append(out, a.adminUser(r, u, creator, idents[u.ID]))
	}
	return WriteOK(w, out)
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, found := UserPathID(r, "id")
	if !found {
		return RouteNotFound(w)
	}
	u, err := a.svc.GetUser(r.Context(), c.id, id)
	if err != nil {
		return err
	}
	if c.id.IsAdmin() {
		creator, err := a.userCreator(r, u)
		if err != nil {
			return err
		}
		e, err := a.adminUserOne(r, u, creator)
		if err != nil {
			return err
		}
		return WriteOK(w, e)
	}
	return WriteOK(w, a.PublicUser(r, u, service.CanSeeProfile(c.id, u)))
}

// userInput reads the attributes shared by POST and PUT /users.
func userInput(p *Params, pe *ParamErrors) service.UserInput {
	prov, uid := identityParams(p, pe)
	return service.UserInput{
		Provider: prov, ExternUID: uid,
		Email:          pe.OptStr(p, "email"),
		Password:       pe.OptStr(p, "password"),
		Name:           pe.OptStr(p, "name"),
		Username:       pe.OptStr(p, "username"),
		Admin:          pe.OptBool(p, "admin"),
		CanCreateGroup: pe.OptBool(p, "can_create_group"),
		External:       pe.OptBool(p, "external"),
		PrivateProfile: pe.OptBool(p, "private_profile"),
		ProjectsLimit:  pe.OptInt(p, "projects_limit"),
		Bio:            pe.OptStr(p, "bio"),
		Location:       pe.OptStr(p, "location"),
		PublicEmail:    pe.OptStr(p, "public_email"),
		WebsiteURL:     pe.OptStr(p, "website_url"),
		Organization:   pe.OptStr(p, "organization"),
		JobTitle:       pe.OptStr(p, "job_title"),
		Note:           pe.OptStr(p, "note"),
	}
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request, c *Call) error {
	p := c.params
	var pe ParamErrors
	// Presence first, in the order GitLab declares the parameters.
	if !p.Has("email") {
		pe.Add(service.ParamError("email is missing"))
	}
	if !p.Has("password") && !p.Has("reset_password") && !p.Has("force_random_password") {
		pe.Add(service.ParamError("password, reset_password, force_random_password are missing, at least one parameter must be provided"))
	}
	for _, name := range []string{"name", "username"} {
		if !p.Has(name) {
			pe.Add(service.ParamError(name + " is missing"))
		}
	}
	in := userInput(p, &pe)
	in.ResetPassword = pe.flag(p, "reset_password")
	in.ForceRandomPassword = pe.flag(p, "force_random_password")
	pe.OptBool(p, "skip_confirmation")
	if err := pe.Err(); err != nil {
		return err
	}
	av, err := readAvatarParam(p, "")
	if err != nil {
		return err
	}
	u, err := a.svc.CreateUser(r.Context(), c.id, in)
	if err != nil {
		return err
	}
	if u.Avatar, err = a.applyAvatar(r, c, service.AvatarUser, u.ID, av, u.Avatar); err != nil {
		return err
	}
	e, err := a.adminUserOne(r, u, c.id.User)
	if err != nil {
		return err
	}
	return WriteCreated(w, e)
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, found := UserPathID(r, "id")
	if !found {
		return RouteNotFound(w)
	}
	var pe ParamErrors
	in := userInput(c.params, &pe)
	if err := pe.Err(); err != nil {
		return err
	}
	av, err := readAvatarParam(c.params, "")
	if err != nil {
		return err
	}
	u, err := a.svc.UpdateUser(r.Context(), c.id, id, in)
	if err != nil {
		return err
	}
	if u.Avatar, err = a.applyAvatar(r, c, service.AvatarUser, u.ID, av, u.Avatar); err != nil {
		return err
	}
	creator, err := a.userCreator(r, u)
	if err != nil {
		return err
	}
	e, err := a.adminUserOne(r, u, creator)
	if err != nil {
		return err
	}
	return WriteOK(w, e)
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, found := UserPathID(r, "id")
	if !found {
		return RouteNotFound(w)
	}
	var pe ParamErrors
	hard := pe.flag(c.params, "hard_delete")
	if err := pe.Err(); err != nil {
		return err
	}
	if err := a.svc.DeleteUser(r.Context(), c.id, id, hard); err != nil {
		return err
	}
	return WriteNoContent(w)
}

// userStateAction serves POST /users/:id/{block,unblock,deactivate,activate};
// GitLab answers 201 with true, false, or null when nothing was to do.
func userStateAction(action string) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		id, found := UserPathID(r, "id")
		if !found {
			return RouteNotFound(w)
		}
		res, err := a.svc.SetUserState(r.Context(), c.id, id, action)
		if err != nil {
			return err
		}
		switch res {
		case service.StateChanged:
			return WriteCreated(w, true)
		case service.StateUnchanged:
			return WriteCreated(w, false)
		default:
			return WriteCreated(w, nil)
		}
	}
}
