package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/lablet/lablet/internal/ci/protocol"
)

// afterScriptTimeout is after_script's own limit, as in GitLab Runner.
const afterScriptTimeout = 5 * time.Minute

// Why a job's context ended before its script did.
var (
	errJobTimeout  = errors.New("job timed out")
	errJobCanceled = errors.New("job canceled by the server")
	errShutdown    = errors.New("runner shutting down")
)

// outcome is how a job ended, as the runner reports it.
type outcome struct {
	failed   bool
	reason   string
	exitCode *int
	message  string // why it failed, for the log's last line
}

// job is one job being run by one worker.
type job struct {
	c       *client
	rc      RunnerConfig
	resp    *protocol.JobResponse
	trace   *jobTrace
	log     *slog.Logger
	version string
	worker  int

	dir    string // the project directory: builds_dir/<project id>/<job id>
	tmpDir string // file variables and archives, removed at the end
	env    []string
	vars   map[string]string
}

// runJob runs resp to its end and reports the end to the server. It
// aborts the job when shutdown ends (the runner stops) or the server
// says the job was canceled, killing whatever the job runs.
func runJob(shutdown context.Context, c *client, rc RunnerConfig, resp *protocol.JobResponse, version string, worker int, log *slog.Logger) {
	log = log.With("job", resp.ID, "project", resp.JobInfo.ProjectID)
	log.Info("job received", "name", resp.JobInfo.Name, "repo", cleanURL(resp.GitInfo.RepoURL))
	j := &job{c: c, rc: rc, resp: resp, log: log, version: version, worker: worker,
		trace: newJobTrace(c, resp, rc.OutputLimit*1024, log)}
	bg := context.WithoutCancel(shutdown)
	traceCtx, stopTrace := context.WithCancel(bg)
	traceDone := make(chan struct{})
	go func() {
		defer close(traceDone)
		j.trace.run(traceCtx)
	}()
	jobCtx, cancel := context.WithCancelCause(bg)
	go func() {
		select {
		case <-j.trace.aborted:
			cancel(errJobCanceled)
		case <-shutdown.Done():
			cancel(errShutdown)
		case <-jobCtx.Done():
		}
	}()
	res := j.execute(jobCtx)
	cause := context.Cause(jobCtx)
	cancel(nil)
	stopTrace()
	<-traceDone

	state := protocol.StateSuccess
	if res.failed {
		state = protocol.StateFailed
	}
	log.Info("job finished", "state", state, "failure_reason", res.reason, "cause", cause)
	j.trace.finish(bg, state, res.reason, res.exitCode)
}

// execute runs the stages of the job in GitLab Runner's order.
func (j *job) execute(ctx context.Context) outcome {
	t := j.trace
	t.Printf("%sRunning with lablet-runner %s%s", ansiGreen, j.version, ansiReset)
	t.Printf("%s  on %s%s", ansiGreen, j.rc.Name, ansiReset)
	end := t.section("prepare_executor", "Preparing the \"shell\" executor")
	t.Printf("Using Shell (bash) executor...")
	end()
	end = t.section("prepare_script", "Preparing environment")
	host, _ := os.Hostname()
	t.Printf("Running on %s...", host)
	err := j.prepare()
	end()
	var res outcome
	if err != nil {
		t.Printf("%sERROR: Preparing the job failed: %v%s", ansiRed, err, ansiReset)
		res = outcome{failed: true, reason: protocol.RunnerSystemFailure}
	} else {
		res = j.run(ctx)
	}
	j.cleanup()
	switch {
	case !res.failed:
		t.Printf("%sJob succeeded%s", ansiGreen, ansiReset)
	case res.message != "":
		t.Printf("%sERROR: Job failed: %s%s", ansiRed, res.message, ansiReset)
	case res.exitCode != nil:
		t.Printf("%sERROR: Job failed: exit code %d%s", ansiRed, *res.exitCode, ansiReset)
	default:
		t.Printf("%sERROR: Job failed: %s%s", ansiRed, res.reason, ansiReset)
	}
	return res
}

