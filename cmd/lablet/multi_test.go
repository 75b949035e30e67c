package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/labtest"
)

// cluster is several `lablet serve` processes on one PostgreSQL database
// and one repositories dir, and a proxy in front that sends each request
// to the next instance in turn (a round-robin load balancer).
type cluster struct {
	t     *testing.T
	repos string
	envs  [][]string
	next  atomic.Uint64
	// procs are the instances that take requests; pushing counts the
	// pushes in flight on each base URL.
	mu      sync.Mutex
	procs   []*serveProc
	pushing sync.Map // base URL → *atomic.Int32
	proxy   string   // http://127.0.0.1:port
	token   string
}

// startCluster starts n instances, the first alone (it creates the schema
// and root), then the others. It skips on SQLite: several instances need
// PostgreSQL.
func startCluster(t *testing.T, n int) *cluster {
	t.Helper()
	dbURL := labtest.DatabaseURL(t)
	if dbURL == "" {
		t.Skip("multi-instance needs PostgreSQL: set LABLET_TEST_DATABASE_URL")
	}
	c := &cluster{t: t, repos: t.TempDir()}
	for i := range n {
		env := baseEnv("LABLET_DATA_DIR="+t.TempDir(), "LABLET_DATABASE_URL="+dbURL, "LABLET_REPOSITORIES_DIR="+c.repos)
		c.envs = append(c.envs, env)
		c.procs = append(c.procs, startServe(t, t.TempDir(), env))
		if i == 0 {
			c.token = createToken(t, t.TempDir(), env, "api")
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			u, _ := url.Parse(c.base(int(c.next.Add(1) % 1024)))
			r.SetURL(u)
			r.Out.Host = r.In.Host // links name the proxy, as behind a real balancer
		},
		FlushInterval: -1,
	}
	srv := &http.Server{Handler: rp}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	c.proxy = "http://" + ln.Addr().String()
	return c
}

// base is the URL of the i'th instance taking requests (modulo their number).
func (c *cluster) base(i int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.procs[i%len(c.procs)].base
}

// pushes counts the pushes in flight through base.
func (c *cluster) pushes(base string) *atomic.Int32 {
	n, _ := c.pushing.LoadOrStore(base, new(atomic.Int32))
	return n.(*atomic.Int32)
}

// cloneURL is a project's git URL on base, with the token.
func (c *cluster) cloneURL(base, path string) string {
	return strings.Replace(base, "http://", "http://oauth2:"+c.token+"@", 1) + "/" + path + ".git"
}

// apiJSON sends a JSON body (or none) and returns the status and body.
func apiJSON(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("PRIVATE-TOKEN", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err.Error()
	}
	return resp.StatusCode, string(b)
}

// apiCommit creates file on branch through base's commits API and
// returns the commit id ("" if it was not acknowledged).
func (c *cluster) apiCommit(base, project, branch, file string) string {
	body := fmt.Sprintf(`{"branch":%q,"commit_message":"add %s","actions":[{"action":"create","file_path":%q,"content":"x"}]}`,
		branch, file, file)
	code, out := apiJSON(c.t, http.MethodPost, base+"/api/v4/projects/"+url.PathEscape(project)+"/repository/commits", c.token, body)
	var m struct {
		ID string `json:"id"`
	}
	if code != http.StatusCreated || json.Unmarshal([]byte(out), &m) != nil {
		return ""
	}
	return m.ID
}

// getJSON reads base's answer into v, failing the test on anything but 200.
func (c *cluster) getJSON(base, path string, v any) {
	c.t.Helper()
	code, body := get(c.t, base+"/api/v4/"+path, c.token)
	if code != http.StatusOK || json.Unmarshal([]byte(body), v) != nil {
		c.t.Fatalf("GET %s on %s = %d %s", path, base, code, body)
	}
}

// lsRemote is the ref's value as base's info/refs advertises it.
func (c *cluster) lsRemote(home, base, project, ref string) string {
	c.t.Helper()
	out := mustGit(c.t, home, "", "ls-remote", c.cloneURL(base, project), ref)
	sha, _, _ := strings.Cut(out, "\t")
	return strings.TrimSpace(sha)
}

