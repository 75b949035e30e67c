package v4_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// status is the HTTP status of a client-go error (0 for none).
func status(err error) int {
	var er *gitlab.ErrorResponse
	switch {
	case errors.As(err, &er):
		return er.Response.StatusCode
	case errors.Is(err, gitlab.ErrNotFound):
		return http.StatusNotFound
	}
	return 0
}

func TestMergeRequestMerge(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature", "draft", "clash")
	issue, _, err := f.ownerC.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Bug")})
	if err != nil {
		t.Fatal(err)
	}
	mr, _, err := f.devC.MergeRequests.CreateMergeRequest(f.p.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("Add feature"),
		Description: gitlab.Ptr("Closes #1"), SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	mainBefore := f.head(t, "main")
	accept := func(c *gitlab.Client, iid int64, o *gitlab.AcceptMergeRequestOptions) (*gitlab.MergeRequest, error) {
		got, _, err := c.MergeRequests.AcceptMergeRequest(f.p.ID, iid, o)
		return got, err
	}

	// main is protected: Maintainers merge. A Developer who reads the
	// merge request is GitLab's unauthorized!; a Guest does not read it.
	if _, err := accept(f.devC, mr.IID, nil); status(err) != http.StatusUnauthorized {
		t.Fatalf("developer merge: %v", err)
	}
	if _, err := accept(f.guestC, mr.IID, nil); status(err) != http.StatusForbidden {
		t.Fatalf("guest merge: %v", err)
	}
	if _, err := accept(f.outsideC, mr.IID, nil); status(err) != http.StatusNotFound {
		t.Fatalf("outsider merge: %v", err)
	}
	// A stale sha: 409, naming the head.
	_, err = accept(f.ownerC, mr.IID, &gitlab.AcceptMergeRequestOptions{SHA: gitlab.Ptr(mainBefore)})
	if status(err) != http.StatusConflict || !strings.Contains(err.Error(), "SHA does not match HEAD of source branch: "+f.head(t, "feature")) {
		t.Fatalf("stale sha: %v", err)
	}
	if f.head(t, "main") != mainBefore {
		t.Fatal("a refused merge moved main")
	}

	merged, err := accept(f.ownerC, mr.IID, &gitlab.AcceptMergeRequestOptions{SHA: gitlab.Ptr(f.head(t, "feature")),
		ShouldRemoveSourceBranch: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if merged.State != "merged" || merged.MergeCommitSHA == "" || merged.MergedBy == nil || merged.MergedBy.ID != f.owner.ID ||
		merged.MergedAt == nil {
		t.Fatalf("merged = %+v", merged)
	}
	if head := f.head(t, "main"); head != merged.MergeCommitSHA {
		t.Fatalf("main at %s, merge commit %s", head, merged.MergeCommitSHA)
	}
	c, _, err := f.ownerC.Commits.GetCommit(f.p.ID, merged.MergeCommitSHA, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantMsg := "Merge branch 'feature' into 'main'\n\nAdd feature\n\nCloses #1\n\nSee merge request team/app!1\n"
	if c.Message != wantMsg || len(c.ParentIDs) != 2 || c.ParentIDs[0] != mainBefore {
		t.Fatalf("merge commit %q parents %v", c.Message, c.ParentIDs)
	}
	if _, _, err := f.ownerC.Branches.GetBranch(f.p.ID, "feature"); status(err) != http.StatusNotFound {
		t.Fatalf("source branch kept: %v", err)
	}
	if got, _, err := f.ownerC.Issues.GetIssue(f.p.ID, issue.IID); err != nil || got.State != "closed" {
		t.Fatalf("issue after merge: %+v %v", got, err)
	}
	events, _, err := f.ownerC.ResourceStateEvents.ListMergeStateEvents(f.p.ID, mr.IID, nil)
	if err != nil || len(events) != 1 || events[0].State != "merged" {
		t.Fatalf("state events %+v %v", events, err)
	}
	// Merged already: 405.
	if _, err := accept(f.ownerC, mr.IID, nil); status(err) != http.StatusMethodNotAllowed {
		t.Fatalf("second merge: %v", err)
	}

	// A draft is not mergeable.
	draft := f.create(t, f.devC, "draft", "Draft: not yet")
	if _, err := accept(f.ownerC, draft.IID, nil); status(err) != http.StatusMethodNotAllowed {
		t.Fatalf("draft merge: %v", err)
	}
	// Conflicts: clash and main change the same file.
	clash := f.create(t, f.devC, "clash", "Clash")
	f.clash(t, "clash")
	mainHead := f.head(t, "main")
	if _, err := accept(f.ownerC, clash.IID, nil); status(err) != http.StatusMethodNotAllowed {
		t.Fatalf("conflicting merge: %v", err)
	}
	if f.head(t, "main") != mainHead {
		t.Fatal("a conflicting merge moved main")
	}
	got, _, err := f.ownerC.MergeRequests.GetMergeRequest(f.p.ID, clash.IID, nil)
	if err != nil || got.State != "opened" {
		t.Fatalf("conflicting merge request after the attempt: %+v %v", got, err)
	}
}

func TestMergeRequestSquashMerge(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "topic")
	if _, _, err := f.devC.RepositoryFiles.CreateFile(f.p.ID, "second.txt", &gitlab.CreateFileOptions{Branch: gitlab.Ptr("topic"),
		Content: gitlab.Ptr("2"), CommitMessage: gitlab.Ptr("second")}); err != nil {
		t.Fatal(err)
	}
	mr := f.create(t, f.devC, "topic", "Topic work")
	mainBefore := f.head(t, "main")
	merged, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, &gitlab.AcceptMergeRequestOptions{
		Squash: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if merged.SquashCommitSHA == "" || !merged.Squash {
		t.Fatalf("merged = %+v", merged)
	}
	sq, _, err := f.ownerC.Commits.GetCommit(f.p.ID, merged.SquashCommitSHA, nil)
	if err != nil {
		t.Fatal(err)
	}
	// One commit of both changes on main's head, authored by the merge
	// request's author, committed by the merger.
	if sq.Title != "Topic work" || len(sq.ParentIDs) != 1 || sq.ParentIDs[0] != mainBefore ||
		sq.AuthorName != f.dev.Name || sq.CommitterName != f.owner.Name {
		t.Fatalf("squash commit %+v", sq)
	}
	mc, _, err := f.ownerC.Commits.GetCommit(f.p.ID, merged.MergeCommitSHA, nil)
	if err != nil || len(mc.ParentIDs) != 2 || mc.ParentIDs[1] != merged.SquashCommitSHA {
		t.Fatalf("merge commit %+v %v", mc, err)
	}
	for _, path := range []string{"topic.txt", "second.txt"} {
		if _, _, err := f.ownerC.RepositoryFiles.GetFile(f.p.ID, path, &gitlab.GetFileOptions{Ref: gitlab.Ptr("main")}); err != nil {
			t.Fatalf("%s on main: %v", path, err)
		}
	}
}

// Two merges of one merge request at once: exactly one merges, the other
// is refused, and main holds one merge commit.
func TestMergeRequestConcurrentMerges(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "race")
	mr := f.create(t, f.devC, "race", "Race")
	mainBefore := f.head(t, "main")
	const n = 4
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, nil)
			codes[i] = status(err)
			if err == nil {
				codes[i] = http.StatusOK
			}
		}()
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case http.StatusOK:
			ok++
		case http.StatusMethodNotAllowed:
		default:
			t.Fatalf("concurrent merge answered %d (all: %v)", c, codes)
		}
	}
	if ok != 1 {
		t.Fatalf("%d merges succeeded: %v", ok, codes)
	}
	c, _, err := f.ownerC.Commits.GetCommit(f.p.ID, f.head(t, "main"), nil)
	if err != nil || len(c.ParentIDs) != 2 || c.ParentIDs[0] != mainBefore {
		t.Fatalf("main's head %+v %v", c, err)
	}
}

