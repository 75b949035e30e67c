package citest_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/lablet/lablet/internal/labtest"
)

// TestArtifactsUploadedAgainAtOnce: a runner uploading a job's artifacts
// again while other uploads of them run (retries) gets 201 each time;
// the job then has one archive, whole as one upload sent it, and the
// blobs of the archives replaced are gone.
func TestArtifactsUploadedAgainAtOnce(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	p, _ := pipelineProject(t, c, "retried", map[string]string{".gitlab-ci.yml": "job:\n  script: [echo hi]\n"})
	id, token := jobTokenRunning(t, s, pipelineRunnerToken(t, s))
	upload := func(content []byte) error {
		b, ct := artifactsForm(content)
		req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/v4/jobs/%d/artifacts", s.URL, id), b)
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", ct)
		req.Header.Set("JOB-TOKEN", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("upload: %d %s", resp.StatusCode, body)
		}
		return nil
	}
	contents := [][]byte{bytes.Repeat([]byte("first "), 20000)}
	if err := upload(contents[0]); err != nil {
		t.Fatal(err)
	}
	const n = 6
	for k := range n {
		contents = append(contents, bytes.Repeat([]byte(fmt.Sprintf("retry %d ", k)), 20000))
	}
	errs := labtest.AtOnce(n, func(k int) error { return upload(contents[k+1]) })
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rd, _, err := c.Jobs.GetJobArtifacts(p.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rd)
	whole := false
	for _, want := range contents[1:] {
		whole = whole || bytes.Equal(got, want)
	}
	if !whole {
		t.Fatalf("archive after the retries is none of the uploads (%d bytes: %.20q…)", len(got), got)
	}
	var blobs []string
	dir := filepath.Join(s.Config.DataDir, "blobs", "ci", fmt.Sprint(p.ID), "jobs", fmt.Sprint(id))
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		blobs = append(blobs, e.Name())
	}
	if len(blobs) != 1 {
		t.Fatalf("job's blobs after the retries: %v, want the one archive", blobs)
	}
}
