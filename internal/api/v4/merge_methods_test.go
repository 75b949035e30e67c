package v4_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// setMergeSettings changes the fixture project's settings as its owner.
func (f *mrFixture) setMergeSettings(t *testing.T, o *gitlab.EditProjectOptions) {
	t.Helper()
	if _, _, err := f.ownerC.Projects.EditProject(f.p.ID, o); err != nil {
		t.Fatal(err)
	}
}

// moveMain adds a commit to main that no merge request branch has.
func (f *mrFixture) moveMain(t *testing.T, file string) {
	t.Helper()
	if _, _, err := f.ownerC.RepositoryFiles.CreateFile(f.p.ID, file, &gitlab.CreateFileOptions{Branch: gitlab.Ptr("main"),
		Content: gitlab.Ptr(file), CommitMessage: gitlab.Ptr("add " + file)}); err != nil {
		t.Fatal(err)
	}
}

// clash changes README.md on branch and on main differently: the two
// conflict.
func (f *mrFixture) clash(t *testing.T, branch string) {
	t.Helper()
	for _, b := range []string{branch, "main"} {
		if _, _, err := f.ownerC.RepositoryFiles.UpdateFile(f.p.ID, "README.md", &gitlab.UpdateFileOptions{Branch: gitlab.Ptr(b),
			Content: gitlab.Ptr("changed on " + b), CommitMessage: gitlab.Ptr("edit on " + b)}); err != nil {
			t.Fatal(err)
		}
	}
}

// getMR reads one merge request as the owner, with rebase_in_progress.
func (f *mrFixture) getMR(t *testing.T, iid int64) *gitlab.MergeRequest {
	t.Helper()
	mr, _, err := f.ownerC.MergeRequests.GetMergeRequest(f.p.ID, iid,
		&gitlab.GetMergeRequestsOptions{IncludeRebaseInProgress: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	return mr
}

// Fast-forward merges: a source behind main needs a rebase (405 on
// merge, detailed need_rebase); the rebase moves the source branch onto
// main and refreshes the merge request; the merge then moves main to the
// source head, with no merge commit.
func TestMergeMethodFastForward(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "ff")
	f.setMergeSettings(t, &gitlab.EditProjectOptions{MergeMethod: gitlab.Ptr(gitlab.FastForwardMerge)})
	mr := f.create(t, f.devC, "ff", "Fast")
	// Lists show the stored status: unchecked until a single read.
	list, _, err := f.ownerC.MergeRequests.ListProjectMergeRequests(f.p.ID, nil)
	if err != nil || len(list) != 1 || list[0].DetailedMergeStatus != "unchecked" {
		t.Fatalf("list before a check: %+v %v", list, err)
	}
	if got := f.getMR(t, mr.IID); f.mergeStatus(t, "/"+itoa(mr.IID)) != "can_be_merged" || got.DetailedMergeStatus != "mergeable" || got.HasConflicts {
		t.Fatalf("up to date: %s", got.DetailedMergeStatus)
	}
	list, _, err = f.ownerC.MergeRequests.ListProjectMergeRequests(f.p.ID, nil)
	if err != nil || len(list) != 1 || list[0].DetailedMergeStatus != "mergeable" || f.mergeStatus(t, "") != "can_be_merged" {
		t.Fatalf("list after a check: %+v %v", list, err)
	}

	f.moveMain(t, "later.txt")
	got := f.getMR(t, mr.IID)
	if f.mergeStatus(t, "/"+itoa(mr.IID)) != "can_be_merged" || got.DetailedMergeStatus != "need_rebase" || got.RebaseInProgress {
		t.Fatalf("behind main: %s", got.DetailedMergeStatus)
	}
	mainHead := f.head(t, "main")
	if _, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, nil); status(err) != http.StatusMethodNotAllowed {
		t.Fatalf("merge behind main: %v", err)
	}
	if f.head(t, "main") != mainHead {
		t.Fatal("a refused fast-forward moved main")
	}

	// Rebase: Reporters may not push to the branch; Developers may.
	if _, err := f.reporterC.MergeRequests.RebaseMergeRequest(f.p.ID, mr.IID, nil); status(err) != http.StatusForbidden ||
		!containsMsg(err, "403 Forbidden - Cannot push to source branch") {
		t.Fatalf("reporter rebase: %v", err)
	}
	if _, err := f.outsideC.MergeRequests.RebaseMergeRequest(f.p.ID, mr.IID, nil); status(err) != http.StatusNotFound {
		t.Fatalf("outsider rebase: %v", err)
	}
	resp, err := f.devC.MergeRequests.RebaseMergeRequest(f.p.ID, mr.IID, &gitlab.RebaseMergeRequestOptions{SkipCI: gitlab.Ptr(true)})
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("rebase: %v", err)
	}
	head := f.head(t, "ff")
	c, _, err := f.ownerC.Commits.GetCommit(f.p.ID, head, nil)
	if err != nil || len(c.ParentIDs) != 1 || c.ParentIDs[0] != mainHead || c.Title != "add ff" || c.CommitterName != f.dev.Name {
		t.Fatalf("rebased head %+v %v", c, err)
	}
	got = f.getMR(t, mr.IID)
	if got.DetailedMergeStatus != "mergeable" || got.SHA != head || got.DiffRefs.HeadSha != head ||
		got.DiffRefs.StartSha != mainHead || got.DiffRefs.BaseSha != mainHead || got.MergeError != "" {
		t.Fatalf("after rebase: %+v", got)
	}
	merged, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if merged.State != "merged" || merged.MergeCommitSHA != "" || f.head(t, "main") != head {
		t.Fatalf("fast-forward: main at %s, merged %+v", f.head(t, "main"), merged)
	}
}

