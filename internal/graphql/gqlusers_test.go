package graphql_test

import (
	"slices"
	"strconv"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLStarredProjects reads UserCore.starredProjects and
// CurrentUser's against REST's GET /users/:id/starred_projects: the private
// project a stranger may not see is left out for them, as REST does.
func TestGraphQLStarredProjects(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	dc := s.Client(t, tm.Developer.Token)
	pub, _, err := dc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Open"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{tm.Project.ID, pub.ID} {
		if _, _, err := dc.Projects.StarProject(id); err != nil {
			t.Fatal(err)
		}
	}
	names := func(c any) []string {
		var out []string
		nodes, _ := dig(c, "nodes").([]any)
		for _, n := range nodes {
			out = append(out, dig(n, "fullPath").(string))
		}
		slices.Sort(out)
		return out
	}
	restNames := func(token string) []string {
		t.Helper()
		ps, _, err := s.Client(t, token).Projects.ListUserStarredProjects(tm.Developer.Username, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, p.PathWithNamespace)
		}
		slices.Sort(out)
		return out
	}

	_, r := post(t, s, tm.Developer.Token, `query { currentUser { starredProjects { count nodes { fullPath } } } }`, nil)
	c := dig(mustData(t, r), "currentUser", "starredProjects")
	if got, want := names(c), restNames(tm.Developer.Token); len(got) != 2 || !slices.Equal(got, want) ||
		dig(c, "count") != float64(2) {
		t.Errorf("own starred = %v, REST %v", c, want)
	}

	// A stranger sees the public project only, as REST.
	stranger := s.NewUser(t, "stranger")
	const q = `query($u: String!, $s: String) { user(username: $u) { starredProjects(search: $s, first: 5) {
		count nodes { fullPath } } } }`
	_, r = post(t, s, stranger.Token, q, map[string]any{"u": tm.Developer.Username})
	c = dig(mustData(t, r), "user", "starredProjects")
	if got, want := names(c), restNames(stranger.Token); len(got) != 1 || !slices.Equal(got, want) ||
		got[0] != pub.PathWithNamespace {
		t.Errorf("stranger's view = %v, REST %v", c, want)
	}
	// search narrows the list.
	_, r = post(t, s, tm.Developer.Token, q, map[string]any{"u": tm.Developer.Username, "s": "App"})
	if got := names(dig(mustData(t, r), "user", "starredProjects")); !slices.Equal(got, []string{tm.Project.PathWithNamespace}) {
		t.Errorf("search App = %v", got)
	}
	// Anonymous callers have no current user.
	_, r = post(t, s, "", `query { currentUser { starredProjects { count } } }`, nil)
	if dig(mustData(t, r), "currentUser") != nil {
		t.Errorf("anonymous currentUser = %v", r.Data)
	}
	// A negative page size is refused.
	_, r = post(t, s, tm.Developer.Token, `query { currentUser { starredProjects(first: -1) { count } } }`, nil)
	if len(r.Errors) == 0 {
		t.Errorf("first: -1 = %v", r.Data)
	}
}

