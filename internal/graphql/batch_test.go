package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLProjectsNoNPlusOne counts SQL statements: a page of 20
// projects with each one's repository { rootRef } runs no more statements
// than a page of 2.
func TestGraphQLProjectsNoNPlusOne(t *testing.T) {
	t.Parallel()
	// Without read caches every read is a statement, so per-project
	// loading would show.
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	u := manyProjects(t, s, 20)
	statements := func(first int) (int64, int) {
		q := fmt.Sprintf(`query { projects(membership: true, first: %d) { nodes { name fullPath repository { rootRef } } } }`, first)
		post(t, s, u.Token, q, nil) // warm: the token's and caches' first reads
		r, n := countedPost(t, s, u.Token, q, nil)
		nodes, _ := dig(mustData(t, r), "projects", "nodes").([]any)
		for _, node := range nodes {
			if dig(node, "repository", "rootRef") != "main" {
				t.Fatalf("rootRef = %v", node)
			}
		}
		return n, len(nodes)
	}
	few, n2 := statements(2)
	many, n20 := statements(20)
	if n2 != 2 || n20 != 20 {
		t.Fatalf("pages of %d and %d", n2, n20)
	}
	// Background work may add a statement or two; per-project loading
	// would add at least 18.
	if few == 0 || many > few+3 {
		t.Errorf("20 projects ran %d statements, 2 ran %d", many, few)
	}
	t.Logf("statements: 2 projects %d, 20 projects %d", few, many)
}

// manyProjects makes a user owning n projects p00, p01, … with a README.
func manyProjects(t *testing.T, s *labtest.Server, n int) *labtest.User {
	t.Helper()
	u := s.NewUser(t, "many")
	c := s.Client(t, u.Token)
	for i := range n {
		if _, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(fmt.Sprintf("p%02d", i)),
			InitializeWithReadme: gitlab.Ptr(true)}); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// TestGraphQLRepositoryNeedsReadCode: a Guest of a private project sees
// the project but not its repository (GitLab's read_code), in a single
// project's answer and on a list page alike; a Reporter sees both.
func TestGraphQLRepositoryNeedsReadCode(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	root := s.Client(t, s.RootToken)
	for name, level := range map[string]gitlab.AccessLevelValue{"gus": gitlab.GuestPermissions, "rita": gitlab.ReporterPermissions} {
		u := s.NewUser(t, name)
		if _, _, err := root.ProjectMembers.AddProjectMember(tm.Project.ID, &gitlab.AddProjectMemberOptions{UserID: u.ID,
			AccessLevel: gitlab.Ptr(level)}); err != nil {
			t.Fatal(err)
		}
		wantRepo := level >= gitlab.ReporterPermissions
		_, r := post(t, s, u.Token, `query($p: ID!) { project(fullPath: $p) { name repository { rootRef } } }`,
			map[string]any{"p": tm.Project.PathWithNamespace})
		d := mustData(t, r)
		if dig(d, "project", "name") != tm.Project.Name || (dig(d, "project", "repository") != nil) != wantRepo {
			t.Errorf("%s (%d): project = %v", name, level, d["project"])
		}
		_, r = post(t, s, u.Token, `query { projects(membership: true, first: 5) { nodes { name repository { rootRef } } } }`, nil)
		nodes, _ := dig(mustData(t, r), "projects", "nodes").([]any)
		if len(nodes) != 1 || (dig(nodes[0], "repository") != nil) != wantRepo {
			t.Errorf("%s (%d): projects = %v", name, level, nodes)
		}
	}
}
