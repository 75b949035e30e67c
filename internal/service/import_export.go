package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/blob"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
	"github.com/riverqueue/river"
)

// Project export and import (GitLab's project_import_export API): an
// export is built by a River job of its own queue into one .tar.gz in the
// blob store (exports/<project id>/), GitLab's archive layout
// (import_export_archive.go); an import creates the project at once, in
// import_status "scheduled", and a job of the same queue fills it from the
// uploaded archive (import_export_import.go).
const (
	importExportQueue   = "project_import_export"
	importExportWorkers = 2
	importExportTimeout = time.Hour
	// The states of an export and of an import, GitLab's names.
	ieNone      = "none"
	ieQueued    = "queued"
	ieScheduled = "scheduled"
	ieStarted   = "started"
	ieFinished  = "finished"
	ieFailed    = "failed"
	// maxImportArchive bounds an uploaded archive (compressed).
	maxImportArchive = 1 << 30
)

// exportKey is where a project's export archive is kept.
func exportKey(projectID int64) string { return fmt.Sprintf("exports/%d/export.tar.gz", projectID) }

// exportsPrefix is the blob prefix of a project's exports.
func exportsPrefix(projectID int64) string { return fmt.Sprintf("exports/%d", projectID) }

type projectExportArgs struct {
	ProjectID int64 `json:"project_id"`
}

func (projectExportArgs) Kind() string { return "project_export" }

type projectImportArgs struct {
	ProjectID int64 `json:"project_id"`
}

func (projectImportArgs) Kind() string { return "project_import" }

type projectExportWorker struct {
	river.WorkerDefaults[projectExportArgs]
	s *Service
}

func (w projectExportWorker) Work(ctx context.Context, job *river.Job[projectExportArgs]) error {
	return w.s.runExport(ctx, job.Args.ProjectID)
}

func (w projectExportWorker) Timeout(*river.Job[projectExportArgs]) time.Duration {
	return importExportTimeout
}

type projectImportWorker struct {
	river.WorkerDefaults[projectImportArgs]
	s *Service
}

func (w projectImportWorker) Work(ctx context.Context, job *river.Job[projectImportArgs]) error {
	return w.s.runImport(ctx, job.Args.ProjectID)
}

func (w projectImportWorker) Timeout(*river.Job[projectImportArgs]) time.Duration {
	return importExportTimeout
}

// TransferStatus is a project with the state of its export or import.
type TransferStatus struct {
	Project *model.Project
	Status  string
	Error   string
}

// exportableProject loads a project whose export the caller may manage:
// admin_project (GitLab's Maintainer rule).
func (s *Service) exportableProject(ctx context.Context, id *auth.Identity, ref string) (*model.Project, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if !id.Authenticated() || !ProjectCan(id, p, level, access.AdminProject) {
		return nil, Forbidden("")
	}
	return p, nil
}

// ScheduleExport queues an export of the project (admin_project). An
// export already waiting or running is not queued again; the answer is
// 202 all the same.
func (s *Service) ScheduleExport(ctx context.Context, id *auth.Identity, ref string) error {
	p, err := s.exportableProject(ctx, id, ref)
	if err != nil {
		return err
	}
	return s.queueExport(ctx, id, "export", p.ID, projectExportArgs{ProjectID: p.ID})
}