// TestMultiInstance runs three instances on one PostgreSQL database and
// one repositories dir behind a round-robin proxy: the seed walkthrough
// through the proxy, reads on one instance right after writes on another
// (trees, branch lists, info/refs), a runner waiting on one instance for a
// job made pending through another, and API commits and pushes racing on
// one branch through different instances, none of them lost.
func TestMultiInstance(t *testing.T) {
	c := startCluster(t, 3) // skips on SQLite first
	for _, tool := range []string{"bash", "curl", "jq", "git", "base64"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (.ci/run installs it): %v", tool, err)
		}
	}

	t.Run("walkthrough", func(t *testing.T) {
		cmd := exec.Command("bash", "../../internal/server/testdata/seed_002_walkthrough.sh")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GIT_CONFIG_NOSYSTEM=1",
			"GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_AUTHOR_NAME=Seed", "GIT_AUTHOR_EMAIL=seed@example.com",
			"GIT_COMMITTER_NAME=Seed", "GIT_COMMITTER_EMAIL=seed@example.com", "TMPDIR=" + t.TempDir(),
			"GITLAB_SERVER=" + c.proxy, "GITLAB_TOKEN=" + c.token}
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "walkthrough ok") {
			t.Fatalf("walkthrough through the proxy: %v\n%s", err, out)
		}
	})

	t.Run("read after write", func(t *testing.T) {
		createProject(t, c.base(0), c.token, "reads")
		home := t.TempDir()
		for i := range 12 {
			w, r1, r2 := c.base(i), c.base(i+1), c.base(i+2)
			file := fmt.Sprintf("f%02d.txt", i)
			id := c.apiCommit(w, "root/reads", "main", file)
			if id == "" {
				t.Fatalf("commit %d on %s not acknowledged", i, w)
			}
			var tree []struct {
				Name string `json:"name"`
			}
			c.getJSON(r1, "projects/root%2Freads/repository/tree?ref=main&per_page=100", &tree)
			if !slices.ContainsFunc(tree, func(e struct {
				Name string `json:"name"`
			}) bool {
				return e.Name == file
			}) {
				t.Fatalf("%s's tree of main lacks %s written on %s a moment ago: %v", r1, file, w, tree)
			}
			var branch struct {
				Commit struct {
					ID string `json:"id"`
				} `json:"commit"`
			}
			c.getJSON(r2, "projects/root%2Freads/repository/branches/main", &branch)
			if branch.Commit.ID != id {
				t.Fatalf("%s says main is %s, %s made it %s", r2, branch.Commit.ID, w, id)
			}
			if got := c.lsRemote(home, r1, "root/reads", "refs/heads/main"); got != id {
				t.Fatalf("%s's info/refs has main at %s, %s made it %s", r1, got, w, id)
			}
			// A branch created on one instance is listed by the next and,
			// deleted there, is gone from the third's list and info/refs.
			name := fmt.Sprintf("b%02d", i)
			if code, body := do(t, http.MethodPost, w+"/api/v4/projects/root%2Freads/repository/branches", c.token,
				"branch="+name+"&ref=main"); code != http.StatusCreated {
				t.Fatalf("create branch on %s = %d %s", w, code, body)
			}
			var branches []struct {
				Name string `json:"name"`
			}
			c.getJSON(r1, "projects/root%2Freads/repository/branches?per_page=100", &branches)
			if !strings.Contains(fmt.Sprint(branches), "{"+name+"}") {
				t.Fatalf("%s's branch list lacks %s created on %s: %v", r1, name, w, branches)
			}
			if code, body := do(t, http.MethodDelete, r1+"/api/v4/projects/root%2Freads/repository/branches/"+name, c.token,
				""); code != http.StatusNoContent {
				t.Fatalf("delete branch on %s = %d %s", r1, code, body)
			}
			c.getJSON(r2, "projects/root%2Freads/repository/branches?per_page=100", &branches)
			if strings.Contains(fmt.Sprint(branches), "{"+name+"}") {
				t.Fatalf("%s still lists %s deleted on %s", r2, name, r1)
			}
			if got := c.lsRemote(home, r2, "root/reads", "refs/heads/"+name); got != "" {
				t.Fatalf("%s's info/refs still has %s (deleted on %s) at %s", r2, name, r1, got)
			}
		}
	})

	t.Run("runner waiting on another instance", func(t *testing.T) {
		c.runnerWaitsElsewhere(t)
	})

	t.Run("racing writes", func(t *testing.T) {
		createProject(t, c.base(1), c.token, "race")
		acked := c.raceOnMain(t, "root/race", 6, 8, nil)
		c.checkHistory(t, c.base(2), "root/race", acked)
	})
}

