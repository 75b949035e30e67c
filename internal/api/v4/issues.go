package v4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// issueIID reads the issue_iid path value (an Integer to GitLab's
// Grape: anything else is 400 "issue_iid is invalid").
func issueIID(r *http.Request) (int64, error) { return PathID(r, "issue_iid", "issue_iid") }

func labelDetails(c *Call) bool {
	b, _, _ := c.params.Bool("with_labels_details")
	return b
}

// writeIssue renders one issue, with subscribed for the caller.
func (a *API) writeIssue(w http.ResponseWriter, r *http.Request, c *Call, ip *service.IssueInProject, status int) error {
	refs, err := a.svc.LoadIssueRefs(r.Context(), []*model.Issue{ip.Issue}, ip.Project)
	if err != nil {
		return err
	}
	ir, err := a.issueRendererFor(r, c, refs)
	if err != nil {
		return err
	}
	e := ir.issue(ip.Issue)
	sub, err := a.svc.IssueSubscribed(r.Context(), c.id, ip)
	if err != nil {
		return err
	}
	e.Subscribed = &sub
	WriteJSON(w, status, e)
	return nil
}

// writeIssuePage renders a list page with its pagination headers.
func (a *API) writeIssuePage(w http.ResponseWriter, r *http.Request, c *Call, qy service.IssueQuery, pg *service.IssuePage) error {
	body, err := a.issuePageBody(r, c, pg, labelDetails(c))
	if err != nil {
		return err
	}
	if qy.Keyset {
		var next url.Values
		if pg.NextCursor != "" {
			next = url.Values{"cursor": {pg.NextCursor}, "per_page": {strconv.Itoa(qy.PerPage)}}
		}
		a.setKeysetHeaders(w, r, next)
	} else {
		a.SetPageHeaders(w, r, Page{Page: qy.Page, PerPage: qy.PerPage}, pg.Total)
	}
	writeJSONBytes(w, http.StatusOK, body)
	return nil
}

func (a *API) listProjectIssues(w http.ResponseWriter, r *http.Request, c *Call) error {
	qy, err := issueQuery(c.params)
	if err != nil {
		return err
	}
	pg, err := a.svc.ListProjectIssues(r.Context(), c.id, r.PathValue("id"), qy)
	if err != nil {
		return err
	}
	return a.writeIssuePage(w, r, c, qy, pg)
}

func (a *API) listGroupIssues(w http.ResponseWriter, r *http.Request, c *Call) error {
	qy, err := issueQuery(c.params)
	if err != nil {
		return err
	}
	if qy.Keyset {
		return service.ErrKeysetOrder
	}
	pg, err := a.svc.ListGroupIssues(r.Context(), c.id, r.PathValue("id"), qy)
	if err != nil {
		return err
	}
	return a.writeIssuePage(w, r, c, qy, pg)
}

func (a *API) listIssues(w http.ResponseWriter, r *http.Request, c *Call) error {
	qy, err := issueQuery(c.params)
	if err != nil {
		return err
	}
	if qy.Keyset {
		return service.ErrKeysetOrder
	}
	pg, err := a.svc.ListAllIssues(r.Context(), c.id, qy)
	if err != nil {
		return err
	}
	return a.writeIssuePage(w, r, c, qy, pg)
}

func (a *API) listProjectMilestoneIssues(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.listMilestoneIssues(w, r, c, false)
}

func (a *API) listGroupMilestoneIssues(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.listMilestoneIssues(w, r, c, true)
}

func (a *API) listMilestoneIssues(w http.ResponseWriter, r *http.Request, c *Call, group bool) error {
	qy, err := issueQuery(c.params)
	if err != nil {
		return err
	}
	qy.Keyset = false
	mid, err := PathID(r, "milestone_id", "milestone_id")
	if err != nil {
		return err
	}
	projectRef, groupRef := r.PathValue("id"), ""
	if group {
		projectRef, groupRef = "", r.PathValue("id")
	}
	pg, err := a.svc.ListMilestoneIssues(r.Context(), c.id, projectRef, groupRef, mid, qy)
	if err != nil {
		return err
	}
	return a.writeIssuePage(w, r, c, qy, pg)
}

