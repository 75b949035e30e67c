package keys_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestDeployKeyAddedToProjectsAtOnce: one new key added to several
// projects at the same time (Terraform's parallel applies) is stored once
// and enabled on each; no request is refused for the key another one
// stored meanwhile.
func TestDeployKeyAddedToProjectsAtOnce(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	text, _ := ed25519Key(t, "deploy@example")
	const n = 8
	projects := make([]int64, n)
	for k := range n {
		p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(fmt.Sprint("target-", k))})
		if err != nil {
			t.Fatal(err)
		}
		projects[k] = p.ID
	}
	ids := make([]int64, n)
	errs := labtest.AtOnce(n, func(k int) error {
		dk, _, err := c.DeployKeys.AddDeployKey(projects[k], &gitlab.AddDeployKeyOptions{Title: gitlab.Ptr("deploy"),
			Key: gitlab.Ptr(text)})
		if err == nil {
			ids[k] = dk.ID
		}
		return err
	})
	for k, err := range errs {
		if err != nil {
			t.Fatalf("project %d: %v", k, err)
		}
		if ids[k] != ids[0] {
			t.Fatalf("key ids %v, want one key", ids)
		}
		list, _, err := c.DeployKeys.ListProjectDeployKeys(projects[k], nil)
		if err != nil || len(list) != 1 || list[0].ID != ids[0] {
			t.Fatalf("project %d's deploy keys: %v %v", k, list, err)
		}
	}
}
