package v4_test

import (
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

func TestCommitsAPI(t *testing.T) {
	t.Parallel()
	f := newRepoFixture(t, gitlab.PrivateVisibility)
	c := f.s.Client(t, f.owner.Token)
	pid := f.p.ID
	readme := f.head(t, "main")

	cm, resp, err := c.Commits.CreateCommit(pid, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("several"), Actions: []*gitlab.CommitActionOptions{
			{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr("a.txt"), Content: gitlab.Ptr("one\ntwo\n")},
			{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr("bin/run"), Content: gitlab.Ptr("IyEvYmluL3No"),
				Encoding: gitlab.Ptr("base64"), ExecuteFilemode: gitlab.Ptr(true)},
			{Action: gitlab.Ptr(gitlab.FileMove), FilePath: gitlab.Ptr("docs/README.md"), PreviousPath: gitlab.Ptr("README.md")},
		}})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create commit: %v", err)
	}
	if cm.Stats == nil || cm.Stats.Additions != 4 || cm.Stats.Deletions != 1 || cm.ProjectID != pid || cm.Title != "several" ||
		len(cm.ParentIDs) != 1 || cm.ParentIDs[0] != readme || cm.ID != f.head(t, "main") || cm.Status != nil || cm.LastPipeline != nil {
		t.Fatalf("commit = %+v stats=%+v", cm, cm.Stats)
	}

	list, resp, err := c.Commits.ListCommits(pid, &gitlab.ListCommitsOptions{WithStats: gitlab.Ptr(true)})
	if err != nil || len(list) != 2 || list[0].ID != cm.ID || list[1].ID != readme || list[0].Stats == nil {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if resp.Header.Get("X-Total") != "" || resp.Header.Get("X-Page") != "1" {
		t.Fatalf("list headers = %v", resp.Header)
	}
	page, resp, err := c.Commits.ListCommits(pid, &gitlab.ListCommitsOptions{ListOptions: gitlab.ListOptions{PerPage: 1}})
	if err != nil || len(page) != 1 || resp.NextPage != 2 {
		t.Fatalf("page = %d, next %d, %v", len(page), resp.NextPage, err)
	}
	byPath, _, err := c.Commits.ListCommits(pid, &gitlab.ListCommitsOptions{Path: gitlab.Ptr("a.txt")})
	if err != nil || len(byPath) != 1 {
		t.Fatalf("by path = %d, %v", len(byPath), err)
	}
	none, _, err := c.Commits.ListCommits(pid, &gitlab.ListCommitsOptions{RefName: gitlab.Ptr("no-such-ref")})
	if err != nil || len(none) != 0 {
		t.Fatalf("unknown ref = %d, %v", len(none), err)
	}

	diffs, _, err := c.Commits.GetCommitDiff(pid, cm.ID, nil)
	if err != nil || len(diffs) != 3 {
		t.Fatalf("diff = %+v, %v", diffs, err)
	}
	byNew := map[string]*gitlab.Diff{}
	for _, d := range diffs {
		byNew[d.NewPath] = d
	}
	if d := byNew["a.txt"]; d == nil || !d.NewFile || d.AMode != "0" || d.BMode != "100644" || !strings.HasPrefix(d.Diff, "@@ -0,0 +1,2 @@\n+one\n+two\n") {
		t.Fatalf("a.txt diff = %+v", d)
	}
	if d := byNew["bin/run"]; d == nil || d.BMode != "100755" {
		t.Fatalf("bin/run diff = %+v", d)
	}
	if d := byNew["docs/README.md"]; d == nil || !d.RenamedFile || d.OldPath != "README.md" || d.Diff != "" {
		t.Fatalf("rename diff = %+v", d)
	}

	refs, _, err := c.Commits.GetCommitRefs(pid, readme, &gitlab.GetCommitRefsOptions{Type: gitlab.Ptr("branch")})
	if err != nil || len(refs) != 1 || refs[0].Name != "main" || refs[0].Type != "branch" {
		t.Fatalf("refs = %+v, %v", refs, err)
	}

	// Cherry-pick a change made on a topic branch, then revert it.
	topic, _, err := c.Commits.CreateCommit(pid, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("topic"),
		StartBranch: gitlab.Ptr("main"), CommitMessage: gitlab.Ptr("topic change"), Actions: []*gitlab.CommitActionOptions{
			{Action: gitlab.Ptr(gitlab.FileUpdate), FilePath: gitlab.Ptr("a.txt"), Content: gitlab.Ptr("one\nTWO\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Commits.CreateCommit(pid, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("unrelated"), Actions: []*gitlab.CommitActionOptions{
			{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr("b.txt"), Content: gitlab.Ptr("b")}}}); err != nil {
		t.Fatal(err)
	}
	r := f.s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(pid) + "/repository/commits/" + topic.ID + "/cherry_pick",
		Token: f.owner.Token, JSON: map[string]any{"branch": "main", "dry_run": true}})
	if r.Status != 200 || strings.TrimSpace(string(r.Body)) != `{"dry_run":"success"}` {
		t.Fatalf("dry run = %d %s", r.Status, r.Body)
	}
	picked, resp, err := c.Commits.CherryPickCommit(pid, topic.ID, &gitlab.CherryPickCommitOptions{Branch: gitlab.Ptr("main")})
	if err != nil || resp.StatusCode != http.StatusCreated || picked.ID != f.head(t, "main") ||
		!strings.Contains(picked.Message, "(cherry picked from commit "+topic.ID+")") || picked.AuthorName != "Alice" {
		t.Fatalf("cherry-pick = %+v, %v", picked, err)
	}
	before := f.head(t, "main")
	r = f.s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(pid) + "/repository/commits/" + topic.ID + "/cherry_pick",
		Token: f.owner.Token, JSON: map[string]any{"branch": "main"}})
	r.ExpectError(t, 400, `{"message":"Sorry, we cannot cherry-pick this commit automatically. This commit may already have been cherry-picked, or a more recent commit may have updated some of its content.","error_code":"empty"}`)
	reverted, _, err := c.Commits.RevertCommit(pid, picked.ID, &gitlab.RevertCommitOptions{Branch: gitlab.Ptr("main")})
	if err != nil || !strings.HasPrefix(reverted.Message, `Revert "topic change"`) {
		t.Fatalf("revert = %+v, %v", reverted, err)
	}
	r = f.s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(pid) + "/repository/commits/" + picked.ID + "/revert",
		Token: f.owner.Token, JSON: map[string]any{"branch": "main"}})
	r.ExpectError(t, 400, `{"message":"Sorry, we cannot revert this commit automatically. This commit may already have been reverted, or a more recent commit may have updated some of its content.","error_code":"empty"}`)
	// A conflicting pick: main changes the same line differently.
	if _, _, err := c.Commits.CreateCommit(pid, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("clash"), Actions: []*gitlab.CommitActionOptions{
			{Action: gitlab.Ptr(gitlab.FileUpdate), FilePath: gitlab.Ptr("a.txt"), Content: gitlab.Ptr("one\nzwei\n")}}}); err != nil {
		t.Fatal(err)
	}
	before = f.head(t, "main")
	r = f.s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(pid) + "/repository/commits/" + topic.ID + "/cherry_pick",
		Token: f.owner.Token, JSON: map[string]any{"branch": "main", "dry_run": true}})
	r.ExpectError(t, 400, `{"message":"Sorry, we cannot cherry-pick this commit automatically. This commit may already have been cherry-picked, or a more recent commit may have updated some of its content.","error_code":"conflict","dry_run":"error"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(pid) + "/repository/commits/" + topic.ID + "/cherry_pick",
		Token: f.owner.Token, JSON: map[string]any{"branch": "nope"}}).ExpectError(t, 404, `{"message":"404 Branch Not Found"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(pid) + "/repository/commits/" + strings.Repeat("a", 40) + "/cherry_pick",
		Token: f.owner.Token, JSON: map[string]any{"branch": "main"}}).ExpectError(t, 404, `{"message":"404 Commit Not Found"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(pid) + "/repository/commits/" + topic.ID + "/cherry_pick",
		Token: f.dev.Token, JSON: map[string]any{"branch": "main"}}).ExpectError(t, 403, `{"message":"403 Forbidden - You are not allowed to push into this branch"}`)
	if f.head(t, "main") != before {
		t.Fatal("refused picks moved main")
	}
	f.s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/repository/commits/" + strings.Repeat("b", 40), Token: f.owner.Token}).
		ExpectError(t, 404, `{"message":"404 Commit Not Found"}`)
	out, err := exec.Command("git", "--git-dir", f.gitDir(), "fsck", "--strict").CombinedOutput()
	if err != nil {
		t.Fatalf("fsck: %v %s", err, out)
	}
}

func TestCreateCommitBadInput(t *testing.T) {
	t.Parallel()
	f := newRepoFixture(t, gitlab.PrivateVisibility)
	before := f.head(t, "main")
	path := "/projects/" + itoa(f.p.ID) + "/repository/commits"
	post := func(tok string, body map[string]any) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: "POST", Path: path, Token: tok, JSON: body})
	}
	act := func(a ...map[string]any) []any {
		out := make([]any, len(a))
		for i := range a {
			out[i] = a[i]
		}
		return out
	}
	body := func(actions []any, extra ...any) map[string]any {
		m := map[string]any{"branch": "main", "commit_message": "m", "actions": actions}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i].(string)] = extra[i+1]
		}
		return m
	}
	create := map[string]any{"action": "create", "file_path": "x.txt", "content": "x"}
	o := f.owner.Token
	post(o, map[string]any{"commit_message": "m", "actions": act(create)}).ExpectError(t, 400, `{"error":"branch is missing"}`)
	post(o, map[string]any{"branch": "main", "commit_message": "m"}).ExpectError(t, 400, `{"error":"actions is missing"}`)
	post(o, body(act(map[string]any{"action": "explode", "file_path": "x"}))).ExpectError(t, 400,
		`{"error":"actions[0][action] does not have a valid value"}`)
	post(o, body(act(map[string]any{"action": "create", "file_path": "README.md", "content": "x"}))).ExpectError(t, 400,
		`{"message":"A file with this name already exists"}`)
	post(o, body(act(map[string]any{"action": "update", "file_path": "nope", "content": "x"}))).ExpectError(t, 400,
		`{"message":"A file with this name doesn't exist"}`)
	post(o, body(act(map[string]any{"action": "create", "file_path": "../x", "content": "x"}))).ExpectError(t, 400,
		`{"message":"Path cannot include directory traversal"}`)
	post(o, body(act(map[string]any{"action": "create", "file_path": ".git/hooks/post-update", "content": "x"}))).ExpectError(t, 400,
		`{"message":"invalid path: '.git/hooks/post-update'"}`)
	post(o, body(act(map[string]any{"action": "update", "file_path": "README.md", "content": "x",
		"last_commit_id": strings.Repeat("0", 40)}))).ExpectError(t, 400,
		"{\"message\":\"You are attempting to update a file `README.md` that has changed since you started editing it.\"}")
	post(o, body(act(create), "start_branch", "main", "start_sha", before)).ExpectError(t, 400,
		`{"message":"You can't pass both start_branch and start_sha"}`)
	post(o, body(act(create), "branch", "new", "start_sha", "zzz")).ExpectError(t, 400, `{"message":"Invalid start_sha 'zzz'"}`)
	post(o, body(act(create), "branch", "new", "start_branch", "nope")).ExpectError(t, 400,
		`{"message":"You can only create or edit files when you are on a branch"}`)
	post(o, body(act(create), "start_branch", "other")).ExpectError(t, 400,
		`{"message":"You can only create or edit files when you are on a branch"}`)
	post(f.reporter.Token, body(act(create))).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	post(f.stranger.Token, body(act(create))).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	post("", body(act(create))).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	if got := f.head(t, "main"); got != before {
		t.Fatalf("bad input moved main")
	}
	// From a start_sha to a new branch works.
	r := post(f.dev.Token, body(act(create), "branch", "from-sha", "start_sha", before[:12]))
	if r.Status != 201 || f.head(t, "from-sha") == "" {
		t.Fatalf("start_sha commit = %d %s", r.Status, r.Body)
	}
}

func TestCommitsReadPermissions(t *testing.T) {
	t.Parallel()
	f := newRepoFixture(t, gitlab.PrivateVisibility)
	// A guest sees the project but not its code: 403, as GitLab's
	// authorize! :read_code answers after the project was found.
	want := map[string]int{"alice": 200, "bob": 200, "carol": 200, "dave": 403, "eve": 404, "anon": 404}
	toks := map[string]string{"alice": f.owner.Token, "bob": f.dev.Token, "carol": f.reporter.Token,
		"dave": f.guest.Token, "eve": f.stranger.Token, "anon": ""}
	sha := f.head(t, "main")
	for name, tok := range toks {
		for _, p := range []string{"/repository/commits", "/repository/commits/" + sha, "/repository/commits/" + sha + "/diff",
			"/repository/commits/" + sha + "/refs", "/repository/compare?from=main&to=main"} {
			r := f.s.Do(t, labtest.Request{Path: "/projects/" + itoa(f.p.ID) + p, Token: tok})
			if r.Status != want[name] {
				t.Errorf("%s GET %s = %d, want %d", name, p, r.Status, want[name])
			}
		}
	}
}

// TestConcurrentCommits races many API commits (and git pushes when the
// smart HTTP mount answers) on one branch: every acknowledged commit must
// be in the history and the repository must stay fsck-clean.
func TestConcurrentCommits(t *testing.T) {
	t.Parallel()
	f := newRepoFixture(t, gitlab.PrivateVisibility)
	c := f.s.Client(t, f.owner.Token)
	const writers = 24
	var wg sync.WaitGroup
	ids := make(chan string, writers*2)
	errs := make(chan error, writers*2)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cm, _, err := c.Commits.CreateCommit(f.p.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
				CommitMessage: gitlab.Ptr(fmt.Sprintf("writer %d", i)), Actions: []*gitlab.CommitActionOptions{
					{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr(fmt.Sprintf("w/%d.txt", i)), Content: gitlab.Ptr("x")}}})
			if err != nil {
				errs <- err
				return
			}
			ids <- cm.ID
		}(i)
	}
	pushes := 0
	if r := f.s.Do(t, labtest.Request{Path: f.s.URL + "/" + f.p.PathWithNamespace + ".git/info/refs?service=git-upload-pack",
		Header: map[string]string{"Authorization": basicAuth("alice", f.owner.Token)}}); r.Status == 200 {
		pushes = 4
		for i := 0; i < pushes; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				if id, err := pushCommit(t, f, i); err != nil {
					t.Logf("push %d refused (allowed: non-fast-forward race): %v", i, err)
				} else {
					ids <- id
				}
			}(i)
		}
	}
	wg.Wait()
	close(ids)
	close(errs)
	for err := range errs {
		t.Errorf("commit failed: %v", err)
	}
	n := 0
	for id := range ids {
		n++
		if err := exec.Command("git", "--git-dir", f.gitDir(), "merge-base", "--is-ancestor", id, "refs/heads/main").Run(); err != nil {
			t.Errorf("acknowledged commit %s is not in main's history", id)
		}
	}
	if n < writers {
		t.Errorf("%d commits acknowledged, want at least %d", n, writers)
	}
	out, err := exec.Command("git", "--git-dir", f.gitDir(), "fsck", "--strict").CombinedOutput()
	if err != nil {
		t.Fatalf("fsck --strict: %v\n%s", err, out)
	}
	t.Logf("%d API commits, %d pushes attempted", writers, pushes)
}

// TestRevertMessage reverts commits through the API and expects GitLab's
// message (Commit#revert_message): the title as written, quotes and all,
// in `Revert "…"`, then "This reverts commit <sha>" without a full stop;
// a title of 100 characters or more is cut at a word with "...".
func TestRevertMessage(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	c := f.ownerC
	long := strings.Repeat("word ", 30) // 150 characters
	for i, tc := range []struct{ message, title string }{
		{"Say \"héllo\" \\ there\n\nWith a body.", `Say "héllo" \ there`},
		{long + "\n\nbody", strings.TrimSpace(strings.Repeat("word ", 15)) + "..."},
	} {
		file := fmt.Sprintf("r%d.txt", i)
		orig, _, err := c.Commits.CreateCommit(f.p.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
			CommitMessage: gitlab.Ptr(tc.message), Actions: []*gitlab.CommitActionOptions{
				{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr(file), Content: gitlab.Ptr("x")}}})
		if err != nil {
			t.Fatal(err)
		}
		reverted, _, err := c.Commits.RevertCommit(f.p.ID, orig.ID, &gitlab.RevertCommitOptions{Branch: gitlab.Ptr("main")})
		if err != nil {
			t.Fatal(err)
		}
		want := "Revert \"" + tc.title + "\"\n\nThis reverts commit " + orig.ID + "\n"
		if reverted.Message != want || reverted.Title != `Revert "`+tc.title+`"` {
			t.Fatalf("revert message = %q, title %q; want %q", reverted.Message, reverted.Title, want)
		}
	}
}
