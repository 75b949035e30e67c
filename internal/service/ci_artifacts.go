package service

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/blob"
	"github.com/lablet/lablet/internal/ci/config"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// DefaultMaxArtifactsSize bounds one uploaded artifacts file unless the
// instance sets another (GitLab's default max_artifacts_size, 100 MB).
const DefaultMaxArtifactsSize = 100 << 20

// MaxArtifactsSize is the largest artifacts file a job may upload, in
// bytes.
func (s *Service) MaxArtifactsSize() int64 { return s.maxArtifactsSize }

// ArtifactUpload is a runner's POST /jobs/:id/artifacts.
type ArtifactUpload struct {
	Token    string
	Type     string // archive (default), junit, …
	Format   string // zip (default), gzip, raw
	ExpireIn string
	FileName string
	Body     io.Reader
}

// UploadArtifacts stores a running job's artifacts file; more than
// MaxArtifactsSize() is 413 and stores nothing.
func (s *Service) UploadArtifacts(ctx context.Context, jobID int64, in ArtifactUpload) (*model.JobArtifact, error) {
	j, err := s.RunnerJob(ctx, jobID, in.Token)
	if err != nil {
		return nil, err
	}
	if in.Type == "" {
		in.Type = artifactArchive
	}
	if in.Format == "" {
		in.Format = "zip"
	}
	switch in.Format {
	case "zip", "gzip", "raw":
	default:
		return nil, Invalid("artifact_format is invalid")
	}
	if !validArtifactType(in.Type) {
		return nil, Invalid("artifact_type is invalid")
	}
	name := path.Base(strings.ReplaceAll(in.FileName, "\\", "/"))
	if name == "" || name == "." || name == "/" {
		name = "artifacts.zip"
	}
	// A key of its own for each upload: a second upload of the same file
	// (a runner retrying) never writes under the blob the first one's row
	// names; the one replaced goes once the replacing row is committed.
	key := fmt.Sprintf("ci/%d/jobs/%d/%s-%s", j.ProjectID, j.ID, in.Type, randomHex(8))
	h := sha256.New()
	limited := &io.LimitedReader{R: io.TeeReader(in.Body, h), N: s.maxArtifactsSize + 1}
	size, err := s.blobs.Put(ctx, key, limited)
	if err != nil {
		return nil, fmt.Errorf("service: store artifacts: %w", err)
	}
	if size > s.maxArtifactsSize {
		_ = s.blobs.Delete(ctx, key)
		return nil, TooLarge()
	}
	a := &model.JobArtifact{ProjectID: j.ProjectID, JobID: j.ID, FileType: in.Type, FileFormat: in.Format,
		FileName: name, Size: size, FileSHA256: hex.EncodeToString(h.Sum(nil)), BlobKey: key}
	if in.ExpireIn != "" && in.ExpireIn != "never" {
		if d, ok := config.ParseDuration(in.ExpireIn); ok {
			at := s.Now().Add(d)
			a.ExpireAt = &at
		}
	}
	var replaced string
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		var err error
		if replaced, err = q.PutArtifact(ctx, a); err != nil {
			return err
		}
		if in.Type != artifactArchive {
			return nil
		}
		// The job's artifacts_expire_at is its archive's (GitLab's
		// build.artifacts_expire_at).
		return q.SetJobArtifactsExpireAt(ctx, j.ID, a.ExpireAt)
	})
	if err != nil {
		_ = s.blobs.Delete(ctx, key)
		return nil, err
	}
	if replaced != "" && replaced != key {
		_ = s.blobs.Delete(ctx, replaced)
	}
	s.statisticsChanged(ctx, j.ProjectID)
	return a, nil
}

// validArtifactType reports whether t is one of the artifact types
// lablet keeps (GitLab's Ci::JobArtifact file types it supports here).
func validArtifactType(t string) bool {
	switch t {
	case artifactArchive, "metadata", "junit", "coverage_report", "cobertura", "dotenv", "codequality",
		"sast", "dependency_scanning", "container_scanning", "dast", "license_scanning", "performance",
		"metrics", "terraform", "accessibility", "requirements", "cyclonedx", "annotations":
		return true
	}
	return false
}

// ArtifactFile is an artifacts archive to send, or the object store's
// URL serving it (URL set, Body nil) when downloads redirect there.
type ArtifactFile struct {
	Artifact *model.JobArtifact
	Body     io.ReadSeekCloser
	ModTime  time.Time
	URL      string
}

