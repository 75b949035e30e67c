package v4_test

import (
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// The merge requests of a commit: those whose diff holds it (also after a
// push moves the diff), the one it merged as merge commit, none for a
// commit of the target only; state filters; an unknown commit is 404;
// a guest of a private project reads no merge requests (403).
func TestCommitMergeRequests(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature", "other")
	mr := f.create(t, f.devC, "feature", "Feature")
	other := f.create(t, f.devC, "other", "Other")
	featureHead, mainHead := f.head(t, "feature"), f.head(t, "main")
	ids := func(sha string, _ any) []int64 {
		t.Helper()
		list, _, err := f.reporterC.Commits.ListMergeRequestsByCommit(f.p.ID, sha)
		if err != nil {
			t.Fatalf("merge requests of %s: %v", sha, err)
		}
		var out []int64
		for _, m := range list {
			out = append(out, m.IID)
		}
		return out
	}
	if got := ids(featureHead, nil); len(got) != 1 || got[0] != mr.IID {
		t.Fatalf("feature head: %v", got)
	}
	if got := ids(mainHead, nil); len(got) != 0 {
		t.Fatalf("main's head is in no merge request's diff: %v", got)
	}
	// A new commit on the source branch joins the merge request's diff.
	if _, _, err := f.ownerC.RepositoryFiles.CreateFile(f.p.ID, "more.txt", &gitlab.CreateFileOptions{Branch: gitlab.Ptr("feature"),
		Content: gitlab.Ptr("more"), CommitMessage: gitlab.Ptr("more")}); err != nil {
		t.Fatal(err)
	}
	newHead := f.head(t, "feature")
	got, _, err := f.ownerC.MergeRequests.GetMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil || got.SHA != newHead {
		t.Fatalf("merge request head %s after a commit, want %s (%v)", got.SHA, newHead, err)
	}
	if got := ids(newHead, nil); len(got) != 1 || got[0] != mr.IID {
		t.Fatalf("new head: %v", got)
	}
	if got := ids(featureHead, nil); len(got) != 1 {
		t.Fatalf("older commit of the diff: %v", got)
	}
	merged, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil || merged.MergeCommitSHA == "" {
		t.Fatalf("merge: %+v %v", merged, err)
	}
	if got := ids(merged.MergeCommitSHA, nil); len(got) != 1 || got[0] != mr.IID {
		t.Fatalf("merge commit: %v", got)
	}
	// By branch name, with a state filter (the raw API: the client's
	// method takes no options).
	var opened []map[string]any
	f.s.Do(t, labtest.Request{Path: "/projects/" + itoa(f.p.ID) + "/repository/commits/other/merge_requests?state=opened",
		Token: f.owner.Token}).JSON(t, &opened)
	if len(opened) != 1 || int64(opened[0]["iid"].(float64)) != other.IID {
		t.Fatalf("opened of other: %v", opened)
	}
	var none []map[string]any
	f.s.Do(t, labtest.Request{Path: "/projects/" + itoa(f.p.ID) + "/repository/commits/other/merge_requests?state=merged",
		Token: f.owner.Token}).JSON(t, &none)
	if len(none) != 0 {
		t.Fatalf("merged of other: %v", none)
	}
	base := "/projects/" + itoa(f.p.ID) + "/repository/commits/"
	f.s.Do(t, labtest.Request{Path: base + unknownSHA + "/merge_requests", Token: f.owner.Token}).
		ExpectError(t, 404, `{"message":"404 Commit Not Found"}`)
	f.s.Do(t, labtest.Request{Path: base + newHead + "/merge_requests", Token: f.guest.Token}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.s.Do(t, labtest.Request{Path: base + newHead + "/merge_requests", Token: f.outsider.Token}).
		ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
}
