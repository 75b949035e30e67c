package v4_test

import (
	"encoding/base64"
	"fmt"
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
	t.Parallel()
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

// TestSearchIssuesRendering: a found issue is the issue list's entity,
// byte for byte, with label titles even when label details are asked (the
// search has no such parameter); the same search asked again after the
// issue changed shows the change, its kept rendering not served stale.
func TestSearchIssuesRendering(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	i, resp, err := f.ownerC.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Crash on start"),
		Labels: &gitlab.LabelOptions{"bug"}, AssigneeIDs: &[]int64{f.dev.ID}})
	wantStatus(t, resp, err, 201)
	get := func(path string) string {
		t.Helper()
		r := f.s.Do(t, labtest.Request{Path: path, Token: f.reporter.Token})
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		return string(r.Body)
	}
	search := "/projects/" + f.pid + "/search?scope=issues&search=crash&with_labels_details=true"
	found, listed := get(search), get("/projects/"+f.pid+"/issues?search=crash")
	if found != listed || !strings.Contains(found, `"labels":["bug"]`) || !strings.Contains(found, `"username":"bob"`) {
		t.Fatalf("search answered\n%s\nthe issue list\n%s", found, listed)
	}
	if again := get(search); again != found {
		t.Fatalf("asked again: %s, want %s", again, found)
	}
	if _, _, err := f.ownerC.Issues.UpdateIssue(f.p.ID, i.IID, &gitlab.UpdateIssueOptions{Title: gitlab.Ptr("Crash on exit"),
		AddLabels: &gitlab.LabelOptions{"p1"}}); err != nil {
		t.Fatal(err)
	}
	if after := get(search); !strings.Contains(after, `"title":"Crash on exit"`) || !strings.Contains(after, `"labels":["bug","p1"]`) {
		t.Fatalf("after the update the search answers %s", after)
	}
}

// codeFile is one file of a commit made through the API.
type codeFile struct{ path, content string }

// commitFiles makes one commit on branch through the commits API (from
// main when the branch is new) and returns it.
func commitFiles(t *testing.T, c *gitlab.Client, pid int64, branch, msg string, files ...codeFile) *gitlab.Commit {
	t.Helper()
	opt := &gitlab.CreateCommitOptions{Branch: gitlab.Ptr(branch), CommitMessage: gitlab.Ptr(msg)}
	if branch != "main" {
		opt.StartBranch = gitlab.Ptr("main")
	}
	for _, f := range files {
		opt.Actions = append(opt.Actions, &gitlab.CommitActionOptions{Action: gitlab.Ptr(gitlab.FileCreate),
			FilePath: gitlab.Ptr(f.path), Content: gitlab.Ptr(base64.StdEncoding.EncodeToString([]byte(f.content))),
			Encoding: gitlab.Ptr("base64")})
	}
	cm, resp, err := c.Commits.CreateCommit(pid, opt)
	wantStatus(t, resp, err, 201)
	return cm
}

func blobsString(list []*gitlab.Blob) string {
	var b strings.Builder
	for _, x := range list {
		fmt.Fprintf(&b, "%s|%s|%s|%s|%d|%q;", x.Path, x.Basename, x.Ref, x.ID, x.Startline, x.Data)
	}
	return b.String()
}

