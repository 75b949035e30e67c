package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// crashLedger holds what the server acknowledged before it was killed:
// all of it must be there after every restart.
type crashLedger struct {
	mu       sync.Mutex
	commits  []string          // API commits on main of the crash project
	pushes   map[string]string // pushed branch → sha
	projects map[int64]ending  // created projects
	groups   map[int64]ending  // created groups
	members  map[int64]ending  // users added to the crash project
}

// ending is how far the deletion (or removal) of a created thing went.
type ending int

const (
	live  ending = iota // never asked for
	asked               // asked, not acknowledged: it may have happened or not
	ended               // acknowledged
)

// TestCrashLosesNothing kills `lablet serve` with SIGKILL at random
// moments while clients commit through the API, push with git, create
// and delete projects and groups, create users and add and remove
// members, and
// starts it again each time. After every restart each acknowledged write
// is there; at the end every project the API lists has its repository,
// every repository passes git fsck, no ref lock is left, SQLite's
// integrity check passes, and the server still takes writes.
// LABLET_CRASH_KILLS sets the number of kills (50 by default).
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts lablet serve 50 times; the full runs cover it")
	}
	kills := 50
	if v, err := strconv.Atoi(os.Getenv("LABLET_CRASH_KILLS")); err == nil && v > 0 {
		kills = v
	}
	dataDir := t.TempDir()
	env, dbURL := instanceEnv(t, dataDir)
	p := startServe(t, t.TempDir(), env)
	token := createToken(t, t.TempDir(), env, "api")
	createProject(t, p.base, token, "crash")
	crashID := projectID(t, p.base, token, "root%2Fcrash")

	var base atomic.Value // the running server's URL
	base.Store(p.base)
	client := &http.Client{Timeout: 20 * time.Second}
	call := func(method, path string, form url.Values, body string) (int, map[string]any) {
		var r io.Reader
		ct := "application/x-www-form-urlencoded"
		if body != "" {
			r, ct = strings.NewReader(body), "application/json"
		} else if form != nil {
			r = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, base.Load().(string)+"/api/v4/"+path, r)
		req.Header.Set("PRIVATE-TOKEN", token)
		req.Header.Set("Content-Type", ct)
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		var m map[string]any
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return 0, nil // cut off: not acknowledged
		}
		_ = json.Unmarshal(b, &m)
		return resp.StatusCode, m
	}

	ledger := &crashLedger{pushes: map[string]string{}, projects: map[int64]ending{}, groups: map[int64]ending{},
		members: map[int64]ending{}}
	var seq atomic.Int64
	home := t.TempDir()
	ops := []func(worker int){
		func(int) { // an API commit on main
			n := seq.Add(1)
			body := fmt.Sprintf(`{"branch":"main","commit_message":"c%d","actions":[{"action":"create","file_path":"c%d.txt","content":"%d"}]}`, n, n, n)
			if code, m := call(http.MethodPost, "projects/root%2Fcrash/repository/commits", nil, body); code == http.StatusCreated {
				ledger.mu.Lock()
				ledger.commits = append(ledger.commits, m["id"].(string))
				ledger.mu.Unlock()
			}
		},
		func(worker int) { // a push of a new branch
			n := seq.Add(1)
			work := filepath.Join(home, "w"+strconv.Itoa(worker))
			if _, err := os.Stat(work); err != nil {
				if _, err := gitIn(t, home, "", "init", "-q", work); err != nil {
					return
				}
			}
			os.WriteFile(filepath.Join(work, "p.txt"), []byte(strconv.FormatInt(n, 10)), 0o644)
			if _, err := gitIn(t, home, work, "add", "p.txt"); err != nil {
				return
			}
			if _, err := gitIn(t, home, work, "commit", "-q", "-m", "p"+strconv.FormatInt(n, 10)); err != nil {
				return
			}
			sha, err := gitIn(t, home, work, "rev-parse", "HEAD")
			if err != nil {
				return
			}
			branch := "push-" + strconv.FormatInt(n, 10)
			remote := strings.Replace(base.Load().(string), "http://", "http://oauth2:"+token+"@", 1) + "/root/crash.git"
			if _, err := gitIn(t, home, work, "push", "-q", remote, "HEAD:refs/heads/"+branch); err == nil {
				ledger.mu.Lock()
				ledger.pushes[branch] = strings.TrimSpace(sha)
				ledger.mu.Unlock()
			}
		},
		func(int) { // a project, or the deletion of one
			if victim := ledger.pickIf(seq.Load()%2 == 0, ledger.projects); victim != 0 {
				if code, _ := call(http.MethodDelete, "projects/"+strconv.FormatInt(victim, 10), nil, ""); code == http.StatusAccepted {
					ledger.done(ledger.projects, victim)
				}
				return
			}
			n := seq.Add(1)
			form := url.Values{"name": {"p" + strconv.FormatInt(n, 10)}, "initialize_with_readme": {"true"}}
			if code, m := call(http.MethodPost, "projects", form, ""); code == http.StatusCreated {
				ledger.mu.Lock()
				ledger.projects[int64(m["id"].(float64))] = live
				ledger.mu.Unlock()
			}
		},
		func(int) { // a group, or the deletion of one
			if victim := ledger.pickIf(seq.Load()%3 == 0, ledger.groups); victim != 0 {
				if code, _ := call(http.MethodDelete, "groups/"+strconv.FormatInt(victim, 10), nil, ""); code == http.StatusAccepted {
					ledger.done(ledger.groups, victim)
				}
				return
			}
			n := strconv.FormatInt(seq.Add(1), 10)
			if code, m := call(http.MethodPost, "groups", url.Values{"name": {"g" + n}, "path": {"g" + n}}, ""); code == http.StatusCreated {
				ledger.mu.Lock()
				ledger.groups[int64(m["id"].(float64))] = live
				ledger.mu.Unlock()
			}
		},
		func(int) { // a user made a member, or a member removed
			if victim := ledger.pickIf(seq.Load()%3 == 0, ledger.members); victim != 0 {
				if code, _ := call(http.MethodDelete, "projects/root%2Fcrash/members/"+strconv.FormatInt(victim, 10), nil, ""); code == http.StatusNoContent {
					ledger.done(ledger.members, victim)
				}
				return
			}
			n := strconv.FormatInt(seq.Add(1), 10)
			code, m := call(http.MethodPost, "users", url.Values{"username": {"u" + n}, "name": {"U " + n},
				"email": {"u" + n + "@example.com"}, "password": {"a-long-password-" + n}}, "")
			if code != http.StatusCreated {
				return
			}
			uid := strconv.FormatInt(int64(m["id"].(float64)), 10)
			if code, _ := call(http.MethodPost, "projects/root%2Fcrash/members", url.Values{"user_id": {uid},
				"access_level": {"30"}}, ""); code == http.StatusCreated {
				ledger.mu.Lock()
				ledger.members[int64(m["id"].(float64))] = live
				ledger.mu.Unlock()
			}
		},
	}

	for kill := range kills {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					ops[(w+i+kill)%len(ops)](w)
				}
			}()
		}
		window := time.Duration(50+rand.IntN(750)) * time.Millisecond
		if kill%5 == 4 {
			window += 2 * time.Second // time for pushes, the slowest writes, to finish now and then
		}
		time.Sleep(window)
		p.stop(t, syscall.SIGKILL)
		close(stop)
		wg.Wait()
		p = startServe(t, t.TempDir(), env)
		base.Store(p.base)
		checkLedger(t, p.base, token, ledger, kill)
		if t.Failed() {
			return
		}
		if (kill+1)%50 == 0 {
			t.Logf("%d kills survived", kill+1)
		}
	}
	ledger.mu.Lock()
	countEnded := func(m map[int64]ending) (n int) {
		for _, e := range m {
			if e == ended {
				n++
			}
		}
		return n
	}
	t.Logf("%d kills survived: %d commits, %d pushes, %d projects (%d deleted), %d groups (%d deleted), %d members (%d removed) acknowledged",
		kills, len(ledger.commits), len(ledger.pushes), len(ledger.projects), countEnded(ledger.projects), len(ledger.groups),
		countEnded(ledger.groups), len(ledger.members), countEnded(ledger.members))
	if len(ledger.commits) == 0 || len(ledger.pushes) == 0 || len(ledger.projects) == 0 || countEnded(ledger.projects) == 0 ||
		len(ledger.groups) == 0 || countEnded(ledger.groups) == 0 || len(ledger.members) == 0 || countEnded(ledger.members) == 0 {
		t.Fatal("some kind of write was never acknowledged: the test proved nothing about it")
	}
	ledger.mu.Unlock()

	// Nothing half-present: every project the API lists has its repository.
	for page := 1; ; page++ {
		code, body := get(t, p.base+"/api/v4/projects?simple=true&per_page=100&page="+strconv.Itoa(page), token)
		var list []struct {
			ID int64 `json:"id"`
		}
		if code != http.StatusOK || json.Unmarshal([]byte(body), &list) != nil {
			t.Fatalf("projects page %d = %d %s", page, code, body)
		}
		if len(list) == 0 {
			break
		}
		for _, pr := range list {
			if code, body := get(t, p.base+"/api/v4/projects/"+strconv.FormatInt(pr.ID, 10)+"/repository/branches/main", token); code != http.StatusOK {
				t.Errorf("project %d is listed but its main branch answers %d %s", pr.ID, code, body)
			}
		}
	}
	// The server still takes writes on the project every kill hit.
	if code, body := do(t, http.MethodPost, p.base+"/api/v4/projects/root%2Fcrash/repository/files/last.txt", token,
		"branch=main&commit_message=last&content=last"); code != http.StatusCreated {
		t.Fatalf("a commit after the kills = %d %s", code, body)
	}
	p.stop(t, syscall.SIGTERM)

	repos, _ := filepath.Glob(filepath.Join(dataDir, "repositories", "@hashed", "*", "*", "*.git"))
	for _, r := range repos {
		if out, err := exec.Command("git", "-C", r, "fsck", "--no-progress", "--no-dangling").CombinedOutput(); err != nil {
			t.Errorf("git fsck %s: %v\n%s", r, err, out)
		}
		locks, _ := filepath.Glob(filepath.Join(r, "refs", "heads", "*.lock"))
		if _, err := os.Stat(filepath.Join(r, "packed-refs.lock")); err == nil {
			locks = append(locks, "packed-refs.lock")
		}
		if len(locks) > 0 {
			t.Errorf("%s: ref locks left %v", r, locks)
		}
	}
	if _, err := os.Stat(filepath.Join(dataDir, "repositories", repo.HashedPath(crashID))); err != nil {
		t.Fatalf("the crash project's repository: %v", err)
	}
	if dbURL == "" {
		db, err := sql.Open("sqlite", "file:"+store.SQLitePath("", dataDir))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var verdict string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&verdict); err != nil || verdict != "ok" {
			t.Fatalf("SQLite integrity check: %q %v", verdict, err)
		}
	}
}

