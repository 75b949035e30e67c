package v4_test

import (
	"os"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// git push -o merge_request.* over HTTP opens and updates merge requests
// (GitLab's push options): create with target, title, description
// (\n a line break), draft, labels and remove_source_branch, assigned to
// the pusher; a later push's options update it; a branch pushed with
// options but without merge_request.create gets none; without a title
// the single new commit's message gives title and description.
func TestMergeRequestPushOptions(t *testing.T) {
	f := newMRFixture(t)
	dir := t.TempDir()
	gitRun(t, dir, "clone", "-q", gitURL(f.s, f.dev, f.p.PathWithNamespace), ".")
	gitRun(t, dir, "checkout", "-q", "-b", "topic")
	commitFile(t, dir, "a.txt", "a\n")
	head := commitFile(t, dir, "b.txt", "b\n")
	gitRun(t, dir, "push", "-q", "-o", "merge_request.create", "-o", "merge_request.target=main",
		"-o", "merge_request.title=Topic work", "-o", `merge_request.description=first\nsecond`,
		"-o", "merge_request.remove_source_branch", "-o", "merge_request.draft",
		"-o", "merge_request.label=backend", "-o", "mr.label=ui", "origin", "topic")

	list, _, err := f.ownerC.MergeRequests.ListProjectMergeRequests(f.p.ID, nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("merge requests after the push: %d, %v", len(list), err)
	}
	mr, _, err := f.ownerC.MergeRequests.GetMergeRequest(f.p.ID, list[0].IID, nil)
	switch {
	case err != nil:
		t.Fatal(err)
	case mr.Title != "Draft: Topic work" || !mr.Draft || mr.Description != "first\nsecond":
		t.Fatalf("title %q draft %v description %q", mr.Title, mr.Draft, mr.Description)
	case mr.SourceBranch != "topic" || mr.TargetBranch != "main" || mr.SHA != head || !mr.ForceRemoveSourceBranch:
		t.Fatalf("branches/sha/remove: %+v", mr)
	case mr.Author.ID != f.dev.ID || len(mr.Assignees) != 1 || mr.Assignees[0].ID != f.dev.ID:
		t.Fatalf("author %v assignees %+v", mr.Author, mr.Assignees)
	case len(mr.Labels) != 2 || mr.Labels[0] != "backend" || mr.Labels[1] != "ui":
		t.Fatalf("labels %v", mr.Labels)
	}

	// The next push updates it.
	head = commitFile(t, dir, "c.txt", "c\n")
	gitRun(t, dir, "push", "-q", "-o", "merge_request.title=Topic, done", "-o", "merge_request.unlabel=ui", "origin", "topic")
	mr, _, err = f.ownerC.MergeRequests.GetMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil || mr.Title != "Topic, done" || mr.SHA != head || len(mr.Labels) != 1 || mr.Labels[0] != "backend" {
		t.Fatalf("after the update push: %q %s %v (%v)", mr.Title, mr.SHA, mr.Labels, err)
	}

	// Options without merge_request.create open nothing.
	gitRun(t, dir, "checkout", "-q", "-b", "quiet", "main")
	commitFile(t, dir, "q.txt", "q\n")
	gitRun(t, dir, "push", "-q", "-o", "merge_request.title=Nope", "origin", "quiet")
	// The single new commit names a merge request given no title.
	gitRun(t, dir, "checkout", "-q", "-b", "fix-the-bug", "main")
	if err := os.WriteFile(dir+"/d.txt", []byte("d\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	gitRun(t, dir, "add", "d.txt")
	gitRun(t, dir, "commit", "-q", "-m", "Fix the bug", "-m", "It was bad.")
	gitRun(t, dir, "push", "-q", "-o", "merge_request.create", "origin", "fix-the-bug")
	all, _, err := f.ownerC.MergeRequests.ListProjectMergeRequests(f.p.ID, &gitlab.ListProjectMergeRequestsOptions{})
	if err != nil || len(all) != 2 {
		t.Fatalf("merge requests: %d, %v", len(all), err)
	}
	if all[0].SourceBranch != "fix-the-bug" || all[0].Title != "Fix the bug" || all[0].Description != "It was bad." {
		t.Fatalf("default title/description: %q %q from %s", all[0].Title, all[0].Description, all[0].SourceBranch)
	}
}