// TestSearchBlobs: project code search as GitLab's basic search answers it:
// blocks of lines with two lines of context, files whose path is the
// search, GitLab's filters, the ref searched, pagination, and only for
// callers who may read the code.
func TestSearchBlobs(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	pid := int64(f.p.ID)
	commitFiles(t, f.ownerC, pid, "main", "add code",
		codeFile{"lib/search.go", "Needle first\n2\n3\n4\n5\n6\n7\nlast NEEDLE"},
		codeFile{"docs/guide.md", "intro\n-e needle in docs\nuse a.b*c carefully\n"},
		codeFile{"assets/logo.bin", "needle\x00binary"})
	commitFiles(t, f.ownerC, pid, "feature", "feature work", codeFile{"feature.txt", "needle on a branch\n"})
	search := func(c *gitlab.Client, q string, opt *gitlab.SearchOptions) ([]*gitlab.Blob, *gitlab.Response) {
		t.Helper()
		if opt == nil {
			opt = &gitlab.SearchOptions{}
		}
		list, resp, err := c.Search.BlobsByProject(pid, q, opt)
		wantStatus(t, resp, err, 200)
		return list, resp
	}
	pidS := fmt.Sprint(pid)

	// Blocks in path order, the binary file skipped; a block found by its
	// lines has no blob id.
	list, resp := search(f.reporterC, "needle", nil)
	want := `docs/guide.md|docs/guide|main||1|"intro\n-e needle in docs\nuse a.b*c carefully\n";` +
		`lib/search.go|lib/search|main||1|"Needle first\n2\n3\n";` +
		`lib/search.go|lib/search|main||6|"6\n7\nlast NEEDLE\n";`
	if got := blobsString(list); got != want {
		t.Fatalf("needle:\n got %s\nwant %s", got, want)
	}
	if list[0].Filename != list[0].Path || list[0].ProjectID != pid || resp.TotalItems != 3 {
		t.Fatalf("entity %+v, total %d", list[0], resp.TotalItems)
	}
	raw := f.s.Do(t, labtest.Request{Path: "/projects/" + pidS + "/search?scope=blobs&search=carefully", Token: f.reporter.Token})
	if raw.Status != 200 || !strings.Contains(string(raw.Body), `"id":null`) || !strings.Contains(string(raw.Body), `"filename":"docs/guide.md"`) {
		t.Fatalf("raw blob entity: %d %s", raw.Status, raw.Body)
	}

	// A search naming a path (or a directory) finds its files first: the
	// blob id and the file's start from line 1.
	tree, _, err := f.reporterC.Repositories.ListTree(pid, &gitlab.ListTreeOptions{Path: gitlab.Ptr("lib")})
	if err != nil || len(tree) != 1 {
		t.Fatalf("tree: %v, %v", tree, err)
	}
	list, _ = search(f.reporterC, "lib", nil)
	want = `lib/search.go|lib/search|main|` + tree[0].ID + `|1|"Needle first\n2\n3\n4\n5\n6\n7\nlast NEEDLE";`
	if got := blobsString(list); got != want {
		t.Fatalf("lib:\n got %s\nwant %s", got, want)
	}

	for q, wantPaths := range map[string]string{
		// The search is text: regexp characters and a leading dash are
		// literal ("ne.dle" and "a.b.c" would match as patterns).
		"a.b*c": "docs/guide.md", "-e needle": "docs/guide.md", "ne.dle": "", "a.b.c": "",
		// Filters, as GitLab's FileFinder applies them to what was found.
		"needle extension:md":          "docs/guide.md",
		"needle -path:lib":             "docs/guide.md",
		"needle filename:search.go":    "lib/search.go,lib/search.go",
		"needle path:LIB/*":            "lib/search.go,lib/search.go",
		"needle -extension:go -path:d": "",
		"extension:md":                 "docs/guide.md", // the term is then "*", found as text in a.b*c
		"extension:go":                 "",
	} {
		list, _ := search(f.reporterC, q, nil)
		var paths []string
		for _, b := range list {
			paths = append(paths, b.Path)
		}
		if strings.Join(paths, ",") != wantPaths {
			t.Fatalf("%q found %v, want %q", q, paths, wantPaths)
		}
	}

	// Another ref; an unknown one finds nothing.
	list, _ = search(f.reporterC, "branch", &gitlab.SearchOptions{Ref: gitlab.Ptr("feature")})
	if got := blobsString(list); got != `feature.txt|feature|feature||1|"needle on a branch\n";` {
		t.Fatalf("ref feature: %s", got)
	}
	if list, _ := search(f.reporterC, "branch", nil); len(list) != 0 {
		t.Fatalf("main has no branch file: %s", blobsString(list))
	}
	if list, _ := search(f.reporterC, "needle", &gitlab.SearchOptions{Ref: gitlab.Ptr("nope")}); len(list) != 0 {
		t.Fatalf("unknown ref: %s", blobsString(list))
	}

	// Pages of the list, with the total.
	list, resp = search(f.reporterC, "needle", &gitlab.SearchOptions{ListOptions: gitlab.ListOptions{Page: 2, PerPage: 2}})
	if got := blobsString(list); got != `lib/search.go|lib/search|main||6|"6\n7\nlast NEEDLE\n";` ||
		resp.TotalItems != 3 || resp.TotalPages != 2 || resp.CurrentPage != 2 || resp.NextPage != 0 {
		t.Fatalf("page 2: %s, total %d pages %d", got, resp.TotalItems, resp.TotalPages)
	}

	// Code is read_code's: a guest of a private project finds nothing (as
	// GitLab, which leaves the scope out), a stranger does not see the
	// project.
	if list, resp := search(f.guestC, "needle", nil); len(list) != 0 || resp.TotalItems != 0 {
		t.Fatalf("guest: %s", blobsString(list))
	}
	f.s.Do(t, labtest.Request{Path: "/projects/" + pidS + "/search?scope=blobs&search=needle", Token: f.stranger.Token}).
		ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	if _, _, err := f.ownerC.Projects.EditProject(pid, &gitlab.EditProjectOptions{Visibility: gitlab.Ptr(gitlab.PublicVisibility)}); err != nil {
		t.Fatal(err)
	}
	if list, _ := search(f.strangerC, "needle", nil); len(list) != 3 {
		t.Fatalf("stranger on a public project: %s", blobsString(list))
	}
	if list, _ := search(f.guestC, "needle", nil); len(list) != 3 {
		t.Fatalf("guest on a public project: %s", blobsString(list))
	}

	// An empty repository finds nothing.
	empty, _, err := f.ownerC.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Empty")})
	if err != nil {
		t.Fatal(err)
	}
	if list, _, err := f.ownerC.Search.BlobsByProject(empty.ID, "needle", &gitlab.SearchOptions{}); err != nil || len(list) != 0 {
		t.Fatalf("empty repository: %v, %v", list, err)
	}
	if list, _, err := f.ownerC.Search.CommitsByProject(empty.ID, "needle", &gitlab.SearchOptions{}); err != nil || len(list) != 0 {
		t.Fatalf("empty repository commits: %v, %v", list, err)
	}
}

