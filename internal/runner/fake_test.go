package runner

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/template"

	"github.com/lablet/lablet/internal/ci/protocol"
)

// fakeGitLab answers the runner protocol as GitLab documents it
// (lib/api/ci/runner.rb) and records what the runner sent.
type fakeGitLab struct {
	t   *testing.T
	srv *httptest.Server

	repoDir string // bare repository served at /group/app.git
	sha     string

	mu          sync.Mutex
	queue       []*fakeJob
	jobs        map[int64]*fakeJob
	requests    []protocol.JobRequest
	polls       int
	forbidPolls bool
	conflicts   int // polls after the first answered 409, as when another runner took the job

	afterScript  []string // of the jobs added next; nil: echo the job's status
	afterTimeout string   // their RUNNER_AFTER_SCRIPT_TIMEOUT
	gitAuth      []string // Authorization headers git sent
	depTokens    []string // JOB-TOKEN headers of artifact downloads
}

// fakeJob is one job handed out and what the runner reported of it.
type fakeJob struct {
	id    int64
	token string
	body  []byte

	cancelOnPatch bool // answer patches with Job-Status: canceled
	forbidOnPatch bool // answer patches 403, as GitLab does for a job no longer running
	lose416       bool // keep only part of the first patch and answer 416

	trace     bytes.Buffer
	patches   []fakePatch
	saw416    bool
	finalPuts int
	final     *protocol.UpdateJobRequest
	uploads   []fakeUpload
	done      chan struct{}
}

type fakePatch struct {
	contentRange, jobToken string
	size                   int
}

type fakeUpload struct {
	query    map[string]string
	filename string
	data     []byte
}

func newFakeGitLab(t *testing.T) *fakeGitLab {
	f := &fakeGitLab{t: t, jobs: map[int64]*fakeJob{}}
	f.repoDir, f.sha = makeRepo(t)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// makeRepo creates a bare repository with one commit on main, also
// under refs/pipelines/<id> as GitLab keeps it for the pipelines.
func makeRepo(t *testing.T) (string, string) {
	t.Helper()
	root := t.TempDir()
	work := filepath.Join(root, "work")
	run := func(dir string, args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@x", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@x")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	os.Mkdir(work, 0o755)
	run(work, "init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(work, "README.md"), []byte("hello from git\n"), 0o644)
	run(work, "add", "README.md")
	run(work, "commit", "-q", "-m", "init")
	sha := run(work, "rev-parse", "HEAD")
	bare := filepath.Join(root, "group", "app.git")
	run(root, "clone", "-q", "--bare", work, bare)
	for _, id := range []string{"1", "2", "3", "4", "5"} {
		run(bare, "update-ref", "refs/pipelines/"+id, sha)
	}
	return filepath.Join(root), sha
}

// jobSpec fills testdata/job.json.
type jobSpec struct {
	ID           int64
	Token        string
	RepoURL      string
	Sha          string
	Timeout      int
	GitStrategy  string
	Script       string // a JSON array
	AfterScript  string // a JSON array
	AfterTimeout string
}

// addJob queues a job with the given script lines.
func (f *fakeGitLab) addJob(id int64, script []string, timeout int, gitStrategy string) *fakeJob {
	f.t.Helper()
	tpl := template.Must(template.ParseFiles("testdata/job.json"))
	lines, _ := json.Marshal(script)
	after, _ := json.Marshal(f.afterScript)
	if f.afterScript == nil {
		after = []byte(`["echo after $CI_JOB_STATUS"]`)
	}
	token := "glcbt-64_jobtoken" + strconv.FormatInt(id, 10)
	u := strings.Replace(f.srv.URL, "http://", "http://gitlab-ci-token:"+token+"@", 1) + "/group/app.git"
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, jobSpec{ID: id, Token: token, RepoURL: u, Sha: f.sha, Timeout: timeout, GitStrategy: gitStrategy, Script: string(lines),
		AfterScript: string(after), AfterTimeout: f.afterTimeout}); err != nil {
		f.t.Fatal(err)
	}
	if !json.Valid(buf.Bytes()) {
		f.t.Fatalf("job.json is not JSON:\n%s", buf.String())
	}
	j := &fakeJob{id: id, token: token, body: buf.Bytes(), done: make(chan struct{})}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, j)
	f.jobs[id] = j
	return j
}

func (f *fakeGitLab) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/group/app.git") {
		f.serveGit(w, r)
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/api/v4/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	parts := strings.Split(path, "/")
	switch {
	case r.Method == http.MethodPost && path == "jobs/request":
		f.requestJob(w, r)
	case len(parts) == 2 && parts[0] == "jobs" && r.Method == http.MethodPut:
		f.withJob(w, r, parts[1], f.updateJob)
	case len(parts) == 3 && parts[2] == "trace" && r.Method == http.MethodPatch:
		f.withJob(w, r, parts[1], f.patchTrace)
	case len(parts) == 3 && parts[2] == "artifacts" && r.Method == http.MethodGet:
		f.depTokens = append(f.depTokens, r.Header.Get("JOB-TOKEN"))
		w.Write(zipOf(f.t, map[string]string{"dep/out.txt": "from-dependency\n"}))
	case len(parts) == 3 && parts[2] == "artifacts" && r.Method == http.MethodPost:
		f.withJob(w, r, parts[1], f.uploadArtifacts)
	default:
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"404 Not Found"}`))
	}
}

func (f *fakeGitLab) requestJob(w http.ResponseWriter, r *http.Request) {
	var req protocol.JobRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.requests = append(f.requests, req)
	f.polls++
	if f.forbidPolls {
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"message":"403 Forbidden"}`))
		return
	}
	if f.polls > 1 && f.conflicts > 0 {
		f.conflicts--
		w.WriteHeader(http.StatusConflict)
		return
	}
	// The first poll finds nothing, as a runner's first poll often does.
	if f.polls == 1 || len(f.queue) == 0 {
		w.Header().Set("X-GitLab-Last-Update", "lu-"+strconv.Itoa(f.polls))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	j := f.queue[0]
	f.queue = f.queue[1:]
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write(j.body)
}

