package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/lablet/lablet/internal/service"
)

// A project's issue list, as GitLab's Projects::IssuesController#index:
// /<project path>/-/issues, open issues newest first, 20 a page. It reads
// the filters the rendered references link to: label_name (label_name[]
// too) and milestone_title, and state.

const issuesPerPage = 20

// maxIssueListPage keeps the offset of a page far from overflowing.
const maxIssueListPage = 100_000

type issueListData struct {
	ProjectName string
	State       string
	Filters     []string // what the list is filtered by, shown
	Issues      []issueRow
	Total       int
	Page        int
	Prev, Next  string // the neighbouring pages' links, when there are any
}

type issueRow struct {
	IID          int64
	Title, URL   string
	Confidential bool
	Closed       bool
	Author       *userView
	Labels       []labelView
	Created      timeView
}

func (h *Handler) issueList(w http.ResponseWriter, r *http.Request, s pageSession) {
	ref, ok := projectRef(r)
	if !ok {
		h.issuesHidden(w, r, s, ref, service.NotFound("Project"))
		return
	}
	q := r.URL.Query()
	qy := service.IssueQuery{State: "opened", PerPage: issuesPerPage, Page: 1}
	switch st := q.Get("state"); st {
	case "closed", "all":
		qy.State = st
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		qy.Page = min(n, maxIssueListPage)
	}
	qy.Labels = slices.Concat(q["label_name"], q["label_name[]"])
	if m := q.Get("milestone_title"); m != "" {
		qy.Milestone = &m
	}
	ctx := r.Context()
	p, _, err := h.svc.VisibleProject(ctx, s.id, ref)
	if err != nil {
		h.issuesHidden(w, r, s, ref, err)
		return
	}
	pg, err := h.svc.ListProjectIssues(ctx, s.id, strconv.FormatInt(p.ID, 10), qy)
	if err != nil {
		h.issuesHidden(w, r, s, ref, err)
		return
	}
	refs, err := h.svc.LoadIssueRefs(ctx, pg.Issues, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	l := issueLinks{base: urlPath(h.baseURL(r)), project: p}
	d := issueListData{ProjectName: p.FullName(), State: qy.State, Total: pg.Total, Page: qy.Page}
	for _, t := range qy.Labels {
		d.Filters = append(d.Filters, "~"+t)
	}
	if qy.Milestone != nil {
		d.Filters = append(d.Filters, "%"+*qy.Milestone)
	}
	for _, is := range pg.Issues {
		row := issueRow{IID: is.IID, Title: is.Title, URL: l.issue(is.IID), Confidential: is.Confidential,
			Closed: is.State == "closed", Labels: l.labels(is.LabelIDs, refs), Created: timeOf(is.CreatedAt)}
		if is.AuthorID != nil {
			row.Author = l.user(refs.Users[*is.AuthorID])
		}
		d.Issues = append(d.Issues, row)
	}
	pageLink := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(n))
		return l.issues() + "?" + v.Encode()
	}
	if qy.Page > 1 {
		d.Prev = pageLink(qy.Page - 1)
	}
	if qy.Page*issuesPerPage < pg.Total {
		d.Next = pageLink(qy.Page + 1)
	}
	h.render(w, r, http.StatusOK, "issues", view{Title: "Issues · " + p.FullName(), Data: d})
}