// run runs the job's stages under its timeout, then after_script, the
// cache and the artifacts.
func (j *job) run(ctx context.Context) outcome {
	t := j.trace
	timeout := time.Duration(j.resp.RunnerInfo.Timeout) * time.Second
	if timeout <= 0 {
		timeout = time.Hour // GitLab's default job timeout
	}
	runCtx, stop := context.WithTimeoutCause(ctx, timeout, errJobTimeout)
	defer stop()
	res := j.runStages(runCtx)
	if cause := context.Cause(runCtx); cause != nil && res.failed {
		res = j.interrupted(cause)
	}
	if ctx.Err() != nil {
		return res // canceled or shutting down: no after_script, cache or upload
	}
	j.afterScript(ctx, res.failed)
	end := t.section(sectionName("archive_cache", res.failed), cacheHeader(res.failed))
	archiveCaches(ctx, j.resp, j.rc.CacheDir, j.dir, res.failed, t)
	end()
	end = t.section(sectionName("upload_artifacts", res.failed), uploadHeader(res.failed))
	if err := uploadArtifacts(ctx, j.c, j.resp, j.dir, j.tmpDir, res.failed, t); err != nil && !res.failed {
		res = outcome{failed: true, reason: protocol.ScriptFailure}
	}
	end()
	return res
}

// interrupted is the outcome of a job whose context ended.
func (j *job) interrupted(cause error) outcome {
	switch {
	case errors.Is(cause, errJobTimeout):
		return outcome{failed: true, reason: protocol.JobExecutionTimeout,
			message: "execution took longer than " + strconv.Itoa(j.resp.RunnerInfo.Timeout) + " seconds"}
	case errors.Is(cause, errJobCanceled):
		return outcome{failed: true, reason: j.knownReason("job_canceled"), message: "canceled"}
	default:
		return outcome{failed: true, reason: protocol.RunnerSystemFailure, message: "the runner is shutting down"}
	}
}

// knownReason is reason when the server lists it, else unknown_failure.
func (j *job) knownReason(reason string) string {
	if slices.Contains(j.resp.Features.FailureReasons, reason) {
		return reason
	}
	return protocol.UnknownFailure
}

// runStages fetches the sources, restores caches and artifacts, and runs
// the steps that precede after_script.
func (j *job) runStages(ctx context.Context) outcome {
	t := j.trace
	end := t.section("get_sources", "Getting source from Git repository")
	err := j.getSources(ctx)
	end()
	if err != nil {
		t.Printf("%sERROR: Getting sources failed: %v%s", ansiRed, err, ansiReset)
		return outcome{failed: true, reason: protocol.ScriptFailure}
	}
	if len(j.resp.Cache) > 0 {
		end = t.section("restore_cache", "Restoring cache")
		restoreCaches(j.resp, j.rc.CacheDir, j.dir, j.vars, t)
		end()
	}
	if hasArtifacts(j.resp.Dependencies) {
		end = t.section("download_artifacts", "Downloading artifacts")
		err = downloadArtifacts(ctx, j.c, j.resp, j.dir, j.tmpDir, t)
		end()
		if err != nil {
			return outcome{failed: true, reason: protocol.ScriptFailure}
		}
	}
	res := outcome{}
	for _, s := range j.resp.Steps {
		if s.Name == protocol.StepAfterScript || !whenMatches(s.When, res.failed) {
			continue
		}
		name := "step_" + s.Name
		end = t.section(name, fmt.Sprintf("Executing %q stage of the job script", name))
		code, err := runBash(ctx, j.dir, j.stepEnv("running"), bashScript(s.Script), t)
		end()
		switch {
		case err != nil:
			return outcome{failed: true, reason: protocol.ScriptFailure}
		case code != 0 && !s.AllowFailure:
			res = outcome{failed: true, reason: protocol.ScriptFailure, exitCode: &code}
		}
	}
	return res
}

func (j *job) getSources(ctx context.Context) error {
	if j.vars["GIT_STRATEGY"] == "none" {
		j.trace.Printf("%sSkipping Git repository setup%s", ansiGreen, ansiReset)
		return nil
	}
	return getSources(ctx, j.resp, j.dir, os.Environ(), j.trace)
}

