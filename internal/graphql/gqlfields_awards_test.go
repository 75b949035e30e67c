package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLAwardEmojiConnections reads the award emoji of issues, merge
// requests and notes as REST's award routes list them; who may not read
// the project sees nothing, and a bad window is an error.
func TestGraphQLAwardEmojiConnections(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	dev, mc := s.Client(t, tm.Developer.Token), s.Client(t, tm.Maintainer.Token)
	p := tm.Project.PathWithNamespace
	var iids []int64
	for _, title := range []string{"one", "two"} {
		is, _, err := dev.Issues.CreateIssue(tm.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(title)})
		if err != nil {
			t.Fatal(err)
		}
		iids = append(iids, is.IID)
	}
	for _, a := range []struct {
		c    *gitlab.Client
		name string
	}{{dev, "thumbsup"}, {mc, "tada"}, {mc, "thumbsdown"}} {
		if _, _, err := a.c.AwardEmoji.CreateIssueAwardEmoji(tm.Project.ID, iids[0], &gitlab.CreateAwardEmojiOptions{Name: a.name}); err != nil {
			t.Fatal(err)
		}
	}
	note, _, err := dev.Notes.CreateIssueNote(tm.Project.ID, iids[1], &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("hi")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := mc.AwardEmoji.CreateIssuesAwardEmojiOnNote(tm.Project.ID, iids[1], note.ID,
		&gitlab.CreateAwardEmojiOptions{Name: "rocket"}); err != nil {
		t.Fatal(err)
	}

	const q = `query($p: ID!) { project(fullPath: $p) { issues(first: 2) { nodes { iid upvotes downvotes
		awardEmoji(first: 2) { count pageInfo { hasNextPage } nodes { name emoji user { username } } edges { cursor } }
		notes(first: 1) { nodes { body awardEmoji(first: 2) { count nodes { name user { username } } } } }
		discussions(first: 1) { nodes { notes(first: 1) { nodes { awardEmoji(first: 2) { nodes { name } } } } } } } } } }`
	_, r := post(t, s, tm.Developer.Token, q, map[string]any{"p": p})
	nodes, _ := dig(mustData(t, r), "project", "issues", "nodes").([]any)
	if len(nodes) != 2 {
		t.Fatalf("issues = %v", r)
	}
	one, two := nodes[0], nodes[1]
	if dig(one, "iid") != fmt.Sprint(iids[0]) {
		one, two = two, one
	}
	aw := dig(one, "awardEmoji")
	if dig(aw, "count") != float64(3) || dig(aw, "pageInfo", "hasNextPage") != true ||
		fmt.Sprint(dig(aw, "nodes")) != "[map[emoji:👍 name:thumbsup user:map[username:dev]] map[emoji:🎉 name:tada user:map[username:mia]]]" ||
		dig(one, "upvotes") != float64(1) || dig(one, "downvotes") != float64(1) {
		t.Errorf("issue one's awards = %v", one)
	}
	if dig(two, "awardEmoji", "count") != float64(0) {
		t.Errorf("issue two's awards = %v", dig(two, "awardEmoji"))
	}
	notes, _ := dig(two, "notes", "nodes").([]any)
	if len(notes) != 1 || fmt.Sprint(dig(notes[0], "awardEmoji")) != "map[count:1 nodes:[map[name:rocket user:map[username:mia]]]]" {
		t.Errorf("note's awards = %v", notes)
	}
	if got := fmt.Sprint(dig(two, "discussions", "nodes")); got != "[map[notes:map[nodes:[map[awardEmoji:map[nodes:[map[name:rocket]]]]]]]]" {
		t.Errorf("discussion note's awards = %s", got)
	}

	// The second window of the first issue's awards, after its cursor.
	cur := dig(aw, "edges").([]any)[1].(map[string]any)["cursor"]
	_, r = post(t, s, tm.Developer.Token, `query($p: ID!, $i: String!, $a: String) { project(fullPath: $p) { issue(iid: $i) {
		awardEmoji(after: $a) { nodes { name } } } } }`, map[string]any{"p": p, "i": fmt.Sprint(iids[0]), "a": cur})
	if got := fmt.Sprint(dig(mustData(t, r), "project", "issue", "awardEmoji", "nodes")); got != "[map[name:thumbsdown]]" {
		t.Errorf("after %v = %s", cur, got)
	}

	// A merge request's awards.
	root := s.Client(t, tm.Owner.Token)
	for _, br := range []struct{ branch, start, file string }{{"main", "", "a"}, {"topic", "main", "b"}} {
		opt := &gitlab.CreateCommitOptions{Branch: gitlab.Ptr(br.branch), CommitMessage: gitlab.Ptr(br.file),
			Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr(br.file), Content: gitlab.Ptr("x")}}}
		if br.start != "" {
			opt.StartBranch = gitlab.Ptr(br.start)
		}
		if _, _, err := root.Commits.CreateCommit(tm.Project.ID, opt); err != nil {
			t.Fatal(err)
		}
	}
	mr, _, err := dev.MergeRequests.CreateMergeRequest(tm.Project.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("mr"),
		SourceBranch: gitlab.Ptr("topic"), TargetBranch: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := mc.AwardEmoji.CreateMergeRequestAwardEmoji(tm.Project.ID, mr.IID, &gitlab.CreateAwardEmojiOptions{Name: "thumbsup"}); err != nil {
		t.Fatal(err)
	}
	_, r = post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) { mergeRequests(first: 5) { nodes {
		upvotes awardEmoji(first: 5) { count nodes { name user { username } } } } } } }`, map[string]any{"p": p})
	if got := fmt.Sprint(dig(mustData(t, r), "project", "mergeRequests", "nodes")); got !=
		"[map[awardEmoji:map[count:1 nodes:[map[name:thumbsup user:map[username:mia]]]] upvotes:1]]" {
		t.Errorf("merge requests = %s", got)
	}

	// Who may not read the private project sees nothing of it.
	_, r = post(t, s, outsider.Token, q, map[string]any{"p": p})
	if dig(mustData(t, r), "project") != nil {
		t.Errorf("outsider = %v", r.Data)
	}
	_, r = post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) { issues(first: 1) { nodes { awardEmoji(first: -1) { count } } } } }`,
		map[string]any{"p": p})
	if len(r.Errors) == 0 || fmt.Sprint(r.Errors[0]["message"]) == "" {
		t.Errorf("first: -1 = %v", r)
	} else {
		t.Logf("first: -1: %v", r.Errors[0]["message"])
	}
}