// queueExport records an export (kind "export" of a project,
// "group_export" of a group) as queued and queues its job, unless one is
// waiting or running already.
func (s *Service) queueExport(ctx context.Context, id *auth.Identity, kind string, ownerID int64, args river.JobArgs) error {
	if s.hookQueue == nil || s.blobs == nil {
		return errors.New("service: export: no job queue or blob storage")
	}
	q := s.db.Queries()
	if st, err := q.TransferStateOf(ctx, kind, ownerID); err == nil &&
		(st.Status == ieQueued || st.Status == ieStarted) {
		return nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	uid := id.User.ID
	if err := q.SetTransferState(ctx, kind, &store.TransferState{ProjectID: ownerID, Status: ieQueued, UserID: &uid}); err != nil {
		return err
	}
	if _, err := s.hookQueue.Insert(ctx, args, &river.InsertOpts{Queue: importExportQueue, MaxAttempts: 1}); err != nil {
		_ = q.SetTransferState(context.WithoutCancel(ctx), kind, &store.TransferState{ProjectID: ownerID,
			Status: ieFailed, Error: "could not queue the export"})
		return fmt.Errorf("service: enqueue export: %w", err)
	}
	return nil
}

// ExportStatus answers GET /projects/:id/export.
func (s *Service) ExportStatus(ctx context.Context, id *auth.Identity, ref string) (*TransferStatus, error) {
	p, err := s.exportableProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	st, err := s.db.Queries().TransferStateOf(ctx, "export", p.ID)
	if errors.Is(err, store.ErrNotFound) {
		return &TransferStatus{Project: p, Status: ieNone}, nil
	}
	if err != nil {
		return nil, err
	}
	return &TransferStatus{Project: p, Status: st.Status, Error: st.Error}, nil
}

// ExportArchive is a finished export's file.
type ExportArchive struct {
	Body    io.ReadSeekCloser
	Size    int64
	ModTime time.Time
	// fullPath is the exported project's or group's, for the file name.
	fullPath string
}

// OpenExport opens the project's finished export; 404 "Export file not
// found" without one, as GitLab.
func (s *Service) OpenExport(ctx context.Context, id *auth.Identity, ref string) (*ExportArchive, error) {
	p, err := s.exportableProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	return s.openExport(ctx, "export", p.ID, p.FullPath(), NotFound("Export file"), NotFound("Export file"))
}

// openExport opens the finished export of kind of ownerID: missing when
// there is none, notReady when one is not finished or its file is gone.
func (s *Service) openExport(ctx context.Context, kind string, ownerID int64, fullPath string, missing, notReady error) (*ExportArchive, error) {
	st, err := s.db.Queries().TransferStateOf(ctx, kind, ownerID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && st.Status == ieFailed) {
		return nil, missing
	}
	if err != nil {
		return nil, err
	}
	if st.Status != ieFinished || st.BlobKey == "" {
		return nil, notReady
	}
	body, info, err := s.blobs.Open(ctx, st.BlobKey)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, notReady
	}
	if err != nil {
		return nil, fmt.Errorf("service: open export: %w", err)
	}
	return &ExportArchive{Body: body, Size: info.Size, ModTime: info.ModTime, fullPath: fullPath}, nil
}

// runExport builds the archive of a project and stores it.
func (s *Service) runExport(ctx context.Context, projectID int64) error {
	p, err := s.db.Queries().ProjectByID(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted since
	}
	if err != nil {
		return err
	}
	return s.runExportJob(ctx, "export", p.ID, exportKey(p.ID), func() error { return s.writeExport(ctx, p) })
}

// runExportJob runs build, an export of kind of ownerID into the blob
// key, recording its start and its outcome.
func (s *Service) runExportJob(ctx context.Context, kind string, ownerID int64, key string, build func() error) error {
	q := s.db.Queries()
	if err := q.SetTransferState(ctx, kind, &store.TransferState{ProjectID: ownerID, Status: ieStarted}); err != nil {
		return err
	}
	start := time.Now()
	err := build()
	st := &store.TransferState{ProjectID: ownerID, Status: ieFinished, BlobKey: key}
	if err != nil {
		s.log.ErrorContext(ctx, "export failed", "kind", kind, "id", ownerID, "err", err)
		st = &store.TransferState{ProjectID: ownerID, Status: ieFailed, Error: err.Error()}
	} else {
		s.log.InfoContext(ctx, "exported", "kind", kind, "id", ownerID, "duration", time.Since(start))
	}
	return q.SetTransferState(context.WithoutCancel(ctx), kind, st)
}

// ImportInput is POST /projects/import's parameters besides the file.
type ImportInput struct {
	Path      string
	Name      *string
	Namespace *string
	Overwrite bool
}