func (a *API) getProjectIssue(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := issueIID(r)
	if err != nil {
		return err
	}
	ip, err := a.svc.VisibleIssue(r.Context(), c.id, r.PathValue("id"), iid)
	if err != nil {
		return err
	}
	return a.writeIssue(w, r, c, ip, http.StatusOK)
}

func (a *API) getIssue(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, err := PathID(r, "id", "id")
	if err != nil {
		return err
	}
	ip, err := a.svc.IssueByGlobalID(r.Context(), c.id, id)
	if err != nil {
		return err
	}
	return a.writeIssue(w, r, c, ip, http.StatusOK)
}

func (a *API) createIssue(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := issueInput(c.params)
	if err != nil {
		return err
	}
	ip, err := a.svc.CreateIssue(r.Context(), c.id, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return a.writeIssue(w, r, c, ip, http.StatusCreated)
}

func (a *API) updateIssue(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := issueIID(r)
	if err != nil {
		return err
	}
	given := false
	for _, name := range updateIssueParams {
		given = given || c.params.Has(name)
	}
	if !given {
		return service.ParamError(strings.Join(updateIssueParams, ", ") + " are missing, at least one parameter must be provided")
	}
	in, err := issueInput(c.params)
	if err != nil {
		return err
	}
	ip, err := a.svc.UpdateIssue(r.Context(), c.id, r.PathValue("id"), iid, in)
	if err != nil {
		return err
	}
	return a.writeIssue(w, r, c, ip, http.StatusOK)
}

func (a *API) deleteIssue(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := issueIID(r)
	if err != nil {
		return err
	}
	if err := a.svc.DeleteIssue(r.Context(), c.id, r.PathValue("id"), iid); err != nil {
		return err
	}
	return WriteNoContent(w)
}

// issueSubscription is subscribe (true) or unsubscribe: 304 when nothing
// changes, as GitLab.
func issueSubscription(subscribe bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		iid, err := issueIID(r)
		if err != nil {
			return err
		}
		ip, changed, err := a.svc.SetIssueSubscription(r.Context(), c.id, r.PathValue("id"), iid, subscribe)
		if err != nil {
			return err
		}
		if !changed {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		return a.writeIssue(w, r, c, ip, http.StatusCreated)
	}
}

func (a *API) subscribeIssue(w http.ResponseWriter, r *http.Request, c *Call) error {
	return issueSubscription(true)(a, w, r, c)
}

func (a *API) unsubscribeIssue(w http.ResponseWriter, r *http.Request, c *Call) error {
	return issueSubscription(false)(a, w, r, c)
}

func (a *API) issueParticipants(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := issueIID(r)
	if err != nil {
		return err
	}
	users, err := a.svc.IssueParticipants(r.Context(), c.id, r.PathValue("id"), iid)
	if err != nil {
		return err
	}
	out := make([]BasicUser, 0, len(users))
	for _, u := range users {
		out = append(out, a.basicUser(r, u))
	}
	return WriteOK(w, out)
}

// issueStatisticsEntity is GitLab's IssuesStatistics.
type issueStatisticsEntity struct {
	Statistics struct {
		Counts struct {
			All    int64 `json:"all"`
			Closed int64 `json:"closed"`
			Opened int64 `json:"opened"`
		} `json:"counts"`
	} `json:"statistics"`
}

func (a *API) issueStatistics(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.writeIssueStatistics(w, r, c, "", "")
}

func (a *API) projectIssueStatistics(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.writeIssueStatistics(w, r, c, r.PathValue("id"), "")
}

func (a *API) groupIssueStatistics(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.writeIssueStatistics(w, r, c, "", r.PathValue("id"))
}

func (a *API) writeIssueStatistics(w http.ResponseWriter, r *http.Request, c *Call, projectRef, groupRef string) error {
	qy, err := issueQuery(c.params)
	if err != nil {
		return err
	}
	counts, err := a.svc.IssueStatistics(r.Context(), c.id, projectRef, groupRef, qy)
	if err != nil {
		return err
	}
	var e issueStatisticsEntity
	e.Statistics.Counts.All, e.Statistics.Counts.Closed, e.Statistics.Counts.Opened = counts.All, counts.Closed, counts.Opened
	return WriteOK(w, e)
}