// raceOnMain runs workers that each make rounds writes on main of project
// through instance worker%n: even workers API commits, odd ones git pushes
// (fetch, commit, push; again on a rejected push). It returns the ids of
// the acknowledged commits. between, when set, runs once in the middle.
func (c *cluster) raceOnMain(t *testing.T, project string, workers, rounds int, between func()) []string {
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	var done atomic.Int64
	half := make(chan struct{})
	var once sync.Once
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			home := t.TempDir()
			work := filepath.Join(home, "w")
			for i := range rounds {
				if done.Add(1) == int64(workers*rounds/2) {
					once.Do(func() { close(half) })
				}
				base := c.base(w + i)
				if w%2 == 0 {
					if id := c.apiCommit(base, project, "main", fmt.Sprintf("api-%d-%d.txt", w, i)); id != "" {
						mu.Lock()
						acked = append(acked, id)
						mu.Unlock()
					}
					continue
				}
				if id := c.pushOnMain(home, work, base, project, fmt.Sprintf("push-%d-%d.txt", w, i)); id != "" {
					mu.Lock()
					acked = append(acked, id)
					mu.Unlock()
				}
			}
		}()
	}
	if between != nil {
		<-half
		between()
	}
	wg.Wait()
	return acked
}

// pushOnMain commits file on top of main as base has it and pushes it to
// main there, fetching again when the push is rejected (a racing writer
// moved main). It returns the pushed commit, or "" if no push succeeded.
func (c *cluster) pushOnMain(home, work, base, project, file string) string {
	remote := c.cloneURL(base, project)
	if _, err := os.Stat(work); err != nil {
		if _, err := gitIn(c.t, home, "", "clone", "-q", remote, work); err != nil {
			return ""
		}
	}
	for attempt := 0; attempt < 20; attempt++ {
		if _, err := gitTimeout(c.t, home, work, "fetch", "-q", remote, "main"); err != nil {
			continue
		}
		if _, err := gitIn(c.t, home, work, "reset", "-q", "--hard", "FETCH_HEAD"); err != nil {
			return ""
		}
		if err := os.WriteFile(filepath.Join(work, file), []byte(file), 0o644); err != nil {
			return ""
		}
		if _, err := gitIn(c.t, home, work, "add", file); err != nil {
			return ""
		}
		if _, err := gitIn(c.t, home, work, "commit", "-q", "-m", "push "+file); err != nil {
			return ""
		}
		sha := strings.TrimSpace(mustGit(c.t, home, work, "rev-parse", "HEAD"))
		c.pushes(base).Add(1)
		_, err := gitTimeout(c.t, home, work, "push", "-q", remote, "HEAD:main")
		c.pushes(base).Add(-1)
		if err == nil {
			return sha
		}
		time.Sleep(time.Duration(attempt*10) * time.Millisecond)
	}
	return ""
}

// checkHistory checks that every acknowledged commit is in main's history
// as base has it, and that the repository passes git fsck.
func (c *cluster) checkHistory(t *testing.T, base, project string, acked []string) {
	t.Helper()
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged: the race proved nothing")
	}
	home := t.TempDir()
	work := filepath.Join(home, "check")
	mustGit(t, home, "", "clone", "-q", c.cloneURL(base, project), work)
	history := strings.Fields(mustGit(t, home, work, "rev-list", "origin/main"))
	for _, id := range acked {
		if !slices.Contains(history, id) {
			t.Errorf("acknowledged commit %s is not in main's history", id)
		}
	}
	var p struct {
		ID int64 `json:"id"`
	}
	c.getJSON(base, "projects/"+url.PathEscape(project), &p)
	dirs, _ := filepath.Glob(filepath.Join(c.repos, "@hashed", "*", "*", "*.git"))
	for _, dir := range dirs {
		if out, err := exec.Command("git", "-C", dir, "fsck", "--no-progress", "--no-dangling").CombinedOutput(); err != nil {
			t.Errorf("git fsck %s: %v\n%s", dir, err, out)
		}
	}
	t.Logf("%s: %d acknowledged writes, all in main's %d commits", project, len(acked), len(history))
}

