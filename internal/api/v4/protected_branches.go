package v4

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// branchAccessLevel is one entry of push/merge/unprotect_access_levels.
type branchAccessLevel struct {
	ID                     int64  `json:"id"`
	AccessLevel            int    `json:"access_level"`
	AccessLevelDescription string `json:"access_level_description"`
}

// protectedBranchEntity is GitLab's ProtectedBranch entity.
type protectedBranchEntity struct {
	ID                        int64               `json:"id"`
	Name                      string              `json:"name"`
	PushAccessLevels          []branchAccessLevel `json:"push_access_levels"`
	MergeAccessLevels         []branchAccessLevel `json:"merge_access_levels"`
	UnprotectAccessLevels     []branchAccessLevel `json:"unprotect_access_levels"`
	AllowForcePush            bool                `json:"allow_force_push"`
	CodeOwnerApprovalRequired bool                `json:"code_owner_approval_required"`
}

// branchAccessDescription is GitLab's humanized access level.
func branchAccessDescription(l int) string {
	switch access.Level(l) {
	case access.NoAccess:
		return "No one"
	case access.Developer:
		return "Developers + Maintainers"
	case access.Maintainer:
		return "Maintainers"
	case access.Admin:
		return "Administrators"
	}
	return ""
}

// Each rule has exactly one access level of each kind, so their ids are
// derived from the rule's id: stable, unique, and accepted back by PATCH
// ({"id": …, "_destroy": true}).
func pushAccessID(b *model.ProtectedBranch) int64      { return b.ID*3 - 2 }
func mergeAccessID(b *model.ProtectedBranch) int64     { return b.ID*3 - 1 }
func unprotectAccessID(b *model.ProtectedBranch) int64 { return b.ID * 3 }

func protectedBranchJSON(b *model.ProtectedBranch) protectedBranchEntity {
	lvl := func(id int64, l int) []branchAccessLevel {
		return []branchAccessLevel{{ID: id, AccessLevel: l, AccessLevelDescription: branchAccessDescription(l)}}
	}
	return protectedBranchEntity{ID: b.ID, Name: b.Name,
		PushAccessLevels:          lvl(pushAccessID(b), b.PushAccessLevel),
		MergeAccessLevels:         lvl(mergeAccessID(b), b.MergeAccessLevel),
		UnprotectAccessLevels:     lvl(unprotectAccessID(b), b.UnprotectAccessLevel),
		AllowForcePush:            b.AllowForcePush,
		CodeOwnerApprovalRequired: b.CodeOwnerApprovalRequired}
}

func (a *API) listProtectedBranches(w http.ResponseWriter, r *http.Request, c *Call) error {
	search, _, err := c.params.Text("search", 1024)
	if err != nil {
		return err
	}
	list, err := a.svc.ListProtectedBranches(r.Context(), c.id, r.PathValue("id"), search)
	if err != nil {
		return err
	}
	// A project has few rules: they are loaded whole and paged here.
	pg := PageOf(c.params)
	a.SetPageHeaders(w, r, pg, len(list))
	out := []protectedBranchEntity{}
	for i := pg.Offset(); i >= 0 && i < len(list) && len(out) < pg.PerPage; i++ {
		out = append(out, protectedBranchJSON(list[i]))
	}
	return WriteOK(w, out)
}

func (a *API) getProtectedBranch(w http.ResponseWriter, r *http.Request, c *Call) error {
	b, err := a.svc.ProtectedBranch(r.Context(), c.id, r.PathValue("id"), r.PathValue("name"))
	if err != nil {
		return err
	}
	return WriteOK(w, protectedBranchJSON(b))
}

func (a *API) protectBranch(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := protectedBranchInput(c.params, true)
	if err != nil {
		return err
	}
	b, err := a.svc.ProtectBranch(r.Context(), c.id, r.PathValue("id"), in)
	if writeModelError(w, err) {
		return nil
	}
	if err != nil {
		return err
	}
	return WriteCreated(w, protectedBranchJSON(b))
}

func (a *API) updateProtectedBranch(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := protectedBranchInput(c.params, false)
	if err != nil {
		return err
	}
	b, err := a.svc.UpdateProtectedBranch(r.Context(), c.id, r.PathValue("id"), r.PathValue("name"), in)
	if writeModelError(w, err) {
		return nil
	}
	if err != nil {
		return err
	}
	return WriteOK(w, protectedBranchJSON(b))
}

