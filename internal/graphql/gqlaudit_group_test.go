package graphql_test

import (
	"fmt"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLGroupCIVariablesAndRunners reads Group.ciVariables and
// Group.runners against REST's GET /groups/:id/variables and /runners,
// each caller answered as REST answers them (an error there is null here).
func TestGraphQLGroupCIVariablesAndRunners(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	oc := s.Client(t, tm.Owner.Token)
	if _, _, err := oc.GroupVariables.CreateVariable(tm.Group.ID, &gitlab.CreateGroupVariableOptions{
		Key: gitlab.Ptr("DEPLOY"), Value: gitlab.Ptr("secret"), Protected: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	runner, _, err := oc.Users.CreateUserRunner(&gitlab.CreateUserRunnerOptions{RunnerType: gitlab.Ptr("group_type"),
		GroupID: gitlab.Ptr(tm.Group.ID), Description: gitlab.Ptr("group runner"), TagList: &[]string{"docker"}})
	if err != nil {
		t.Fatal(err)
	}
	const q = `query($g: ID!) { group(fullPath: $g) { fullPath
		ciVariables(first: 5) { count nodes { id key value variableType protected masked environmentScope } }
		runners(first: 5) { count nodes { id description runnerType tagList } } } }`
	for _, u := range []*labtest.User{tm.Owner, tm.GroupMaintainer, tm.Developer} {
		c := s.Client(t, u.Token)
		_, r := post(t, s, u.Token, q, map[string]any{"g": tm.Group.FullPath})
		d := mustData(t, r)
		if dig(d, "group", "fullPath") != tm.Group.FullPath {
			t.Fatalf("%s: group = %v", u.Username, d)
		}
		vars, _, verr := c.GroupVariables.ListVariables(tm.Group.ID, &gitlab.ListGroupVariablesOptions{})
		switch nodes, _ := dig(d, "group", "ciVariables", "nodes").([]any); {
		case verr != nil && dig(d, "group", "ciVariables") != nil:
			t.Errorf("%s: REST refuses variables (%v), GraphQL = %v", u.Username, verr, d)
		case verr == nil && (len(nodes) != len(vars) || len(nodes) != 1 || dig(nodes[0], "key") != "DEPLOY" ||
			dig(nodes[0], "value") != "secret" || dig(nodes[0], "variableType") != "ENV_VAR" || dig(nodes[0], "protected") != true ||
			dig(nodes[0], "environmentScope") != "*" || !strings.HasPrefix(fmt.Sprint(dig(nodes[0], "id")), "gid://gitlab/Ci::GroupVariable/")):
			t.Errorf("%s: variables = %v, REST %v", u.Username, nodes, vars)
		}
		runners, _, rerr := c.Runners.ListGroupsRunners(tm.Group.ID, &gitlab.ListGroupsRunnersOptions{})
		switch nodes, _ := dig(d, "group", "runners", "nodes").([]any); {
		case rerr != nil && dig(d, "group", "runners") != nil:
			t.Errorf("%s: REST refuses runners (%v), GraphQL = %v", u.Username, rerr, d)
		case rerr == nil && (len(nodes) != len(runners) || len(nodes) != 1 ||
			dig(nodes[0], "id") != fmt.Sprintf("gid://gitlab/Ci::Runner/%d", runner.ID) ||
			dig(nodes[0], "runnerType") != "GROUP_TYPE" || fmt.Sprint(dig(nodes[0], "tagList")) != "[docker]"):
			t.Errorf("%s: runners = %v, REST %v", u.Username, nodes, runners)
		}
		if u == tm.Owner && (verr != nil || rerr != nil) {
			t.Fatalf("owner: REST %v / %v", verr, rerr)
		}
		if u == tm.Developer && (verr == nil || rerr == nil) {
			t.Errorf("developer: REST lets them read variables (%v) or runners (%v)", verr, rerr)
		}
	}
	// A filter that matches nothing, and a bad page size.
	_, r := post(t, s, tm.Owner.Token, `query($g: ID!) { group(fullPath: $g) { runners(tagList: ["gpu"]) { count } } }`,
		map[string]any{"g": tm.Group.FullPath})
	if dig(mustData(t, r), "group", "runners", "count") != float64(0) {
		t.Errorf("tagList gpu = %v", r.Data)
	}
	_, r = post(t, s, tm.Owner.Token, `query($g: ID!) { group(fullPath: $g) { ciVariables(last: -2) { count } } }`,
		map[string]any{"g": tm.Group.FullPath})
	if len(r.Errors) == 0 {
		t.Errorf("last: -2 = %v", r)
	}
}

// TestGraphQLGroupDescendantGroups reads Group.descendantGroups against
// REST's descendant_groups and subgroups: a private subgroup shows to its
// members only.
func TestGraphQLGroupDescendantGroups(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	mk := func(name string, parent *int64, vis gitlab.VisibilityValue) *gitlab.Group {
		g, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr(name), Path: gitlab.Ptr(name),
			ParentID: parent, Visibility: gitlab.Ptr(vis)})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	top := mk("top", nil, gitlab.PublicVisibility)
	pub := mk("pub", &top.ID, gitlab.PublicVisibility)
	mk("deep", &pub.ID, gitlab.PublicVisibility)
	secret := mk("secret", &top.ID, gitlab.PrivateVisibility)
	member := s.NewUser(t, "member")
	if _, _, err := root.GroupMembers.AddGroupMember(secret.ID, &gitlab.AddGroupMemberOptions{UserID: gitlab.Ptr(member.ID),
		AccessLevel: gitlab.Ptr(gitlab.ReporterPermissions)}); err != nil {
		t.Fatal(err)
	}
	outsider := s.NewUser(t, "outsider")
	const q = `query($g: ID!) { group(fullPath: $g) { all: descendantGroups(first: 10) { count nodes { fullPath } }
		direct: descendantGroups(includeParentDescendants: false, first: 10) { nodes { fullPath } }
		found: descendantGroups(search: "dee", first: 10) { nodes { fullPath } } } }`
	for _, u := range []*labtest.User{member, outsider} {
		_, r := post(t, s, u.Token, q, map[string]any{"g": "top"})
		d := mustData(t, r)
		rest, _, err := s.Client(t, u.Token).Groups.ListDescendantGroups(top.ID, &gitlab.ListDescendantGroupsOptions{
			AllAvailable: gitlab.Ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, g := range rest {
			want = append(want, g.FullPath)
		}
		got := nodesOf(dig(d, "group", "all", "nodes"), "fullPath")
		if dig(d, "group", "all", "count") != float64(len(rest)) || len(dig(d, "group", "all", "nodes").([]any)) != len(rest) {
			t.Errorf("%s: all = %v, REST %v", u.Username, got, want)
		}
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: all = %v lacks %s", u.Username, got, w)
			}
		}
		if strings.Contains(got, "top/secret") != (u == member) {
			t.Errorf("%s: secret subgroup shown = %v", u.Username, got)
		}
		if direct := nodesOf(dig(d, "group", "direct", "nodes"), "fullPath"); strings.Contains(direct, "deep") ||
			!strings.Contains(direct, "top/pub") {
			t.Errorf("%s: direct = %v", u.Username, direct)
		}
		if found := nodesOf(dig(d, "group", "found", "nodes"), "fullPath"); found != "[top/pub/deep]" {
			t.Errorf("%s: search = %v", u.Username, found)
		}
	}
	// A bad cursor is refused.
	_, r := post(t, s, member.Token, `query { group(fullPath: "top") { descendantGroups(after: "nope") { count } } }`, nil)
	if len(r.Errors) == 0 {
		t.Errorf("bad cursor = %v", r)
	}
}