// Rebase then merge: a merge commit, but only onto an up-to-date source.
func TestMergeMethodRebaseMerge(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "rm")
	f.setMergeSettings(t, &gitlab.EditProjectOptions{MergeMethod: gitlab.Ptr(gitlab.RebaseMerge)})
	mr := f.create(t, f.devC, "rm", "Rebase me")
	f.moveMain(t, "later.txt")
	if _, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, nil); status(err) != http.StatusMethodNotAllowed {
		t.Fatalf("merge behind main: %v", err)
	}
	if _, err := f.devC.MergeRequests.RebaseMergeRequest(f.p.ID, mr.IID, nil); err != nil {
		t.Fatal(err)
	}
	mainHead, head := f.head(t, "main"), f.head(t, "rm")
	merged, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := f.ownerC.Commits.GetCommit(f.p.ID, merged.MergeCommitSHA, nil)
	if err != nil || len(c.ParentIDs) != 2 || c.ParentIDs[0] != mainHead || c.ParentIDs[1] != head {
		t.Fatalf("merge commit %+v %v", c, err)
	}
}

// A rebase that conflicts leaves the branch where it was and says why in
// merge_error; the merge request shows its conflict.
func TestMergeRequestRebaseConflict(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "clash")
	mr := f.create(t, f.devC, "clash", "Clash")
	f.clash(t, "clash")
	before := f.head(t, "clash")
	if resp, err := f.devC.MergeRequests.RebaseMergeRequest(f.p.ID, mr.IID, nil); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("rebase: %v", err)
	}
	if f.head(t, "clash") != before {
		t.Fatal("a failed rebase moved the branch")
	}
	got := f.getMR(t, mr.IID)
	if got.MergeError != "Rebase failed: Rebase locally, resolve all conflicts, then push the branch." || got.RebaseInProgress ||
		f.mergeStatus(t, "/"+itoa(mr.IID)) != "cannot_be_merged" || got.DetailedMergeStatus != "conflict" || !got.HasConflicts {
		t.Fatalf("after a failed rebase: %q %s", got.MergeError, got.DetailedMergeStatus)
	}
	// A protected source branch without force push: GitLab's 403.
	if _, _, err := f.ownerC.ProtectedBranches.ProtectRepositoryBranches(f.p.ID, &gitlab.ProtectRepositoryBranchesOptions{
		Name: gitlab.Ptr("clash"), PushAccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.devC.MergeRequests.RebaseMergeRequest(f.p.ID, mr.IID, nil); status(err) != http.StatusForbidden ||
		!containsMsg(err, "Source branch is protected from force push") {
		t.Fatalf("protected source: %v", err)
	}
}

// squash_option: "always" squashes whatever the merge asks, "never" never.
func TestMergeSquashOption(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "always", "never")
	f.setMergeSettings(t, &gitlab.EditProjectOptions{SquashOption: gitlab.Ptr(gitlab.SquashOptionAlways)})
	mr := f.create(t, f.devC, "always", "Always squashed")
	if got := f.getMR(t, mr.IID); !got.SquashOnMerge {
		t.Fatalf("squash_on_merge: %+v", got)
	}
	merged, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil || merged.SquashCommitSHA == "" {
		t.Fatalf("always: %+v %v", merged, err)
	}
	f.setMergeSettings(t, &gitlab.EditProjectOptions{SquashOption: gitlab.Ptr(gitlab.SquashOptionNever)})
	mr = f.create(t, f.devC, "never", "Never squashed")
	merged, _, err = f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, &gitlab.AcceptMergeRequestOptions{Squash: gitlab.Ptr(true)})
	if err != nil || merged.SquashCommitSHA != "" {
		t.Fatalf("never: %+v %v", merged, err)
	}
}

