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

// TestGraphQLIssueStatusCounts counts a project's issues by state as
// REST's issues_statistics does, with the list's filters; an outsider
// gets no project and a bad iid is an error.
func TestGraphQLIssueStatusCounts(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	dc := s.Client(t, tm.Developer.Token)
	for _, title := range []string{"bug one", "bug two", "feature"} {
		is, _, err := dc.Issues.CreateIssue(tm.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(title)})
		if err != nil {
			t.Fatal(err)
		}
		if title == "bug two" {
			if _, _, err := dc.Issues.UpdateIssue(tm.Project.ID, is.IID, &gitlab.UpdateIssueOptions{StateEvent: gitlab.Ptr("close")}); err != nil {
				t.Fatal(err)
			}
		}
	}
	rest, _, err := dc.IssuesStatistics.GetProjectIssuesStatistics(tm.Project.ID, &gitlab.GetProjectIssuesStatisticsOptions{Search: gitlab.Ptr("bug")})
	if err != nil {
		t.Fatal(err)
	}
	const q = `query($p: ID!, $s: String, $iid: String) { project(fullPath: $p) { issueStatusCounts(search: $s, iid: $iid) { all opened closed } } }`
	for _, c := range []struct {
		search *string
		want   string
	}{{nil, "map[all:3 closed:1 opened:2]"}, {gitlab.Ptr("bug"), fmt.Sprintf("map[all:%d closed:%d opened:%d]",
		rest.Statistics.Counts.All, rest.Statistics.Counts.Closed, rest.Statistics.Counts.Opened)}} {
		vars := map[string]any{"p": tm.Project.PathWithNamespace}
		if c.search != nil {
			vars["s"] = *c.search
		}
		_, r := post(t, s, tm.Developer.Token, q, vars)
		if got := fmt.Sprint(dig(mustData(t, r), "project", "issueStatusCounts")); got != c.want {
			t.Errorf("counts (search %v) = %s, want %s", vars["s"], got, c.want)
		}
	}
	_, r := post(t, s, outsider.Token, q, map[string]any{"p": tm.Project.PathWithNamespace})
	if p := mustData(t, r)["project"]; p != nil {
		t.Errorf("outsider sees %v", p)
	}
	_, r = post(t, s, tm.Developer.Token, q, map[string]any{"p": tm.Project.PathWithNamespace, "iid": "-1"})
	if len(r.Errors) == 0 {
		t.Errorf("bad iid = %v", r)
	}
}
