package importexport_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/labtest"
	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// TestStuckTransfersFail: an import or export whose run died with its
// instance (its state still "started" long after any run could end) is
// failed by the housekeeping with GitLab's timed-out message; one that is
// still within its time stays as it is.
func TestStuckTransfersFail(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	var ids []int64
	for _, path := range []string{"stuck", "running"} {
		p, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Path: gitlab.Ptr(path)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	stuck, running := ids[0], ids[1]
	now := time.Now().UnixMilli()
	longAgo := time.Now().Add(-3 * time.Hour).UnixMilli()
	db := s.Srv.DB.SQL()
	for _, row := range []struct {
		table   string
		project int64
		updated int64
	}{
		{"project_imports", stuck, longAgo}, {"project_exports", stuck, longAgo},
		{"project_imports", running, now}, {"project_exports", running, now},
	} {
		if _, err := db.Exec(`INSERT INTO `+row.table+` (project_id, status, created_at, updated_at) VALUES ($1, 'started', $2, $3)`,
			row.project, row.updated, row.updated); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Srv.Service.Housekeeping(context.Background()); err != nil {
		t.Fatal(err)
	}
	imp, _, err := root.ProjectImportExport.ImportStatus(stuck)
	if err != nil {
		t.Fatal(err)
	}
	if imp.ImportStatus != "failed" || !strings.HasPrefix(imp.ImportError, "Import timed out. Import took longer than ") {
		t.Errorf("stuck import: status %q, error %q; want failed, timed out", imp.ImportStatus, imp.ImportError)
	}
	if p, _, err := root.Projects.GetProject(stuck, nil); err != nil || p.ImportStatus != "failed" {
		t.Errorf("stuck project's import_status: %v, %v; want failed", p, err)
	}
	exp, _, err := root.ProjectImportExport.ExportStatus(stuck)
	if err != nil {
		t.Fatal(err)
	}
	if exp.ExportStatus != "failed" {
		t.Errorf("stuck export: status %q, want failed", exp.ExportStatus)
	}
	imp, _, err = root.ProjectImportExport.ImportStatus(running)
	if err != nil {
		t.Fatal(err)
	}
	if imp.ImportStatus != "started" || imp.ImportError != "" {
		t.Errorf("running import: status %q, error %q; want started", imp.ImportStatus, imp.ImportError)
	}
	if exp, _, err = root.ProjectImportExport.ExportStatus(running); err != nil || exp.ExportStatus != "started" {
		t.Errorf("running export: %+v, %v; want started", exp, err)
	}
}
