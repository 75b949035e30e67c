package importexport_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/labtest"
	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// waitExport polls the export's status until it is finished.
func waitExport(t *testing.T, c *gitlab.Client, pid int64) *gitlab.ExportStatus {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		st, _, err := c.ProjectImportExport.ExportStatus(pid)
		if err != nil {
			t.Fatal(err)
		}
		switch st.ExportStatus {
		case "finished":
			return st
		case "failed":
			t.Fatalf("export failed")
		}
	}
	t.Fatal("export did not finish")
	return nil
}

// waitImport polls the import's status until it is finished or failed.
func waitImport(t *testing.T, c *gitlab.Client, pid int64) *gitlab.ImportStatus {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		st, _, err := c.ProjectImportExport.ImportStatus(pid)
		if err != nil {
			t.Fatal(err)
		}
		if st.ImportStatus == "finished" || st.ImportStatus == "failed" {
			return st
		}
	}
	t.Fatal("import did not end")
	return nil
}

// TestExportImportRoundTrip: a project exported by its maintainer and
// imported by an administrator has the same issues (iids, states, labels,
// milestones, notes, authors mapped by email), labels, milestones,
// branches, files and uploads.
func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	root := s.Client(t, s.RootToken)
	mc := s.Client(t, f.Maintainer.Token)
	pid := f.Project.ID
	if _, _, err := root.RepositoryFiles.CreateFile(pid, "hello.txt", &gitlab.CreateFileOptions{Branch: gitlab.Ptr("main"),
		Content: gitlab.Ptr("hello world\n"), CommitMessage: gitlab.Ptr("hello")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.Branches.CreateBranch(pid, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("feature"), Ref: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"bug", "feature"} {
		if _, _, err := mc.Labels.CreateLabel(pid, &gitlab.CreateLabelOptions{Name: gitlab.Ptr(l), Color: gitlab.Ptr("#ff0000")}); err != nil {
			t.Fatal(err)
		}
	}
	ms, _, err := mc.Milestones.CreateMilestone(pid, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("v1")})
	if err != nil {
		t.Fatal(err)
	}
	up, _, err := mc.ProjectMarkdownUploads.UploadProjectMarkdown(pid, bytes.NewReader([]byte("attached")), "notes.txt")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		is, _, err := mc.Issues.CreateIssue(pid, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("issue " + strconv.Itoa(i)),
			Description: gitlab.Ptr("see " + up.Markdown), Labels: &gitlab.LabelOptions{"bug"}, MilestoneID: gitlab.Ptr(ms.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := mc.Notes.CreateIssueNote(pid, is.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("note on " + is.Title)}); err != nil {
			t.Fatal(err)
		}
	}
	// A deleted issue leaves a gap in the iids, which the import keeps.
	if _, err := root.Issues.DeleteIssue(pid, 2); err != nil {
		t.Fatal(err)
	}
	if _, _, err := mc.Issues.UpdateIssue(pid, 3, &gitlab.UpdateIssueOptions{StateEvent: gitlab.Ptr("close")}); err != nil {
		t.Fatal(err)
	}

	// Merge requests: one open with a label, a note and a reviewer, one
	// merged; a protected branch pattern.
	for _, br := range []string{"feature", "fix"} {
		if br == "fix" {
			if _, _, err := root.Branches.CreateBranch(pid, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr(br), Ref: gitlab.Ptr("main")}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := root.RepositoryFiles.CreateFile(pid, br+".txt", &gitlab.CreateFileOptions{Branch: gitlab.Ptr(br),
			Content: gitlab.Ptr(br + "\n"), CommitMessage: gitlab.Ptr(br)}); err != nil {
			t.Fatal(err)
		}
	}
	open, _, err := mc.MergeRequests.CreateMergeRequest(pid, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("Add feature"),
		SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("main"), Labels: &gitlab.LabelOptions{"feature"},
		ReviewerIDs: &[]int64{f.Developer.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := mc.Notes.CreateMergeRequestNote(pid, open.IID, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr("looks good")}); err != nil {
		t.Fatal(err)
	}
	fix, _, err := mc.MergeRequests.CreateMergeRequest(pid, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("Fix"),
		SourceBranch: gitlab.Ptr("fix"), TargetBranch: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := mc.MergeRequests.AcceptMergeRequest(pid, fix.IID, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := mc.ProtectedBranches.ProtectRepositoryBranches(pid, &gitlab.ProtectRepositoryBranchesOptions{
		Name: gitlab.Ptr("release-*"), PushAccessLevel: gitlab.Ptr(gitlab.NoPermissions)}); err != nil {
		t.Fatal(err)
	}

	// No export yet: 404; the developer may not export.
	if _, resp, err := mc.ProjectImportExport.ExportDownload(pid); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("download before export = %v", err)
	}
	dc := s.Client(t, f.Developer.Token)
	if resp, err := dc.ProjectImportExport.ScheduleExport(pid, nil); err == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("developer export = %v", err)
	}
	st, _, err := mc.ProjectImportExport.ExportStatus(pid)
	if err != nil || st.ExportStatus != "none" {
		t.Fatalf("status before = %+v %v", st, err)
	}
	start := time.Now()
	if resp, err := mc.ProjectImportExport.ScheduleExport(pid, nil); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("schedule = %v", err)
	}
	st = waitExport(t, mc, pid)
	t.Logf("export took %v", time.Since(start))
	if !strings.HasSuffix(st.Links.APIURL, "/projects/"+strconv.FormatInt(pid, 10)+"/export/download") {
		t.Fatalf("_links = %+v", st.Links)
	}
	archive, _, err := mc.ProjectImportExport.ExportDownload(pid)
	if err != nil {
		t.Fatal(err)
	}

	imp, resp, err := root.ProjectImportExport.ImportFromFile(bytes.NewReader(archive), &gitlab.ImportFileOptions{
		Path: gitlab.Ptr("copy"), Namespace: gitlab.Ptr(f.Group.FullPath)})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("import = %v", err)
	}
	if got := waitImport(t, root, imp.ID); got.ImportStatus != "finished" {
		t.Fatalf("import = %+v", got)
	}
	np := imp.ID

	// Issues, with their iids, states, labels, milestones and notes.
	issues := func(id int64) []*gitlab.Issue {
		list, _, err := root.Issues.ListProjectIssues(id, &gitlab.ListProjectIssuesOptions{})
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(list, func(a, b *gitlab.Issue) int { return int(a.IID - b.IID) })
		return list
	}
	a, b := issues(pid), issues(np)
	if len(a) != len(b) || len(b) != 2 {
		t.Fatalf("%d issues imported of %d", len(b), len(a))
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.IID != y.IID || x.Title != y.Title || x.State != y.State || x.Description != y.Description ||
			!slices.Equal(x.Labels, y.Labels) || y.Milestone == nil || x.Milestone.Title != y.Milestone.Title ||
			x.Author.ID != y.Author.ID {
			t.Fatalf("issue %d: %+v, imported %+v", x.IID, x, y)
		}
		na, _, _ := root.Notes.ListIssueNotes(pid, x.IID, nil)
		nb, _, _ := root.Notes.ListIssueNotes(np, y.IID, nil)
		bodies := func(ns []*gitlab.Note) (out []string) {
			for _, n := range ns {
				out = append(out, n.Author.Username+":"+n.Body)
			}
			slices.Sort(out)
			return
		}
		if !slices.Equal(bodies(na), bodies(nb)) {
			t.Fatalf("notes of %d: %v, imported %v", x.IID, bodies(na), bodies(nb))
		}
	}
	// A new issue continues after the imported iids.
	if is, _, err := root.Issues.CreateIssue(np, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("next")}); err != nil || is.IID != 4 {
		t.Fatalf("next issue = %+v %v", is, err)
	}
	// Merge requests, their notes, labels, reviewers and diffs.
	mrsOf := func(id int64) []*gitlab.BasicMergeRequest {
		list, _, err := root.MergeRequests.ListProjectMergeRequests(id, &gitlab.ListProjectMergeRequestsOptions{})
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(list, func(a, b *gitlab.BasicMergeRequest) int { return int(a.IID - b.IID) })
		return list
	}
	ma, mb := mrsOf(pid), mrsOf(np)
	if len(ma) != 2 || len(mb) != 2 {
		t.Fatalf("merge requests: %d, imported %d", len(ma), len(mb))
	}
	for i := range ma {
		x, y := ma[i], mb[i]
		if x.IID != y.IID || x.Title != y.Title || x.State != y.State || x.SourceBranch != y.SourceBranch ||
			!slices.Equal(x.Labels, y.Labels) || x.SHA != y.SHA || x.MergeCommitSHA != y.MergeCommitSHA ||
			len(x.Reviewers) != len(y.Reviewers) {
			t.Fatalf("merge request !%d: %+v, imported %+v", x.IID, x, y)
		}
		da, _, err := root.MergeRequests.ListMergeRequestDiffs(pid, x.IID, nil)
		if err != nil {
			t.Fatal(err)
		}
		db, _, err := root.MergeRequests.ListMergeRequestDiffs(np, y.IID, nil)
		if err != nil || len(da) != len(db) || len(db) == 0 || da[0].NewPath != db[0].NewPath || da[0].Diff != db[0].Diff {
			t.Fatalf("diffs of !%d: %+v, imported %+v (%v)", x.IID, da, db, err)
		}
	}
	if notes, _, err := root.Notes.ListMergeRequestNotes(np, open.IID, nil); err != nil || !slices.ContainsFunc(notes,
		func(n *gitlab.Note) bool { return n.Body == "looks good" && n.Author.ID == f.Maintainer.ID }) {
		t.Fatalf("merge request notes = %v %v", notes, err)
	}
	if pb, _, err := root.ProtectedBranches.GetProtectedBranch(np, "release-*"); err != nil ||
		pb.PushAccessLevels[0].AccessLevel != gitlab.NoPermissions {
		t.Fatalf("protected branch = %+v %v", pb, err)
	}
	labels, _, _ := root.Labels.ListLabels(np, nil)
	if len(labels) != 2 {
		t.Fatalf("labels = %d", len(labels))
	}
	mss, _, _ := root.Milestones.ListMilestones(np, nil)
	if len(mss) != 1 || mss[0].Title != "v1" || mss[0].IID != ms.IID {
		t.Fatalf("milestones = %+v", mss)
	}
	branches := func(id int64) (names []string) {
		brs, _, err := root.Branches.ListBranches(id, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, br := range brs {
			names = append(names, br.Name+"@"+br.Commit.ID)
		}
		return names
	}
	if a, b := branches(pid), branches(np); !slices.Equal(a, b) || len(a) < 2 {
		t.Fatalf("branches = %v, imported %v", a, b)
	}
	raw, _, err := root.RepositoryFiles.GetRawFile(np, "hello.txt", &gitlab.GetRawFileOptions{Ref: gitlab.Ptr("main")})
	if err != nil || string(raw) != "hello world\n" {
		t.Fatalf("file = %q %v", raw, err)
	}
	np2, _, err := root.Projects.GetProject(np, nil)
	if err != nil || np2.DefaultBranch != "main" || np2.EmptyRepo {
		t.Fatalf("imported project = %+v %v", np2, err)
	}
	// The upload's link works in the new project.
	r := s.Do(t, labtest.Request{Method: "GET", Path: "/projects/" + strconv.FormatInt(np, 10) + up.URL, Token: s.RootToken})
	if r.Status != http.StatusOK || string(r.Body) != "attached" {
		t.Fatalf("upload = %d %s", r.Status, r.Body)
	}
	// An outsider does not see the import status.
	out := s.NewUser(t, "outsider")
	if _, resp, err := s.Client(t, out.Token).ProjectImportExport.ImportStatus(np); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("outsider import status = %v", err)
	}
	// Deleting the project removes its export.
	dir := filepath.Join(s.Config.DataDir, "blobs", "exports", strconv.FormatInt(pid, 10))
	if _, err := os.Stat(filepath.Join(dir, "export.tar.gz")); err != nil {
		t.Fatalf("export blob: %v", err)
	}
	if _, err := root.Projects.DeleteProject(pid, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Srv.Service.PurgeDeletedProjects(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "export.tar.gz")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("export blob after the project's deletion: %v", err)
	}
	var rows int
	if err := s.Srv.DB.SQL().QueryRow("SELECT COUNT(*) FROM project_exports WHERE project_id = " + strconv.FormatInt(pid, 10)).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("export rows after deletion: %d %v", rows, err)
	}
}