// TestSearchCommits: commits of the ref whose message contains the search
// in any case, newest first, with the commit the search names when it is
// a commit id, rendered as GitLab's CommitDetail.
func TestSearchCommits(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	pid := int64(f.p.ID)
	first := commitFiles(t, f.ownerC, pid, "main", "Fix the Parser", codeFile{"a.txt", "a\n"})
	second := commitFiles(t, f.ownerC, pid, "main", "fix.parser for real\n\nsee --all", codeFile{"b.txt", "b\n"})
	onBranch := commitFiles(t, f.ownerC, pid, "feature", "parser on a branch", codeFile{"c.txt", "c\n"})
	ids := func(list []*gitlab.Commit) string {
		var out []string
		for _, c := range list {
			out = append(out, c.ID)
		}
		return strings.Join(out, ",")
	}
	search := func(q string, opt *gitlab.SearchOptions) ([]*gitlab.Commit, *gitlab.Response) {
		t.Helper()
		if opt == nil {
			opt = &gitlab.SearchOptions{}
		}
		list, resp, err := f.reporterC.Search.CommitsByProject(pid, q, opt)
		wantStatus(t, resp, err, 200)
		return list, resp
	}

	list, resp := search("PARSER", nil)
	if ids(list) != second.ID+","+first.ID || resp.TotalItems != 2 {
		t.Fatalf("PARSER: %s (total %d)", ids(list), resp.TotalItems)
	}
	if c := list[0]; c.Title != "fix.parser for real" || strings.TrimSpace(c.Message) != "fix.parser for real\n\nsee --all" ||
		c.ProjectID != pid || c.ShortID != second.ID[:8] || c.WebURL == "" {
		t.Fatalf("entity %+v", c)
	}
	raw := f.s.Do(t, labtest.Request{Path: "/projects/" + fmt.Sprint(pid) + "/search?scope=commits&search=real", Token: f.reporter.Token})
	var detail []map[string]any
	raw.JSON(t, &detail)
	if len(detail) != 1 || detail[0]["project_id"] != float64(pid) || detail[0]["status"] != nil ||
		!hasKey(detail[0], "last_pipeline") || hasKey(detail[0], "stats") {
		t.Fatalf("raw commit entity: %s", raw.Body)
	}
	for q, want := range map[string]string{
		"fix.parser": second.ID, "fix.*": "", "--all": second.ID, "  parser for real  ": second.ID,
		// A commit id finds its commit, abbreviated or in capitals, once.
		first.ID:                       first.ID,
		strings.ToUpper(first.ID[:10]): first.ID,
		f.readmeCommit[:8]:             f.readmeCommit,
		onBranch.ID:                    onBranch.ID, // any commit of the repository, as GitLab's
	} {
		if list, _ := search(q, nil); ids(list) != want {
			t.Fatalf("%q: %s, want %s", q, ids(list), want)
		}
	}
	list, _ = search("parser", &gitlab.SearchOptions{Ref: gitlab.Ptr("feature")})
	if ids(list) != onBranch.ID+","+second.ID+","+first.ID {
		t.Fatalf("ref feature: %s", ids(list))
	}
	if list, _ := search("parser", &gitlab.SearchOptions{Ref: gitlab.Ptr("nope")}); len(list) != 0 {
		t.Fatalf("unknown ref: %s", ids(list))
	}
	list, resp = search("parser", &gitlab.SearchOptions{ListOptions: gitlab.ListOptions{Page: 2, PerPage: 1}})
	if ids(list) != first.ID || resp.TotalItems != 2 || resp.TotalPages != 2 {
		t.Fatalf("page 2: %s, total %d", ids(list), resp.TotalItems)
	}
	if list, _, err := f.guestC.Search.CommitsByProject(pid, "parser", &gitlab.SearchOptions{}); err != nil || len(list) != 0 {
		t.Fatalf("guest: %v, %v", ids(list), err)
	}
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

// TestSearchCodeScopesOutsideProjects: GitLab Community Edition searches
// code, commits and wikis only in a project; a group or global search of
// them is refused by its scope parameter's validation.
func TestSearchCodeScopesOutsideProjects(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PublicVisibility)
	g, _, err := f.ownerC.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Team"), Path: gitlab.Ptr("team")})
	if err != nil {
		t.Fatal(err)
	}
	for _, scope := range []string{"blobs", "commits", "wiki_blobs"} {
		for _, path := range []string{"/search", "/groups/" + fmt.Sprint(g.ID) + "/search", "/groups/" + fmt.Sprint(g.ID) + "/-/search"} {
			f.s.Do(t, labtest.Request{Path: path + "?scope=" + scope + "&search=readme", Token: f.owner.Token}).
				ExpectError(t, 400, `{"error":"scope does not have a valid value"}`)
		}
	}
	if _, resp, err := f.ownerC.Search.Blobs("readme", &gitlab.SearchOptions{}); err == nil || resp.StatusCode != 400 {
		t.Fatalf("client global blobs: %v", err)
	}
	// In a project the other scopes GitLab offers find nothing yet: wiki
	// blobs are counted (ProjectSearchResults pages them as an array),
	// merge requests are not (without_count).
	for scope, total := range map[string]string{"wiki_blobs": "0", "merge_requests": ""} {
		r := f.s.Do(t, labtest.Request{Path: "/projects/" + f.pid + "/search?scope=" + scope + "&search=readme", Token: f.owner.Token})
		if r.Status != 200 || strings.TrimSpace(string(r.Body)) != "[]" || r.Header.Get("X-Total") != total {
			t.Fatalf("%s: %d %s %v", scope, r.Status, r.Body, r.Header)
		}
	}
}
