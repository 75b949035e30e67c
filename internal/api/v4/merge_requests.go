package v4

import (
	"net/http"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// MergeRequestIID reads the merge_request_iid path value (an Integer to
// GitLab's Grape).
func MergeRequestIID(r *http.Request) (int64, error) {
	return PathID(r, "merge_request_iid", "merge_request_iid")
}

// writeMergeRequest renders one merge request with the single entity's
// fields: subscribed, changes_count, diff_refs and whether the caller may
// merge it.
func (a *API) writeMergeRequest(w http.ResponseWriter, r *http.Request, c *Call, mp *service.MergeRequestInProject, status int) error {
	e, err := a.mergeRequestDetailed(r, c, mp)
	if err != nil {
		return err
	}
	WriteJSON(w, status, e)
	return nil
}

// mergeRequestDetailed is the single merge request's entity.
func (a *API) mergeRequestDetailed(r *http.Request, c *Call, mp *service.MergeRequestInProject) (MergeRequestEntity, error) {
	ctx := r.Context()
	refs, err := a.svc.LoadMergeRequestRefs(ctx, []*model.MergeRequest{mp.MR}, mp.Project)
	if err != nil {
		return MergeRequestEntity{}, err
	}
	ir, err := a.issueRendererFor(r, c, refs)
	if err != nil {
		return MergeRequestEntity{}, err
	}
	sub, err := a.svc.MergeRequestSubscribed(ctx, c.id, mp)
	if err != nil {
		return MergeRequestEntity{}, err
	}
	changes, err := a.svc.MergeRequestChangesCount(ctx, mp)
	if err != nil {
		return MergeRequestEntity{}, err
	}
	canMerge := mp.MR.State == "opened" && service.ProjectCan(c.id, mp.Project, mp.Level, access.PushCode)
	return a.withPipelines(r, c, withDetails(ir.mergeRequest(mp.MR), mp.MR, sub, changes, canMerge), mp)
}

// writeMergeRequestPage renders a list page (view=simple: the simple
// entity) with its pagination headers.
func (a *API) writeMergeRequestPage(w http.ResponseWriter, r *http.Request, c *Call, qy service.MergeRequestQuery, pg *service.MergeRequestPage) error {
	view, _, err := c.params.OneOf("view", "simple")
	if err != nil {
		return err
	}
	simple := view == "simple"
	k := issuePageKey{page: pg.Key, version: pg.Version, base: a.BaseURL(r), details: labelDetails(c), groupID: pg.GroupID, simple: simple}
	body, err := a.keptPage(k, func() (any, bool, error) {
		var known []*model.Project
		if pg.Project != nil {
			known = append(known, pg.Project)
		}
		mrs := pg.MergeRequests()
		refs, err := a.svc.LoadMergeRequestRefs(r.Context(), mrs, known...)
		if err != nil {
			return nil, false, err
		}
		ir, err := a.issueRendererFor(r, c, refs)
		if err != nil {
			return nil, false, err
		}
		ir.groupID = pg.GroupID
		if simple {
			out := make([]mergeRequestSimple, 0, len(mrs))
			for _, m := range mrs {
				out = append(out, ir.mergeRequestSimple(m))
			}
			return out, true, nil
		}
		out := make([]MergeRequestEntity, 0, len(mrs))
		for _, m := range mrs {
			out = append(out, ir.mergeRequest(m))
		}
		return out, len(ir.labelDescs) == 0, nil
	})
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, Page{Page: qy.Page, PerPage: qy.PerPage}, pg.Total)
	writeJSONBytes(w, http.StatusOK, body)
	return nil
}

func (a *API) listProjectMergeRequests(w http.ResponseWriter, r *http.Request, c *Call) error {
	qy, err := mergeRequestQuery(c.params)
	if err != nil {
		return err
	}
	pg, err := a.svc.ListProjectMergeRequests(r.Context(), c.id, r.PathValue("id"), qy)
	if err != nil {
		return err
	}
	return a.writeMergeRequestPage(w, r, c, qy, pg)
}

