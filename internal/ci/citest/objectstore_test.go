package citest_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/blob/s3test"
	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// artifactsPipeline runs, in a new project named name, a pipeline whose
// job "build" keeps out/a.txt ("built <pipeline id>") as artifacts.
func artifactsPipeline(t *testing.T, s *labtest.Server, c *gitlab.Client, name string) (*gitlab.Project, *gitlab.PipelineInfo) {
	t.Helper()
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 1)
	yml := `
build:
  script: mkdir out && echo "built $CI_PIPELINE_ID" > out/a.txt
  artifacts:
    paths: [out/]
`
	p, info := pipelineProject(t, c, name, map[string]string{".gitlab-ci.yml": yml})
	if pl := pipelineWait(t, c, p.ID, info.ID, "success", "failed", "canceled"); pl.Status != "success" {
		t.Fatalf("pipeline: %s", pl.Status)
	}
	return p, info
}

// TestArtifactsOnObjectStore runs a job on a server whose blobs live in a
// real S3-compatible server (gofakes3 over TCP): its artifacts archive
// and trace land in the bucket, a file is read out of the archive (a zip
// read by seeking in the object), and nothing is under data/blobs.
func TestArtifactsOnObjectStore(t *testing.T) {
	t.Parallel()
	s3 := s3test.Start(t)
	s := labtest.Start(t, labtest.WithObjectStore(s3.URL()))
	c := s.Client(t, s.RootToken)
	p, info := artifactsPipeline(t, s, c, "artifacts-s3")
	f, _, err := c.Jobs.DownloadSingleArtifactsFileByTagOrBranch(p.ID, "main", "out/a.txt",
		&gitlab.DownloadArtifactsFileOptions{Job: gitlab.Ptr("build")})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(f); string(b) != "built "+strconv.FormatInt(info.ID, 10)+"\n" {
		t.Fatalf("artifact file = %q", b)
	}
	keys := s3.Keys(t, "")
	if len(keys) != 2 || !strings.Contains(keys[0], "/archive-") || !strings.HasSuffix(keys[1], "/job.log") {
		t.Fatalf("bucket holds %v, want the archive and the trace", keys)
	}
	var files []string
	_ = filepath.Walk(filepath.Join(s.Config.DataDir, "blobs"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 0 {
		t.Fatalf("files under data/blobs: %v", files)
	}
}

// TestArtifactsRedirectToObjectStore: with
// --object-store-proxy-download=false, a job's artifacts archive (by job
// id, and the ref's latest by job name) answers 302 to a presigned URL of
// the object store serving the archive, as an attachment; a file inside
// the archive stays proxied (GitLab reads it out of the zip); a caller
// who may not see the project gets 404, no URL.
func TestArtifactsRedirectToObjectStore(t *testing.T) {
	t.Parallel()
	s3 := s3test.Start(t)
	s := labtest.Start(t, labtest.WithObjectStore(s3.URL()), func(c *config.Config) { c.ObjectStoreProxyDownload = false })
	c := s.Client(t, s.RootToken)
	p, info := artifactsPipeline(t, s, c, "artifacts-redirect")
	jobs, _, err := c.Jobs.ListPipelineJobs(p.ID, info.ID, nil)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("jobs = %v %v", jobs, err)
	}
	want := "built " + strconv.FormatInt(info.ID, 10) + "\n"
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := s.URL + "/api/v4/projects/" + strconv.FormatInt(p.ID, 10) + "/jobs/"
	for _, u := range []string{base + strconv.FormatInt(jobs[0].ID, 10) + "/artifacts", base + "artifacts/main/download?job=build"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("PRIVATE-TOKEN", s.RootToken)
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusFound || !strings.Contains(loc, "/"+s3.Options.Bucket+"/") {
			t.Fatalf("GET %s = %d to %q, want 302 to the object store", u, resp.StatusCode, loc)
		}
		got, err := http.Get(loc)
		if err != nil {
			t.Fatal(err)
		}
		archive, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if got.StatusCode != http.StatusOK || !strings.Contains(got.Header.Get("Content-Disposition"), "artifacts.zip") {
			t.Fatalf("object store = %d %q", got.StatusCode, got.Header.Get("Content-Disposition"))
		}
		zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
		if err != nil {
			t.Fatal(err)
		}
		rc, err := zr.Open("out/a.txt")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != want {
			t.Fatalf("out/a.txt in the redirected archive = %q", b)
		}
	}
	// The official client follows the redirect; a file inside is proxied.
	rd, _, err := c.Jobs.GetJobArtifacts(p.ID, jobs[0].ID)
	if err != nil || rd.Size() == 0 {
		t.Fatalf("client archive: %v", err)
	}
	f, resp, err := c.Jobs.DownloadSingleArtifactsFileByTagOrBranch(p.ID, "main", "out/a.txt",
		&gitlab.DownloadArtifactsFileOptions{Job: gitlab.Ptr("build")})
	if err != nil || resp.Request.URL.Host != strings.TrimPrefix(s.URL, "http://") {
		t.Fatalf("raw file: %v", err)
	}
	if b, _ := io.ReadAll(f); string(b) != want {
		t.Fatalf("artifact file = %q", b)
	}
	// A private project's archive: 404 to an outsider.
	out := s.NewUser(t, "outsider-artifacts")
	s.Do(t, labtest.Request{Path: "/projects/" + strconv.FormatInt(p.ID, 10) + "/jobs/" + strconv.FormatInt(jobs[0].ID, 10) +
		"/artifacts", Token: out.Token}).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
}
