package v4_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestSearch: GitLab's basic search at the three levels finds issues,
// notes, milestones, projects and users by their words, through the
// databases' full-text indexes, and only what the caller may read.
func TestSearch(t *testing.T) {
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	pid := f.p.ID
	mk := func(title, desc string, confidential bool) *gitlab.Issue {
		t.Helper()
		i, resp, err := f.ownerC.Issues.CreateIssue(pid, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(title),
			Description: gitlab.Ptr(desc), Confidential: gitlab.Ptr(confidential)})
		wantStatus(t, resp, err, 201)
		return i
	}
	crash := mk("Crash when saving", "the editor crashes on large files", false)
	mk("Slow export", "exporting takes minutes", false)
	mk("Crash in the vault", "secret details", true)
	if _, _, err := f.devC.Notes.CreateIssueNote(pid, crash.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("reproduced the crash twice")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.ownerC.Milestones.CreateMilestone(pid, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("Crash fixes"),
		Description: gitlab.Ptr("stability")}); err != nil {
		t.Fatal(err)
	}

	titles := func(list []*gitlab.Issue) string {
		var out []string
		for _, i := range list {
			out = append(out, i.Title)
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	reporterIssues, _, err := f.reporterC.Search.IssuesByProject(pid, "crash", &gitlab.SearchOptions{})
	if err != nil || titles(reporterIssues) != "Crash in the vault,Crash when saving" {
		t.Fatalf("reporter's project search: %s, %v", titles(reporterIssues), err)
	}
	// Pages without counts, as GitLab's search: no X-Total, a next page
	// while results remain, no "last" link.
	page1, resp, err := f.reporterC.Search.IssuesByProject(pid, "crash", &gitlab.SearchOptions{ListOptions: gitlab.ListOptions{PerPage: 1}})
	if err != nil || len(page1) != 1 || resp.Header.Get("X-Total") != "" || resp.Header.Get("X-Total-Pages") != "" ||
		resp.NextPage != 2 || strings.Contains(resp.Header.Get("Link"), `rel="last"`) {
		t.Fatalf("page 1 of 2: %d issues, headers %v, %v", len(page1), resp.Header, err)
	}
	page2, resp, err := f.reporterC.Search.IssuesByProject(pid, "crash", &gitlab.SearchOptions{ListOptions: gitlab.ListOptions{PerPage: 1, Page: 2}})
	if err != nil || len(page2) != 1 || page2[0].ID == page1[0].ID || resp.NextPage != 0 || resp.PreviousPage != 1 {
		t.Fatalf("page 2 of 2: %d issues, headers %v, %v", len(page2), resp.Header, err)
	}
	guestIssues, _, err := f.guestC.Search.Issues("crash", &gitlab.SearchOptions{})
	if err != nil || titles(guestIssues) != "Crash when saving" {
		t.Fatalf("guest's global search (confidential hidden): %s, %v", titles(guestIssues), err)
	}
	if list, _, err := f.strangerC.Search.Issues("crash", &gitlab.SearchOptions{}); err != nil || len(list) != 0 {
		t.Fatalf("stranger's global search: %d, %v", len(list), err)
	}
	if list, _, err := f.reporterC.Search.Issues("crash editor", &gitlab.SearchOptions{}); err != nil || titles(list) != "Crash when saving" {
		t.Fatalf("two words, both needed: %s, %v", titles(list), err)
	}
	if list, _, err := f.reporterC.Search.Issues("export", &gitlab.SearchOptions{}); err != nil || titles(list) != "Slow export" {
		t.Fatalf("a word's start (exporting): %s, %v", titles(list), err)
	}
	// The issue list's search reads the same index.
	if list, _, err := f.reporterC.Issues.ListProjectIssues(pid, &gitlab.ListProjectIssuesOptions{Search: gitlab.Ptr("crash")}); err != nil ||
		titles(list) != "Crash in the vault,Crash when saving" {
		t.Fatalf("issue list search: %s, %v", titles(list), err)
	}

	notes, resp, err := f.guestC.Search.NotesByProject(pid, "reproduced", &gitlab.SearchOptions{})
	if err != nil || len(notes) != 1 || notes[0].Body != "reproduced the crash twice" || notes[0].NoteableIID != crash.IID {
		t.Fatalf("note search = %+v, %v", notes, err)
	}
	if resp.TotalItems != 1 || resp.TotalPages != 1 {
		t.Fatalf("a project's notes are counted: X-Total %q", resp.Header.Get("X-Total"))
	}
	ms, _, err := f.guestC.Search.MilestonesByProject(pid, "stability", &gitlab.SearchOptions{})
	if err != nil || len(ms) != 1 || ms[0].Title != "Crash fixes" {
		t.Fatalf("milestone search = %+v, %v", ms, err)
	}
	projects, _, err := f.reporterC.Search.Projects("code", &gitlab.SearchOptions{})
	if err != nil || len(projects) != 1 || projects[0].ID != pid {
		t.Fatalf("project search = %+v, %v", projects, err)
	}
	users, _, err := f.reporterC.Search.UsersByProject(pid, "car", &gitlab.SearchOptions{})
	if err != nil || len(users) != 1 || users[0].Username != "carol" {
		t.Fatalf("project users search = %+v, %v", users, err)
	}

	// GitLab's answers to bad searches; signed-in callers only.
	for path, want := range map[string]string{
		"/search?search=x":                        `{"error":"scope is missing"}`,
		"/search?scope=issues":                    `{"error":"search is missing"}`,
		"/search?scope=notes&search=x":            `{"error":"scope does not have a valid value"}`,
		"/search?scope=issues&search=x&sort=up":   `{"error":"sort does not have a valid value"}`,
		"/search?scope=issues&search=x&state=new": `{"error":"state does not have a valid value"}`,
	} {
		f.s.Do(t, labtest.Request{Path: path, Token: f.dev.Token}).ExpectError(t, 400, want)
	}
	f.s.Do(t, labtest.Request{Path: "/search?scope=issues&search=crash"}).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	f.s.Do(t, labtest.Request{Path: "/projects/" + f.pid + "/search?scope=issues&search=crash", Token: f.stranger.Token}).
		ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	// Words only: punctuation and SQL find nothing, and break nothing.
	for _, q := range []string{"%", "'; DROP TABLE issues; --", `"crash`, "*"} {
		r := f.s.Do(t, labtest.Request{Path: "/search?scope=issues&search=" + url.QueryEscape(q), Token: f.reporter.Token})
		if r.Status != 200 {
			t.Fatalf("search %q: %d %s", q, r.Status, r.Body)
		}
	}
}
