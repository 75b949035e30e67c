package graphql_test

import (
	"fmt"
	"slices"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLGroupReleases lists the releases of a group's projects as
// REST's GET /groups/:id/releases does: a member of one project sees
// that project's only, a stranger no group, and a bad window is an error.
func TestGraphQLGroupReleases(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	root := s.Client(t, s.RootToken)
	other, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Lib"),
		NamespaceID: gitlab.Ptr(tm.Group.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	seedFile(t, s, tm)
	if _, _, err := root.RepositoryFiles.CreateFile(other.ID, "README.md", &gitlab.CreateFileOptions{Branch: gitlab.Ptr("main"),
		Content: gitlab.Ptr("lib"), CommitMessage: gitlab.Ptr("readme")}); err != nil {
		t.Fatal(err)
	}
	for i, pid := range []int64{tm.Project.ID, other.ID, tm.Project.ID} {
		if _, _, err := root.Releases.CreateRelease(pid, &gitlab.CreateReleaseOptions{TagName: gitlab.Ptr(fmt.Sprintf("v%d", i)),
			Ref: gitlab.Ptr("main")}); err != nil {
			t.Fatal(err)
		}
	}
	const q = `query($g: ID!, $sort: GroupReleaseSort) { group(fullPath: $g) { releases(sort: $sort, first: 10) {
		count nodes { tagName author { username } } } } }`
	tags := func(token string, sort string) ([]string, any) {
		t.Helper()
		vars := map[string]any{"g": tm.Group.FullPath}
		if sort != "" {
			vars["sort"] = sort
		}
		_, r := post(t, s, token, q, vars)
		c := dig(mustData(t, r), "group", "releases")
		var out []string
		for _, n := range dig(c, "nodes").([]any) {
			out = append(out, fmt.Sprint(dig(n, "tagName")))
		}
		return out, dig(c, "count")
	}
	rest, _, err := s.Client(t, tm.GroupMaintainer.Token).GroupReleases.ListGroupReleases(tm.Group.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, rel := range rest {
		want = append(want, rel.TagName)
	}
	got, count := tags(tm.GroupMaintainer.Token, "")
	if !slices.Equal(got, want) || len(got) != 3 || count != float64(3) {
		t.Errorf("group maintainer = %v (%v), REST's %v", got, count, want)
	}
	asc, _ := tags(tm.GroupMaintainer.Token, "RELEASED_AT_ASC")
	slices.Reverse(asc)
	if !slices.Equal(asc, want) {
		t.Errorf("ascending reversed = %v, want %v", asc, want)
	}
	dev, count := tags(tm.Developer.Token, "")
	if !slices.Equal(dev, []string{"v2", "v0"}) || count != float64(2) {
		t.Errorf("developer of one project = %v (%v)", dev, count)
	}

	stranger := s.NewUser(t, "stranger")
	_, r := post(t, s, stranger.Token, q, map[string]any{"g": tm.Group.FullPath})
	if dig(mustData(t, r), "group") != nil {
		t.Errorf("stranger = %v", r.Data)
	}
	_, r = post(t, s, tm.GroupMaintainer.Token, `query($g: ID!) { group(fullPath: $g) { releases(first: -1) { count } } }`,
		map[string]any{"g": tm.Group.FullPath})
	if len(r.Errors) == 0 {
		t.Errorf("first: -1 = %v", r.Data)
	}
}

// TestGraphQLGroupReleasesNoNPlusOne: a group page of 6 releases from 6
// projects, with authors and commits, runs no more statements than 2.
func TestGraphQLGroupReleasesNoNPlusOne(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	tm := s.NewTeam(t)
	root := s.Client(t, s.RootToken)
	for i := range 6 {
		p, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(fmt.Sprintf("p%d", i)),
			NamespaceID: gitlab.Ptr(tm.Group.ID), InitializeWithReadme: gitlab.Ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := root.Releases.CreateRelease(p.ID, &gitlab.CreateReleaseOptions{TagName: gitlab.Ptr("v1"),
			Ref: gitlab.Ptr("main")}); err != nil {
			t.Fatal(err)
		}
	}
	statements := func(first int) (int64, int) {
		q := fmt.Sprintf(`query($g: ID!) { group(fullPath: $g) { releases(first: %d) { nodes { tagName
			author { username } commit { sha } } } } }`, first)
		vars := map[string]any{"g": tm.Group.FullPath}
		post(t, s, tm.GroupMaintainer.Token, q, vars)
		r, n := countedPost(t, s, tm.GroupMaintainer.Token, q, vars)
		nodes, _ := dig(mustData(t, r), "group", "releases", "nodes").([]any)
		for _, node := range nodes {
			if dig(node, "author", "username") != "root" || dig(node, "commit", "sha") == nil {
				t.Fatalf("node = %v", node)
			}
		}
		return n, len(nodes)
	}
	few, n2 := statements(2)
	many, n6 := statements(6)
	if n2 != 2 || n6 != 6 {
		t.Fatalf("pages of %d and %d", n2, n6)
	}
	if few == 0 || many > few+3 {
		t.Errorf("6 releases ran %d statements, 2 ran %d", many, few)
	}
}
