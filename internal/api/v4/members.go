package v4

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// memberSource finds the group or project whose members a route serves, if
// the caller may see it: (*service.Service).ProjectMemberSource or
// GroupMemberSource.
type memberSource func(*service.Service, context.Context, *auth.Identity, string) (*service.MemberSource, error)

var (
	projectMembers memberSource = (*service.Service).ProjectMemberSource
	groupMembers   memberSource = (*service.Service).GroupMemberSource
)

// memberUserID reads the {user_id} path segment; GitLab's route only
// matches integers, so anything else is an unknown route.
func memberUserID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("user_id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, &service.Error{Kind: service.KindNotFound, Message: "Not found"}
	}
	return id, nil
}

func listMembers(load memberSource, all bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		src, err := load(a.svc, r.Context(), c.id, r.PathValue("id"))
		if err != nil {
			return err
		}
		pg := PageOf(c.params)
		f := model.MemberFilter{Offset: pg.Offset(), Limit: pg.PerPage}
		if f.Query, _, err = c.params.Text("query", MaxParamText); err != nil {
			return err
		}
		ids, _, err := c.params.StrList("user_ids")
		if err != nil {
			return err
		}
		for _, s := range ids {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return service.ParamError("user_ids is invalid")
			}
			f.UserIDs = append(f.UserIDs, n)
		}
		if len(f.UserIDs) > 100 {
			f.UserIDs = f.UserIDs[:100] // GitLab takes the first 100
		}
		ms, total, err := a.svc.ListMembers(r.Context(), src, all, f)
		if err != nil {
			return err
		}
		a.SetPageHeaders(w, r, pg, total)
		return WriteOK(w, a.members(r, ms))
	}
}

func getMember(load memberSource, all bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		src, err := load(a.svc, r.Context(), c.id, r.PathValue("id"))
		if err != nil {
			return err
		}
		uid, err := memberUserID(r)
		if err != nil {
			return err
		}
		m, err := a.svc.GetMember(r.Context(), src, uid, all)
		if err != nil {
			return err
		}
		return WriteOK(w, a.member(r, m))
	}
}

// memberInput reads access_level and expires_at.
func memberInput(p *Params) (service.MemberInput, error) {
	var in service.MemberInput
	if !p.Has("access_level") {
		return in, service.ParamError("access_level is missing")
	}
	level, _, err := p.Int("access_level")
	if err != nil {
		return in, err
	}
	if level < 0 || level > 1000 {
		return in, service.ParamError("access_level does not have a valid value")
	}
	in.AccessLevel = int(level)
	if in.ExpiresAt, in.ExpiresAtSet, err = p.date("expires_at"); err != nil {
		return in, err
	}
	return in, nil
}

func addMember(load memberSource) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		src, err := load(a.svc, r.Context(), c.id, r.PathValue("id"))
		if err != nil {
			return err
		}
		userIDs, err := a.memberUserIDs(r, c.params)
		if err != nil {
			return err
		}
		in, err := memberInput(c.params)
		if err != nil {
			return err
		}
		if len(userIDs) > 1 {
			res, err := a.svc.AddMembers(r.Context(), c.id, src, userIDs, in)
			if err != nil {
				return err
			}
			// GitLab answers with its service's result hash, 201 either way.
			body := map[string]string{"status": "success"}
			if len(res.Errors) > 0 {
				body = map[string]string{"status": "error", "message": res.Message()}
				if res.Unauthorized {
					body["http_status"] = "unauthorized"
				}
			}
			return WriteCreated(w, body)
		}
		m, err := a.svc.AddMember(r.Context(), c.id, src, userIDs[0], in)
		if err != nil {
			return err
		}
		return WriteCreated(w, a.member(r, m))
	}
}

// memberUserIDs reads user_id (one id or several, comma-separated) or,
// instead, username.
func (a *API) memberUserIDs(r *http.Request, p *Params) ([]int64, error) {
	hasID, hasName := p.Has("user_id"), p.Has("username")
	switch {
	case hasID && hasName:
		return nil, service.ParamError("user_id, username are mutually exclusive")
	case !hasID && !hasName:
		return nil, service.ParamError("user_id, username are missing, exactly one parameter must be provided")
	case hasName:
		name, _, err := p.Text("username", MaxParamText)
		if err != nil {
			return nil, err
		}
		u, err := a.svc.UserByUsername(r.Context(), name)
		if err != nil {
			return nil, err
		}
		return []int64{u.ID}, nil
	}
	raw, ok := p.Str("user_id")
	if !ok || raw == "" {
		return nil, service.ParamError("user_id is invalid")
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, part := range strings.Split(raw, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
		if err != nil {
			return nil, service.ParamError("user_id is invalid")
		}
		if !seen[n] {
			seen[n] = true
			ids = append(ids, n)
		}
	}
	if len(ids) > 1000 {
		return nil, service.ParamError("user_id is invalid")
	}
	return ids, nil
}

func updateMember(load memberSource) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		src, err := load(a.svc, r.Context(), c.id, r.PathValue("id"))
		if err != nil {
			return err
		}
		uid, err := memberUserID(r)
		if err != nil {
			return err
		}
		in, err := memberInput(c.params)
		if err != nil {
			return err
		}
		m, err := a.svc.UpdateMember(r.Context(), c.id, src, uid, in)
		if err != nil {
			return err
		}
		return WriteOK(w, a.member(r, m))
	}
}

func removeMember(load memberSource) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		src, err := load(a.svc, r.Context(), c.id, r.PathValue("id"))
		if err != nil {
			return err
		}
		uid, err := memberUserID(r)
		if err != nil {
			return err
		}
		if err := a.svc.RemoveMember(r.Context(), c.id, src, uid); err != nil {
			return err
		}
		return WriteNoContent(w)
	}
}
