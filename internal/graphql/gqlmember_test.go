package graphql_test

import (
	"fmt"
	"slices"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// memberFixture makes groups and projects of every visibility and adds
// user to them as root: the private group "secret" (Reporter), the public
// group "open" (Developer) with its public project "pub" (Maintainer), the
// Team's private group (Guest) and private project App (Guest).
func memberFixture(t *testing.T, s *labtest.Server, tm *labtest.Team, user *labtest.User) {
	t.Helper()
	root := s.Client(t, s.RootToken)
	group := func(name string, vis gitlab.VisibilityValue) *gitlab.Group {
		g, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr(name), Path: gitlab.Ptr(name),
			Visibility: gitlab.Ptr(vis)})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	secret, open := group("secret", gitlab.PrivateVisibility), group("open", gitlab.PublicVisibility)
	pub, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("pub"),
		NamespaceID: gitlab.Ptr(open.ID), Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	for id, l := range map[int64]gitlab.AccessLevelValue{secret.ID: gitlab.ReporterPermissions,
		open.ID: gitlab.DeveloperPermissions, tm.Group.ID: gitlab.GuestPermissions} {
		if _, _, err := root.GroupMembers.AddGroupMember(id, &gitlab.AddGroupMemberOptions{UserID: gitlab.Ptr(user.ID),
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
	for id, l := range map[int64]gitlab.AccessLevelValue{pub.ID: gitlab.MaintainerPermissions,
		tm.Project.ID: gitlab.GuestPermissions} {
		if _, _, err := root.ProjectMembers.AddProjectMember(id, &gitlab.AddProjectMemberOptions{UserID: user.ID,
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
}

// memberships reads a membership connection as "source:LEVEL" strings,
// sorted, checking that integerValue and user agree.
func memberships(t *testing.T, c any, source, username string) []string {
	t.Helper()
	nodes, _ := dig(c, "nodes").([]any)
	if n, _ := dig(c, "count").(float64); int(n) != len(nodes) {
		t.Errorf("count %v, %d nodes", dig(c, "count"), len(nodes))
	}
	levels := map[string]float64{"GUEST": 10, "REPORTER": 20, "DEVELOPER": 30, "MAINTAINER": 40, "OWNER": 50}
	var out []string
	for _, n := range nodes {
		lv := fmt.Sprint(dig(n, "accessLevel", "stringValue"))
		if dig(n, "accessLevel", "integerValue") != levels[lv] || dig(n, "user", "username") != username {
			t.Errorf("membership %v", n)
		}
		out = append(out, fmt.Sprintf("%v:%s", dig(n, source, "fullPath"), lv))
	}
	slices.Sort(out)
	return out
}

const membershipFields = `groupMemberships(first: 5) { count nodes { id accessLevel { integerValue stringValue }
	user { username } group { fullPath } } }
	projectMemberships(first: 5) { count nodes { id accessLevel { integerValue stringValue }
	user { username } project { fullPath } } }`

// TestGraphQLUserMemberships reads UserCore.groupMemberships and
// projectMemberships as several callers: the user and administrators see
// every membership, others only those in groups and projects they may
// read (GitLab's read_group, with has_projects, and read_project).
func TestGraphQLUserMemberships(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	tm := s.NewTeam(t)
	mixer := s.NewUser(t, "mixer")
	memberFixture(t, s, tm, mixer)
	outsider := s.NewUser(t, "outsider")

	all := [2][]string{{"open:DEVELOPER", "secret:REPORTER", "team:GUEST"}, {"open/pub:MAINTAINER", "team/app:GUEST"}}
	for _, c := range []struct {
		name, token string
		groups      []string
		projects    []string
	}{
		{"self", mixer.Token, all[0], all[1]},
		{"admin", s.RootToken, all[0], all[1]},
		// dev is a member of App only: Team shows through it (has_projects),
		// the private group secret not.
		{"project member", tm.Developer.Token, []string{"open:DEVELOPER", "team:GUEST"}, all[1]},
		{"outsider", outsider.Token, []string{"open:DEVELOPER"}, []string{"open/pub:MAINTAINER"}},
		{"anonymous", "", []string{"open:DEVELOPER"}, []string{"open/pub:MAINTAINER"}},
	} {
		_, r := post(t, s, c.token, `query { user(username: "mixer") { `+membershipFields+` } }`, nil)
		u := dig(mustData(t, r), "user")
		if got := memberships(t, dig(u, "groupMemberships"), "group", "mixer"); !slices.Equal(got, c.groups) {
			t.Errorf("%s: group memberships %v, want %v", c.name, got, c.groups)
		}
		if got := memberships(t, dig(u, "projectMemberships"), "project", "mixer"); !slices.Equal(got, c.projects) {
			t.Errorf("%s: project memberships %v, want %v", c.name, got, c.projects)
		}
	}

	// CurrentUser has the same fields.
	_, r := post(t, s, mixer.Token, `query { currentUser { `+membershipFields+` } }`, nil)
	u := dig(mustData(t, r), "currentUser")
	if got := memberships(t, dig(u, "groupMemberships"), "group", "mixer"); !slices.Equal(got, all[0]) {
		t.Errorf("currentUser group memberships %v", got)
	}
	if got := memberships(t, dig(u, "projectMemberships"), "project", "mixer"); !slices.Equal(got, all[1]) {
		t.Errorf("currentUser project memberships %v", got)
	}

	// The Team's own members: the group's Owner, the project's Developer.
	_, r = post(t, s, tm.Owner.Token, `query { user(username: "olive") { `+membershipFields+` } }`, nil)
	u = dig(mustData(t, r), "user")
	if got := memberships(t, dig(u, "groupMemberships"), "group", "olive"); !slices.Equal(got, []string{"team:OWNER"}) {
		t.Errorf("olive's group memberships %v", got)
	}
	if got := memberships(t, dig(u, "projectMemberships"), "project", "olive"); len(got) != 0 {
		t.Errorf("olive's project memberships %v", got)
	}

	// Pages: two of three group memberships, then the rest.
	q := `query($a: String) { user(username: "mixer") { groupMemberships(first: 2, after: $a) {
		count nodes { id } pageInfo { hasNextPage endCursor } } } }`
	_, r = post(t, s, mixer.Token, q, nil)
	c := dig(mustData(t, r), "user", "groupMemberships")
	if n, _ := dig(c, "nodes").([]any); len(n) != 2 || dig(c, "count") != float64(3) || dig(c, "pageInfo", "hasNextPage") != true {
		t.Fatalf("first page = %v", c)
	}
	_, r = post(t, s, mixer.Token, q, map[string]any{"a": dig(c, "pageInfo", "endCursor")})
	c = dig(mustData(t, r), "user", "groupMemberships")
	if n, _ := dig(c, "nodes").([]any); len(n) != 1 || dig(c, "pageInfo", "hasNextPage") != false {
		t.Errorf("second page = %v", c)
	}
}

// TestGraphQLUserMembershipsNoNPlusOne counts SQL statements: the
// memberships of a page of 6 users cost the statements those of 2 cost.
func TestGraphQLUserMembershipsNoNPlusOne(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	tm := s.NewTeam(t)
	root := s.Client(t, s.RootToken)
	open, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("open"), Path: gitlab.Ptr("open"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		u := s.NewUser(t, fmt.Sprintf("mm%d", i))
		if _, _, err := root.GroupMembers.AddGroupMember(open.ID, &gitlab.AddGroupMemberOptions{UserID: gitlab.Ptr(u.ID),
			AccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := root.ProjectMembers.AddProjectMember(tm.Project.ID, &gitlab.AddProjectMemberOptions{UserID: u.ID,
			AccessLevel: gitlab.Ptr(gitlab.ReporterPermissions)}); err != nil {
			t.Fatal(err)
		}
	}
	statements := func(n int) int64 {
		// A search lists the users in one read (named users are looked up
		// one by one).
		q := fmt.Sprintf(`query { users(search: "mm", first: %d) { nodes { username
			groupMemberships(first: 2) { nodes { id accessLevel { integerValue } } }
			projectMemberships(first: 2) { nodes { id accessLevel { integerValue } } } } } }`, n)
		post(t, s, tm.Developer.Token, q, nil)
		r, got := countedPost(t, s, tm.Developer.Token, q, nil)
		nodes, _ := dig(mustData(t, r), "users", "nodes").([]any)
		if len(nodes) != n {
			t.Fatalf("users = %v", r.Data)
		}
		for _, node := range nodes {
			gs, _ := dig(node, "groupMemberships", "nodes").([]any)
			ps, _ := dig(node, "projectMemberships", "nodes").([]any)
			if len(gs) != 1 || len(ps) != 1 {
				t.Fatalf("user = %v", node)
			}
		}
		return got
	}
	few, many := statements(2), statements(6)
	if few == 0 || many > few {
		t.Errorf("memberships of 6 users ran %d statements, of 2 %d", many, few)
	}
	t.Logf("statements: 2 users %d, 6 users %d", few, many)
}
