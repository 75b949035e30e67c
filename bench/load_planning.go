package main

import (
	"fmt"
	"net/http"
	"net/url"
)

// planningEndpoints are the rows of issues and what hangs off them.
func (l *loader) planningEndpoints() []*endpoint {
	sd := l.sd
	pick := func(w *worker, list []projectRef) projectRef { return list[w.rng.IntN(len(list))] }
	get := func(p string) reqSpec { return reqSpec{method: http.MethodGet, path: p} }
	// mrGet reads suffix of one of the seeded merge requests.
	mrGet := func(w *worker, suffix string) reqSpec {
		return get(fmt.Sprintf("/projects/%d/merge_requests/%d%s", pick(w, sd.IssueProjects).ID,
			1+w.rng.IntN(mergeRequestsPerProject), suffix))
	}
	return []*endpoint{
		// Issues (issue 13): a project's open issues with one label, 20 a
		// page; the issues assigned to the caller across every project it
		// sees; creation (the iid sequence and the row in one transaction).
		{name: "GET /projects/:id/issues?labels&state", weight: 5, req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects/%d/issues?state=opened&labels=%s&per_page=20",
				pick(w, sd.IssueProjects).ID, benchLabels[w.rng.IntN(len(benchLabels))]))
		}},
		{name: "GET /issues?scope=assigned_to_me", weight: 3, req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/issues?scope=assigned_to_me&per_page=20&page=%d", 1+w.rng.IntN(3)))
		}},
		{name: "GET /projects/:id/issues/:iid", weight: 5, req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects/%d/issues/%d", pick(w, sd.IssueProjects).ID, 1+w.rng.IntN(issuesPerProject)))
		}},
		{name: "GET /search?scope=issues", weight: 2, req: func(w *worker) reqSpec {
			return get("/search?scope=issues&search=" + issueWords[w.rng.IntN(len(issueWords))])
		}},
		// Planning lists outside the mix: a project's labels and
		// milestones, an issue's notes and discussions (notesPerIssue
		// comments on issue 1), the caller's and a project's events.
		{name: "GET /projects/:id/labels", req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects/%d/labels?with_counts=true", pick(w, sd.IssueProjects).ID))
		}},
		{name: "GET /projects/:id/milestones", req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects/%d/milestones", pick(w, sd.IssueProjects).ID))
		}},
		{name: "GET …/issues/:iid/notes", req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects/%d/issues/1/notes", pick(w, sd.IssueProjects).ID))
		}},
		{name: "GET …/issues/:iid/discussions", req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects/%d/issues/1/discussions", pick(w, sd.IssueProjects).ID))
		}},
		// A project's open merge requests, 20 a page (mergeRequestsPerProject
		// each, seeded as rows).
		{name: "GET /projects/:id/merge_requests", req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects/%d/merge_requests?state=opened&per_page=20", pick(w, sd.IssueProjects).ID))
		}},
		// The merge requests that close or mention an issue (none seeded:
		// the cost of the visibility and link filters).
		{name: "GET …/issues/:iid/related_merge_requests", req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects/%d/issues/%d/related_merge_requests", pick(w, sd.IssueProjects).ID, 1+w.rng.IntN(issuesPerProject)))
		}},
		{name: "GET …/merge_requests/:iid/closes_issues", req: func(w *worker) reqSpec {
			return mrGet(w, "/closes_issues")
		}},
		// The issues a merge request closes or mentions (none seeded: the
		// filters' cost, as closes_issues), its reviewers and time stats.
		{name: "GET …/merge_requests/:iid/related_issues", req: func(w *worker) reqSpec {
			return mrGet(w, "/related_issues")
		}},
		{name: "GET …/merge_requests/:iid/reviewers", req: func(w *worker) reqSpec {
			return mrGet(w, "/reviewers")
		}},
		{name: "GET …/merge_requests/:iid/time_stats", req: func(w *worker) reqSpec {
			return mrGet(w, "/time_stats")
		}},
		// One merge request: the read that checks mergeability (the seeded
		// rows have no branches, so it stops at broken_status).
		{name: "GET /projects/:id/merge_requests/:iid", req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects/%d/merge_requests/%d", pick(w, sd.IssueProjects).ID, 1+w.rng.IntN(mergeRequestsPerProject)))
		}},
		// A merge request's versions (mergeRequestVersions rows) and its
		// approvals (none: the merge request and the users' query).
		{name: "GET …/merge_requests/:iid/versions", req: func(w *worker) reqSpec {
			return mrGet(w, "/versions")
		}},
		{name: "GET …/merge_requests/:iid/approvals", req: func(w *worker) reqSpec {
			return mrGet(w, "/approvals")
		}},
		// The merge requests holding a branch's head (an indexed lookup
		// of merge_request_commits, no git walk per merge request).
		{name: "GET …/commits/:sha/merge_requests", req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects/%d/repository/commits/main/merge_requests", pick(w, sd.RepoProjects).ID))
		}},
		{name: "GET /events", req: func(w *worker) reqSpec { return get("/events?per_page=20") }},
		{name: "GET /projects/:id/events", req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects/%d/events", pick(w, sd.IssueProjects).ID))
		}},
		{name: "POST /projects/:id/issues", weight: 1, req: func(w *worker) reqSpec {
			form := url.Values{"title": {fmt.Sprintf("bench issue %s %d %d", w.phase, w.id, w.n)}, "labels": {"bug"}}
			return reqSpec{method: http.MethodPost, path: fmt.Sprintf("/projects/%d/issues", pick(w, sd.RepoProjects).ID),
				body: []byte(form.Encode()), ctype: "application/x-www-form-urlencoded"}
		}},
		// A comment on an issue (not the first: its notes are the list
		// rows' and stay as seeded), outside the mix.
		{name: "POST …/issues/:iid/notes", req: func(w *worker) reqSpec {
			form := url.Values{"body": {fmt.Sprintf("bench note %s %d %d", w.phase, w.id, w.n)}}
			return reqSpec{method: http.MethodPost, path: fmt.Sprintf("/projects/%d/issues/%d/notes",
				pick(w, sd.IssueProjects).ID, 2+w.rng.IntN(issuesPerProject-1)),
				body: []byte(form.Encode()), ctype: "application/x-www-form-urlencoded"}
		}},
		// Issue boards: one board's label lists, each with its label.
		{name: "GET /projects/:id/boards/:board_id/lists", weight: 2, req: func(w *worker) reqSpec {
			b := sd.Boards[w.rng.IntN(len(sd.Boards))]
			return get(fmt.Sprintf("/projects/%d/boards/%d/lists", b.Project, b.Board))
		}},
	}
}
