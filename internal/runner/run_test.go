package runner

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/ci/protocol"
)

// startRunner runs Run against the fake server until the test ends.
func startRunner(t *testing.T, f *fakeGitLab) (cfg Config, stop func() error) {
	t.Helper()
	dir := t.TempDir()
	cfg = Config{
		Concurrent:   1,
		PollInterval: 100 * time.Millisecond,
		Version:      "test",
		Runners: []RunnerConfig{{
			Name: "test-runner", URL: f.srv.URL, Token: "glrt-runner-token",
			BuildsDir: filepath.Join(dir, "builds"), CacheDir: filepath.Join(dir, "cache"),
		}},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	go func() { done <- Run(ctx, cfg, log) }()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not return after its context ended")
			return nil
		}
	}
	t.Cleanup(func() { stop() })
	return cfg, stop
}

func waitDone(t *testing.T, j *fakeJob, within time.Duration) {
	t.Helper()
	select {
	case <-j.done:
	case <-time.After(within):
		t.Fatalf("job %d not finished after %s", j.id, within)
	}
}

var contentRange = regexp.MustCompile(`^(\d+)-(\d+)$`)

// A whole job, as a runner receives it from GitLab: the requests the
// runner sends, its trace, artifacts, cache and final update.
func TestRunJobProtocol(t *testing.T) {
	f := newFakeGitLab(t)
	j := f.addJob(1, []string{
		"echo hello",
		"echo secret=$SECRET_VALUE",
		"cat $FILE_VAR; echo",
		"echo raw=$RAW_VAR exp=$EXPANDED",
		`if grep -rqF "$CI_JOB_TOKEN" .git; then echo TOKEN_IN_GIT; else echo NO_TOKEN_IN_GIT; fi`,
		"cat README.md dep/out.txt",
		`stat -c 'mode=%a' . "$(dirname "$FILE_VAR")"`,
		"mkdir -p out && echo built > out/result.txt && echo x > out/skip.tmp",
		"echo '<testsuite/>' > report.xml",
		"echo leaked glpat-abcdefghij0123 token",
		"pwd",
	}, 3600, "fetch")
	j.lose416 = true
	f.conflicts = 2 // retried with a backoff
	cfg, stop := startRunner(t, f)
	waitDone(t, j, 60*time.Second)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	trace, patches, uploads, final := f.snapshot(j)

	// Polling: the info GitLab Runner sends, and X-GitLab-Last-Update
	// of an empty answer sent back.
	f.mu.Lock()
	reqs := append([]protocol.JobRequest(nil), f.requests...)
	gitAuth := append([]string(nil), f.gitAuth...)
	depTokens := append([]string(nil), f.depTokens...)
	f.mu.Unlock()
	if len(reqs) < 2 {
		t.Fatalf("%d job requests", len(reqs))
	}
	r0 := reqs[0]
	if r0.Token != "glrt-runner-token" || r0.Info.Name != "lablet-runner" || r0.Info.Executor != "shell" || r0.Info.Shell != "bash" {
		t.Errorf("first request %+v", r0)
	}
	feat := r0.Info.Features
	if !feat.Variables || !feat.Artifacts || !feat.Cache || !feat.UploadMultipleArtifacts || !feat.RawVariables ||
		!feat.ArtifactsExclude || !feat.MultiBuildSteps || !feat.TraceReset || !feat.TraceChecksum || !feat.TraceSize ||
		!feat.Cancelable || !feat.ReturnExitCode || !feat.Masking || !feat.Refspecs {
		t.Errorf("features %+v", feat)
	}
	if reqs[1].LastUpdate != "lu-1" {
		t.Errorf("second request's last_update = %q, want lu-1", reqs[1].LastUpdate)
	}

	// Trace patches: the job's token, an inclusive Content-Range, and
	// after the 416 the runner resends from the server's offset.
	if len(patches) < 2 {
		t.Fatalf("%d patches", len(patches))
	}
	for i, p := range patches {
		m := contentRange.FindStringSubmatch(p.contentRange)
		if p.jobToken != j.token || m == nil {
			t.Fatalf("patch %d: token %q range %q", i, p.jobToken, p.contentRange)
		}
		start, _ := strconv.Atoi(m[1])
		end, _ := strconv.Atoi(m[2])
		if end-start+1 != p.size {
			t.Errorf("patch %d: range %s for %d bytes", i, p.contentRange, p.size)
		}
	}
	second := contentRange.FindStringSubmatch(patches[1].contentRange)
	if want := strconv.Itoa(patches[0].size / 2); second[1] != want {
		t.Errorf("after 416 the runner resent from %s, want %s", second[1], want)
	}

	// The log: commands echoed in green, values masked, variables as
	// GitLab Runner sets them.
	for _, want := range []string{
		"section_start:", ":get_sources\r\x1b[0K", "Checking out " + f.sha[:8] + " as detached HEAD (ref is main)",
		ansiGreen + "$ echo hello" + ansiReset + "\nhello\n",
		"secret=[MASKED]\n", "file-content\n", "raw=$SECRET_VALUE-raw exp=pre-plain\n",
		"NO_TOKEN_IN_GIT\n", "hello from git\nfrom-dependency\n", "mode=700\nmode=700\n", "leaked glpat-[MASKED] token\n",
		"after success\n", "Job succeeded",
		":step_script\r\x1b[0K", ":upload_artifacts_on_success\r", ":archive_cache\r",
	} {
		if !strings.Contains(trace, want) {
			t.Errorf("trace lacks %q", want)
		}
	}
	for _, secret := range []string{"sup3r-s3cret-value", j.token, "glpat-abcdefghij0123"} {
		if strings.Contains(trace, secret) {
			t.Errorf("trace shows %q", secret)
		}
	}
	if !strings.Contains(trace, filepath.Join(cfg.Runners[0].BuildsDir, "4", "1")+"\n") {
		t.Errorf("the job did not run in builds_dir/<project>/<job>:\n%s", trace)
	}

	// git got the job token in its header; the checkout kept none.
	if len(gitAuth) == 0 || gitAuth[len(gitAuth)-1] != basicAuth("gitlab-ci-token", j.token) {
		t.Errorf("git sent %q", gitAuth)
	}
	// Artifacts of dependencies are fetched with this job's token.
	if len(depTokens) != 1 || depTokens[0] != j.token {
		t.Errorf("artifact downloads with %q", depTokens)
	}

	// Final update: success, the checksum and size of the trace (the fake
	// checks them against what it holds), after a 202 retried.
	if final == nil || final.State != protocol.StateSuccess || final.FailureReason != "" {
		t.Fatalf("final update %+v", final)
	}
	if j.finalPuts < 2 {
		t.Errorf("the runner did not retry the final update after 202")
	}

	// Uploads: the archive (zip, excluding out/*.tmp) and the junit
	// report (gzip), with GitLab Runner's query parameters.
	if len(uploads) != 2 {
		t.Fatalf("%d uploads", len(uploads))
	}
	a, rep := uploads[0], uploads[1]
	if a.filename != "artifacts.zip" || a.query["artifact_type"] != "archive" || a.query["artifact_format"] != "zip" || a.query["expire_in"] != "1 week" {
		t.Errorf("archive upload %q %v", a.filename, a.query)
	}
	files := zipFiles(t, a.data)
	if files["out/result.txt"] != "built\n" {
		t.Errorf("archive holds %v", files)
	}
	if _, ok := files["out/skip.tmp"]; ok {
		t.Error("excluded file archived")
	}
	if rep.filename != "junit.gz" || rep.query["artifact_type"] != "junit" || rep.query["artifact_format"] != "gzip" {
		t.Errorf("junit upload %q %v", rep.filename, rep.query)
	}
	if got := gunzip(t, rep.data); got != "<testsuite/>\n" {
		t.Errorf("junit report %q", got)
	}

	// The cache stays on the runner; the job's directory does not.
	if _, err := os.Stat(filepath.Join(cfg.Runners[0].CacheDir, "4", "k1", "cache.zip")); err != nil {
		t.Errorf("cache: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cfg.Runners[0].BuildsDir, "4", "1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("build directory left: %v", err)
	}
}

func zipFiles(t *testing.T, data []byte) map[string]string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = string(b)
	}
	return out
}