func (a *API) listGroupMergeRequests(w http.ResponseWriter, r *http.Request, c *Call) error {
	qy, err := mergeRequestQuery(c.params)
	if err != nil {
		return err
	}
	pg, err := a.svc.ListGroupMergeRequests(r.Context(), c.id, r.PathValue("id"), qy)
	if err != nil {
		return err
	}
	return a.writeMergeRequestPage(w, r, c, qy, pg)
}

func (a *API) listMergeRequests(w http.ResponseWriter, r *http.Request, c *Call) error {
	qy, err := mergeRequestQuery(c.params)
	if err != nil {
		return err
	}
	pg, err := a.svc.ListAllMergeRequests(r.Context(), c.id, qy)
	if err != nil {
		return err
	}
	return a.writeMergeRequestPage(w, r, c, qy, pg)
}

// listMilestoneMergeRequests is a project milestone's merge requests.
func (a *API) listMilestoneMergeRequests(w http.ResponseWriter, r *http.Request, c *Call) error {
	qy, err := mergeRequestQuery(c.params)
	if err != nil {
		return err
	}
	mid, err := PathID(r, "milestone_id", "milestone_id")
	if err != nil {
		return err
	}
	pg, err := a.svc.ListMilestoneMergeRequests(r.Context(), c.id, r.PathValue("id"), mid, qy)
	if err != nil {
		return err
	}
	return a.writeMergeRequestPage(w, r, c, qy, pg)
}

func (a *API) createMergeRequest(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := mergeRequestInput(c.params, true)
	if err != nil {
		return err
	}
	// target_project_id: a project of the source's fork network to merge into.
	if v, ok, err := c.params.Int("target_project_id"); err != nil {
		return err
	} else if ok {
		in.TargetProjectID = &v
	}
	in.BaseURL = a.BaseURL(r)
	mp, err := a.svc.CreateMergeRequest(r.Context(), c.id, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return a.writeMergeRequest(w, r, c, mp, http.StatusCreated)
}

func (a *API) updateMergeRequest(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	given := false
	for _, name := range updateMergeRequestParams {
		given = given || c.params.Has(name)
	}
	if !given {
		return service.ParamError(strings.Join(updateMergeRequestParams, ", ") + " are missing, at least one parameter must be provided")
	}
	in, err := mergeRequestInput(c.params, false)
	if err != nil {
		return err
	}
	mp, err := a.svc.UpdateMergeRequest(r.Context(), c.id, r.PathValue("id"), iid, in)
	if err != nil {
		return err
	}
	return a.writeMergeRequest(w, r, c, mp, http.StatusOK)
}

func (a *API) deleteMergeRequest(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	if err := a.svc.DeleteMergeRequest(r.Context(), c.id, r.PathValue("id"), iid); err != nil {
		return err
	}
	return WriteNoContent(w)
}

// mergeRequestSubscription is subscribe (true) or unsubscribe: 304 when
// nothing changes, as GitLab.
func mergeRequestSubscription(subscribe bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		iid, err := MergeRequestIID(r)
		if err != nil {
			return err
		}
		mp, changed, err := a.svc.SetMergeRequestSubscription(r.Context(), c.id, r.PathValue("id"), iid, subscribe)
		if err != nil {
			return err
		}
		if !changed {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		return a.writeMergeRequest(w, r, c, mp, http.StatusCreated)
	}
}

func (a *API) subscribeMergeRequest(w http.ResponseWriter, r *http.Request, c *Call) error {
	return mergeRequestSubscription(true)(a, w, r, c)
}

func (a *API) unsubscribeMergeRequest(w http.ResponseWriter, r *http.Request, c *Call) error {
	return mergeRequestSubscription(false)(a, w, r, c)
}

func (a *API) mergeRequestParticipants(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	users, err := a.svc.MergeRequestParticipants(r.Context(), c.id, r.PathValue("id"), iid)
	if err != nil {
		return err
	}
	out := make([]BasicUser, 0, len(users))
	for _, u := range users {
		out = append(out, a.basicUser(r, u))
	}
	return WriteOK(w, out)
}
