package citest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// riverRuns counts the completed runs of a kind of background work in
// River's job table.
func riverRuns(t *testing.T, s *labtest.Server, kind string) int {
	t.Helper()
	var n int
	err := s.Srv.DB.SQL().QueryRowContext(context.Background(),
		"SELECT count(*) FROM river_job WHERE state = 'completed' AND kind = '"+kind+"'").Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// eventually polls cond every 100 ms until it holds or d passed.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
	}
}

// TestBackgroundPurgeRunsOnRiver: a deleted project is purged by River's
// periodic purge_deleted job.
func TestBackgroundPurgeRunsOnRiver(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	p, err := createAndDelete(c, "doomed")
	if err != nil {
		t.Fatal(err)
	}
	runsBefore, deleted := riverRuns(t, s, "purge_deleted"), time.Now()
	eventually(t, 10*time.Second, "the deleted project is still stored", func() bool {
		var n int
		if err := s.Srv.DB.SQL().QueryRow("SELECT count(*) FROM projects WHERE id = " + strconv.FormatInt(p.ID, 10)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
	t.Logf("purged %v after its deletion", time.Since(deleted).Round(time.Millisecond))
	eventually(t, 5*time.Second, "no purge_deleted run completed", func() bool { return riverRuns(t, s, "purge_deleted") > runsBefore })
}

// TestBackgroundArtifactExpiry: River's expire_artifacts job deletes an
// artifact whose expire_in passed, row and file, and leaves one kept
// forever.
func TestBackgroundArtifactExpiry(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	yml := `
short:
  script: mkdir out && echo short > out/a.txt
  artifacts:
    paths: [out/]
    expire_in: 1 second
kept:
  script: mkdir out && echo kept > out/a.txt
  artifacts:
    paths: [out/]
    expire_in: never
`
	p, info := pipelineProject(t, c, "expiry", map[string]string{".gitlab-ci.yml": yml})
	pl := pipelineWait(t, c, p.ID, info.ID, "success", "failed", "canceled")
	if pl.Status != "success" {
		t.Fatalf("pipeline %s", pl.Status)
	}
	jobs := pipelineJobs(t, c, p.ID, pl.ID)
	// A job's archive is stored as archive-<random> (a key per upload).
	blobPath := func(j *gitlab.Job) string {
		dir := filepath.Join(s.Config.DataDir, "blobs", "ci", strconv.FormatInt(p.ID, 10), "jobs", strconv.FormatInt(j.ID, 10))
		if found, _ := filepath.Glob(filepath.Join(dir, "archive-*")); len(found) > 0 {
			return found[0]
		}
		return filepath.Join(dir, "archive-none")
	}
	if _, err := os.Stat(blobPath(jobs["kept"])); err != nil {
		t.Fatalf("the kept artifact's file: %v", err)
	}
	artifactRows := func(j *gitlab.Job) int {
		var n int
		err := s.Srv.DB.SQL().QueryRow("SELECT count(*) FROM ci_job_artifacts WHERE file_type = 'archive' AND job_id = " +
			strconv.FormatInt(j.ID, 10)).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	eventually(t, 20*time.Second, "the expired artifact is still stored", func() bool {
		_, err := os.Stat(blobPath(jobs["short"]))
		return errors.Is(err, os.ErrNotExist) && artifactRows(jobs["short"]) == 0
	})
	if _, resp, err := c.Jobs.GetJobArtifacts(p.ID, jobs["short"].ID); err == nil || resp.StatusCode != 404 {
		t.Errorf("the expired artifacts: %v, want 404", err)
	}
	if _, _, err := c.Jobs.GetJobArtifacts(p.ID, jobs["kept"].ID); err != nil {
		t.Errorf("the kept artifacts: %v", err)
	}
	if _, err := os.Stat(blobPath(jobs["kept"])); err != nil || artifactRows(jobs["kept"]) != 1 {
		t.Errorf("the kept artifact's file (%v) or row went", err)
	}
	eventually(t, 5*time.Second, "no expire_artifacts run completed", func() bool { return riverRuns(t, s, "expire_artifacts") > 0 })
}

// createAndDelete creates a project named name and deletes it (its purge
// then waits for the background work).
func createAndDelete(c *gitlab.Client, name string) (*gitlab.Project, error) {
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(name)})
	if err != nil {
		return nil, err
	}
	_, err = c.Projects.DeleteProject(p.ID, nil)
	return p, err
}

// deleteEvery deletes a new project of s every period, so that the purge
// has work in each of its periods (an idle instance queues no run), until
// the returned stop is called (at the latest when the test ends).
func deleteEvery(t *testing.T, s *labtest.Server, period time.Duration) (stop func()) {
	c := s.Client(t, s.RootToken)
	quit, finished := make(chan struct{}), make(chan struct{})
	var once sync.Once
	stop = func() {
		once.Do(func() { close(quit) })
		<-finished
	}
	t.Cleanup(stop)
	go func() {
		defer close(finished)
		for i := 0; ; i++ {
			select {
			case <-quit:
				return
			case <-time.After(period):
			}
			if _, err := createAndDelete(c, "doomed-"+strconv.Itoa(i)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	return stop
}

// TestBackgroundOnceAcrossInstances: two instances on one PostgreSQL
// database enqueue each period's run once (River's leader does), and
// each run is worked once.
func TestBackgroundOnceAcrossInstances(t *testing.T) {
	if os.Getenv("LABLET_TEST_DATABASE_URL") == "" {
		t.Skip("several instances share a PostgreSQL database; SQLite serves one")
	}
	a := labtest.Start(t)
	b := labtest.Start(t, func(cfg *config.Config) { cfg.DatabaseURL = a.Config.DatabaseURL })
	db := b.Srv.DB.SQL()
	stop := deleteEvery(t, a, 300*time.Millisecond)
	// Leadership may move from the first instance's start on; count a
	// window once both run.
	time.Sleep(2 * time.Second)
	from := time.Now()
	const window = 8 * time.Second
	time.Sleep(window)
	to := time.Now()
	stop()
	var runs, maxAttempt, workers int
	err := db.QueryRow(`SELECT count(*), coalesce(max(attempt), 0), coalesce(max(cardinality(attempted_by)), 0)
		FROM river_job WHERE kind = 'purge_deleted' AND scheduled_at >= $1 AND scheduled_at < $2`, from, to).
		Scan(&runs, &maxAttempt, &workers)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d purge_deleted runs in %v", runs, window)
	// With work in every period, one enqueuer makes about one run a
	// second; two would make twice as many.
	if runs < int(window/time.Second)-2 || runs > int(window/time.Second)+1 {
		t.Errorf("%d purge_deleted runs in %v, want about one a second", runs, window)
	}
	if maxAttempt > 1 || workers > 1 {
		t.Errorf("a run was attempted %d times by %d clients, want once", maxAttempt, workers)
	}
	var leaders int
	if err := db.QueryRow("SELECT count(*) FROM river_leader").Scan(&leaders); err != nil {
		t.Fatal(err)
	}
	if leaders != 1 {
		t.Errorf("%d leaders, want 1", leaders)
	}
}

// TestBackgroundIdleQueuesNothing: an instance with nothing due queues no
// run of its per-second work (each run is three writes, and on SQLite
// every write empties the readers' page caches), and one becomes due
// again when work appears.
func TestBackgroundIdleQueuesNothing(t *testing.T) {
	s := labtest.Start(t)
	queued := func() int {
		var n int
		err := s.Srv.DB.SQL().QueryRow(`SELECT count(*) FROM river_job
			WHERE kind IN ('purge_deleted', 'ci_housekeeping', 'expire_artifacts')`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := queued()
	time.Sleep(3 * time.Second)
	if n := queued(); n != before {
		t.Errorf("%d runs queued in 3 idle seconds, want none", n-before)
	}
	if _, err := createAndDelete(s.Client(t, s.RootToken), "doomed"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "no purge_deleted run after a deletion", func() bool { return riverRuns(t, s, "purge_deleted") > 0 })
}

// TestBackgroundWritesBesideRequests: River's writes (its periodic runs —
// purges of projects deleted meanwhile —, fetches and completions; on
// SQLite through its own handle on the file)
// make no request write fail, and no run of River fails beside them.
func TestBackgroundWritesBesideRequests(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("busy")})
	if err != nil {
		t.Fatal(err)
	}
	runsBefore := riverRuns(t, s, "purge_deleted")
	stop := deleteEvery(t, s, 300*time.Millisecond)
	path := "/projects/" + strconv.FormatInt(p.ID, 10) + "/issues"
	deadline := time.Now().Add(4 * time.Second)
	var wg sync.WaitGroup
	var writes atomic.Int64
	failures := make(chan string, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200 && time.Now().Before(deadline); i++ {
				r := s.Do(t, labtest.Request{Method: "POST", Path: path, Token: s.RootToken,
					JSON: map[string]string{"title": "issue " + strconv.Itoa(w) + "-" + strconv.Itoa(i)}})
				if r.Status != 201 {
					failures <- strconv.Itoa(r.Status) + " " + string(r.Body)
					return
				}
				writes.Add(1)
			}
		}()
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Errorf("a request write failed: %s", f)
	}
	t.Logf("%d request writes beside River", writes.Load())
	eventually(t, 10*time.Second, "River's runs stopped completing", func() bool {
		return riverRuns(t, s, "purge_deleted") >= runsBefore+3
	})
	stop()
	var failed int
	if err := s.Srv.DB.SQL().QueryRow("SELECT count(*) FROM river_job WHERE state IN ('discarded', 'retryable')").Scan(&failed); err != nil {
		t.Fatal(err)
	}
	if failed != 0 {
		t.Errorf("%d River runs failed", failed)
	}
}
