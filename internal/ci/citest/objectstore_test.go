package citest_test

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/blob/s3test"
	"github.com/lablet/lablet/internal/labtest"
)

// TestArtifactsOnObjectStore runs a job on a server whose blobs live in a
// real S3-compatible server (gofakes3 over TCP): its artifacts archive
// and trace land in the bucket, a file is read out of the archive (a zip
// read by seeking in the object), and nothing is under data/blobs.
func TestArtifactsOnObjectStore(t *testing.T) {
	t.Parallel()
	s3 := s3test.Start(t)
	s := labtest.Start(t, labtest.WithObjectStore(s3.URL()))
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 1)
	yml := `
build:
  script: mkdir out && echo "built $CI_PIPELINE_ID" > out/a.txt
  artifacts:
    paths: [out/]
`
	p, info := pipelineProject(t, c, "artifacts-s3", map[string]string{".gitlab-ci.yml": yml})
	if pl := pipelineWait(t, c, p.ID, info.ID, "success", "failed", "canceled"); pl.Status != "success" {
		t.Fatalf("pipeline: %s", pl.Status)
	}
	f, _, err := c.Jobs.DownloadSingleArtifactsFileByTagOrBranch(p.ID, "main", "out/a.txt",
		&gitlab.DownloadArtifactsFileOptions{Job: gitlab.Ptr("build")})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(f); string(b) != "built "+strconv.FormatInt(info.ID, 10)+"\n" {
		t.Fatalf("artifact file = %q", b)
	}
	keys := s3.Keys(t, "")
	if len(keys) != 2 || !strings.HasSuffix(keys[0], "/archive") || !strings.HasSuffix(keys[1], "/job.log") {
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