// checkLedger asks the restarted server for every acknowledged write.
func checkLedger(t *testing.T, base, token string, l *crashLedger, kill int) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	code, body := get(t, base+"/api/v4/projects/root%2Fcrash/repository/commits?ref_name=main&per_page=100&all=true", token)
	if code != http.StatusOK {
		t.Fatalf("kill %d: commits = %d %s", kill, code, body)
	}
	// Every acknowledged commit is in main's history: one page of the
	// newest would miss old ones, so ask for the few newest by sha.
	for _, sha := range l.commits[max(0, len(l.commits)-20):] {
		if code, body := get(t, base+"/api/v4/projects/root%2Fcrash/repository/commits/"+sha+"/refs?type=branch", token); code != http.StatusOK ||
			!strings.Contains(body, `"name":"main"`) {
			t.Errorf("kill %d: acknowledged commit %s: %d %s", kill, sha, code, body)
		}
	}
	for branch, sha := range l.pushes {
		var b struct {
			Commit struct {
				ID string `json:"id"`
			} `json:"commit"`
		}
		code, body := get(t, base+"/api/v4/projects/root%2Fcrash/repository/branches/"+branch, token)
		if code != http.StatusOK || json.Unmarshal([]byte(body), &b) != nil || b.Commit.ID != sha {
			t.Errorf("kill %d: acknowledged push of %s at %s: %d %s", kill, branch, sha, code, body)
		}
	}
	checkEnded(t, base, token, "projects", l.projects, kill)
	checkEnded(t, base, token, "groups", l.groups, kill)
	for id, e := range l.members {
		code, body := get(t, base+"/api/v4/projects/root%2Fcrash/members/"+strconv.FormatInt(id, 10), token)
		if (e == live && code != http.StatusOK) || (e == ended && code != http.StatusNotFound) ||
			(code != http.StatusOK && code != http.StatusNotFound) {
			t.Errorf("kill %d: member %d (removal %v): %d %s", kill, id, e, code, body)
		}
	}
}

