package citest_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// oneMB is a server whose artifacts limit is 1 MB.
func oneMB(c *config.Config) { c.MaxArtifactsSize = 1 }

// artifactsBody is a multipart artifacts upload of n bytes of file.
func artifactsBody(t *testing.T, n int) (*bytes.Buffer, string) {
	t.Helper()
	return artifactsForm(bytes.Repeat([]byte("x"), n))
}

// artifactsForm is a multipart artifacts upload of content and its
// content type (writing to a bytes.Buffer cannot fail).
func artifactsForm(content []byte) (*bytes.Buffer, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	part, _ := mw.CreateFormFile("file", "artifacts.zip")
	part.Write(content)
	mw.Close()
	return &b, mw.FormDataContentType()
}

// TestArtifactsSizeLimit: an artifacts upload over --max-artifacts-size
// is GitLab's 413, whether the request announces its size (answered
// before the body is read) or streams it chunked, and stores nothing;
// one within the limit is stored.
func TestArtifactsSizeLimit(t *testing.T) {
	s := labtest.Start(t, oneMB)
	c := s.Client(t, s.RootToken)
	p, _ := pipelineProject(t, c, "limited", map[string]string{".gitlab-ci.yml": "job:\n  script: [echo hi]\n"})
	id, token := jobTokenRunning(t, s, pipelineRunnerToken(t, s))
	url := fmt.Sprintf("%s/api/v4/jobs/%d/artifacts", s.URL, id)
	const tooLarge = `{"message":"413 Request Entity Too Large"}`

	// Announced: the answer comes before the body is sent.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v4/jobs/%d/artifacts HTTP/1.1\r\nHost: x\r\nJOB-TOKEN: %s\r\n"+
		"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n", id, token, 3<<20)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to an announced 3 MB upload: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || strings.TrimSpace(string(body)) != tooLarge {
		t.Errorf("announced 3 MB: %d %s", resp.StatusCode, body)
	}
	// With a wrong job token the token answers first.
	r := s.Do(t, labtest.Request{Method: "POST", Path: fmt.Sprintf("/jobs/%d/artifacts", id), Header: map[string]string{"JOB-TOKEN": "wrong"},
		RawBody: strings.Repeat("x", 3<<20), ContentType: "multipart/form-data; boundary=b"})
	if r.Status != 403 {
		t.Errorf("announced 3 MB with a wrong token: %d %s", r.Status, r.Body)
	}

	// Streamed without a length: cut at the limit.
	b, ct := artifactsBody(t, 1<<20+1)
	req, _ := http.NewRequest(http.MethodPost, url, io.MultiReader(b)) // no ContentLength: chunked
	req.Header.Set("Content-Type", ct)
	req.Header.Set("JOB-TOKEN", token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || strings.TrimSpace(string(body)) != tooLarge {
		t.Errorf("streamed 1 MB + 1: %d %s", resp.StatusCode, body)
	}
	if _, r, err := c.Jobs.GetJobArtifacts(p.ID, id); err == nil || r.StatusCode != 404 {
		t.Errorf("artifacts after refused uploads: %v", err)
	}

	// Exactly the limit is taken.
	b, ct = artifactsBody(t, 1<<20)
	req, _ = http.NewRequest(http.MethodPost, url, b)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("JOB-TOKEN", token)
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != 201 {
		t.Fatalf("1 MB: %v %v", resp.Status, err)
	}
	resp.Body.Close()
}

// TestArtifactsSizeLimitWithRunner: the built-in runner reports a 413 as
// GitLab Runner does, and the job fails.
func TestArtifactsSizeLimitWithRunner(t *testing.T) {
	s := labtest.Start(t, oneMB)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 1)
	yml := "big:\n  script:\n    - head -c 3000000 /dev/urandom > big.bin\n  artifacts:\n    paths: [big.bin]\n"
	p, info := pipelineProject(t, c, "big", map[string]string{".gitlab-ci.yml": yml})
	pl := pipelineWait(t, c, p.ID, info.ID, "success", "failed")
	job := pipelineJobs(t, c, p.ID, pl.ID)["big"]
	trace := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(pipelineTrace(t, c, p.ID, job.ID), "")
	if pl.Status != "failed" || job.Status != "failed" ||
		!strings.Contains(trace, `Uploading artifacts as "archive" to coordinator... too large archive`) ||
		!strings.Contains(trace, "responseStatus=413 Request Entity Too Large") || !strings.Contains(trace, "FATAL: too large") {
		t.Errorf("pipeline %s, job %s, trace:\n%s", pl.Status, job.Status, trace)
	}
	if _, r, err := c.Jobs.GetJobArtifacts(p.ID, job.ID); err == nil || r.StatusCode != 404 {
		t.Errorf("artifacts of the refused upload: %v", err)
	}
}
