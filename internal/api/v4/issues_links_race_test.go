package v4_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestIssueLinksAtOnce: two issues linked both ways at once (A to B and
// B to A, two users clicking) end with one link: one request makes it,
// the other answers GitLab's 409, none fails; the same link asked twice at
// once likewise.
func TestIssueLinksAtOnce(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	mk := func(title string) *gitlab.Issue {
		t.Helper()
		i, _, err := f.oc.Issues.CreateIssue(f.app.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(title)})
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	for round := range 3 {
		a, b := mk(fmt.Sprint("a", round)), mk(fmt.Sprint("b", round))
		pairs := [][2]*gitlab.Issue{{a, b}, {b, a}}
		if round == 2 {
			pairs = [][2]*gitlab.Issue{{a, b}, {a, b}}
		}
		status := make([]int, len(pairs))
		labtest.AtOnce(len(pairs), func(k int) error {
			src, dst := pairs[k][0], pairs[k][1]
			status[k] = f.do(t, f.owner, "POST", fmt.Sprintf("/projects/%d/issues/%d/links", f.app.ID, src.IID),
				map[string]any{"target_project_id": f.app.ID, "target_issue_iid": dst.IID}).Status
			return nil
		})
		if min(status[0], status[1]) != 201 || max(status[0], status[1]) != 409 {
			t.Errorf("round %d: answers %v, want one 201 and one 409", round, status)
		}
		for _, i := range []*gitlab.Issue{a, b} {
			links, _, err := f.oc.IssueLinks.ListIssueRelations(f.app.ID, i.IID)
			if err != nil || len(links) != 1 {
				t.Errorf("round %d: issue %d has %d links, want 1 (%v)", round, i.IID, len(links), err)
			}
		}
	}
}
