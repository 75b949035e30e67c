package v4_test

import (
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestPromoteAtOnce: a project label or milestone promoted by several
// requests at once (a double submit) ends as one group label or
// milestone; every request answers as a promotion, a repeat of it (the
// label is the group's already: 400) or with the milestone gone (404),
// none fails (500).
func TestPromoteAtOnce(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.reporter.Token)
	if _, _, err := c.Labels.CreateLabel(f.app.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("race"), Color: gitlab.Ptr("#AA0000")}); err != nil {
		t.Fatal(err)
	}
	m, _, err := c.Milestones.CreateMilestone(f.app.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("v-race")})
	if err != nil {
		t.Fatal(err)
	}
	const n = 4
	labelStatus, milestoneStatus := make([]int, n), make([]int, n)
	labtest.AtOnce(2*n, func(k int) error {
		if k%2 == 0 {
			labelStatus[k/2] = f.do(t, f.reporter, "PUT", "/projects/"+itoa(f.app.ID)+"/labels/race/promote", nil).Status
		} else {
			milestoneStatus[k/2] = f.do(t, f.reporter, "POST", "/projects/"+itoa(f.app.ID)+"/milestones/"+itoa(m.ID)+"/promote", nil).Status
		}
		return nil
	})
	promoted := 0
	for k := range n {
		if s := labelStatus[k]; s != 200 && s != 400 && s != 404 { // 400: already a group label
			t.Errorf("label promotion %d: %d", k, s)
		}
		switch milestoneStatus[k] {
		case 200:
			promoted++
		case 404:
		default:
			t.Errorf("milestone promotion %d: %d", k, milestoneStatus[k])
		}
	}
	if promoted != 1 {
		t.Errorf("milestone promoted by %d requests, want 1: %v", promoted, milestoneStatus)
	}
	labels, _, err := c.GroupLabels.ListGroupLabels(f.group.ID, &gitlab.ListGroupLabelsOptions{Search: gitlab.Ptr("race")})
	if err != nil || len(labels) != 1 {
		t.Fatalf("group labels = %+v %v", labels, err)
	}
	gms, _, err := c.GroupMilestones.ListGroupMilestones(f.group.ID, &gitlab.ListGroupMilestonesOptions{Title: gitlab.Ptr("v-race")})
	if err != nil || len(gms) != 1 {
		t.Fatalf("group milestones = %+v %v", gms, err)
	}
}