// ImportProject creates a project from an exported archive: the project
// is made at once (the caller must be allowed to create projects in the
// namespace) in import_status "scheduled", with an empty repository, and
// a background job imports the archive into it.
func (s *Service) ImportProject(ctx context.Context, id *auth.Identity, in ImportInput, archive io.Reader) (*TransferStatus, error) {
	if !id.Authenticated() {
		return nil, auth.ErrUnauthorized
	}
	if s.hookQueue == nil || s.blobs == nil {
		return nil, errors.New("service: import: no job queue or blob storage")
	}
	path := in.Path
	pin := ProjectInput{Path: &path, Name: in.Name, Namespace: in.Namespace}
	plan, err := s.prepareProject(ctx, id, pin, nil)
	if err != nil {
		return nil, err
	}
	if plan.repo != nil {
		defer s.repos.Discard(plan.repo)
	}
	// The archive is stored before the project is made, so that one too
	// large leaves nothing.
	rnd := make([]byte, 16)
	if _, err := rand.Read(rnd); err != nil {
		return nil, err
	}
	key := "imports/" + hex.EncodeToString(rnd) + ".tar.gz"
	size, err := s.blobs.Put(ctx, key, io.LimitReader(archive, maxImportArchive+1))
	if err != nil {
		return nil, fmt.Errorf("service: store import archive: %w", err)
	}
	if size > maxImportArchive {
		s.removeBlob(ctx, key)
		return nil, TooLarge()
	}
	overwrite, err := s.importOverwriteTarget(ctx, id, plan, in)
	if err != nil {
		s.removeBlob(ctx, key)
		return nil, err
	}
	plan.p.ImportStatus = ieScheduled
	p, err := s.placeProject(ctx, id, plan)
	if err != nil {
		s.removeBlob(ctx, key)
		return nil, err
	}
	uid := id.User.ID
	q := s.db.Queries()
	if err := q.SetTransferState(ctx, "import", &store.TransferState{ProjectID: p.ID, Status: ieScheduled,
		BlobKey: key, UserID: &uid, OverwriteID: overwrite}); err != nil {
		return nil, err
	}
	if _, err := s.hookQueue.Insert(ctx, projectImportArgs{ProjectID: p.ID},
		&river.InsertOpts{Queue: importExportQueue, MaxAttempts: 1}); err != nil {
		s.failImport(context.WithoutCancel(ctx), p.ID, key, errors.New("could not queue the import"))
		return nil, fmt.Errorf("service: enqueue import: %w", err)
	}
	return &TransferStatus{Project: p, Status: ieScheduled}, nil
}

// importOverwriteTarget is the project an import with overwrite replaces:
// the one at the path it is given, which the caller must be allowed to
// remove (Owner), as GitLab's OverwriteProjectService destroys it. The
// import then builds its project at a temporary path (path-<hex>), and
// takes the path and name when it has finished (overwriteProject). No
// project there: an ordinary import.
func (s *Service) importOverwriteTarget(ctx context.Context, id *auth.Identity, plan *projectPlan, in ImportInput) (*int64, error) {
	if !in.Overwrite {
		return nil, nil
	}
	full := plan.ns.FullPath + "/" + plan.p.Path
	old, level, err := s.VisibleProject(ctx, id, full)
	if KindOf(err) == KindNotFound {
		return nil, nil // none, or one the caller cannot see: the path is taken then
	}
	if err != nil {
		return nil, err
	}
	if old.NamespaceID != plan.ns.ID || old.Path != plan.p.Path {
		return nil, nil // a redirect, not a project at this path
	}
	if level < access.Owner { // remove_project, as DeleteProject
		return nil, Forbidden("")
	}
	rnd := make([]byte, 4)
	if _, err := rand.Read(rnd); err != nil {
		return nil, err
	}
	suffix := "-" + hex.EncodeToString(rnd)
	plan.p.Path += suffix
	plan.p.Name += suffix
	return &old.ID, nil
}

