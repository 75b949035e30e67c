package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// issuePageFixture is a public project group/project with issues #1 and
// #2, labels, a milestone, a member to mention and assign, and a second
// project other/project with issues #1 and #2.
type issuePageFixture struct {
	s                     *labtest.Server
	owner, mia            *labtest.User
	project, other        *gitlab.Project
	milestone             *gitlab.Milestone
	bug, light            *gitlab.Label
	ownerClient           *gitlab.Client
	projectPath           string // "/group/project"
	guest, reporter, nina *labtest.User
}

const issuePassword = "issue-pages-password-1"

func newIssuePageFixture(t *testing.T, vis gitlab.VisibilityValue) *issuePageFixture {
	t.Helper()
	s := labtest.Start(t)
	f := &issuePageFixture{s: s, owner: s.NewUser(t, "olga"), mia: s.NewUser(t, "mia"), guest: s.NewUser(t, "gus"),
		reporter: s.NewUser(t, "remy"), nina: s.NewUser(t, "nina"), projectPath: "/group/project"}
	for _, u := range []*labtest.User{f.owner, f.guest, f.reporter, f.nina} {
		tokPassword(t, s, u.User, issuePassword)
	}
	c := s.Client(t, f.owner.Token)
	f.ownerClient = c
	newProject := func(group string) *gitlab.Project {
		g, _, err := c.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr(group), Path: gitlab.Ptr(group),
			Visibility: gitlab.Ptr(vis)})
		if err != nil {
			t.Fatal(err)
		}
		p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("project"),
			NamespaceID: gitlab.Ptr(g.ID), Visibility: gitlab.Ptr(vis)})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	f.project, f.other = newProject("group"), newProject("other")
	for u, l := range map[*labtest.User]gitlab.AccessLevelValue{f.mia: gitlab.DeveloperPermissions,
		f.guest: gitlab.GuestPermissions, f.reporter: gitlab.ReporterPermissions} {
		if _, _, err := c.ProjectMembers.AddProjectMember(f.project.ID, &gitlab.AddProjectMemberOptions{UserID: u.ID,
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if f.bug, _, err = c.Labels.CreateLabel(f.project.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("bug"),
		Color: gitlab.Ptr("#d9534f"), Description: gitlab.Ptr("Something is broken")}); err != nil {
		t.Fatal(err)
	}
	if f.light, _, err = c.Labels.CreateLabel(f.project.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("feature request"),
		Color: gitlab.Ptr("#eeeeee")}); err != nil {
		t.Fatal(err)
	}
	if f.milestone, _, err = c.Milestones.CreateMilestone(f.project.ID, &gitlab.CreateMilestoneOptions{
		Title: gitlab.Ptr("v1.0")}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*gitlab.Project{f.project, f.project, f.other, f.other} {
		f.issue(t, p, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("plain issue")})
	}
	return f
}

func (f *issuePageFixture) issue(t *testing.T, p *gitlab.Project, o *gitlab.CreateIssueOptions) *gitlab.Issue {
	t.Helper()
	is, _, err := f.ownerClient.Issues.CreateIssue(p.ID, o)
	if err != nil {
		t.Fatal(err)
	}
	return is
}

// xssPayloads each set window.__xss if they ran.
const xssPayloads = `<script>window.__xss = "script"</script>

<img src=x onerror="window.__xss = 'img'">

[click me](javascript:window.__xss='md-link')

<a href="javascript:window.__xss='a'">raw link</a> <a href=" JaVaScRiPt:window.__xss='spaced'">spaced</a>

<svg onload="window.__xss='svg'"><circle r="4"/></svg>

<details open ontoggle="window.__xss='details'"><summary>more</summary>hidden</details>

<iframe src="javascript:window.__xss='iframe'"></iframe> <form action="javascript:alert(1)"><button>go</button></form>
`

// pageLink is an anchor of the rendered Markdown as the browser sees it.
type pageLink struct {
	Type, Original, Path, Text, Title string
}