// TestGraphQLTopics reads Query.topics against REST's GET /topics, most
// used first, searched and paged.
func TestGraphQLTopics(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	root := s.Client(t, s.RootToken)
	if _, _, err := root.Projects.EditProject(tm.Project.ID, &gitlab.EditProjectOptions{Topics: &[]string{"go", "forge"}}); err != nil {
		t.Fatal(err)
	}
	_, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Other"),
		Topics: &[]string{"go"}})
	if err != nil {
		t.Fatal(err)
	}
	rest, _, err := root.Topics.ListTopics(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, r := post(t, s, "", `query { topics(first: 20) { count nodes { id name title description avatarUrl } } }`, nil)
	c := dig(mustData(t, r), "topics")
	nodes, _ := dig(c, "nodes").([]any)
	if len(nodes) != len(rest) || len(rest) != 2 || dig(c, "count") != float64(2) {
		t.Fatalf("topics = %v, REST %v", c, rest)
	}
	for i, n := range nodes {
		if dig(n, "name") != rest[i].Name || dig(n, "title") != rest[i].Title || dig(n, "avatarUrl") != nil ||
			dig(n, "id") != gidOf("Projects::Topic", rest[i].ID) {
			t.Errorf("topic %d = %v, REST %+v", i, n, rest[i])
		}
	}
	if dig(nodes[0], "name") != "go" {
		t.Errorf("most used first: %v", nodes)
	}
	_, r = post(t, s, "", `query { topics(search: "for", first: 1) { count nodes { name } pageInfo { hasNextPage } } }`, nil)
	c = dig(mustData(t, r), "topics")
	if nodes, _ := dig(c, "nodes").([]any); len(nodes) != 1 || dig(nodes[0], "name") != "forge" ||
		dig(c, "pageInfo", "hasNextPage") != false {
		t.Errorf("search for = %v", c)
	}
	_, r = post(t, s, "", `query { topics(first: 1) { nodes { name } pageInfo { hasNextPage endCursor } } }`, nil)
	if dig(mustData(t, r), "topics", "pageInfo", "hasNextPage") != true {
		t.Errorf("first page = %v", r.Data)
	}
	_, r = post(t, s, "", `query { topics(first: -1) { count } }`, nil)
	if len(r.Errors) == 0 {
		t.Errorf("first: -1 = %v", r.Data)
	}
}

// TestGraphQLAutocompleteUsers reads Project.autocompleteUsers against
// REST's GET /projects/:id/users; null for who may not see the project.
func TestGraphQLAutocompleteUsers(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	const q = `query($p: ID!, $s: String) { project(fullPath: $p) { autocompleteUsers(search: $s) {
		id username name webPath avatarUrl } } }`
	rest, _, err := s.Client(t, tm.Maintainer.Token).Projects.ListProjectsUsers(tm.Project.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, r := post(t, s, tm.Maintainer.Token, q, map[string]any{"p": tm.Project.PathWithNamespace})
	users, _ := dig(mustData(t, r), "project", "autocompleteUsers").([]any)
	var got, want []string
	for _, u := range users {
		got = append(got, dig(u, "username").(string))
	}
	for _, u := range rest {
		want = append(want, u.Username)
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(got) < 4 || !slices.Equal(got, want) {
		t.Errorf("autocompleteUsers = %v, REST %v", got, want)
	}
	_, r = post(t, s, tm.Maintainer.Token, q, map[string]any{"p": tm.Project.PathWithNamespace, "s": tm.Developer.Username})
	users, _ = dig(mustData(t, r), "project", "autocompleteUsers").([]any)
	if len(users) != 1 || dig(users[0], "username") != tm.Developer.Username ||
		dig(users[0], "webPath") != "/"+tm.Developer.Username || dig(users[0], "id") != gidOf("User", tm.Developer.ID) {
		t.Errorf("search dev = %v", users)
	}
	// A stranger may not see the private project: null, as GitLab.
	stranger := s.NewUser(t, "stranger")
	_, r = post(t, s, stranger.Token, q, map[string]any{"p": tm.Project.PathWithNamespace})
	if dig(mustData(t, r), "project") != nil {
		t.Errorf("stranger = %v", r.Data)
	}
	// search is a String.
	_, r = post(t, s, tm.Maintainer.Token, `query($p: ID!) { project(fullPath: $p) { autocompleteUsers(search: 5) { id } } }`,
		map[string]any{"p": tm.Project.PathWithNamespace})
	if len(r.Errors) == 0 {
		t.Errorf("search: 5 = %v", r.Data)
	}
}

func gidOf(kind string, id int64) string {
	return "gid://gitlab/" + kind + "/" + strconv.FormatInt(id, 10)
}
