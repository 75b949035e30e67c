package web

import (
	"github.com/lablet/lablet/internal/service"
	"maps"
	"net/http"
	"strconv"

	"github.com/lablet/lablet/internal/avatar"
)

// identicon serves a user's identicon (the avatar_url of users without
// Gravatar): drawn from the id alone, so it is the same bytes forever and
// cached as such. When the instance uses Gravatar, the few avatar URLs
// that could not name the address (user namespaces) lead here, and this
// sends the browser on to the user's Gravatar URL.
func (h *Handler) identicon(w http.ResponseWriter, r *http.Request, _ pageSession) {
	id, ok := avatar.IdenticonID(r.PathValue("file"))
	if !ok {
		h.notFound(w, r)
		return
	}
	if h.gravatar {
		users, err := h.svc.UsersByIDs(r.Context(), []int64{id})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if u := users[id]; u != nil && u.Email != "" {
			// The address may change: cached for a while, not for good.
			w.Header().Set("Cache-Control", "public, max-age=3600")
			http.Redirect(w, r, avatar.URL(h.baseURL(r), true, id, u.Email), http.StatusFound)
			return
		}
	}
	etag := `"identicon-` + strconv.FormatInt(id, 10) + `"`
	hd := w.Header()
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	hd.Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	img := h.identicons.Draw(id)
	hd.Set("Content-Type", "image/png")
	hd.Set("Content-Length", strconv.Itoa(len(img)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(img)
	}
}

func (h *Handler) userAvatar(w http.ResponseWriter, r *http.Request, s pageSession) {
	h.serveAvatar(w, r, s, service.AvatarUser)
}

func (h *Handler) groupAvatar(w http.ResponseWriter, r *http.Request, s pageSession) {
	h.serveAvatar(w, r, s, service.AvatarGroup)
}

func (h *Handler) projectAvatar(w http.ResponseWriter, r *http.Request, s pageSession) {
	h.serveAvatar(w, r, s, service.AvatarProject)
}

func (h *Handler) topicAvatar(w http.ResponseWriter, r *http.Request, s pageSession) {
	h.serveAvatar(w, r, s, service.AvatarTopic)
}

// serveAvatar sends an uploaded avatar under the name its URL gives: 404
// when the owner is not visible to the session, has no avatar, or the
// name is another. Revalidated by modification time (the URL stays when
// the avatar changes).
func (h *Handler) serveAvatar(w http.ResponseWriter, r *http.Request, s pageSession, kind string) {
	c, err := h.svc.OpenAvatar(r.Context(), s.id, kind, r.PathValue("id"), r.PathValue("filename"))
	if err != nil {
		h.storedFileError(w, r, err)
		return
	}
	if c.URL != "" {
		http.Redirect(w, r, c.URL, http.StatusFound)
		return
	}
	defer c.Body.Close()
	maps.Copy(w.Header(), c.Header())
	http.ServeContent(w, r, "", c.Info.ModTime, c.Body)
}