// TestGraphQLAwardEmojiNoNPlusOne counts SQL statements: the awards of a
// page of 10 issues and of their notes cost what those of 2 issues cost.
func TestGraphQLAwardEmojiNoNPlusOne(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	tm := s.NewTeam(t)
	dev := s.Client(t, tm.Developer.Token)
	for i := range 10 {
		is, _, err := dev.Issues.CreateIssue(tm.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(fmt.Sprint("i", i))})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := dev.AwardEmoji.CreateIssueAwardEmoji(tm.Project.ID, is.IID, &gitlab.CreateAwardEmojiOptions{Name: "thumbsup"}); err != nil {
			t.Fatal(err)
		}
		n, _, err := dev.Notes.CreateIssueNote(tm.Project.ID, is.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("hi")})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := dev.AwardEmoji.CreateIssuesAwardEmojiOnNote(tm.Project.ID, is.IID, n.ID,
			&gitlab.CreateAwardEmojiOptions{Name: "tada"}); err != nil {
			t.Fatal(err)
		}
	}
	statements := func(first int) int64 {
		q := fmt.Sprintf(`query($p: ID!) { project(fullPath: $p) { issues(first: %d) { nodes {
			awardEmoji(first: 2) { nodes { name user { username } } }
			notes(first: 1) { nodes { awardEmoji(first: 2) { nodes { name } } } } } } } }`, first)
		vars := map[string]any{"p": tm.Project.PathWithNamespace}
		post(t, s, tm.Developer.Token, q, vars)
		r, n := countedPost(t, s, tm.Developer.Token, q, vars)
		nodes, _ := dig(mustData(t, r), "project", "issues", "nodes").([]any)
		for _, node := range nodes {
			notes, _ := dig(node, "notes", "nodes").([]any)
			if fmt.Sprint(dig(node, "awardEmoji", "nodes")) != "[map[name:thumbsup user:map[username:dev]]]" ||
				len(notes) != 1 || fmt.Sprint(dig(notes[0], "awardEmoji", "nodes")) != "[map[name:tada]]" {
				t.Fatalf("node = %v", node)
			}
		}
		if len(nodes) != first {
			t.Fatalf("%d nodes, want %d", len(nodes), first)
		}
		return n
	}
	few, many := statements(2), statements(10)
	if few == 0 || many > few+3 {
		t.Errorf("10 issues ran %d statements, 2 ran %d", many, few)
	}
	t.Logf("statements: 2 issues %d, 10 issues %d", few, many)
}