func gunzip(t *testing.T, data []byte) string {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(zr)
	return string(b)
}

func TestRunScriptFailure(t *testing.T) {
	f := newFakeGitLab(t)
	j := f.addJob(2, []string{"echo one", "exit 3", "echo never"}, 3600, "none")
	startRunner(t, f)
	waitDone(t, j, 30*time.Second)
	trace, _, uploads, final := f.snapshot(j)
	if final.State != protocol.StateFailed || final.FailureReason != protocol.ScriptFailure || final.ExitCode == nil || *final.ExitCode != 3 {
		t.Errorf("final %+v", final)
	}
	if strings.Contains(trace, "\nnever") || !strings.Contains(trace, "ERROR: Job failed: exit code 3") || !strings.Contains(trace, "after failed") {
		t.Errorf("trace:\n%s", trace)
	}
	// Only the when: always report is uploaded for a failed job, and it
	// matched nothing.
	if len(uploads) != 0 {
		t.Errorf("uploads %+v", uploads)
	}
}

// processGone: pid no longer runs (gone, or a zombie nobody reaped).
func processGone(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) > 0 && fields[0] == "Z"
}

// sleeper is a script that leaves a background process and sleeps; the
// background process's pid is written to pidFile.
func sleeper(pidFile string) []string {
	return []string{"(sleep 60; echo never) & echo $! > " + pidFile, "sleep 60"}
}

