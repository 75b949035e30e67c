package v4_test

import (
	"os"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// git push -o merge_request.* over HTTP opens and updates merge requests
// (GitLab's push options): create with target, title, description
// (\n a line break), draft, labels and remove_source_branch, assigned to
// the pusher; a later push's options update it; a branch pushed with
// options but without merge_request.create gets none; without a title
// the single new commit's message gives title and description.
func TestMergeRequestPushOptions(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t)
	dir := t.TempDir()
	labtest.Git(t, dir, "clone", "-q", f.s.GitURL(f.dev, f.p.PathWithNamespace), ".")
	labtest.Git(t, dir, "checkout", "-q", "-b", "topic")
	commitFile(t, dir, "a.txt", "a\n")
	head := commitFile(t, dir, "b.txt", "b\n")
	labtest.Git(t, dir, "push", "-q", "-o", "merge_request.create", "-o", "merge_request.target=main",
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
	labtest.Git(t, dir, "push", "-q", "-o", "merge_request.title=Topic, done", "-o", "merge_request.unlabel=ui", "origin", "topic")
	mr, _, err = f.ownerC.MergeRequests.GetMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil || mr.Title != "Topic, done" || mr.SHA != head || len(mr.Labels) != 1 || mr.Labels[0] != "backend" {
		t.Fatalf("after the update push: %q %s %v (%v)", mr.Title, mr.SHA, mr.Labels, err)
	}

	// Options without merge_request.create open nothing.
	labtest.Git(t, dir, "checkout", "-q", "-b", "quiet", "main")
	commitFile(t, dir, "q.txt", "q\n")
	labtest.Git(t, dir, "push", "-q", "-o", "merge_request.title=Nope", "origin", "quiet")
	// The single new commit names a merge request given no title.
	labtest.Git(t, dir, "checkout", "-q", "-b", "fix-the-bug", "main")
	if err := os.WriteFile(dir+"/d.txt", []byte("d\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	labtest.Git(t, dir, "add", "d.txt")
	labtest.Git(t, dir, "commit", "-q", "-m", "Fix the bug", "-m", "It was bad.")
	labtest.Git(t, dir, "push", "-q", "-o", "merge_request.create", "origin", "fix-the-bug")
	all, _, err := f.ownerC.MergeRequests.ListProjectMergeRequests(f.p.ID, &gitlab.ListProjectMergeRequestsOptions{})
	if err != nil || len(all) != 2 {
		t.Fatalf("merge requests: %d, %v", len(all), err)
	}
	if all[0].SourceBranch != "fix-the-bug" || all[0].Title != "Fix the bug" || all[0].Description != "It was bad." {
		t.Fatalf("default title/description: %q %q from %s", all[0].Title, all[0].Description, all[0].SourceBranch)
	}
}

// Push options name assignees (username or id; CE keeps the first, so an
// added user replaces no one), a milestone by title and squash; a target
// branch that does not exist opens nothing; the default branch takes no
// merge request. A fork's push goes to its source by default, to itself
// with target_project naming it.
func TestMergeRequestPushOptionsTargets(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t)
	ms, _, err := f.ownerC.Milestones.CreateMilestone(f.p.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("v1")})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	labtest.Git(t, dir, "clone", "-q", f.s.GitURL(f.dev, f.p.PathWithNamespace), ".")
	labtest.Git(t, dir, "checkout", "-q", "-b", "topic")
	commitFile(t, dir, "a.txt", "a\n")
	labtest.Git(t, dir, "push", "-q", "-o", "merge_request.create", "-o", "merge_request.unassign="+f.dev.Username,
		"-o", "merge_request.assign="+f.reporter.Username, "-o", "merge_request.milestone=v1",
		"-o", "merge_request.squash", "origin", "topic")
	list, _, err := f.ownerC.MergeRequests.ListProjectMergeRequests(f.p.ID, nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("merge requests after the push: %d, %v", len(list), err)
	}
	mr := list[0]
	if len(mr.Assignees) != 1 || mr.Assignees[0].ID != f.reporter.ID || mr.Milestone == nil || mr.Milestone.ID != ms.ID || !mr.Squash {
		t.Fatalf("assignees %+v milestone %+v squash %v", mr.Assignees, mr.Milestone, mr.Squash)
	}
	// Assigning another by id keeps the one assigned (CE: one assignee);
	// unassigning them leaves the other.
	commitFile(t, dir, "b.txt", "b\n")
	labtest.Git(t, dir, "push", "-q", "-o", "merge_request.assign="+itoa(f.owner.ID), "origin", "topic")
	got, _, err := f.ownerC.MergeRequests.GetMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil || len(got.Assignees) != 1 || got.Assignees[0].ID != f.reporter.ID {
		t.Fatalf("after assign: %+v, %v", got.Assignees, err)
	}
	commitFile(t, dir, "c.txt", "c\n")
	labtest.Git(t, dir, "push", "-q", "-o", "merge_request.assign="+itoa(f.owner.ID), "-o", "mr.unassign="+itoa(f.reporter.ID), "origin", "topic")
	got, _, err = f.ownerC.MergeRequests.GetMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil || len(got.Assignees) != 1 || got.Assignees[0].ID != f.owner.ID {
		t.Fatalf("after assign and unassign: %+v, %v", got.Assignees, err)
	}

	// A target branch that does not exist, and the default branch.
	labtest.Git(t, dir, "checkout", "-q", "-b", "nowhere", "main")
	commitFile(t, dir, "n.txt", "n\n")
	labtest.Git(t, dir, "push", "-q", "-o", "merge_request.create", "-o", "merge_request.target=missing", "origin", "nowhere")
	labtest.Git(t, dir, "checkout", "-q", "main")
	commitFile(t, dir, "m.txt", "m\n")
	labtest.Git(t, dir, "push", "-q", "-o", "merge_request.create", f.s.GitURL(f.owner, f.p.PathWithNamespace), "main")
	if all, _, err := f.ownerC.MergeRequests.ListProjectMergeRequests(f.p.ID, nil); err != nil || len(all) != 1 {
		t.Fatalf("merge requests: %d, %v; want only the first", len(all), err)
	}

	// The developer's fork: its pushes go to the source project.
	fork, _, err := f.devC.Projects.ForkProject(f.p.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	fdir := t.TempDir()
	labtest.Git(t, fdir, "clone", "-q", f.s.GitURL(f.dev, fork.PathWithNamespace), ".")
	labtest.Git(t, fdir, "checkout", "-q", "-b", "from-fork")
	commitFile(t, fdir, "f.txt", "f\n")
	labtest.Git(t, fdir, "push", "-q", "-o", "merge_request.create", "origin", "from-fork")
	up, _, err := f.ownerC.MergeRequests.ListProjectMergeRequests(f.p.ID, &gitlab.ListProjectMergeRequestsOptions{
		SourceBranch: gitlab.Ptr("from-fork")})
	if err != nil || len(up) != 1 || up[0].SourceProjectID != fork.ID || up[0].TargetProjectID != f.p.ID {
		t.Fatalf("fork push's merge request upstream: %+v, %v", up, err)
	}
	labtest.Git(t, fdir, "checkout", "-q", "-b", "in-fork", "main")
	commitFile(t, fdir, "g.txt", "g\n")
	labtest.Git(t, fdir, "push", "-q", "-o", "merge_request.create", "-o", "merge_request.target_project="+fork.PathWithNamespace,
		"origin", "in-fork")
	own, _, err := f.devC.MergeRequests.ListProjectMergeRequests(fork.ID, nil)
	if err != nil || len(own) != 1 || own[0].SourceBranch != "in-fork" || own[0].TargetProjectID != fork.ID {
		t.Fatalf("fork's own merge requests: %+v, %v", own, err)
	}
}
