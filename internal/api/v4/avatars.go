package v4

import (
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/service"
)

// avatarChange is what a request's avatar parameter asks: a new avatar
// (set), its removal, or nothing.
type avatarChange struct {
	set    *service.AvatarFile
	remove bool
}

func (ch avatarChange) given() bool { return ch.set != nil || ch.remove }

// readAvatarParam reads and checks the "avatar" parameter before anything
// is written: a multipart file part uploads, an empty value removes
// (GitLab's `--form "avatar="`), and removeParam ("remove_avatar" of
// topics), when named and true, removes too.
func readAvatarParam(p *Params, removeParam string) (avatarChange, error) {
	if fs := p.files["avatar"]; len(fs) > 0 {
		f, err := fs[0].Open()
		if err != nil {
			return avatarChange{}, service.ParamError("avatar is invalid")
		}
		defer f.Close()
		av, err := service.ReadAvatar(fs[0].Filename, f)
		return avatarChange{set: av}, err
	}
	if v, ok := p.Str("avatar"); ok {
		if v != "" {
			return avatarChange{}, service.ParamError("avatar is invalid")
		}
		return avatarChange{remove: true}, nil
	}
	if removeParam != "" {
		rm, _, err := p.Bool(removeParam)
		return avatarChange{remove: rm}, err
	}
	return avatarChange{}, nil
}

// applyAvatar makes the change on kind's id and returns the avatar's file
// name after it (for the entity the handler writes); name is returned as
// it was when nothing changes.
func (a *API) applyAvatar(r *http.Request, c *Call, kind string, id int64, ch avatarChange, name string) (string, error) {
	if !ch.given() {
		return name, nil
	}
	if err := a.svc.SetAvatar(r.Context(), c.id, kind, id, ch.set); err != nil {
		return "", err
	}
	if ch.set != nil {
		return ch.set.Name, nil
	}
	return "", nil
}

// putOwnAvatar is PUT /user/avatar: the caller's avatar, a multipart
// "avatar" file.
func (a *API) putOwnAvatar(w http.ResponseWriter, r *http.Request, c *Call) error {
	ch, err := readAvatarParam(c.params, "")
	if err != nil {
		return err
	}
	if ch.set == nil {
		return service.ParamError("avatar is missing")
	}
	u := *c.id.User
	if u.Avatar, err = a.applyAvatar(r, c, service.AvatarUser, u.ID, ch, u.Avatar); err != nil {
		return err
	}
	return WriteOK(w, a.selfUser(r, &u))
}

// downloadGroupAvatar is GET /groups/:id/avatar.
func (a *API) downloadGroupAvatar(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.serveAvatar(w, r, c, service.AvatarGroup)
}

// downloadProjectAvatar is GET /projects/:id/avatar.
func (a *API) downloadProjectAvatar(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.serveAvatar(w, r, c, service.AvatarProject)
}

// serveAvatar sends the avatar of the group or project the path names,
// as an attachment under its file name, as GitLab's present_carrierwave_file! does.
func (a *API) serveAvatar(w http.ResponseWriter, r *http.Request, c *Call, kind string) error {
	av, err := a.svc.OpenAvatar(r.Context(), c.id, kind, r.PathValue("id"), "")
	if err != nil {
		return err
	}
	if av.URL != "" {
		http.Redirect(w, r, av.URL, http.StatusFound)
		return nil
	}
	defer av.Body.Close()
	maps.Copy(w.Header(), av.Header())
	w.Header().Set("Content-Disposition", `attachment; filename="`+av.Name+`"`)
	http.ServeContent(w, r, "", av.Info.ModTime, av.Body)
	return nil
}

// getAvatar is GET /avatar (avatar.md): the avatar_url of the user whose
// public email is email; else Gravatar's URL for the address when the
// instance uses Gravatar, and null when it does not (lablet draws
// identicons for users only).
func (a *API) getAvatar(w http.ResponseWriter, r *http.Request, c *Call) error {
	email, ok := c.params.Str("email")
	if !ok || strings.TrimSpace(email) == "" {
		return service.ParamError("email is missing")
	}
	size, hasSize, err := c.params.Int("size")
	if err != nil || hasSize && (size <= 0 || size > 4096) {
		return service.ParamError("size is invalid")
	}
	base := a.BaseURL(r)
	u, err := a.svc.UserByPublicEmail(r.Context(), email)
	if err != nil {
		return err
	}
	var url *string
	switch {
	case u != nil:
		v := userAvatarURL(base, a.gravatar, u.ID, u.Email, u.Avatar)
		url = &v
	case a.gravatar:
		v := gravatarURL(base, email)
		url = &v
	}
	if url != nil && hasSize {
		n := strconv.FormatInt(size, 10)
		if strings.Contains(*url, "?s=80&") {
			*url = strings.Replace(*url, "?s=80&", "?s="+n+"&", 1)
		} else if u != nil && u.Avatar != "" {
			*url += "?width=" + n
		}
	}
	return WriteOK(w, map[string]*string{"avatar_url": url})
}

// userAssociationsCount is GET /users/:id/associations_count.
func (a *API) userAssociationsCount(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, found := UserPathID(r, "id")
	if !found {
		return RouteNotFound(w)
	}
	n, err := a.svc.UserAssociationsCount(r.Context(), c.id, id)
	if err != nil {
		return err
	}
	return WriteOK(w, map[string]int{"groups_count": n.Groups, "projects_count": n.Projects,
		"issues_count": n.Issues, "merge_requests_count": n.MergeRequests})
}

// identityParams reads extern_uid and provider, which go together
// (Grape's all_or_none_of): both nil when neither is given.
func identityParams(p *Params, pe *ParamErrors) (provider, externUID *string) {
	provider, externUID = pe.OptStr(p, "provider"), pe.OptStr(p, "extern_uid")
	if (provider == nil) != (externUID == nil) {
		pe.Add(service.ParamError("extern_uid, provider provide all or none of parameters"))
		return nil, nil
	}
	return provider, externUID
}

// deleteUserIdentity is DELETE /users/:id/identities/:provider.
func (a *API) deleteUserIdentity(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, found := UserPathID(r, "id")
	if !found {
		return RouteNotFound(w)
	}
	if err := a.svc.DeleteUserIdentity(r.Context(), c.id, id, r.PathValue("provider")); err != nil {
		return err
	}
	return WriteNoContent(w)
}
