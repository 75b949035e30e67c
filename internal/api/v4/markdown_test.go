package v4_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// mdFixture is a public project grp/app with issue #1, confidential
// issue #2, label "bug", milestone "v1.0", and a private project
// grp/secret with issue #1; owner owns both, outsider is no member.
type mdFixture struct {
	s               *labtest.Server
	owner, outsider *labtest.User
	app, secret     *gitlab.Project
	labelID         int64
}

func newMDFixture(t *testing.T) *mdFixture {
	t.Helper()
	s := labtest.Start(t)
	f := &mdFixture{s: s, owner: s.NewUser(t, "olga"), outsider: s.NewUser(t, "otto")}
	c := s.Client(t, f.owner.Token)
	g, _, err := c.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("grp"), Path: gitlab.Ptr("grp"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name string, v gitlab.VisibilityValue) *gitlab.Project {
		p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(name),
			NamespaceID: gitlab.Ptr(g.ID), Visibility: gitlab.Ptr(v)})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	f.app, f.secret = mk("app", gitlab.PublicVisibility), mk("secret", gitlab.PrivateVisibility)
	ctx := context.Background()
	author := f.owner.ID
	err = s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
		for _, is := range []*model.Issue{
			{ProjectID: f.app.ID, AuthorID: &author, Title: "First <b>bug</b>"},
			{ProjectID: f.app.ID, AuthorID: &author, Title: "Hidden", Confidential: true},
			{ProjectID: f.secret.ID, AuthorID: &author, Title: "Secret"},
		} {
			if err := q.InsertIssue(ctx, is); err != nil {
				return err
			}
		}
		pid := f.app.ID
		l := &model.Label{ProjectID: &pid, Title: "bug", Color: "#FF0000", Description: "Broken"}
		if err := q.InsertLabel(ctx, l); err != nil {
			return err
		}
		f.labelID = l.ID
		return q.InsertMilestone(ctx, &model.Milestone{ProjectID: &pid, Title: "v1.0"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *mdFixture) render(t *testing.T, token, text string, project string) string {
	t.Helper()
	opt := &gitlab.RenderOptions{Text: gitlab.Ptr(text), GitlabFlavouredMarkdown: gitlab.Ptr(true)}
	if project != "" {
		opt.Project = gitlab.Ptr(project)
	}
	md, resp, err := f.s.Client(t, token).Markdown.Render(opt)
	if err != nil {
		t.Fatalf("render %q: %v", text, err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d", resp.StatusCode)
	}
	return md.HTML
}

func TestMarkdownRendersReferencesForTheCaller(t *testing.T) {
	t.Parallel()
	f := newMDFixture(t)
	text := "#1 #2 grp/secret#1 ~bug %v1.0 @olga @nobody :smile:"

	html := f.render(t, f.owner.Token, text, "grp/app")
	for _, want := range []string{
		`<a href="` + f.s.URL + `/grp/app/-/issues/1" data-reference-type="issue" data-original="#1"`,
		`title="First &lt;b&gt;bug&lt;/b&gt;" class="gfm gfm-issue"`,
		`data-original="#2"`, // the owner reads the confidential issue
		`href="` + f.s.URL + `/grp/secret/-/issues/1"`,
		`href="` + f.s.URL + `/grp/app/-/issues?label_name=bug" data-reference-type="label"`,
		`href="` + f.s.URL + `/grp/app/-/milestones/1" data-reference-type="milestone"`,
		`href="` + f.s.URL + `/olga" data-reference-type="user" data-original="@olga"`,
		` @nobody `,
		`<gl-emoji title="grinning face with smiling eyes" data-name="smile">😄</gl-emoji>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("owner's rendering lacks %s:\n%s", want, html)
		}
	}

	// The outsider sees the public issue, not the confidential one nor the
	// private project's: those stay text, revealing nothing.
	for _, token := range []string{f.outsider.Token, ""} {
		html = f.render(t, token, text, "grp/app")
		if !strings.Contains(html, `data-original="#1"`) {
			t.Errorf("#1 is not linked for %q: %s", token, html)
		}
		if strings.Contains(html, `data-original="#2"`) || strings.Contains(html, "Hidden") ||
			strings.Contains(html, "grp/secret/-/issues") || strings.Contains(html, "Secret") {
			t.Errorf("an invisible issue is revealed: %s", html)
		}
		if !strings.Contains(html, " #2 grp/secret#1 ") {
			t.Errorf("invisible references are not plain text: %s", html)
		}
	}

	// Labels by id, milestones by iid, and both across projects.
	html = f.render(t, f.owner.Token, "~"+itoa(f.labelID)+" %1 %2", "grp/app")
	if !strings.Contains(html, `data-original="~`+itoa(f.labelID)+`"`) || !strings.Contains(html, `<span class="gl-label-text">bug</span>`) ||
		!strings.Contains(html, `data-original="%1"`) || strings.Contains(html, `data-original="%2"`) {
		t.Errorf("by id: %s", html)
	}
	html = f.render(t, f.outsider.Token, "grp/app~bug grp/app%v1.0 grp/secret~bug", "")
	if !strings.Contains(html, `data-original="grp/app~bug"`) || !strings.Contains(html, `data-original="grp/app%v1.0"`) ||
		!strings.Contains(html, " grp/secret~bug") {
		t.Errorf("cross-project: %s", html)
	}

	// Without a project, only cross-project references and users resolve.
	html = f.render(t, f.owner.Token, "#1 grp/app#1 ~bug @olga", "")
	if strings.Contains(html, `data-original="#1"`) || !strings.Contains(html, `data-original="grp/app#1"`) ||
		strings.Contains(html, "label_name") || !strings.Contains(html, `data-original="@olga"`) {
		t.Errorf("no-project rendering: %s", html)
	}
}

func TestMarkdownPlainAndErrors(t *testing.T) {
	t.Parallel()
	f := newMDFixture(t)
	// gfm false (the default): CommonMark with GitHub's extensions only.
	r := f.s.Do(t, labtest.Request{Method: "POST", Path: "/markdown", JSON: map[string]any{
		"text": "#1 :smile: ~~x~~ <script>alert(1)</script>", "project": "grp/app"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("plain: %d %s", r.Status, r.Body)
	}
	if html := r.Map(t)["html"].(string); html != `<p dir="auto">#1 :smile: <del>x</del> </p>` {
		t.Errorf("plain html = %q", html)
	}

	// Upload links are made the project's.
	html := f.render(t, f.owner.Token, "![s](/uploads/0123456789abcdef0123456789abcdef/s.png)", "grp/app")
	if !strings.Contains(html, `src="/grp/app/uploads/0123456789abcdef0123456789abcdef/s.png"`) {
		t.Errorf("upload link = %s", html)
	}

	f.s.Do(t, labtest.Request{Method: "POST", Path: "/markdown", JSON: map[string]any{"gfm": true}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"text is missing"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: "/markdown", JSON: map[string]any{"text": "x", "gfm": "maybe"}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"gfm is invalid"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: "/markdown", JSON: map[string]any{"text": []int{1}}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"text is invalid"}`)
	// A private project the caller can't see, or none at all: 404.
	for _, token := range []string{f.outsider.Token, ""} {
		f.s.Do(t, labtest.Request{Method: "POST", Path: "/markdown", Token: token,
			JSON: map[string]any{"text": "x", "project": "grp/secret"}}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
	}
	f.s.Do(t, labtest.Request{Method: "POST", Path: "/markdown", JSON: map[string]any{"text": "x", "project": "no/such"}}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
	// read_api suffices: rendering writes nothing.
	reader := f.s.NewUser(t, "rita", "read_api")
	if html := f.render(t, reader.Token, "**b**", ""); html != `<p dir="auto"><strong>b</strong></p>` {
		t.Errorf("read_api rendering = %q", html)
	}
}