// A merge that died left its merge request "locked" (the process went
// between moving the branch and recording the merge, or before moving
// it): past the lock's lease the next attempt settles it — merged when
// the target holds its head, open again and merged now otherwise. A
// fresh lock is a merge still running: 405.
func TestMergeRequestStuckMerge(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "died-before", "died-after")
	lock := func(id int64, age string) {
		t.Helper()
		if _, err := f.s.Srv.DB.SQL().Exec("UPDATE merge_requests SET state = 'locked', updated_at = " + age +
			" WHERE id = " + strconv.FormatInt(id, 10)); err != nil {
			t.Fatal(err)
		}
	}
	before := f.create(t, f.devC, "died-before", "Before")
	lock(before.ID, strconv.FormatInt(time.Now().UnixMilli(), 10))
	if _, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, before.IID, nil); status(err) != http.StatusMethodNotAllowed {
		t.Fatalf("merge while another runs: %v", err)
	}
	lock(before.ID, "0")
	merged, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, before.IID, nil)
	if err != nil || merged.State != "merged" {
		t.Fatalf("merge after a merge died before moving main: %+v %v", merged, err)
	}

	// Died after moving main, before recording the merge: the target
	// holds the head; the merge request is found merged (405 to this
	// attempt), at main's head, which stays where it is.
	after := f.create(t, f.devC, "died-after", "After")
	if _, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, after.IID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Srv.DB.SQL().Exec("UPDATE merge_requests SET merge_commit_sha = NULL, merged_at = NULL, merged_by_id = NULL WHERE id = " +
		strconv.FormatInt(after.ID, 10)); err != nil {
		t.Fatal(err)
	}
	lock(after.ID, "0")
	mainHead := f.head(t, "main")
	if _, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, after.IID, nil); status(err) != http.StatusMethodNotAllowed {
		t.Fatalf("merge of a merge request merged by a merge that died: %v", err)
	}
	got, _, err := f.ownerC.MergeRequests.GetMergeRequest(f.p.ID, after.IID, nil)
	if err != nil || got.State != "merged" || got.MergeCommitSHA != mainHead || f.head(t, "main") != mainHead {
		t.Fatalf("after recovery: %+v %v", got, err)
	}
}

