package graphql_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLSnippetsWithoutProject lists, as GitLab's SnippetsFinder
// does without a project, the personal snippets and the project snippets
// each caller may read: a private project's to its members, a public
// project's public ones to everyone, private ones to nobody else.
func TestGraphQLSnippetsWithoutProject(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	other := s.NewUser(t, "other")
	oc := s.Client(t, other.Token)
	pub, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("pub"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	personal := func(c *gitlab.Client, title string, vis gitlab.VisibilityValue) {
		t.Helper()
		if _, _, err := c.Snippets.CreateSnippet(&gitlab.CreateSnippetOptions{Title: gitlab.Ptr(title), Visibility: gitlab.Ptr(vis),
			Files: &[]*gitlab.CreateSnippetFileOptions{{FilePath: gitlab.Ptr("a.txt"), Content: gitlab.Ptr("x")}}}); err != nil {
			t.Fatal(err)
		}
	}
	inProject := func(c *gitlab.Client, pid int64, title string, vis gitlab.VisibilityValue) {
		t.Helper()
		if _, _, err := c.ProjectSnippets.CreateSnippet(pid, &gitlab.CreateProjectSnippetOptions{Title: gitlab.Ptr(title),
			Visibility: gitlab.Ptr(vis), Files: &[]*gitlab.CreateSnippetFileOptions{{FilePath: gitlab.Ptr("a.txt"),
				Content: gitlab.Ptr("x")}}}); err != nil {
			t.Fatal(err)
		}
	}
	personal(s.Client(t, tm.Developer.Token), "dev-private", gitlab.PrivateVisibility)
	personal(oc, "other-public", gitlab.PublicVisibility)
	personal(oc, "other-internal", gitlab.InternalVisibility)
	inProject(s.Client(t, tm.Maintainer.Token), tm.Project.ID, "app-private", gitlab.PrivateVisibility)
	inProject(oc, pub.ID, "pub-public", gitlab.PublicVisibility)
	inProject(oc, pub.ID, "pub-private", gitlab.PrivateVisibility)

	titles := func(token, args string) string {
		t.Helper()
		q := `query { snippets(first: 20` + args + `) { count nodes { title webUrl project { fullPath } } } }`
		_, r := post(t, s, token, q, nil)
		d := mustData(t, r)
		nodes, _ := dig(d, "snippets", "nodes").([]any)
		var out []string
		for _, n := range nodes {
			title, _ := dig(n, "title").(string)
			// A project snippet names its project and lives under it.
			if p, _ := dig(n, "project", "fullPath").(string); (p != "") != strings.HasPrefix(title, "app") && (p != "") != strings.HasPrefix(title, "pub") ||
				p != "" && !strings.Contains(dig(n, "webUrl").(string), "/"+p+"/-/snippets/") {
				t.Errorf("%s: node %v", title, n)
			}
			out = append(out, title)
		}
		if c := dig(d, "snippets", "count"); c != float64(len(out)) {
			t.Errorf("count %v of %v", c, out)
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	for _, c := range []struct{ who, token, args, want string }{
		{"developer", tm.Developer.Token, "", "app-private dev-private other-internal other-public pub-public"},
		{"other", other.Token, "", "other-internal other-public pub-private pub-public"},
		{"anonymous", "", "", "other-public pub-public"},
		{"admin", s.RootToken, "", "app-private dev-private other-internal other-public pub-private pub-public"},
		{"developer, project ones", tm.Developer.Token, ", type: project", "app-private pub-public"},
		{"developer, personal ones", tm.Developer.Token, ", type: personal", "dev-private other-internal other-public"},
		{"developer, public ones", tm.Developer.Token, ", visibility: public", "other-public pub-public"},
		{"developer, other's", tm.Developer.Token, fmt.Sprintf(`, authorId: "gid://gitlab/User/%d"`, other.ID),
			"other-internal other-public pub-public"},
	} {
		if got := titles(c.token, c.args); got != c.want {
			t.Errorf("%s: %s, want %s", c.who, got, c.want)
		}
	}
	// Bad input: an author and a project together, in GitLab's words.
	_, r := post(t, s, tm.Developer.Token, fmt.Sprintf(`query { snippets(authorId: "gid://gitlab/User/%d",
		projectId: "gid://gitlab/Project/%d") { count } }`, other.ID, pub.ID), nil)
	if len(r.Errors) != 1 || r.Errors[0]["message"] != "Filtering by both an author and a project is not supported" {
		t.Errorf("author and project = %v", r)
	}
}