// Commit templates fill GitLab's placeholders; an empty one alone on its
// line goes with the line breaks before it.
func TestMergeCommitTemplates(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "tpl")
	f.setMergeSettings(t, &gitlab.EditProjectOptions{
		MergeCommitTemplate:  gitlab.Ptr("Merge %{source_branch} into %{target_branch}: %{title}\n\n%{description}\n\n%{issues}\n\nSee %{reference} (%{local_reference}) by %{merged_by}"),
		SquashCommitTemplate: gitlab.Ptr("%{title} %{unknown}\n\n%{url}"),
		SquashOption:         gitlab.Ptr(gitlab.SquashOptionAlways)})
	mr := f.create(t, f.devC, "tpl", "Templated")
	merged, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	mc, _, err := f.ownerC.Commits.GetCommit(f.p.ID, merged.MergeCommitSHA, nil)
	want := "Merge tpl into main: Templated\n\nSee team/app!1 (!1) by " + f.owner.Name + " <" + f.owner.Username + "@example.com>\n"
	if err != nil || mc.Message != want {
		t.Fatalf("merge commit message %q, want %q (%v)", mc.Message, want, err)
	}
	sq, _, err := f.ownerC.Commits.GetCommit(f.p.ID, merged.SquashCommitSHA, nil)
	if want := "Templated %{unknown}\n\n" + f.s.URL + "/team/app/-/merge_requests/1\n"; err != nil || sq.Message != want {
		t.Fatalf("squash commit message %q, want %q (%v)", sq.Message, want, err)
	}
}

// remove_source_branch_after_merge is the default of a merge request that
// does not say.
func TestMergeRemoveSourceBranchDefault(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "gone", "kept", "asked")
	gone := f.create(t, f.devC, "gone", "Gone")
	if _, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, gone.IID, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.ownerC.Branches.GetBranch(f.p.ID, "gone"); status(err) != http.StatusNotFound {
		t.Fatalf("source branch kept by default: %v", err)
	}
	kept, _, err := f.devC.MergeRequests.CreateMergeRequest(f.p.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("Kept"),
		SourceBranch: gitlab.Ptr("kept"), TargetBranch: gitlab.Ptr("main"), RemoveSourceBranch: gitlab.Ptr(false)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, kept.IID, nil); err != nil {
		t.Fatal(err)
	}
	f.setMergeSettings(t, &gitlab.EditProjectOptions{RemoveSourceBranchAfterMerge: gitlab.Ptr(false)})
	asked := f.create(t, f.devC, "asked", "Asked")
	if _, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, asked.IID, nil); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"kept", "asked"} {
		if _, _, err := f.ownerC.Branches.GetBranch(f.p.ID, b); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
	}
}

// only_allow_merge_if_all_discussions_are_resolved blocks a merge while a
// discussion is open; only_allow_merge_if_pipeline_succeeds blocks every
// merge, as lablet runs no pipelines.
func TestMergeBlockedByDiscussionsAndPipelines(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "talk")
	f.setMergeSettings(t, &gitlab.EditProjectOptions{OnlyAllowMergeIfAllDiscussionsAreResolved: gitlab.Ptr(true)})
	mr := f.create(t, f.devC, "talk", "Talk")
	d, _, err := f.reporterC.Discussions.CreateMergeRequestDiscussion(f.p.ID, mr.IID,
		&gitlab.CreateMergeRequestDiscussionOptions{Body: gitlab.Ptr("why?")})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.getMR(t, mr.IID); got.DetailedMergeStatus != "discussions_not_resolved" || got.BlockingDiscussionsResolved {
		t.Fatalf("unresolved: %s %v", got.DetailedMergeStatus, got.BlockingDiscussionsResolved)
	}
	if _, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, nil); status(err) != http.StatusMethodNotAllowed {
		t.Fatalf("merge with an open discussion: %v", err)
	}
	if _, _, err := f.devC.Discussions.ResolveMergeRequestDiscussion(f.p.ID, mr.IID, d.ID,
		&gitlab.ResolveMergeRequestDiscussionOptions{Resolved: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if got := f.getMR(t, mr.IID); got.DetailedMergeStatus != "mergeable" || !got.BlockingDiscussionsResolved {
		t.Fatalf("resolved: %s %v", got.DetailedMergeStatus, got.BlockingDiscussionsResolved)
	}
	f.setMergeSettings(t, &gitlab.EditProjectOptions{OnlyAllowMergeIfPipelineSucceeds: gitlab.Ptr(true)})
	if got := f.getMR(t, mr.IID); got.DetailedMergeStatus != "ci_must_pass" {
		t.Fatalf("without a pipeline: %s", got.DetailedMergeStatus)
	}
	if _, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, nil); status(err) != http.StatusMethodNotAllowed {
		t.Fatalf("merge without a pipeline: %v", err)
	}
	f.setMergeSettings(t, &gitlab.EditProjectOptions{OnlyAllowMergeIfPipelineSucceeds: gitlab.Ptr(false)})
	if _, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, nil); err != nil {
		t.Fatal(err)
	}
}

