package graphql_test

import (
	"fmt"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLMergeRequests: mergeRequestCreate and mergeRequestAccept go
// through REST's service (REST sees the merge); a project's merge
// requests list with GitLab's filters; accepting at a stale SHA is the
// payload's error, not a merge; an outsider gets a top-level error.
func TestGraphQLMergeRequests(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	p := tm.Project.PathWithNamespace
	mc := s.Client(t, tm.Maintainer.Token)
	if _, _, err := mc.Commits.CreateCommit(tm.Project.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("start"), Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate),
			FilePath: gitlab.Ptr("README.md"), Content: gitlab.Ptr("hello\n")}}}); err != nil {
		t.Fatal(err)
	}
	head := ""
	for _, b := range []string{"feature", "other"} {
		c, _, err := mc.Commits.CreateCommit(tm.Project.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr(b),
			StartBranch: gitlab.Ptr("main"), CommitMessage: gitlab.Ptr("work on " + b),
			Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr(b + ".txt"),
				Content: gitlab.Ptr(b + "\n")}}})
		if err != nil {
			t.Fatal(err)
		}
		if b == "feature" {
			head = c.ID
		}
	}
	create := `mutation($p: ID!, $t: String!, $s: String!) { mergeRequestCreate(input: {projectPath: $p, title: $t,
		sourceBranch: $s, targetBranch: "main"}) { mergeRequest { iid title state sourceBranch diffHeadSha reference webUrl
		author { username } } errors } }`
	_, r := post(t, s, tm.Developer.Token, create, map[string]any{"p": p, "t": "Feature", "s": "feature"})
	d := mustData(t, r)
	m := dig(d, "mergeRequestCreate", "mergeRequest")
	if dig(m, "iid") != "1" || dig(m, "state") != "opened" || dig(m, "diffHeadSha") != head || dig(m, "reference") != "!1" ||
		dig(m, "author", "username") != "dev" || dig(m, "webUrl") != s.URL+"/"+p+"/-/merge_requests/1" {
		t.Fatalf("mergeRequestCreate = %v", d)
	}
	post(t, s, tm.Developer.Token, create, map[string]any{"p": p, "t": "Other", "s": "other"})
	// The same branch twice: the service's refusal in the payload.
	_, r = post(t, s, tm.Developer.Token, create, map[string]any{"p": p, "t": "Again", "s": "feature"})
	if errs, _ := dig(mustData(t, r), "mergeRequestCreate", "errors").([]any); len(errs) != 1 {
		t.Fatalf("duplicate = %v", r.Data)
	}
	_, r = post(t, s, outsider.Token, create, map[string]any{"p": p, "t": "x", "s": "other"})
	if len(r.Errors) != 1 || dig(r.Data, "mergeRequestCreate") != nil {
		t.Fatalf("outsider = %v", r)
	}

	list := func(args string) string {
		t.Helper()
		_, r := post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) { mergeRequests`+args+` { count nodes { title } } } }`,
			map[string]any{"p": p})
		d := mustData(t, r)
		var out []string
		nodes, _ := dig(d, "project", "mergeRequests", "nodes").([]any)
		for _, n := range nodes {
			out = append(out, dig(n, "title").(string))
		}
		return fmt.Sprint(dig(d, "project", "mergeRequests", "count"), out)
	}
	if got := list(""); got != "2 [Other Feature]" {
		t.Fatalf("all = %s", got)
	}
	if got := list(`(sourceBranches: ["feature"])`); got != "1 [Feature]" {
		t.Fatalf("by source branch = %s", got)
	}
	if got := list(`(search: "Oth", first: 1)`); got != "1 [Other]" {
		t.Fatalf("search = %s", got)
	}

	accept := `mutation($p: ID!, $sha: String!) { mergeRequestAccept(input: {projectPath: $p, iid: "1", sha: $sha}) {
		mergeRequest { state mergeCommitSha mergedAt } errors } }`
	_, r = post(t, s, tm.Maintainer.Token, accept, map[string]any{"p": p, "sha": strings.Repeat("0", 40)})
	if errs, _ := dig(mustData(t, r), "mergeRequestAccept", "errors").([]any); len(errs) != 1 {
		t.Fatalf("stale sha = %v", r.Data)
	}
	_, r = post(t, s, tm.Maintainer.Token, accept, map[string]any{"p": p, "sha": head})
	d = mustData(t, r)
	if dig(d, "mergeRequestAccept", "mergeRequest", "state") != "merged" || dig(d, "mergeRequestAccept", "mergeRequest", "mergedAt") == nil {
		t.Fatalf("accept = %v", d)
	}
	rest, _, err := mc.MergeRequests.GetMergeRequest(tm.Project.ID, 1, nil)
	if err != nil || rest.State != "merged" {
		t.Fatalf("REST sees %+v, %v", rest, err)
	}
	_, r = post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) { mergeRequest(iid: "1") { state }
		mergeRequests(state: merged) { count } } }`, map[string]any{"p": p})
	if d := mustData(t, r); dig(d, "project", "mergeRequest", "state") != "merged" || dig(d, "project", "mergeRequests", "count") != float64(1) {
		t.Fatalf("after merge = %v", d)
	}
}