// pageDOM is what the browser test reads from the issue page.
type pageDOM struct {
	Title        string
	State        string
	Author       string
	Links        []pageLink
	NoteLinks    [][]pageLink
	SystemNotes  []string
	Emoji        []string
	Checkboxes   []struct{ Checked, Disabled bool }
	TableHeads   []string
	TableCells   []string
	Labels       []struct{ Title, Fill, Path, Color string }
	Milestone    string
	XSS          string
	Handlers     []string
	JSHrefs      []string
	Dangerous    []string
	Scripts      int
	Descriptions int
}

// readIssueDOM collects, in the page, everything the test asserts.
const readIssueDOM = `(() => {
  const main = document.querySelector('main');
  const path = a => { const u = new URL(a.href, location.href); return u.pathname + u.search; };
  const links = root => [...root.querySelectorAll('a[data-reference-type]')].map(a => ({
    Type: a.dataset.referenceType, Original: a.dataset.original, Path: path(a), Text: a.textContent, Title: a.title}));
  const d = document.querySelector('[data-testid="issue-description"]');
  const handlers = [];
  for (const el of main.querySelectorAll('*')) {
    for (const at of el.attributes) {
      if (at.name.toLowerCase().startsWith('on')) handlers.push(el.tagName + ' ' + at.name);
    }
  }
  const jsHrefs = [...main.querySelectorAll('[href],[src],[action],[formaction]')]
    .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || e.getAttribute('formaction'))
    .filter(v => /^\s*javascript:/i.test(v));
  return {
    Title: document.querySelector('[data-testid="issue-title"]').textContent,
    State: document.querySelector('[data-testid="issue-state"]').textContent,
    Author: path(document.querySelector('[data-testid="issue-author"]')),
    Links: links(d),
    NoteLinks: [...document.querySelectorAll('[data-testid="note"]:not([data-system]) [data-testid="note-body"]')].map(links),
    SystemNotes: [...document.querySelectorAll('[data-testid="note"][data-system] [data-testid="note-body"]')].map(n => n.innerHTML),
    Emoji: [...d.querySelectorAll('gl-emoji')].map(e => e.dataset.name + '=' + e.textContent),
    Checkboxes: [...d.querySelectorAll('input[type="checkbox"]')].map(c => ({Checked: c.checked, Disabled: c.disabled})),
    TableHeads: [...d.querySelectorAll('table thead th')].map(c => c.textContent),
    TableCells: [...d.querySelectorAll('table tbody td')].map(c => c.textContent),
    Labels: [...document.querySelectorAll('[data-testid="issue-labels"] [data-testid="label"]')].map(l => ({
      Title: l.textContent, Fill: l.querySelector('rect').getAttribute('fill'), Path: path(l),
      Color: getComputedStyle(l.querySelector('.label-text')).color})),
    Milestone: path(document.querySelector('[data-testid="issue-milestone"] a')),
    XSS: typeof window.__xss === 'undefined' ? '' : String(window.__xss),
    Handlers: handlers,
    JSHrefs: jsHrefs,
    Dangerous: [...main.querySelectorAll('script, iframe, object, embed, form, svg:not(.label-bg), style, base, meta')]
      .filter(e => e.closest('.md')).map(e => e.tagName),
    Scripts: document.querySelectorAll('script').length,
    Descriptions: document.querySelectorAll('[data-testid="issue-description"]').length,
  };
})()`