func TestMergeRequestMergeRef(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature", "clash")
	mr := f.create(t, f.devC, "feature", "Feature")
	mergeRef := func(c *gitlab.Client, iid int64) (string, error) {
		req, err := c.NewRequest(http.MethodGet, "projects/"+strconv.FormatInt(f.p.ID, 10)+"/merge_requests/"+
			strconv.FormatInt(iid, 10)+"/merge_ref", nil, nil)
		if err != nil {
			return "", err
		}
		var out struct {
			CommitID string `json:"commit_id"`
		}
		_, err = c.Do(req, &out)
		return out.CommitID, err
	}
	mainBefore := f.head(t, "main")
	id, err := mergeRef(f.reporterC, mr.IID)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := f.ownerC.Commits.GetCommit(f.p.ID, id, nil)
	if err != nil || len(c.ParentIDs) != 2 || c.ParentIDs[0] != mainBefore || c.ParentIDs[1] != f.head(t, "feature") {
		t.Fatalf("merge ref commit %+v %v", c, err)
	}
	if f.head(t, "main") != mainBefore {
		t.Fatal("merge_ref moved main")
	}
	// Concurrent callers each get a merge of the same heads; different
	// callers make different merge commits, which race for the one ref.
	var wg sync.WaitGroup
	errs := make([]error, 48)
	callers := []*gitlab.Client{f.reporterC, f.devC, f.ownerC}
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = mergeRef(callers[i%len(callers)], mr.IID)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent merge_ref: %v", err)
		}
	}
	if _, err := mergeRef(f.outsideC, mr.IID); status(err) != http.StatusNotFound {
		t.Fatalf("outsider: %v", err)
	}
	clash := f.create(t, f.devC, "clash", "Clash")
	f.clash(t, "clash")
	if _, err := mergeRef(f.ownerC, clash.IID); status(err) != http.StatusBadRequest ||
		!strings.Contains(err.Error(), "Merge request is not mergeable") {
		t.Fatalf("conflicting merge_ref: %v", err)
	}
}