// startSleeper runs a job that leaves a background process and sleeps,
// and waits until it runs: the fake, the job, the background pid and the
// runner's stop.
func startSleeper(t *testing.T, id int64, timeout int, setup func(*fakeJob)) (*fakeGitLab, *fakeJob, int, func() error) {
	t.Helper()
	f := newFakeGitLab(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	j := f.addJob(id, sleeper(pidFile), timeout, "none")
	setup(j)
	_, stop := startRunner(t, f)
	return f, j, waitPid(t, pidFile), stop
}

func waitPid(t *testing.T, file string) int {
	t.Helper()
	for range 100 {
		if b, err := os.ReadFile(file); err == nil && len(bytes.TrimSpace(b)) > 0 {
			pid, _ := strconv.Atoi(string(bytes.TrimSpace(b)))
			return pid
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the job did not start")
	return 0
}

// The server cancels a job: Job-Status: canceled on a trace patch, or
// 403 (the job is no longer running). The job's processes are killed.
func TestRunJobCanceledByServer(t *testing.T) {
	for name, how := range map[string]func(*fakeJob){
		"Job-Status": func(j *fakeJob) { j.cancelOnPatch = true },
		"403":        func(j *fakeJob) { j.forbidOnPatch = true },
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			f, j, pid, _ := startSleeper(t, 3, 3600, how)
			waitDone(t, j, 30*time.Second)
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("cancel took %s", d)
			}
			trace, _, _, final := f.snapshot(j)
			if final.State != protocol.StateFailed || final.FailureReason != "job_canceled" {
				t.Errorf("final %+v", final)
			}
			if strings.Contains(trace, "after ") {
				t.Errorf("after_script ran for a canceled job:\n%s", trace)
			}
			if !processGone(pid) {
				t.Errorf("background process %d of the canceled job still runs", pid)
			}
		})
	}
}

func TestRunJobTimeout(t *testing.T) {
	f, j, pid, _ := startSleeper(t, 4, 2, func(*fakeJob) {})
	waitDone(t, j, 30*time.Second)
	trace, _, _, final := f.snapshot(j)
	if final.State != protocol.StateFailed || final.FailureReason != protocol.JobExecutionTimeout {
		t.Errorf("final %+v", final)
	}
	if !strings.Contains(trace, "execution took longer than 2 seconds") || !strings.Contains(trace, "after failed") {
		t.Errorf("trace:\n%s", trace)
	}
	if !processGone(pid) {
		t.Errorf("background process %d of the timed-out job still runs", pid)
	}
}

// A runner stopping (SIGINT/SIGTERM) aborts its jobs and reports them
// failed as runner_system_failure.
func TestRunShutdownAbortsJobs(t *testing.T) {
	f, j, pid, stop := startSleeper(t, 5, 3600, func(*fakeJob) {})
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	waitDone(t, j, time.Second) // reported before Run returned
	_, _, _, final := f.snapshot(j)
	if final.State != protocol.StateFailed || final.FailureReason != protocol.RunnerSystemFailure {
		t.Errorf("final %+v", final)
	}
	if !processGone(pid) {
		t.Errorf("background process %d still runs after shutdown", pid)
	}
}

func TestRunStopsOnForbidden(t *testing.T) {
	f := newFakeGitLab(t)
	f.forbidPolls = true
	_, stop := startRunner(t, f)
	time.Sleep(300 * time.Millisecond)
	f.mu.Lock()
	polls := f.polls
	f.mu.Unlock()
	if polls != 1 {
		t.Errorf("%d polls after a 403, want 1", polls)
	}
	if err := stop(); !errors.Is(err, errForbidden) {
		t.Errorf("Run = %v, want the 403", err)
	}
}

// A cache saved by one job is restored in the next job of the project.
func TestRunCacheCarriesOver(t *testing.T) {
	f := newFakeGitLab(t)
	first := f.addJob(1, []string{"mkdir -p out && echo cached-by-first > out/result.txt"}, 3600, "none")
	second := f.addJob(2, []string{"cat out/result.txt"}, 3600, "none")
	startRunner(t, f)
	waitDone(t, first, 30*time.Second)
	waitDone(t, second, 30*time.Second)
	trace, _, _, final := f.snapshot(second)
	if final.State != protocol.StateSuccess {
		t.Errorf("final %+v\n%s", final, trace)
	}
	if !strings.Contains(trace, "Successfully extracted cache") || !strings.Contains(trace, "\ncached-by-first\n") {
		t.Errorf("cache not restored:\n%s", trace)
	}
}

// after_script has its own time limit, not the job's: a hanging
// after_script is killed and the job keeps its outcome.
func TestRunAfterScriptTimeout(t *testing.T) {
	f := newFakeGitLab(t)
	f.afterScript = []string{"echo after-start", "sleep 60"}
	f.afterTimeout = "1s"
	j := f.addJob(6, []string{"echo main"}, 3600, "none")
	start := time.Now()
	startRunner(t, f)
	waitDone(t, j, 30*time.Second)
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("the job took %s", d)
	}
	trace, _, _, final := f.snapshot(j)
	if final.State != protocol.StateSuccess {
		t.Errorf("final %+v", final)
	}
	if !strings.Contains(trace, "after-start") || !strings.Contains(trace, "WARNING: after_script failed: timed out after 1s") {
		t.Errorf("trace:\n%s", trace)
	}
}
