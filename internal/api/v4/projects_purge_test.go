package v4_test

import (
	"context"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// TestProjectPurgeTakesAttachments: purging a deleted project removes
// what attaches to its issues, merge requests and notes by type and id
// (award emoji, label links, resource events, subscriptions), which no
// foreign key reaches; another project's stay.
func TestProjectPurgeTakesAttachments(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature")
	other, _, err := f.ownerC.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Other"),
		NamespaceID: gitlab.Ptr(f.g.ID)})
	if err != nil {
		t.Fatal(err)
	}
	attach := func(pid int64, withMR bool) {
		t.Helper()
		if _, _, err := f.ownerC.Labels.CreateLabel(pid, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("bug"), Color: gitlab.Ptr("#ff0000")}); err != nil {
			t.Fatal(err)
		}
		is, _, err := f.ownerC.Issues.CreateIssue(pid, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("x"),
			Labels: &gitlab.LabelOptions{"bug"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.ownerC.AwardEmoji.CreateIssueAwardEmoji(pid, is.IID, &gitlab.CreateAwardEmojiOptions{Name: "thumbsup"}); err != nil {
			t.Fatal(err)
		}
		n, _, err := f.ownerC.Notes.CreateIssueNote(pid, is.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("hi")})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.ownerC.AwardEmoji.CreateIssuesAwardEmojiOnNote(pid, is.IID, n.ID, &gitlab.CreateAwardEmojiOptions{Name: "tada"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.reporterC.Issues.SubscribeToIssue(pid, is.IID); err != nil && pid == f.p.ID {
			t.Fatal(err) // (not a member of the other project)
		}
		if withMR {
			mr, _, err := f.devC.MergeRequests.CreateMergeRequest(pid, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("MR"),
				SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("main"), Labels: &gitlab.LabelOptions{"bug"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.ownerC.AwardEmoji.CreateMergeRequestAwardEmoji(pid, mr.IID, &gitlab.CreateAwardEmojiOptions{Name: "rocket"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	count := func() map[string]int {
		t.Helper()
		out := map[string]int{}
		for _, table := range []string{"award_emoji", "label_links", "resource_label_events", "subscriptions"} {
			var n int
			if err := f.s.Srv.DB.SQL().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			out[table] = n
		}
		return out
	}
	attach(other.ID, false)
	kept := count()
	attach(f.p.ID, true)
	before := count()
	for table, n := range before {
		if n <= kept[table] {
			t.Fatalf("%s: the project to delete attached no rows (%d, %d)", table, kept[table], n)
		}
	}
	if _, err := f.ownerC.Projects.DeleteProject(f.p.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Srv.Service.PurgeDeletedProjects(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := count()
	for table, n := range kept {
		if after[table] != n {
			t.Errorf("%s: %d rows after the purge (%d before), want the other project's %d", table, after[table], before[table], n)
		}
	}
}