// TestIssuePageBrowser opens an issue whose description holds references
// of every kind, emoji, a task list, a table and XSS payloads in real
// Chromium, and reads the result from the DOM.
func TestIssuePageBrowser(t *testing.T) {
	f := newIssuePageFixture(t, gitlab.PublicVisibility)
	c := f.ownerClient
	description := "Refs: #2, other/project#2, ~bug, ~\"feature request\", %\"v1.0\", @mia and #99 (none).\n\n" +
		"Party :tada:\n\n- [x] done\n- [ ] todo\n\n| Name | Value |\n|------|-------|\n| alpha | 1 |\n\n" + xssPayloads
	title := `<script>window.__xss="title"</script> & <b>bold</b>`
	is := f.issue(t, f.project, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(title), Description: gitlab.Ptr(description)})
	if is.IID != 3 {
		t.Fatalf("iid = %d, want 3", is.IID)
	}
	// The assignment leaves a system note; a comment holds references
	// and payloads too.
	if _, _, err := c.Issues.UpdateIssue(f.project.ID, is.IID, &gitlab.UpdateIssueOptions{
		Labels: &gitlab.LabelOptions{"bug", "feature request"}, MilestoneID: gitlab.Ptr(f.milestone.ID),
		AssigneeIDs: &[]int64{f.mia.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Notes.CreateIssueNote(f.project.ID, is.IID, &gitlab.CreateIssueNoteOptions{
		Body: gitlab.Ptr("See #1 and ~bug :thumbsup:\n\n" + xssPayloads)}); err != nil {
		t.Fatal(err)
	}

	ctx := labtest.Browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.s.URL+f.projectPath+"/-/issues/3"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="issue-description"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	dom, err := chromedp.Run(ctx, chromedp.Evaluate[pageDOM](readIssueDOM))
	if err != nil {
		t.Fatal(err)
	}
	if dom.Title != title || dom.State != "Open" || dom.Author != "/olga" {
		t.Errorf("title %q, state %q, author %q", dom.Title, dom.State, dom.Author)
	}

	want := map[string]pageLink{
		"#2":                 {Type: "issue", Path: "/group/project/-/issues/2", Text: "#2"},
		"other/project#2":    {Type: "issue", Path: "/other/project/-/issues/2", Text: "other/project#2"},
		"~bug":               {Type: "label", Path: "/group/project/-/issues?label_name=bug", Text: "bug"},
		`~"feature request"`: {Type: "label", Path: "/group/project/-/issues?label_name=feature+request", Text: "feature request"},
		`%"v1.0"`:            {Type: "milestone", Path: "/group/project/-/milestones/" + fmt.Sprint(f.milestone.IID)},
		"@mia":               {Type: "user", Path: "/mia", Text: "@mia"},
	}
	got := map[string]pageLink{}
	for _, l := range dom.Links {
		got[l.Original] = pageLink{Type: l.Type, Path: l.Path, Text: l.Text}
		if want[l.Original].Text == "" {
			got[l.Original] = pageLink{Type: l.Type, Path: l.Path}
		}
	}
	for orig, w := range want {
		if got[orig] != w {
			t.Errorf("reference %s = %+v, want %+v", orig, got[orig], w)
		}
	}
	if len(dom.Links) != len(want) {
		t.Errorf("references %+v, want exactly %d (#99 names nothing)", dom.Links, len(want))
	}
	if !slices.Equal(dom.Emoji, []string{"tada=🎉"}) {
		t.Errorf("emoji %q", dom.Emoji)
	}
	if len(dom.Checkboxes) != 2 || !dom.Checkboxes[0].Checked || dom.Checkboxes[1].Checked ||
		!dom.Checkboxes[0].Disabled || !dom.Checkboxes[1].Disabled {
		t.Errorf("task list checkboxes %+v", dom.Checkboxes)
	}
	if !slices.Equal(dom.TableHeads, []string{"Name", "Value"}) || !slices.Equal(dom.TableCells, []string{"alpha", "1"}) {
		t.Errorf("table %q / %q", dom.TableHeads, dom.TableCells)
	}

	// Labels show their colours (and GitLab's contrast text colour).
	type label = struct{ Title, Fill, Path, Color string }
	wantLabels := []label{
		{"bug", "#d9534f", "/group/project/-/issues?label_name=bug", "rgb(255, 255, 255)"},
		{"feature request", "#eeeeee", "/group/project/-/issues?label_name=feature+request", "rgb(51, 51, 51)"},
	}
	if !slices.Equal(dom.Labels, wantLabels) {
		t.Errorf("labels %+v, want %+v", dom.Labels, wantLabels)
	}
	if dom.Milestone != "/group/project/-/milestones/"+fmt.Sprint(f.milestone.IID) {
		t.Errorf("milestone link %q", dom.Milestone)
	}

	// Notes: the comment's references resolve; system notes render theirs.
	if len(dom.NoteLinks) != 1 || len(dom.NoteLinks[0]) != 2 || dom.NoteLinks[0][0].Path != "/group/project/-/issues/1" ||
		dom.NoteLinks[0][1].Path != "/group/project/-/issues?label_name=bug" {
		t.Errorf("comment links %+v", dom.NoteLinks)
	}
	// (Label and milestone changes are resource events, as in GitLab.)
	if len(dom.SystemNotes) != 1 || !strings.Contains(dom.SystemNotes[0], `assigned to <a href="/mia" data-reference-type="user"`) {
		t.Errorf("system notes %q: want the assignment, its user linked", dom.SystemNotes)
	}

	// Nothing ran, and nothing that could run is in the page.
	if dom.XSS != "" {
		t.Errorf("a payload ran: window.__xss = %q", dom.XSS)
	}
	if len(dom.Handlers) > 0 || len(dom.JSHrefs) > 0 || len(dom.Dangerous) > 0 {
		t.Errorf("event handlers %q, javascript: URLs %q, elements %q survived", dom.Handlers, dom.JSHrefs, dom.Dangerous)
	}
	if dom.Scripts != 0 || dom.Descriptions != 1 {
		t.Errorf("%d script elements, %d descriptions", dom.Scripts, dom.Descriptions)
	}
}

// issuePage fetches a page with c (nil: anonymous), not following
// redirects.
func issuePage(t *testing.T, s *labtest.Server, c *http.Client, path string) (*http.Response, string) {
	t.Helper()
	if c == nil {
		c = newClient(t)
	}
	resp, err := c.Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestIssuePageHidden checks who gets 404, and who is sent to sign in, as
// GitLab answers.
func TestIssuePageHidden(t *testing.T) {
	t.Run("Public", func(t *testing.T) {
		f := newIssuePageFixture(t, gitlab.PublicVisibility)
		conf := f.issue(t, f.project, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("secret plan"), Confidential: gitlab.Ptr(true)})
		confPath := fmt.Sprintf("%s/-/issues/%d", f.projectPath, conf.IID)
		_, unknownBody := issuePage(t, f.s, signedIn(t, f.s, "gus", issuePassword), "/no/such/path")
		for _, tc := range []struct {
			name, login, path string
			want              int
		}{
			{"GuestConfidential", "gus", confPath, http.StatusNotFound},
			{"OutsiderConfidential", "nina", confPath, http.StatusNotFound},
			{"AnonymousConfidential", "", confPath, http.StatusNotFound},
			{"ReporterConfidential", "remy", confPath, http.StatusOK},
			{"AuthorConfidential", "olga", confPath, http.StatusOK},
			{"GuestUnknownIID", "gus", f.projectPath + "/-/issues/999", http.StatusNotFound},
			{"AnonymousUnknownIID", "", f.projectPath + "/-/issues/999", http.StatusNotFound},
			{"AnonymousBadIID", "", f.projectPath + "/-/issues/1x", http.StatusNotFound},
			{"AnonymousPublic", "", f.projectPath + "/-/issues/1", http.StatusOK},
			{"AnonymousList", "", f.projectPath + "/-/issues", http.StatusOK},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var c *http.Client
				if tc.login != "" {
					c = signedIn(t, f.s, tc.login, issuePassword)
				}
				resp, body := issuePage(t, f.s, c, tc.path)
				if resp.StatusCode != tc.want {
					t.Fatalf("GET %s as %q = %d, want %d", tc.path, tc.login, resp.StatusCode, tc.want)
				}
				if tc.want == http.StatusNotFound && body != unknownBody {
					t.Errorf("404 body %q differs from an unknown path's %q", body, unknownBody)
				}
				if tc.want == http.StatusOK && tc.path == confPath && !strings.Contains(body, "secret plan") {
					t.Errorf("the confidential issue's page does not show its title")
				}
				if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
					t.Errorf("Content-Security-Policy %q", csp)
				}
			})
		}
		// The list leaves the confidential issue out for those who may
		// not read it.
		_, list := issuePage(t, f.s, signedIn(t, f.s, "gus", issuePassword), f.projectPath+"/-/issues")
		if strings.Contains(list, "secret plan") || !strings.Contains(list, "plain issue") {
			t.Errorf("guest's list: %s", list)
		}
		// With issues turned off, the pages are 404 even to the owner.
		if _, _, err := f.ownerClient.Projects.EditProject(f.project.ID, &gitlab.EditProjectOptions{
			IssuesEnabled: gitlab.Ptr(false)}); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{f.projectPath + "/-/issues/1", f.projectPath + "/-/issues"} {
			if resp, _ := issuePage(t, f.s, signedIn(t, f.s, "olga", issuePassword), path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("owner GET %s with issues off = %d, want 404", path, resp.StatusCode)
			}
		}
	})

	t.Run("Private", func(t *testing.T) {
		f := newIssuePageFixture(t, gitlab.PrivateVisibility)
		for _, path := range []string{f.projectPath + "/-/issues/1", f.projectPath + "/-/issues", "/group/nothing/-/issues/1"} {
			// Signed out: sent to sign in and back, whether the project
			// exists or not (GitLab's route_not_found).
			resp, _ := issuePage(t, f.s, nil, path)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusFound || loc != "/users/sign_in?redirect_to="+url.QueryEscape(path) {
				t.Errorf("anonymous GET %s = %d to %q, want 302 to sign in", path, resp.StatusCode, loc)
			}
			// Signed in without access: 404.
			if resp, _ := issuePage(t, f.s, signedIn(t, f.s, "nina", issuePassword), path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("outsider GET %s = %d, want 404", path, resp.StatusCode)
			}
		}
		if resp, _ := issuePage(t, f.s, signedIn(t, f.s, "gus", issuePassword), f.projectPath+"/-/issues/1"); resp.StatusCode != http.StatusOK {
			t.Errorf("guest member = %d, want 200", resp.StatusCode)
		}
	})
}

