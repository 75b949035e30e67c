package v4_test

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// Pushes reach open merge requests: a push to the source branch moves the
// merge request's head (diff_refs, commits, refs/merge-requests/:iid/head)
// and writes "added N commits"; a push of the source's commits to the
// target branch merges it.
func TestMergeRequestPushUpdates(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature")
	mr := f.create(t, f.devC, "feature", "Feature")
	url := strings.Replace(f.s.URL, "http://", "http://"+f.owner.Username+":"+f.owner.Token+"@", 1) + "/" + f.p.PathWithNamespace + ".git"
	dir := t.TempDir()
	labtest.Git(t, dir, "clone", "-q", url, ".")
	labtest.Git(t, dir, "checkout", "-q", "feature")
	for _, name := range []string{"one", "two"} {
		if err := os.WriteFile(dir+"/"+name+".txt", []byte(name+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		labtest.Git(t, dir, "add", name+".txt")
		labtest.Git(t, dir, "commit", "-q", "-m", "add "+name+" <b>")
	}
	labtest.Git(t, dir, "push", "-q", "origin", "feature")
	head := labtest.Git(t, dir, "rev-parse", "HEAD")

	got, _, err := f.ownerC.MergeRequests.GetMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil || got.SHA != head || got.DiffRefs.HeadSha != head {
		t.Fatalf("after the push: sha %s diff_refs %+v (%v), want %s", got.SHA, got.DiffRefs, err, head)
	}
	commits, _, err := f.ownerC.MergeRequests.GetMergeRequestCommits(f.p.ID, mr.IID, nil)
	if err != nil || len(commits) != 3 {
		t.Fatalf("commits %d, %v", len(commits), err)
	}
	if ref := labtest.Git(t, dir, "ls-remote", "origin", "refs/merge-requests/1/head"); !strings.HasPrefix(ref, head) {
		t.Fatalf("refs/merge-requests/1/head: %q", ref)
	}
	notes, _, err := f.ownerC.Notes.ListMergeRequestNotes(f.p.ID, mr.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "added 2 commits\n\n<ul><li>" + head[:8] + " - add two &lt;b&gt;</li><li>"
	found := false
	for _, n := range notes {
		found = found || n.System && strings.HasPrefix(n.Body, want)
	}
	if !found {
		t.Fatalf("no system note %q among %d notes: %+v", want, len(notes), notes[0])
	}

	// The owner merges by hand and pushes main: the merge request is
	// merged by that push.
	labtest.Git(t, dir, "checkout", "-q", "main")
	labtest.Git(t, dir, "merge", "-q", "--no-ff", "-m", "merge by hand", "feature")
	labtest.Git(t, dir, "push", "-q", "origin", "main")
	got, _, err = f.ownerC.MergeRequests.GetMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil || got.State != "merged" || got.MergedBy == nil || got.MergedBy.ID != f.owner.ID {
		t.Fatalf("after pushing the merge: %+v %v", got, err)
	}
	if _, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, nil); status(err) != http.StatusMethodNotAllowed {
		t.Fatalf("merging a merge request merged by a push: %v", err)
	}
}

// A merge moves its target branch as a push does: the project's events
// show the push, and merge requests from that branch take its new head
// ("added N commits").
func TestMergeRequestMergeRefreshesAsAPush(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "develop")
	if _, _, err := f.ownerC.RepositoryFiles.CreateFile(f.p.ID, "feature.txt", &gitlab.CreateFileOptions{Branch: gitlab.Ptr("feature"),
		StartBranch: gitlab.Ptr("develop"), Content: gitlab.Ptr("f"), CommitMessage: gitlab.Ptr("add feature")}); err != nil {
		t.Fatal(err)
	}
	release := f.create(t, f.devC, "develop", "Release")
	mr, _, err := f.devC.MergeRequests.CreateMergeRequest(f.p.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("Feature"),
		SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("develop")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, nil); err != nil {
		t.Fatal(err)
	}
	develop := f.head(t, "develop")
	got, _, err := f.ownerC.MergeRequests.GetMergeRequest(f.p.ID, release.IID, nil)
	if err != nil || got.SHA != develop || got.DiffRefs.HeadSha != develop {
		t.Fatalf("merge request from the merged-into branch: sha %s, want %s (%v)", got.SHA, develop, err)
	}
	notes, _, err := f.ownerC.Notes.ListMergeRequestNotes(f.p.ID, release.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(notes, func(n *gitlab.Note) bool { return n.System && strings.HasPrefix(n.Body, "added 2 commits") }) {
		t.Errorf("no \"added 2 commits\" note on the release merge request: %v", notes)
	}
	events, _, err := f.ownerC.Events.ListProjectVisibleEvents(f.p.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(events, func(e *gitlab.ProjectEvent) bool {
		return e.ActionName == "pushed to" && e.PushData.Ref == "develop" && e.PushData.CommitTo == develop
	}) {
		t.Errorf("no push event of the merge into develop")
	}
}