// withJob checks the job's token (JOB-TOKEN header or token field).
func (f *fakeGitLab) withJob(w http.ResponseWriter, r *http.Request, idText string, h func(http.ResponseWriter, *http.Request, *fakeJob)) {
	id, _ := strconv.ParseInt(idText, 10, 64)
	j := f.jobs[id]
	if j == nil {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	h(w, r, j)
}

func (f *fakeGitLab) patchTrace(w http.ResponseWriter, r *http.Request, j *fakeJob) {
	body, _ := io.ReadAll(r.Body)
	cr := r.Header.Get("Content-Range")
	j.patches = append(j.patches, fakePatch{contentRange: cr, jobToken: r.Header.Get("JOB-TOKEN"), size: len(body)})
	if r.Header.Get("JOB-TOKEN") != j.token || j.final != nil || j.forbidOnPatch {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	var start, end int
	if _, err := fmt.Sscanf(cr, "%d-%d", &start, &end); err != nil || end-start+1 != len(body) {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	w.Header().Set("X-GitLab-Trace-Update-Interval", "1")
	if start != j.trace.Len() {
		w.Header().Set("Range", fmt.Sprintf("0-%d", j.trace.Len()))
		w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
		return
	}
	if j.lose416 && !j.saw416 && len(body) > 4 {
		// Keep half and tell the runner where the server's log ends.
		j.saw416 = true
		j.trace.Write(body[:len(body)/2])
		w.Header().Set("Range", fmt.Sprintf("0-%d", j.trace.Len()))
		w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
		return
	}
	j.trace.Write(body)
	w.Header().Set("Range", fmt.Sprintf("0-%d", j.trace.Len()))
	if j.cancelOnPatch {
		w.Header().Set("Job-Status", "canceled")
	} else {
		w.Header().Set("Job-Status", "running")
	}
	w.WriteHeader(http.StatusAccepted)
}

func (f *fakeGitLab) updateJob(w http.ResponseWriter, r *http.Request, j *fakeJob) {
	var req protocol.UpdateJobRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Token != j.token {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	if req.State == protocol.StateRunning {
		w.Header().Set("Job-Status", "running")
		w.WriteHeader(http.StatusOK)
		return
	}
	j.finalPuts++
	if j.forbidOnPatch { // the job is over: GitLab refuses its updates
		if j.final == nil {
			j.final = &req
			close(j.done)
		}
		w.WriteHeader(http.StatusForbidden)
		return
	}
	if j.finalPuts == 1 {
		// GitLab answers 202 while it has not got the whole trace yet.
		w.Header().Set("X-GitLab-Trace-Update-Interval", "1")
		w.WriteHeader(http.StatusAccepted)
		return
	}
	want := fmt.Sprintf("crc32:%08x", crc32.ChecksumIEEE(j.trace.Bytes()))
	if req.Output.Checksum != want || req.Output.Bytesize != int64(j.trace.Len()) {
		f.t.Errorf("job %d: final output %+v, the server has %s and %d bytes", j.id, req.Output, want, j.trace.Len())
	}
	if j.final == nil {
		j.final = &req
		close(j.done)
	}
	w.WriteHeader(http.StatusOK)
}

func (f *fakeGitLab) uploadArtifacts(w http.ResponseWriter, r *http.Request, j *fakeJob) {
	if r.Header.Get("JOB-TOKEN") != j.token {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(file)
	q := map[string]string{}
	for k := range r.URL.Query() {
		q[k] = r.URL.Query().Get(k)
	}
	j.uploads = append(j.uploads, fakeUpload{query: q, filename: hdr.Filename, data: data})
	w.WriteHeader(http.StatusCreated)
	w.Write([]byte(`{}`))
}

// serveGit serves the repository with git http-backend, after checking
// the job token git must send.
func (f *fakeGitLab) serveGit(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	f.mu.Lock()
	f.gitAuth = append(f.gitAuth, auth)
	f.mu.Unlock()
	if auth == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="GitLab"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	gitExec, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		f.t.Error(err)
		return
	}
	h := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(gitExec)), "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + f.repoDir, "GIT_HTTP_EXPORT_ALL=1"},
	}
	h.ServeHTTP(w, r)
}

func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func zipOf(t *testing.T, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Error(err)
		}
		io.WriteString(w, body)
	}
	zw.Close()
	return buf.Bytes()
}

// snapshot copies what the fake recorded of a job, under its lock.
func (f *fakeGitLab) snapshot(j *fakeJob) (trace string, patches []fakePatch, uploads []fakeUpload, final *protocol.UpdateJobRequest) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return j.trace.String(), append([]fakePatch(nil), j.patches...), append([]fakeUpload(nil), j.uploads...), j.final
}
