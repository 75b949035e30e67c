package v4

import (
	"context"
	"net/http"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/service"
)

// The links between merge requests and the issues they close or mention
// (merge_request_issues): an issue's closed_by and related_merge_requests,
// a merge request's closes_issues.

func (a *API) issueClosedBy(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.issueMergeRequests(w, r, c, (*service.Service).IssueClosedBy)
}

func (a *API) issueRelatedMergeRequests(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.issueMergeRequests(w, r, c, (*service.Service).IssueRelatedMergeRequests)
}

type issueMergeRequestsFunc func(*service.Service, context.Context, *auth.Identity, string, int64, service.MergeRequestQuery) (*service.MergeRequestPage, error)

func (a *API) issueMergeRequests(w http.ResponseWriter, r *http.Request, c *Call, list issueMergeRequestsFunc) error {
	iid, err := issueIID(r)
	if err != nil {
		return err
	}
	qy, err := mergeRequestQuery(c.params)
	if err != nil {
		return err
	}
	pg, err := list(a.svc, r.Context(), c.id, r.PathValue("id"), iid, qy)
	if err != nil {
		return err
	}
	return a.writeMergeRequestPage(w, r, c, qy, pg)
}

func (a *API) mergeRequestClosesIssues(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.mergeRequestIssues(w, r, c, true)
}

// mergeRequestRelatedIssues is GET …/merge_requests/:iid/related_issues.
func (a *API) mergeRequestRelatedIssues(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.mergeRequestIssues(w, r, c, false)
}

// mergeRequestIssues lists the issues a merge request closes (closing) or
// closes and mentions.
func (a *API) mergeRequestIssues(w http.ResponseWriter, r *http.Request, c *Call, closing bool) error {
	iid, err := MergeRequestIID(r)
	if err != nil {
		return err
	}
	qy, err := issueQuery(c.params)
	if err != nil {
		return err
	}
	pg, err := a.svc.MergeRequestIssues(r.Context(), c.id, r.PathValue("id"), iid, closing, qy)
	if err != nil {
		return err
	}
	return a.writeIssuePage(w, r, c, qy, pg)
}
