package importexport_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/lablet/lablet/internal/labtest"
	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// TestImportOverwrite: an import with overwrite into the path of an
// existing project replaces it once finished (the old one is scheduled
// for deletion, as DELETE /projects/:id does); only someone who may
// remove that project may overwrite it (403 otherwise); without
// overwrite the path is taken (400).
func TestImportOverwrite(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	root := s.Client(t, s.RootToken)
	old, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Path: gitlab.Ptr("target"), NamespaceID: gitlab.Ptr(f.Group.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.Issues.CreateIssue(old.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("old issue")}); err != nil {
		t.Fatal(err)
	}
	archive := tarGz(t, valid()...)
	ns := f.Group.FullPath
	opts := func(overwrite bool) *gitlab.ImportFileOptions {
		return &gitlab.ImportFileOptions{Path: gitlab.Ptr("target"), Namespace: &ns, Overwrite: gitlab.Ptr(overwrite)}
	}
	if _, resp, err := root.ProjectImportExport.ImportFromFile(bytes.NewReader(archive), opts(false)); err == nil ||
		resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("import onto a taken path = %v", err)
	}
	// The group's maintainer may create projects but not remove this one.
	gc := s.Client(t, f.GroupMaintainer.Token)
	if _, resp, err := gc.ProjectImportExport.ImportFromFile(bytes.NewReader(archive), opts(true)); err == nil ||
		resp.StatusCode != http.StatusForbidden {
		t.Fatalf("maintainer's overwrite = %v", err)
	}
	imp, resp, err := root.ProjectImportExport.ImportFromFile(bytes.NewReader(archive), opts(true))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("overwrite = %v", err)
	}
	if st := waitImport(t, root, imp.ID); st.ImportStatus != "finished" {
		t.Fatalf("overwrite import = %+v", st)
	}
	p, _, err := root.Projects.GetProject(ns+"/target", nil)
	if err != nil || p.ID != imp.ID || p.Name != "target" || p.Path != "target" {
		t.Fatalf("project at the path = %+v %v", p, err)
	}
	issues, _, err := root.Issues.ListProjectIssues(p.ID, nil)
	if err != nil || len(issues) != 1 || issues[0].Title != "x" {
		t.Fatalf("issues = %+v %v", issues, err)
	}
	// The overwritten project is scheduled for deletion, out of the way:
	// an administrator still sees it, marked and renamed, unless the
	// background purge has already removed it; its maintainer does not.
	o, resp, err := root.Projects.GetProject(old.ID, nil)
	purged := err != nil && resp != nil && resp.StatusCode == http.StatusNotFound
	if !purged && (err != nil || o.MarkedForDeletionOn == nil || o.Path == "target") {
		t.Fatalf("the overwritten project = %+v %v", o, err)
	}
	if _, resp, err := gc.Projects.GetProject(old.ID, nil); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the overwritten project, to its group's maintainer = %v", err)
	}
}
