package importexport_test

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"

	"github.com/lablet/lablet/internal/labtest"
	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// TestImportExportPermissions: exporting needs admin_project (a
// Developer gets 403, an outsider 404), the import status read_project,
// and importing into a namespace is allowed exactly when creating a
// project there is, with the same answer.
func TestImportExportPermissions(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	pid := f.Project.ID
	out := s.NewUser(t, "outsider")
	dc, oc := s.Client(t, f.Developer.Token), s.Client(t, out.Token)
	for name, c := range map[string]*gitlab.Client{"developer": dc, "outsider": oc} {
		want := map[string]int{"developer": http.StatusForbidden, "outsider": http.StatusNotFound}[name]
		if resp, err := c.ProjectImportExport.ScheduleExport(pid, nil); err == nil || resp.StatusCode != want {
			t.Errorf("%s: schedule export = %v", name, err)
		}
		if _, resp, err := c.ProjectImportExport.ExportStatus(pid); err == nil || resp.StatusCode != want {
			t.Errorf("%s: export status = %v", name, err)
		}
		if _, resp, err := c.ProjectImportExport.ExportDownload(pid); err == nil || resp.StatusCode != want {
			t.Errorf("%s: download = %v", name, err)
		}
	}
	// The developer sees the import status (none), the outsider does not.
	if st, _, err := dc.ProjectImportExport.ImportStatus(pid); err != nil || st.ImportStatus != "none" {
		t.Errorf("developer import status = %+v %v", st, err)
	}
	if _, resp, err := oc.ProjectImportExport.ImportStatus(pid); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("outsider import status = %v", err)
	}
	// Anonymous: 401.
	if r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects/import", RawBody: "--x--\r\n",
		ContentType: "multipart/form-data; boundary=x"}); r.Status != http.StatusUnauthorized {
		t.Errorf("anonymous import = %d", r.Status)
	}
	archive := tarGz(t, valid()...)
	for i, u := range []*labtest.User{f.Developer, f.Maintainer, f.GroupMaintainer, out} {
		c := s.Client(t, u.Token)
		ns := f.Group.FullPath
		_, cresp, cerr := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Path: gitlab.Ptr("made" + strconv.Itoa(i)),
			NamespaceID: gitlab.Ptr(f.Group.ID)})
		_, iresp, ierr := c.ProjectImportExport.ImportFromFile(bytes.NewReader(archive), &gitlab.ImportFileOptions{
			Path: gitlab.Ptr("imported" + strconv.Itoa(i)), Namespace: &ns})
		cs, is := cresp.StatusCode, iresp.StatusCode
		if is == http.StatusCreated {
			is = cs
		}
		if cs != is || (cerr == nil) != (ierr == nil) {
			t.Errorf("%s: create project = %d, import = %d (%v)", u.Username, cs, iresp.StatusCode, ierr)
		}
	}
	// A member of nothing imports into their own namespace.
	imp, resp, err := oc.ProjectImportExport.ImportFromFile(bytes.NewReader(archive), &gitlab.ImportFileOptions{Path: gitlab.Ptr("mine")})
	if err != nil || resp.StatusCode != http.StatusCreated || imp.PathWithNamespace != out.Username+"/mine" {
		t.Fatalf("own import = %+v %v", imp, err)
	}
	if st := waitImport(t, oc, imp.ID); st.ImportStatus != "finished" {
		t.Fatalf("own import = %+v", st)
	}
}
