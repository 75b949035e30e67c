package gitlfs

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

type lockView = *model.LFSLock

func (h *Handler) createLock(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Path string `json:"path"`
	}
	if !h.readJSON(w, r, &in) {
		return
	}
	c, ok := h.resolve(w, r, true)
	if !ok {
		return
	}
	l, err := h.svc.CreateLFSLock(r.Context(), c.gr, in.Path)
	var exists *service.LFSLockExistsError
	if errors.As(err, &exists) {
		writeJSON(w, http.StatusConflict, map[string]any{"lock": lockJSON(exists.Lock), "message": "already created lock"})
		return
	}
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"lock": lockJSON(l)})
}

func (h *Handler) listLocks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	cursor, err1 := cursorParam(q.Get("cursor"))
	lockID, err2 := cursorParam(q.Get("id"))
	limit, err3 := cursorParam(q.Get("limit"))
	if err := errors.Join(err1, err2, err3); err != nil {
		h.fail(w, r, http.StatusUnprocessableEntity, "Unprocessable entity: "+err.Error())
		return
	}
	c, ok := h.resolve(w, r, true)
	if !ok {
		return
	}
	locks, next, err := h.svc.ListLFSLocks(r.Context(), c.gr,
		service.LFSLockFilter{Path: q.Get("path"), ID: lockID, Cursor: cursor, Limit: int(min(limit, 1000))})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	out := map[string]any{"locks": locksJSON(locks)}
	if next != 0 {
		out["next_cursor"] = strconv.FormatInt(next, 10)
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) verifyLocks(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Cursor string `json:"cursor"`
		Limit  int    `json:"limit"`
	}
	if !h.readJSON(w, r, &in) {
		return
	}
	cursor, err := cursorParam(in.Cursor)
	if err != nil {
		h.fail(w, r, http.StatusUnprocessableEntity, "Unprocessable entity: "+err.Error())
		return
	}
	c, ok := h.resolve(w, r, true)
	if !ok {
		return
	}
	ours, theirs, next, err := h.svc.VerifyLFSLocks(r.Context(), c.gr, service.LFSLockFilter{Cursor: cursor, Limit: in.Limit})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	out := map[string]any{"ours": locksJSON(ours), "theirs": locksJSON(theirs)}
	if next != 0 {
		out["next_cursor"] = strconv.FormatInt(next, 10)
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) unlock(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Force bool `json:"force"`
	}
	if !h.readJSON(w, r, &in) {
		return
	}
	c, ok := h.resolve(w, r, true)
	if !ok {
		return
	}
	lockID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || lockID <= 0 {
		h.fail(w, r, http.StatusNotFound, "Lock not found")
		return
	}
	l, err := h.svc.UnlockLFS(r.Context(), c.id, c.gr, lockID, in.Force)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"lock": lockJSON(l)})
}