// RunnerArtifacts is the runner's GET /jobs/:id/artifacts: the archive of
// job id, for the job token (id, resolved by the adapter) of a running
// job of the same project (a dependency's artifacts).
func (s *Service) RunnerArtifacts(ctx context.Context, id *auth.Identity, jobID int64) (*ArtifactFile, error) {
	if id.CIJob == nil {
		return nil, auth.ErrUnauthorized
	}
	j, err := s.db.Queries().JobByID(ctx, jobID)
	if err != nil || j.ProjectID != id.CIJob.ProjectID {
		return nil, NotFound("")
	}
	return s.openArtifact(ctx, j, artifactArchive, false)
}

// JobArtifacts is GET /projects/:id/jobs/:job_id/artifacts; with
// redirected downloads, the archive's URL in the object store.
func (s *Service) JobArtifacts(ctx context.Context, id *auth.Identity, ref string, jobID int64) (*ArtifactFile, error) {
	return s.jobArtifacts(ctx, id, ref, jobID, s.redirectDownloads)
}

func (s *Service) jobArtifacts(ctx context.Context, id *auth.Identity, ref string, jobID int64, redirect bool) (*ArtifactFile, error) {
	v, err := s.jobFor(ctx, id, ref, jobID, access.ReadPipeline)
	if err != nil {
		return nil, err
	}
	return s.openArtifact(ctx, v.Job, artifactArchive, redirect)
}

// LatestArtifacts is GET /projects/:id/jobs/artifacts/:ref/download?job=:
// the archive of the named job of the ref's newest successful pipeline
// (with redirected downloads, its URL in the object store).
func (s *Service) LatestArtifacts(ctx context.Context, id *auth.Identity, projectRef, ref, jobName string) (*ArtifactFile, error) {
	return s.latestArtifacts(ctx, id, projectRef, ref, jobName, s.redirectDownloads)
}

func (s *Service) latestArtifacts(ctx context.Context, id *auth.Identity, projectRef, ref, jobName string, redirect bool) (*ArtifactFile, error) {
	p, _, err := s.ciProject(ctx, id, projectRef, access.ReadPipeline)
	if err != nil {
		return nil, err
	}
	q := s.db.Queries()
	jobs, err := q.LatestSuccessfulJobs(ctx, p.ID, ref, jobName)
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		if f, err := s.openArtifact(ctx, j, artifactArchive, redirect); err == nil {
			return f, nil
		}
	}
	return nil, NotFound("")
}

// ArtifactEntry is GET …/artifacts/*artifact_path: one file of a job's
// archive, streamed from the zip (at most MaxArtifactsSize() of it, whatever
// its header claims). The caller closes it.
func (s *Service) ArtifactEntry(ctx context.Context, id *auth.Identity, ref string, jobID int64, name string) (io.ReadCloser, int64, error) {
	f, err := s.jobArtifacts(ctx, id, ref, jobID, false)
	if err != nil {
		return nil, 0, err
	}
	return s.artifactEntry(f, name)
}

// LatestArtifactEntry is GET /projects/:id/jobs/artifacts/:ref/raw/*path?job=:
// one file of the archive LatestArtifacts finds. The caller closes it.
func (s *Service) LatestArtifactEntry(ctx context.Context, id *auth.Identity, projectRef, ref, jobName, name string) (io.ReadCloser, int64, error) {
	f, err := s.latestArtifacts(ctx, id, projectRef, ref, jobName, false)
	if err != nil {
		return nil, 0, err
	}
	return s.artifactEntry(f, name)
}

// artifactEntry opens the file name of archive f, which it closes with
// the file (or at once when there is no such file).
func (s *Service) artifactEntry(f *ArtifactFile, name string) (io.ReadCloser, int64, error) {
	if f.Artifact.FileFormat != "zip" {
		f.Body.Close()
		return nil, 0, NotFound("")
	}
	zr, err := zip.NewReader(readerAt{f.Body}, f.Artifact.Size)
	if err != nil {
		f.Body.Close()
		return nil, 0, NotFound("")
	}
	for _, e := range zr.File {
		if e.Name != name || e.FileInfo().IsDir() {
			continue
		}
		rc, err := e.Open()
		if err != nil {
			break
		}
		size := min(int64(e.UncompressedSize64), s.maxArtifactsSize)
		return entryReader{Reader: io.LimitReader(rc, size), closers: []io.Closer{rc, f.Body}}, size, nil
	}
	f.Body.Close()
	return nil, 0, NotFound("")
}

// entryReader reads one zip entry and closes it and its archive.
type entryReader struct {
	io.Reader
	closers []io.Closer
}

func (r entryReader) Close() error {
	for _, c := range r.closers {
		c.Close()
	}
	return nil
}