// Without pipelines there is no automatic merge: asking for one is 405
// (GitLab's answer when no pipeline runs), and cancelling one is 406 to
// who may cancel, 401 to others.
func TestMergeWhenPipelineSucceedsWithoutPipelines(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "auto")
	mr := f.create(t, f.devC, "auto", "Auto")
	mainHead := f.head(t, "main")
	_, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID,
		&gitlab.AcceptMergeRequestOptions{MergeWhenPipelineSucceeds: gitlab.Ptr(true)})
	if status(err) != http.StatusMethodNotAllowed || f.head(t, "main") != mainHead {
		t.Fatalf("merge when pipeline succeeds: %v", err)
	}
	if _, _, err := f.ownerC.MergeRequests.CancelMergeWhenPipelineSucceeds(f.p.ID, mr.IID); status(err) != http.StatusNotAcceptable {
		t.Fatalf("maintainer cancel: %v", err)
	}
	if _, _, err := f.devC.MergeRequests.CancelMergeWhenPipelineSucceeds(f.p.ID, mr.IID); status(err) != http.StatusNotAcceptable {
		t.Fatalf("author cancel: %v", err)
	}
	if _, _, err := f.reporterC.MergeRequests.CancelMergeWhenPipelineSucceeds(f.p.ID, mr.IID); status(err) != http.StatusUnauthorized {
		t.Fatalf("reporter cancel: %v", err)
	}
	if _, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(f.p.ID, mr.IID, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.ownerC.MergeRequests.CancelMergeWhenPipelineSucceeds(f.p.ID, mr.IID); status(err) != http.StatusMethodNotAllowed {
		t.Fatalf("cancel after merge: %v", err)
	}
}

// mergeStatus reads merge_status (which client-go no longer decodes) of
// the merge request at suffix, or of the list's first.
func (f *mrFixture) mergeStatus(t *testing.T, suffix string) string {
	t.Helper()
	resp := f.s.Do(t, labtest.Request{Path: f.path(suffix), Token: f.owner.Token})
	if suffix == "" {
		var list []map[string]any
		resp.JSON(t, &list)
		if len(list) == 0 {
			return ""
		}
		s, _ := list[0]["merge_status"].(string)
		return s
	}
	s, _ := resp.Map(t)["merge_status"].(string)
	return s
}

func containsMsg(err error, s string) bool { return err != nil && strings.Contains(err.Error(), s) }

// Rebases racing commits to the source branch: every commit stays on the
// branch (a rebase that lost the race fails instead of overwriting it).
func TestMergeRequestRebaseRacesCommits(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "busy")
	mr := f.create(t, f.devC, "busy", "Busy")
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, 2*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, _, errs[i] = f.ownerC.RepositoryFiles.CreateFile(f.p.ID, "main-"+itoa(int64(i))+".txt", &gitlab.CreateFileOptions{
				Branch: gitlab.Ptr("main"), Content: gitlab.Ptr("x"), CommitMessage: gitlab.Ptr("main moves")}); errs[i] == nil {
				_, errs[i] = f.devC.MergeRequests.RebaseMergeRequest(f.p.ID, mr.IID, nil)
			}
		}()
		go func() {
			defer wg.Done()
			_, _, errs[n+i] = f.devC.RepositoryFiles.CreateFile(f.p.ID, "busy-"+itoa(int64(i))+".txt",
				&gitlab.CreateFileOptions{Branch: gitlab.Ptr("busy"), Content: gitlab.Ptr("x"), CommitMessage: gitlab.Ptr("more")})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		if _, _, err := f.ownerC.RepositoryFiles.GetFile(f.p.ID, "busy-"+itoa(int64(i))+".txt",
			&gitlab.GetFileOptions{Ref: gitlab.Ptr("busy")}); err != nil {
			t.Fatalf("commit %d lost: %v", i, err)
		}
	}
	// The merge request follows the branch.
	if got := f.getMR(t, mr.IID); got.SHA != f.head(t, "busy") {
		t.Fatalf("merge request at %s, branch at %s", got.SHA, f.head(t, "busy"))
	}
}