var issueRowIID = regexp.MustCompile(`data-testid="issue-row" data-iid="(\d+)"`)

// TestIssueListPage pages through open issues, 20 a page, newest first,
// and filters by label as the label references link.
func TestIssueListPage(t *testing.T) {
	f := newIssuePageFixture(t, gitlab.PublicVisibility)
	// #1 and #2 exist; open #3 … #23 and close #23.
	for i := 3; i <= 23; i++ {
		o := &gitlab.CreateIssueOptions{Title: gitlab.Ptr(fmt.Sprintf("issue %d", i))}
		if i%5 == 0 {
			o.Labels = &gitlab.LabelOptions{"bug"}
		}
		f.issue(t, f.project, o)
	}
	if _, _, err := f.ownerClient.Issues.UpdateIssue(f.project.ID, 23, &gitlab.UpdateIssueOptions{StateEvent: gitlab.Ptr("close")}); err != nil {
		t.Fatal(err)
	}
	iids := func(path string) ([]string, string) {
		t.Helper()
		resp, body := issuePage(t, f.s, nil, path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		var out []string
		for _, m := range issueRowIID.FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out, body
	}
	seq := func(from, to int) []string {
		var out []string
		for i := from; i >= to; i-- {
			out = append(out, fmt.Sprint(i))
		}
		return out
	}
	first, body := iids(f.projectPath + "/-/issues")
	if !slices.Equal(first, seq(22, 3)) {
		t.Errorf("page 1 = %v", first)
	}
	if !strings.Contains(body, `href="/group/project/-/issues/22"`) || !strings.Contains(body, `href="/group/project/-/issues?page=2"`) {
		t.Errorf("page 1 lacks the issue links or the next page's")
	}
	if second, _ := iids(f.projectPath + "/-/issues?page=2"); !slices.Equal(second, seq(2, 1)) {
		t.Errorf("page 2 = %v", second)
	}
	if bugs, _ := iids(f.projectPath + "/-/issues?label_name=bug"); !slices.Equal(bugs, []string{"20", "15", "10", "5"}) {
		t.Errorf("label_name=bug = %v", bugs)
	}
	if closed, _ := iids(f.projectPath + "/-/issues?state=closed"); !slices.Equal(closed, []string{"23"}) {
		t.Errorf("state=closed = %v", closed)
	}
}