// TestMultiInstanceKill kills one of three instances with SIGKILL while
// writes race on one branch through all three: the others keep serving,
// nothing acknowledged is lost, the repository passes git fsck, and the
// killed instance, started again, serves the same refs.
func TestMultiInstanceKill(t *testing.T) {
	c := startCluster(t, 3)
	createProject(t, c.base(0), c.token, "kill")
	victim := c.procs[2]
	midPush := false
	acked := c.raceOnMain(t, "root/kill", 6, 10, func() {
		// Killed while a push through it is in flight, if one comes.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if midPush = c.pushes(victim.base).Load() > 0; midPush {
				break
			}
		}
		victim.stop(t, syscall.SIGKILL)
		c.mu.Lock()
		c.procs = c.procs[:2] // the others take every request from now on
		c.mu.Unlock()
	})
	t.Logf("killed mid-push: %v", midPush)
	c.checkHistory(t, c.base(0), "root/kill", acked)
	// Started again on the same storage, it serves the same main.
	restarted := startServe(t, t.TempDir(), c.envs[2])
	c.mu.Lock()
	c.procs = append(c.procs, restarted)
	c.mu.Unlock()
	home := t.TempDir()
	want := c.lsRemote(home, c.base(0), "root/kill", "refs/heads/main")
	if got := c.lsRemote(home, c.base(2), "root/kill", "refs/heads/main"); got != want || want == "" {
		t.Fatalf("the restarted instance has main at %q, the others at %q", got, want)
	}
}

// runnerWaitsElsewhere: a runner long-polling one instance gets the job
// of a pipeline created through another within a few seconds, not when
// its 50 s poll ends.
func (c *cluster) runnerWaitsElsewhere(t *testing.T) {
	code, body := apiJSON(t, http.MethodPost, c.base(0)+"/api/v4/user/runners", c.token, `{"runner_type":"instance_type","run_untagged":true}`)
	var runner struct {
		Token string `json:"token"`
	}
	if code != http.StatusCreated || json.Unmarshal([]byte(body), &runner) != nil || runner.Token == "" {
		t.Fatalf("create runner = %d %s", code, body)
	}
	createProject(t, c.base(0), c.token, "ci")
	request := func(last string) (int, string, time.Duration) {
		start := time.Now()
		b := fmt.Sprintf(`{"token":%q,"last_update":%q,"info":{"version":"17.0.0"}}`, runner.Token, last)
		req, _ := http.NewRequest(http.MethodPost, c.base(1)+"/api/v4/jobs/request", strings.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error(), time.Since(start) // no t.Fatal: it may run in a goroutine
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, resp.Header.Get("X-GitLab-Last-Update"), time.Since(start)
	}
	code, last, _ := request("")
	if code != http.StatusNoContent || last == "" {
		t.Fatalf("first job request = %d, last update %q", code, last)
	}
	got := make(chan [2]any, 1)
	go func() {
		code, _, took := request(last) // waits on instance 1
		got <- [2]any{code, took}
	}()
	time.Sleep(500 * time.Millisecond)
	ci := `{"branch":"main","commit_message":"ci","actions":[{"action":"create","file_path":".gitlab-ci.yml","content":"test:\n  script: [\"true\"]\n"}]}`
	if code, body := apiJSON(t, http.MethodPost, c.base(2)+"/api/v4/projects/root%2Fci/repository/commits", c.token, ci); code != http.StatusCreated {
		t.Fatalf("commit .gitlab-ci.yml on instance 2 = %d %s", code, body)
	}
	select {
	case r := <-got:
		if r[0] != http.StatusCreated {
			t.Fatalf("the waiting runner got %v after %v, want the job (201)", r[0], r[1])
		}
		t.Logf("the runner waiting on instance 1 got the job after %v", r[1])
	case <-time.After(15 * time.Second):
		t.Fatal("the runner waiting on instance 1 did not get the job made pending through instance 2 within 15s")
	}
}
