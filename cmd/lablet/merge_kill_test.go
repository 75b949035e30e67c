package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// TestMergeSurvivesKill kills `lablet serve` (SIGKILL) at moments spread
// over the merges of merge requests and starts it again each time. The
// repository is never left half-merged: main is where it was or at a merge
// of the merge request's head, git fsck finds nothing wrong and no ref lock
// stays behind. The merge request ends merged exactly once: at once, or
// after the lease of a lock its dead merge left (aged here, as if a minute
// had passed).
func TestMergeSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts lablet serve a dozen times; the full run covers it")
	}
	dataDir := t.TempDir()
	env, dbURL := instanceEnv(t, dataDir)
	p := startServe(t, t.TempDir(), env)
	token := createToken(t, t.TempDir(), env, "api")

	api := func(p *serveProc, method, path, form string, want int) map[string]any {
		t.Helper()
		code, body := do(t, method, p.base+"/api/v4/"+path, token, form)
		if code != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, code, body, want)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, body)
		}
		return m
	}
	proj := api(p, http.MethodPost, "projects", "name=kill&initialize_with_readme=true", http.StatusCreated)
	pid := strconv.FormatInt(int64(proj["id"].(float64)), 10)
	repoPath := filepath.Join(dataDir, "repositories", repo.HashedPath(int64(proj["id"].(float64))))
	git := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("git", append([]string{"-C", repoPath}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}

	const n = 13 // the first merges unhurt, to time a merge
	heads := make([]string, n)
	for i := range n {
		b := "topic-" + strconv.Itoa(i)
		api(p, http.MethodPost, "projects/"+pid+"/repository/branches", "branch="+b+"&ref=main", http.StatusCreated)
		api(p, http.MethodPost, "projects/"+pid+"/repository/files/"+b+".txt", "branch="+b+
			"&commit_message=add+"+b+"&content="+b, http.StatusCreated)
		heads[i] = git("rev-parse", "refs/heads/"+b)
		api(p, http.MethodPost, "projects/"+pid+"/merge_requests", "source_branch="+b+"&target_branch=main&title="+b,
			http.StatusCreated)
	}

	start := time.Now()
	api(p, http.MethodPut, "projects/"+pid+"/merge_requests/1/merge", "", http.StatusOK)
	took := time.Since(start)
	for i := 1; i < n; i++ {
		iid := strconv.Itoa(i + 1)
		mrPath := "projects/" + pid + "/merge_requests/" + iid
		before := git("rev-parse", "refs/heads/main")
		go mergeAndForget(p.base+"/api/v4/"+mrPath+"/merge", token)
		// Spread the kills from before the request is read to after it
		// has answered.
		time.Sleep(took * time.Duration(i) * 3 / (2 * (n - 1)))
		p.stop(t, syscall.SIGKILL)

		after := git("rev-parse", "refs/heads/main")
		if after != before {
			if parents := git("rev-list", "--parents", "-n1", after); parents != after+" "+before+" "+heads[i] {
				t.Fatalf("kill %d: main moved to %q, not a merge of %s into %s", i, parents, heads[i], before)
			}
		}
		git("fsck", "--no-progress", "--no-dangling")
		locks, _ := filepath.Glob(filepath.Join(repoPath, "refs", "heads", "*.lock"))
		if packed, err := os.Stat(filepath.Join(repoPath, "packed-refs.lock")); err == nil {
			locks = append(locks, packed.Name())
		}
		if len(locks) > 0 {
			t.Fatalf("kill %d left ref locks %v", i, locks)
		}

		p = startServe(t, t.TempDir(), env)
		mr := api(p, http.MethodGet, mrPath, "", http.StatusOK)
		t.Logf("kill %d after %s: merge request %v, main moved: %v", i, took*time.Duration(i)*3/(2*(n-1)), mr["state"], after != before)
		switch mr["state"] {
		case "opened":
			if after != before {
				t.Fatalf("kill %d: main moved but the merge request is open", i)
			}
		case "merged":
			if mr["merge_commit_sha"] != after || after == before {
				t.Fatalf("kill %d: merged at %v, main at %s (was %s)", i, mr["merge_commit_sha"], after, before)
			}
			continue
		case "locked":
			ageMergeLock(t, dbURL, dataDir, pid, iid)
		default:
			t.Fatalf("kill %d: state %v", i, mr["state"])
		}
		want := http.StatusOK
		if after != before {
			// The dead merge moved main: the retry finds it merged.
			want = http.StatusMethodNotAllowed
		}
		code, body := do(t, http.MethodPut, p.base+"/api/v4/"+mrPath+"/merge", token, "")
		if code != want {
			t.Fatalf("kill %d: merge again = %d %s, want %d", i, code, body, want)
		}
		mr = api(p, http.MethodGet, mrPath, "", http.StatusOK)
		if head := git("rev-parse", "refs/heads/main"); mr["state"] != "merged" || mr["merge_commit_sha"] != head {
			t.Fatalf("kill %d: after the retry %v at %v, main at %s", i, mr["state"], mr["merge_commit_sha"], head)
		}
	}
	if merges := strings.Fields(git("rev-list", "--merges", "refs/heads/main")); len(merges) != n {
		t.Fatalf("main holds %d merges, want one per merge request (%d)", len(merges), n)
	}
}

// mergeAndForget asks for a merge whose answer the kill may cut off.
func mergeAndForget(url, token string) {
	req, err := http.NewRequest(http.MethodPut, url, nil)
	if err != nil {
		return
	}
	req.Header.Set("PRIVATE-TOKEN", token)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

// ageMergeLock makes the "locked" state of a merge request as old as a
// dead merge's lock is after its lease, as a minute's wait would.
func ageMergeLock(t *testing.T, dbURL, dataDir, pid, iid string) {
	t.Helper()
	db, err := store.Open(context.Background(), dbURL, dataDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL().Exec("UPDATE merge_requests SET updated_at = 0 WHERE state = 'locked' AND target_project_id = " +
		pid + " AND iid = " + iid); err != nil {
		t.Fatal(err)
	}
}
