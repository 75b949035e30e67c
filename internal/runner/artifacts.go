package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/lablet/lablet/internal/ci/protocol"
)

// maxArtifactDownload bounds a dependency's archive on disk.
const maxArtifactDownload = 1 << 30

// downloadArtifacts fetches and unpacks, into dir, the artifacts of each
// dependency that has some, with this job's token.
func downloadArtifacts(ctx context.Context, c *client, job *protocol.JobResponse, dir, tmpDir string, out *jobTrace) error {
	for _, dep := range job.Dependencies {
		if dep.ArtifactsFile.Filename == "" {
			continue
		}
		out.Printf("%sDownloading artifacts for %s (%d)...%s", ansiGreen, dep.Name, dep.ID, ansiReset)
		file := filepath.Join(tmpDir, "artifacts-"+strconv.FormatInt(dep.ID, 10)+".zip")
		err := c.downloadArtifacts(ctx, dep.ID, job.Token, file)
		if err == nil {
			err = extractZip(file, dir)
		}
		os.Remove(file)
		if err != nil {
			out.Printf("%sERROR: Downloading artifacts for %s (%d) failed: %v%s", ansiRed, dep.Name, dep.ID, err, ansiReset)
			return fmt.Errorf("artifacts of job %d: %w", dep.ID, err)
		}
		out.Printf("Downloading artifacts from coordinator... ok  %sid%s=%d", ansiCyan, ansiReset, dep.ID)
	}
	return nil
}

// downloadArtifacts is GET /jobs/:id/artifacts with JOB-TOKEN, into file.
func (c *client) downloadArtifacts(ctx context.Context, id int64, token, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"jobs/"+strconv.FormatInt(id, 10)+"/artifacts", nil)
	if err != nil {
		return err
	}
	req.Header.Set(protocol.HeaderJobToken, token)
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
		return statusError("download artifacts", &response{status: res.StatusCode, body: body})
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(res.Body, maxArtifactDownload+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > maxArtifactDownload {
		err = fmt.Errorf("archive larger than %d bytes", maxArtifactDownload)
	}
	return err
}

// uploadArtifacts archives and uploads each artifact whose when matches
// the job's outcome. An artifact that matches no file is skipped with a
// warning, as GitLab Runner does; a refused upload fails the job.
func uploadArtifacts(ctx context.Context, c *client, job *protocol.JobResponse, dir, tmpDir string, failed bool, out *jobTrace) error {
	var errs []error
	for i, a := range job.Artifacts {
		if !whenMatches(a.When, failed) {
			continue
		}
		typ, format, name := artifactKind(a)
		include, warnings := compilePatterns(a.Paths)
		exclude, exWarnings := compilePatterns(a.Exclude)
		names, missing, err := selectFiles(ctx, dir, fileSet{include: include, exclude: exclude, untracked: a.Untracked})
		for _, w := range append(append(warnings, exWarnings...), missing...) {
			out.Printf("%sWARNING: %s%s", ansiYellow, w, ansiReset)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(names) == 0 {
			out.Printf("%sERROR: No files to upload%s", ansiRed, ansiReset)
			continue
		}
		file := filepath.Join(tmpDir, "upload-"+strconv.Itoa(i))
		if err := writeArchive(file, dir, names, format); err != nil {
			errs = append(errs, err)
			continue
		}
		err = c.uploadArtifacts(ctx, job.ID, job.Token, file, name, url.Values{
			"artifact_type":   {typ},
			"artifact_format": {format},
			"expire_in":       nonEmpty(a.ExpireIn),
		})
		os.Remove(file)
		if errors.Is(err, errArtifactsTooLarge) {
			// GitLab Runner's words for a 413; retrying cannot help.
			out.Printf("%sERROR: Uploading artifacts as %q to coordinator... too large archive%s  %sid%s=%d %sresponseStatus%s=413 Request Entity Too Large %sstatus%s=413",
				ansiRed, typ, ansiReset, ansiCyan, ansiReset, job.ID, ansiCyan, ansiReset, ansiCyan, ansiReset)
			out.Printf("%sFATAL: too large%s", ansiRed, ansiReset)
			errs = append(errs, err)
			continue
		}
		if err != nil {
			out.Printf("%sERROR: Uploading artifacts as %q to coordinator... %v%s", ansiRed, typ, err, ansiReset)
			errs = append(errs, err)
			continue
		}
		out.Printf("Uploading artifacts as %q to coordinator... 201 Created  %sid%s=%d", typ, ansiCyan, ansiReset, job.ID)
	}
	return errors.Join(errs...)
}

func nonEmpty(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

// artifactKind is an artifact's type, format and file name, with GitLab
// Runner's defaults: archive in zip named artifacts.zip.
func artifactKind(a protocol.Artifact) (typ, format, name string) {
	typ, format, name = a.Type, a.Format, a.Name
	if typ == "" {
		typ = "archive"
	}
	if format == "" {
		format = "zip"
	}
	if name == "" {
		name = "artifacts"
	}
	switch format {
	case "zip":
		name += ".zip"
	case "gzip":
		name += ".gz"
	}
	return typ, format, filepath.Base(name)
}

func writeArchive(file, dir string, names []string, format string) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create archive: %w", err)
	}
	switch format {
	case "gzip":
		err = writeGzip(f, dir, names)
	case "zip":
		err = writeZip(f, dir, names)
	default:
		err = fmt.Errorf("artifact format %q is not supported", format)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// errArtifactsTooLarge is the server's 413 to an artifacts upload.
var errArtifactsTooLarge = errors.New("upload artifacts: too large archive")

// uploadArtifacts is POST /jobs/:id/artifacts, multipart field "file",
// retried on failures other than 403 and 413.
func (c *client) uploadArtifacts(ctx context.Context, id int64, token, file, name string, query url.Values) error {
	var err error
	for attempt := range 3 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt) * time.Second):
			}
		}
		var status int
		status, err = c.uploadOnce(ctx, id, token, file, name, query)
		if err == nil || status == http.StatusForbidden || status == http.StatusRequestEntityTooLarge {
			return err
		}
	}
	return err
}

func (c *client) uploadOnce(ctx context.Context, id int64, token, file, name string, query url.Values) (int, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("file", name)
		if err == nil {
			_, err = io.Copy(part, f)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	u := c.base + "jobs/" + strconv.FormatInt(id, 10) + "/artifacts?" + query.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, pr)
	if err != nil {
		pr.Close()
		return 0, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set(protocol.HeaderJobToken, token)
	res, err := c.http.Do(req)
	if err != nil {
		pr.CloseWithError(err)
		return 0, err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode == http.StatusRequestEntityTooLarge {
		return res.StatusCode, errArtifactsTooLarge
	}
	if res.StatusCode != http.StatusCreated {
		return res.StatusCode, statusError("upload artifacts", &response{status: res.StatusCode, body: body})
	}
	return res.StatusCode, nil
}

// whenMatches: artifacts:when and cache:when against the job's outcome.
func whenMatches(when string, failed bool) bool {
	switch when {
	case protocol.WhenAlways:
		return true
	case protocol.WhenOnFailure:
		return failed
	}
	return !failed
}
