package graphql_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

const statisticsQuery = `query($p: ID!) { project(fullPath: $p) { statistics { commitCount repositorySize storageSize
	uploadsSize lfsObjectsSize buildArtifactsSize packagesSize wikiSize snippetsSize pipelineArtifactsSize containerRegistrySize } } }`

// TestGraphQLProjectStatistics answers Project.statistics with the
// figures REST's statistics=true shows, once the background refresh after
// an API commit has stored them; a Guest gets null, a non-member no
// project.
func TestGraphQLProjectStatistics(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	guest := s.NewUser(t, "gina")
	mc := s.Client(t, tm.Maintainer.Token)
	if _, _, err := mc.ProjectMembers.AddProjectMember(tm.Project.ID, &gitlab.AddProjectMemberOptions{UserID: guest.ID,
		AccessLevel: gitlab.Ptr(gitlab.GuestPermissions)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := mc.RepositoryFiles.CreateFile(tm.Project.ID, "data.txt", &gitlab.CreateFileOptions{
		Branch: gitlab.Ptr("main"), Content: gitlab.Ptr(strings.Repeat("x", 5000)), CommitMessage: gitlab.Ptr("data")}); err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{"p": tm.Project.PathWithNamespace}
	var st map[string]any
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, r := post(t, s, tm.Developer.Token, statisticsQuery, vars)
		st, _ = dig(mustData(t, r), "project", "statistics").(map[string]any)
		if st != nil && st["repositorySize"].(float64) > 0 && st["commitCount"].(float64) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("statistics never refreshed: %v", r.Data)
		}
	}
	p, _, err := s.Client(t, tm.Developer.Token).Projects.GetProject(tm.Project.ID,
		&gitlab.GetProjectOptions{Statistics: gitlab.Ptr(true)})
	if err != nil || p.Statistics == nil {
		t.Fatalf("REST statistics: %v", err)
	}
	want := map[string]int64{"commitCount": p.Statistics.CommitCount, "repositorySize": p.Statistics.RepositorySize,
		"storageSize": p.Statistics.StorageSize, "uploadsSize": p.Statistics.UploadsSize,
		"lfsObjectsSize": p.Statistics.LFSObjectsSize, "buildArtifactsSize": p.Statistics.JobArtifactsSize,
		"packagesSize": p.Statistics.PackagesSize, "wikiSize": p.Statistics.WikiSize,
		"snippetsSize": p.Statistics.SnippetsSize, "pipelineArtifactsSize": p.Statistics.PipelineArtifactsSize,
		"containerRegistrySize": p.Statistics.ContainerRegistrySize}
	for k, v := range want {
		if got, _ := st[k].(float64); int64(got) != v {
			t.Errorf("%s = %v, REST says %d", k, st[k], v)
		}
	}

	_, r := post(t, s, guest.Token, statisticsQuery, vars)
	if d := mustData(t, r); dig(d, "project") == nil || dig(d, "project", "statistics") != nil {
		t.Errorf("guest: %v", r.Data)
	}
	_, r = post(t, s, s.NewUser(t, "nemo").Token, statisticsQuery, vars)
	if d := mustData(t, r); dig(d, "project") != nil {
		t.Errorf("non-member: %v", r.Data)
	}
}

// TestGraphQLProjectStatisticsNoNPlusOne: the statistics of a page of 6
// projects cost the statements those of 2 cost, one more than the page
// without them.
func TestGraphQLProjectStatisticsNoNPlusOne(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	u := s.NewUser(t, "stan")
	c := s.Client(t, u.Token)
	for i := range 6 {
		if _, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(fmt.Sprintf("p%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	statements := func(first int, fields string) int64 {
		q := fmt.Sprintf(`{ projects(membership: true, first: %d) { nodes { id %s } } }`, first, fields)
		post(t, s, u.Token, q, nil)
		var r gqlResult
		n := s.FewestStatements(3, func() { _, r = post(t, s, u.Token, q, nil) })
		nodes, _ := dig(mustData(t, r), "projects", "nodes").([]any)
		if len(nodes) != first {
			t.Fatalf("projects = %v", r.Data)
		}
		for _, node := range nodes {
			if fields != "" && dig(node, "statistics", "commitCount") == nil {
				t.Fatalf("project = %v", node)
			}
		}
		return n
	}
	stats := "statistics { commitCount storageSize }"
	few, many, bare := statements(2, stats), statements(6, stats), statements(6, "")
	if few == 0 || many != few || many != bare+1 {
		t.Errorf("6 projects' statistics ran %d statements, 2 ran %d, 6 without statistics %d", many, few, bare)
	}
	t.Logf("statements: 2 projects %d, 6 projects %d, without statistics %d", few, many, bare)
}