func (a *API) unprotectBranch(w http.ResponseWriter, r *http.Request, c *Call) error {
	if err := a.svc.UnprotectBranch(r.Context(), c.id, r.PathValue("id"), r.PathValue("name")); err != nil {
		return err
	}
	return WriteNoContent(w)
}

// writeModelError renders the service's 422 as GitLab renders a model
// validation failure (errors.full_messages): {"message": ["Name is invalid"]}.
// It reports false for other errors, which take the usual path.
func writeModelError(w http.ResponseWriter, err error) bool {
	if service.KindOf(err) != service.KindUnprocessable {
		return false
	}
	WriteJSON(w, http.StatusUnprocessableEntity, map[string][]string{"message": {err.Error()}})
	return true
}

// protectedBranchInput reads POST (create true) or PATCH parameters.
func protectedBranchInput(p *Params, create bool) (service.ProtectedBranchInput, error) {
	var in service.ProtectedBranchInput
	name, ok, err := p.Text("name", 1024)
	if err != nil {
		return in, err
	}
	if ok {
		in.Name = &name
	} else if create {
		return in, service.ParamError("name is missing")
	}
	if create {
		levels := []struct {
			param string
			dst   **int
			valid func(int) bool
		}{
			{"push_access_level", &in.PushAccessLevel, service.ValidBranchAccessLevel},
			{"merge_access_level", &in.MergeAccessLevel, service.ValidBranchAccessLevel},
			{"unprotect_access_level", &in.UnprotectAccessLevel, service.ValidUnprotectAccessLevel},
		}
		for _, l := range levels {
			n, ok, err := p.Int(l.param)
			if err != nil {
				return in, err
			}
			if !ok {
				continue
			}
			if !l.valid(int(n)) {
				return in, service.ParamError(l.param + " does not have a valid value")
			}
			v := int(n)
			*l.dst = &v
		}
	}
	for _, f := range []struct {
		param string
		dst   **bool
	}{{"allow_force_push", &in.AllowForcePush}, {"code_owner_approval_required", &in.CodeOwnerApprovalRequired}} {
		v, ok, err := p.Bool(f.param)
		if err != nil {
			return in, err
		}
		if ok {
			*f.dst = &v
		}
	}
	for _, f := range []struct {
		param string
		dst   **int
		valid func(int) bool
	}{
		{"allowed_to_push", &in.PushAccessLevel, service.ValidBranchAccessLevel},
		{"allowed_to_merge", &in.MergeAccessLevel, service.ValidBranchAccessLevel},
		{"allowed_to_unprotect", &in.UnprotectAccessLevel, service.ValidUnprotectAccessLevel},
	} {
		l, ok, err := allowedAccessLevel(p, f.param, f.valid)
		if err != nil {
			return in, err
		}
		if ok {
			*f.dst = &l
		}
	}
	return in, nil
}

// allowedAccessLevel reads an allowed_to_* array. lablet keeps one role
// per rule and kind, so the most permissive {"access_level": n} entry wins;
// removing every entry ({"id": …, "_destroy": true}) leaves "no one".
// user_id, group_id and deploy_key_id entries are Premium features and,
// as in GitLab's free tier, ignored.
func allowedAccessLevel(p *Params, name string, valid func(int) bool) (int, bool, error) {
	v, ok := p.Raw(name)
	if !ok {
		return 0, false, nil
	}
	items, isList := v.([]any)
	if !isList {
		return 0, false, service.ParamError(name + " is invalid")
	}
	best, found, destroyed := 0, false, false
	for _, it := range items {
		m, isMap := it.(map[string]any)
		if !isMap {
			return 0, false, service.ParamError(name + " is invalid")
		}
		if d, _ := m["_destroy"].(bool); d {
			destroyed = true
			continue
		}
		raw, has := m["access_level"]
		if !has {
			continue
		}
		num, isNum := raw.(json.Number)
		n, err := num.Int64()
		if !isNum || err != nil || !valid(int(n)) {
			return 0, false, service.ParamError(fmt.Sprintf("%s[access_level] does not have a valid value", name))
		}
		if !found || n != 0 && (best == 0 || int(n) < best) {
			best = int(n)
		}
		found = true
	}
	switch {
	case found:
		return best, true, nil
	case destroyed && name != "allowed_to_unprotect":
		return 0, true, nil
	}
	return 0, false, nil
}