// overwriteProject finishes an import with overwrite, in its
// transaction: the overwritten project is renamed out of the way and
// scheduled for deletion, and the imported one takes its path, and the
// name it was given.
func (s *Service) overwriteProject(ctx context.Context, q *store.Queries, p *model.Project, oldID int64) error {
	old, err := q.ProjectByID(ctx, oldID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	path := old.Path
	suffix, ok := strings.CutPrefix(p.Path, path)
	if !ok || old.NamespaceID != p.NamespaceID {
		return nil
	}
	old.Path += "-overwritten-" + strconv.FormatInt(old.ID, 10)
	old.Name += "-overwritten-" + strconv.FormatInt(old.ID, 10)
	if old.MarkedForDeletionOn == nil {
		today := s.Today()
		old.MarkedForDeletionOn = &today
	}
	if err := q.UpdateProject(ctx, old); err != nil {
		return err
	}
	p.Path, p.Name = path, strings.TrimSuffix(p.Name, suffix)
	return q.UpdateProject(ctx, p)
}

// ImportStatus answers GET /projects/:id/import: read_project, as GitLab.
func (s *Service) ImportStatus(ctx context.Context, id *auth.Identity, ref string) (*TransferStatus, error) {
	p, _, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	st, err := s.db.Queries().TransferStateOf(ctx, "import", p.ID)
	if errors.Is(err, store.ErrNotFound) {
		return &TransferStatus{Project: p, Status: p.ImportStatus}, nil
	}
	if err != nil {
		return nil, err
	}
	return &TransferStatus{Project: p, Status: st.Status, Error: st.Error}, nil
}

// setImportState writes an import's state to its row and the project's.
func (s *Service) setImportState(ctx context.Context, projectID int64, status, msg, key string) error {
	q := s.db.Queries()
	if err := q.SetTransferState(ctx, "import", &store.TransferState{ProjectID: projectID, Status: status,
		Error: msg, BlobKey: key}); err != nil {
		return err
	}
	return q.SetProjectImportStatus(ctx, projectID, status)
}

// failImport marks an import failed with its error and drops its archive.
func (s *Service) failImport(ctx context.Context, projectID int64, key string, cause error) {
	if key != "" {
		s.removeBlob(ctx, key)
	}
	if err := s.setImportState(ctx, projectID, ieFailed, cause.Error(), ""); err != nil {
		s.log.ErrorContext(ctx, "record failed import", "project_id", projectID, "err", err)
	}
}

// exportFileName is GitLab's name of an export download.
func exportFileName(fullPath string, at time.Time) string {
	return at.UTC().Format("2006-01-02_15-04-") + strconv.Itoa(at.Nanosecond()/1e6) + "_" +
		sanitizeExportName(fullPath) + "_export.tar.gz"
}

func sanitizeExportName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			b[i] = '_'
		}
	}
	return string(b)
}

// FileName is the download's file name.
func (a *ExportArchive) FileName() string { return exportFileName(a.fullPath, a.ModTime) }

// transferStuckAfter is when an import or export still waiting or running
// can no longer be: its run is cancelled at importExportTimeout, and a run
// whose instance died is given up at queueRescueAfter (and, tried once,
// not run again).
const transferStuckAfter = importExportTimeout + queueRescueAfter

// failStuckTransfers fails the imports and exports whose run ended without
// recording an outcome — its instance was killed or lost its database —
// which would otherwise show "started" for good, as GitLab's
// StuckImportJobsWorker does for imports. A failed import's archive is
// dropped; what it wrote before the crash stays for its owner to delete
// with the project.
func (s *Service) failStuckTransfers(ctx context.Context) error {
	q := s.db.Queries()
	before := s.Now().Add(-transferStuckAfter)
	secs := int(transferStuckAfter.Seconds())
	stuck, err := q.FailStaleTransfers(ctx, "import", []string{ieScheduled, ieStarted}, before,
		fmt.Sprintf("Import timed out. Import took longer than %d seconds", secs))
	if err != nil {
		return err
	}
	for _, t := range stuck {
		if t.BlobKey != "" {
			s.removeBlob(ctx, t.BlobKey)
		}
		if err := q.SetProjectImportStatus(ctx, t.ProjectID, ieFailed); err != nil {
			return err
		}
		s.log.WarnContext(ctx, "stuck project import failed", "project_id", t.ProjectID, "was", t.Status)
	}
	for _, kind := range []string{"export", "group_export"} {
		stuck, err := q.FailStaleTransfers(ctx, kind, []string{ieQueued, ieStarted}, before,
			fmt.Sprintf("Export timed out. Export took longer than %d seconds", secs))
		if err != nil {
			return err
		}
		for _, t := range stuck {
			s.log.WarnContext(ctx, "stuck export failed", "kind", kind, "id", t.ProjectID, "was", t.Status)
		}
	}
	return nil
}