// afterScript runs the after_script step with its own time limit; its
// failure does not change the job's.
func (j *job) afterScript(ctx context.Context, failed bool) {
	for _, s := range j.resp.Steps {
		if s.Name != protocol.StepAfterScript || len(s.Script) == 0 {
			continue
		}
		// The step's timeout is the job's, as GitLab sends it; after_script
		// has its own, which RUNNER_AFTER_SCRIPT_TIMEOUT may change.
		timeout := afterScriptTimeout
		if d, err := time.ParseDuration(j.vars["RUNNER_AFTER_SCRIPT_TIMEOUT"]); err == nil && d > 0 {
			timeout = d
		}
		actx, cancel := context.WithTimeout(ctx, timeout)
		end := j.trace.section("after_script", "Running after_script")
		status := "success"
		if failed {
			status = "failed"
		}
		code, err := runBash(actx, j.dir, j.stepEnv(status), bashScript(s.Script), j.trace)
		cancel()
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			j.trace.Printf("%sWARNING: after_script failed: timed out after %s%s", ansiYellow, timeout, ansiReset)
		case err != nil:
			j.trace.Printf("%sWARNING: after_script failed: %v%s", ansiYellow, err, ansiReset)
		case code != 0:
			j.trace.Printf("%sWARNING: after_script failed, but job will continue unaffected: exit code %d%s", ansiYellow, code, ansiReset)
		}
		end()
	}
}

func hasArtifacts(deps []protocol.Dependency) bool {
	return slices.ContainsFunc(deps, func(d protocol.Dependency) bool { return d.ArtifactsFile.Filename != "" })
}

// prepare creates the job's directories, 0700, and its environment.
func (j *job) prepare() error {
	project := filepath.Join(j.rc.BuildsDir, strconv.FormatInt(j.resp.JobInfo.ProjectID, 10))
	j.dir = filepath.Join(project, strconv.FormatInt(j.resp.ID, 10))
	j.tmpDir = j.dir + ".tmp"
	for _, d := range []string{j.dir, j.tmpDir} {
		if err := os.RemoveAll(d); err != nil {
			return fmt.Errorf("clean %s: %w", d, err)
		}
	}
	for _, d := range []string{j.rc.BuildsDir, project, j.dir, j.tmpDir} {
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("create %s: %w", d, err)
		}
	}
	var err error
	j.vars, err = jobVariables(j.resp, j.rc, j.dir, j.tmpDir, j.worker, j.version)
	return err
}

// cleanup removes what the job left on disk: its checkout and its file
// variables (secrets). Caches stay in cache_dir.
func (j *job) cleanup() {
	end := j.trace.section("cleanup_file_variables", "Cleaning up project directory and file based variables")
	defer end()
	for _, d := range []string{j.tmpDir, j.dir} {
		if d == "" {
			continue
		}
		if err := os.RemoveAll(d); err != nil {
			j.log.Warn("cleaning up the job's directory failed", "dir", d, "err", err)
		}
	}
}

func sectionName(base string, failed bool) string {
	if base == "archive_cache" && failed {
		return "archive_cache_on_failure"
	}
	if base == "upload_artifacts" {
		if failed {
			return "upload_artifacts_on_failure"
		}
		return "upload_artifacts_on_success"
	}
	return base
}

func cacheHeader(failed bool) string {
	if failed {
		return "Saving cache for failed job"
	}
	return "Saving cache for successful job"
}

func uploadHeader(failed bool) string {
	if failed {
		return "Uploading artifacts for failed job"
	}
	return "Uploading artifacts for successful job"
}

// section writes GitLab's collapsible section markers around a stage.
func (t *jobTrace) section(name, header string) (end func()) {
	fmt.Fprintf(t, "section_start:%d:%s\r%s%s%s%s\n", time.Now().Unix(), name, ansiClear, ansiCyan, header, ansiReset)
	return func() { fmt.Fprintf(t, "section_end:%d:%s\r%s", time.Now().Unix(), name, ansiClear) }
}