// checkEnded asks for each acknowledged project or group (kind is the
// API's collection): there unless its deletion was acknowledged, then
// gone or marked for deletion.
func checkEnded(t *testing.T, base, token, kind string, m map[int64]ending, kill int) {
	t.Helper()
	for id, e := range m {
		code, body := get(t, base+"/api/v4/"+kind+"/"+strconv.FormatInt(id, 10), token)
		marked := code == http.StatusOK && strings.Contains(body, `"marked_for_deletion_on":"`)
		switch {
		case e == live && (code != http.StatusOK || marked):
			t.Errorf("kill %d: acknowledged %s %d: %d %s", kill, kind, id, code, body)
		case e == ended && code == http.StatusOK && !marked:
			t.Errorf("kill %d: %s %d, its deletion acknowledged, is not marked for deletion: %.300s", kill, kind, id, body)
		case code != http.StatusOK && code != http.StatusNotFound:
			t.Errorf("kill %d: deleted %s %d: %d %s", kill, kind, id, code, body)
		}
	}
}

// pickIf returns, when now, one of m's live keys, marked asked (its
// deletion or removal is about to be asked for), or 0.
func (l *crashLedger) pickIf(now bool, m map[int64]ending) int64 {
	if !now {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, e := range m {
		if e == live {
			m[id] = asked
			return id
		}
	}
	return 0
}

// done records that id's deletion or removal was acknowledged.
func (l *crashLedger) done(m map[int64]ending, id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m[id] = ended
}

// projectID looks a project's id up by its path.
func projectID(t *testing.T, base, token, path string) int64 {
	t.Helper()
	code, body := get(t, base+"/api/v4/projects/"+path, token)
	var p struct {
		ID int64 `json:"id"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &p) != nil {
		t.Fatalf("project %s = %d %s", path, code, body)
	}
	return p.ID
}
