package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLIssueTimeTracking reads an issue's time estimate and time
// spent as REST's time_stats answer them, null human times without any;
// an outsider sees no project.
func TestGraphQLIssueTimeTracking(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	dc := s.Client(t, tm.Developer.Token)
	var iids []int64
	for _, title := range []string{"tracked", "untracked"} {
		is, _, err := dc.Issues.CreateIssue(tm.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(title)})
		if err != nil {
			t.Fatal(err)
		}
		iids = append(iids, is.IID)
	}
	if _, _, err := dc.Issues.SetTimeEstimate(tm.Project.ID, iids[0], &gitlab.SetTimeEstimateOptions{Duration: gitlab.Ptr("3h30m")}); err != nil {
		t.Fatal(err)
	}
	st, _, err := dc.Issues.AddSpentTime(tm.Project.ID, iids[0], &gitlab.AddSpentTimeOptions{Duration: gitlab.Ptr("1h")})
	if err != nil {
		t.Fatal(err)
	}
	const q = `query($p: ID!) { project(fullPath: $p) { issues(first: 5) { nodes { title
		timeEstimate totalTimeSpent humanTimeEstimate humanTotalTimeSpent } } } }`
	_, r := post(t, s, tm.Developer.Token, q, map[string]any{"p": tm.Project.PathWithNamespace})
	nodes, _ := dig(mustData(t, r), "project", "issues", "nodes").([]any)
	if len(nodes) != 2 {
		t.Fatalf("issues = %v", r.Data)
	}
	for _, n := range nodes {
		want := "map[humanTimeEstimate:<nil> humanTotalTimeSpent:<nil> timeEstimate:0 title:untracked totalTimeSpent:0]"
		if dig(n, "title") == "tracked" {
			want = fmt.Sprintf("map[humanTimeEstimate:%s humanTotalTimeSpent:%s timeEstimate:12600 title:tracked totalTimeSpent:3600]",
				st.HumanTimeEstimate, st.HumanTotalTimeSpent)
		}
		if got := fmt.Sprint(n); got != want {
			t.Errorf("issue = %s, want %s", got, want)
		}
	}
	_, r = post(t, s, outsider.Token, q, map[string]any{"p": tm.Project.PathWithNamespace})
	if p := mustData(t, r)["project"]; p != nil {
		t.Errorf("outsider sees %v", p)
	}
}