// readerAt reads a seekable blob at offsets (zip wants io.ReaderAt).
type readerAt struct{ r io.ReadSeeker }

func (r readerAt) ReadAt(p []byte, off int64) (int, error) {
	if _, err := r.r.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return io.ReadFull(r.r, p)
}

// openArtifact opens job j's artifact of fileType, or with redirect
// (and a blob store that presigns) makes its URL in the object store.
func (s *Service) openArtifact(ctx context.Context, j *model.Job, fileType string, redirect bool) (*ArtifactFile, error) {
	if j.ErasedAt != nil {
		return nil, NotFound("")
	}
	arts, err := s.db.Queries().ArtifactsOfJobs(ctx, []int64{j.ID})
	if err != nil {
		return nil, err
	}
	for _, a := range arts {
		if a.FileType != fileType {
			continue
		}
		if a.ExpireAt != nil && a.ExpireAt.Before(s.Now()) {
			return nil, NotFound("")
		}
		if redirect {
			u, err := s.downloadURL(ctx, a.BlobKey, blob.ResponseHeaders{
				ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": a.FileName})})
			if errors.Is(err, blob.ErrNotFound) {
				return nil, NotFound("")
			}
			if err != nil {
				return nil, err
			}
			if u != "" {
				return &ArtifactFile{Artifact: a, URL: u}, nil
			}
		}
		body, info, err := s.blobs.Open(ctx, a.BlobKey)
		if errors.Is(err, blob.ErrNotFound) {
			return nil, NotFound("")
		}
		if err != nil {
			return nil, err
		}
		return &ArtifactFile{Artifact: a, Body: body, ModTime: info.ModTime}, nil
	}
	return nil, NotFound("")
}

// KeepJobArtifacts is POST /projects/:id/jobs/:job_id/artifacts/keep: the
// job's artifacts no longer expire. A job without a live archive is 404,
// as GitLab's build.artifacts? decides.
func (s *Service) KeepJobArtifacts(ctx context.Context, id *auth.Identity, ref string, jobID int64) (*JobView, error) {
	v, err := s.jobFor(ctx, id, ref, jobID, access.UpdatePipeline)
	if err != nil {
		return nil, err
	}
	q := s.db.Queries()
	arts, err := q.ArtifactsOfJobs(ctx, []int64{jobID})
	if err != nil {
		return nil, err
	}
	now := s.Now()
	live := v.Job.ErasedAt == nil && slices.ContainsFunc(arts, func(a *model.JobArtifact) bool {
		return a.FileType == artifactArchive && (a.ExpireAt == nil || a.ExpireAt.After(now))
	})
	if !live {
		return nil, NotFound("")
	}
	if err := q.KeepArtifacts(ctx, jobID); err != nil {
		return nil, err
	}
	return s.jobFor(ctx, id, ref, jobID, access.ReadPipeline)
}

// DeleteJobArtifacts is DELETE /projects/:id/jobs/:job_id/artifacts: the
// job's erasable files go (its log stays; erasing the job removes that).
func (s *Service) DeleteJobArtifacts(ctx context.Context, id *auth.Identity, ref string, jobID int64) error {
	v, err := s.jobFor(ctx, id, ref, jobID, access.DestroyArtifacts)
	if err != nil {
		return err
	}
	q := s.db.Queries()
	arts, err := q.ArtifactsOfJobs(ctx, []int64{jobID})
	if err != nil {
		return err
	}
	var types []string
	for _, a := range arts {
		if a.FileType != artifactTrace && !slices.Contains(types, a.FileType) {
			types = append(types, a.FileType)
		}
	}
	if len(types) == 0 {
		return nil
	}
	keys, err := q.DeleteArtifacts(ctx, jobID, types...)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := s.blobs.Delete(ctx, k); err != nil && !errors.Is(err, blob.ErrNotFound) {
			s.log.Error("delete artifact blob", "key", k, "err", err)
		}
	}
	s.statisticsChanged(ctx, v.Job.ProjectID)
	return nil
}

// DeleteProjectArtifacts is DELETE /projects/:id/artifacts (202): as
// GitLab's DeleteProjectArtifactsService, the project's erasable
// artifacts expire now, but those of each ref's newest successful
// pipeline, and the background expiry removes them.
func (s *Service) DeleteProjectArtifacts(ctx context.Context, id *auth.Identity, ref string) error {
	p, _, err := s.ciProject(ctx, id, ref, access.DestroyArtifacts)
	if err != nil {
		return err
	}
	_, err = s.db.Queries().ExpireProjectArtifacts(ctx, p.ID, s.Now())
	return err
}
