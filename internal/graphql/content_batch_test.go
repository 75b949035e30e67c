package graphql_test

import (
	"fmt"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLContentListsNoNPlusOne counts SQL statements: a page of 8
// snippets (authors, projects, blobs), packages (projects) or environments
// (last deployments) runs no more statements than a page of 2.
func TestGraphQLContentListsNoNPlusOne(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	tm := s.NewTeam(t)
	seedFile(t, s, tm)
	p := tm.Project.PathWithNamespace
	mc := s.Client(t, tm.Maintainer.Token)
	br, _, err := mc.Branches.GetBranch(tm.Project.ID, "main")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		_, r := post(t, s, tm.Maintainer.Token, `mutation($in: CreateSnippetInput!) { createSnippet(input: $in) { errors } }`,
			map[string]any{"in": map[string]any{"title": fmt.Sprintf("s%d", i), "visibilityLevel": "private", "projectPath": p,
				"blobActions": []any{map[string]any{"action": "create", "filePath": "f.txt", "content": "x"}}}})
		mustData(t, r)
		if _, _, err := mc.GenericPackages.PublishPackageFile(tm.Project.ID, "tool", fmt.Sprintf("1.0.%d", i), "f.bin",
			strings.NewReader("x"), nil); err != nil {
			t.Fatal(err)
		}
		env := fmt.Sprintf("env%d", i)
		if _, _, err := mc.Environments.CreateEnvironment(tm.Project.ID, &gitlab.CreateEnvironmentOptions{Name: gitlab.Ptr(env)}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := mc.Deployments.CreateProjectDeployment(tm.Project.ID, &gitlab.CreateProjectDeploymentOptions{
			Environment: gitlab.Ptr(env), Ref: gitlab.Ptr("main"), SHA: gitlab.Ptr(br.Commit.ID), Tag: gitlab.Ptr(false),
			Status: gitlab.Ptr(gitlab.DeploymentStatusSuccess)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ name, list, fields string }{
		{"snippets", "snippets", "title author { username } project { fullPath } blobs(first: 2) { nodes { rawPlainData } }"},
		{"packages", "packages", "name version project { fullPath } _links { webPath }"},
		{"environments", "environments", "name lastDeployment(status: SUCCESS) { sha triggerer { username } }"},
	} {
		statements := func(first int) (int64, int) {
			q := fmt.Sprintf(`query($p: ID!) { project(fullPath: $p) { %s(first: %d) { nodes { %s } } } }`, c.list, first, c.fields)
			post(t, s, tm.Developer.Token, q, map[string]any{"p": p})
			r, n := countedPost(t, s, tm.Developer.Token, q, map[string]any{"p": p})
			nodes, _ := dig(mustData(t, r), "project", c.list, "nodes").([]any)
			return n, len(nodes)
		}
		few, n2 := statements(2)
		many, n8 := statements(8)
		if n2 != 2 || n8 != 8 {
			t.Fatalf("%s: pages of %d and %d", c.name, n2, n8)
		}
		if few == 0 || many > few+3 {
			t.Errorf("%s: 8 ran %d statements, 2 ran %d", c.name, many, few)
		}
		t.Logf("%s statements: 2 nodes %d, 8 nodes %d", c.name, few, many)
	}
}
