package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lablet/lablet/internal/repo"
)

// dbRun is everything measured against one database.
type dbRun struct {
	DB             string // "SQLite" or "PostgreSQL"
	Counts         seeded
	ReadyEmpty     time.Duration
	ReadySeeded    time.Duration
	CloneHTTP      time.Duration // median
	CloneFile      time.Duration // median
	CloneSSH       time.Duration // median; 0 when unavailable (CloneNote)
	CloneNote      string
	Hooks          string // the webhook delivery line (hookRate), or why it is missing
	Results        []*result
	PeakRSS        int64  // VmHWM at the end
	IdleRSS        int64  // VmRSS a second after the seeded start, before any load
	Mix            string // the mix's weights, when it ran
	ServerFailures string
	// Instances are the read rows through several instances (-instances),
	// or InstancesNote says why they did not run.
	Instances     []*instanceRow
	InstancesNote string
}

func (r *dbRun) failed() bool {
	for _, res := range r.Results {
		if res.Errors > 0 {
			return true
		}
	}
	return r.ServerFailures != "" || instancesFailed(r.Instances)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// runOne seeds a fresh instance on one database and benchmarks it.
func runOne(ctx context.Context, o options, work, bin, refBin string, src *seedRepo, dbBase string) (*dbRun, error) {
	r := &dbRun{DB: "SQLite"}
	dbURL := ""
	if dbBase != "" {
		r.DB = "PostgreSQL"
		u, drop, err := createPGDatabase(ctx, dbBase)
		if err != nil {
			return nil, err
		}
		if o.keep {
			logf("[%s] keeping the database %s", r.DB, u)
		} else {
			defer drop()
		}
		dbURL = u
	}
	tag := map[bool]string{false: "sqlite", true: "pg"}[dbBase != ""]
	dataDir := filepath.Join(work, "data-"+tag)
	if !o.keep {
		defer os.RemoveAll(dataDir)
	}
	logPath := filepath.Join(work, "serve-"+tag+".log")

	// 1. Start on an empty data dir, then stop.
	logf("[%s] starting lablet on an empty data dir", r.DB)
	srv, ready, err := startServer(ctx, bin, dataDir, dbURL, logPath, o.profile != "")
	if err != nil {
		return nil, err
	}
	r.ReadyEmpty = ready
	srv.stop()

	// 2. Seed the bulk with the server stopped.
	c := countsFor(o.scale)
	logf("[%s] seeding %d users, %d groups, %d projects", r.DB, c.users, c.groups, c.projects)
	sd := &r.Counts
	if err := seedBulk(ctx, dbURL, dataDir, c, sd); err != nil {
		return nil, err
	}
	logf("[%s] seeded in %s", r.DB, sd.Seed.Round(time.Millisecond))

	// 3. Start on the seeded data dir.
	srv, ready, err = startServer(ctx, bin, dataDir, dbURL, logPath, o.profile != "")
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	r.ReadySeeded = ready
	time.Sleep(time.Second)
	r.IdleRSS, _ = srv.memStatus()
	logf("[%s] ready in %s (empty: %s)", r.DB, ready.Round(time.Millisecond), r.ReadyEmpty.Round(time.Millisecond))
	if sd.RootToken, err = srv.tokenCreate(ctx, "root", "api,sudo,admin_mode"); err != nil {
		return nil, err
	}

	l := newLoader(srv, sd, src, o.conc, work)
	defer l.close()
	if err := seedRepos(ctx, l, o.repos, dataDir); err != nil {
		return r, err
	}
	sd.VisibleProjects = append(sd.VisibleProjects, sd.RepoProjects...)
	if sd.GitHTTP {
		r.CloneHTTP, r.CloneFile, r.CloneSSH, err = cloneRatio(ctx, l, dataDir, map[bool]int{false: 5, true: 2}[o.short])
		if err != nil {
			r.CloneNote = err.Error()
		}
	} else {
		r.CloneNote = "git over HTTP not served"
	}
	if _, line, err := hookRate(ctx, l, 10, map[bool]int{false: 500, true: 100}[o.short]); err != nil {
		r.Hooks = "unavailable (" + err.Error() + ")"
	} else {
		r.Hooks = line
	}
	logf("[%s] idle after %s", r.DB, srv.settle(ctx, 30*time.Second).Round(100*time.Millisecond))

	// 4. Each endpoint alone, then the mix.
	eps := l.endpoints()
	if o.only == nil || o.only.MatchString(referenceName) {
		// The yardstick first, on the same machine at the same time: how
		// fast a minimal Go server is here now (machines move by 2x
		// within a day), to read the figures below against.
		ref, err := startReference(ctx, refBin, work)
		if err != nil {
			return r, err
		}
		eps = append([]*endpoint{referenceEndpoint(ref)}, eps...)
		defer ref.stop()
	}
	available := map[string]bool{}
	for _, ep := range eps {
		if o.only != nil && !o.only.MatchString(ep.name) {
			continue
		}
		conc := o.conc
		if ep.git {
			conc = o.gitConc
		}
		if ep.conc > 0 {
			conc = ep.conc
		}
		logf("[%s] %s: %d workers for %s", r.DB, ep.name, conc, o.duration)
		stopProfile := profileEndpoint(ctx, o, srv, tag, ep.name)
		res := l.runEndpoint(ctx, ep, conc, o.warmup, o.duration, fmt.Sprintf("e%d", len(r.Results)))
		stopProfile()
		if ctx.Err() != nil {
			return r, ctx.Err()
		}
		r.Results = append(r.Results, res)
		available[ep.name] = res.Unavailable == ""
		if res.Unavailable != "" {
			logf("    unavailable: %s", res.Unavailable)
		} else {
			logf("    %.0f req/s, p50 %s, p99 %s, %d errors", res.RPS(), fmtDur(res.P50), fmtDur(res.P99), res.Errors)
			if res.FirstError != "" {
				logf("    first error: %s", res.FirstError)
			}
		}
	}
	mix, weights := mixEndpoint(eps, available)
	if mix != nil && (o.only == nil || o.only.MatchString(mix.name)) {
		r.Mix = weights
		logf("[%s] %s: %d workers for %s", r.DB, mix.name, o.conc, o.duration)
		res := l.runEndpoint(ctx, mix, o.conc, o.warmup, o.duration, "mix")
		r.Results = append(r.Results, res)
		logf("    per endpoint:%s", mix.breakdown())
		logf("    %.0f req/s, p50 %s, p99 %s, %d errors", res.RPS(), fmtDur(res.P50), fmtDur(res.P99), res.Errors)
		if res.FirstError != "" {
			logf("    first error: %s", res.FirstError)
		}
	}
	_, r.PeakRSS = srv.memStatus()
	switch {
	case o.instances < 2:
	case dbBase == "":
		r.InstancesNote = "skipped on SQLite (one process owns the database file; several instances need PostgreSQL, -db)"
		logf("[%s] several instances: %s", r.DB, r.InstancesNote)
	default:
		if err := runInstances(ctx, o, r, l, eps, work, bin, dataDir, dbURL, tag); err != nil {
			return r, err
		}
	}
	select {
	case <-srv.exited:
		r.ServerFailures = fmt.Sprintf("server exited during the run (%v)", srv.waitErr)
	default:
	}
	return r, nil
}

// profileEndpoint saves a CPU profile of the server while an endpoint runs,
// when -profile is set; the returned func waits for it, then saves a heap
// profile (what the caches hold once the endpoint has run).
func profileEndpoint(ctx context.Context, o options, srv *server, tag, name string) func() {
	if o.profile == "" {
		return func() {}
	}
	if err := os.MkdirAll(o.profile, 0o755); err != nil {
		logf("    profile: %v", err)
		return func() {}
	}
	file := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, name)
	path := filepath.Join(o.profile, tag+"-"+strings.Trim(file, "_")+".pprof")
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.cpuProfile(ctx, o.warmup+o.duration, path); err != nil {
			logf("    profile: %v", err)
		}
	}()
	return func() {
		<-done
		heap := strings.TrimSuffix(path, ".pprof") + ".heap.pprof"
		if err := srv.saveProfile(ctx, "heap?gc=1", heap); err != nil {
			logf("    profile: %v", err)
		}
	}
}

// seedRepos creates the repository projects through the API and pushes
// the prepared repository to each: over HTTP when lablet serves git, else
// straight into the bare repository on disk (file://).
func seedRepos(ctx context.Context, l *loader, n int, dataDir string) error {
	sd := l.sd
	start := time.Now()
	create := func(name string, readme bool) (projectRef, error) {
		form := url.Values{"name": {name}, "namespace_id": {fmt.Sprint(sd.ReposGroup)},
			"initialize_with_readme": {fmt.Sprint(readme)}}
		_, body, err := l.do(ctx, reqSpec{method: http.MethodPost, path: "/projects", body: []byte(form.Encode()),
			ctype: "application/x-www-form-urlencoded", token: sd.RootToken})
		if err != nil {
			return projectRef{}, fmt.Errorf("create repository project: %w", err)
		}
		var p struct {
			ID   int64  `json:"id"`
			Path string `json:"path_with_namespace"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			return projectRef{}, err
		}
		return projectRef{ID: p.ID, FullPath: p.Path}, nil
	}
	// Is git served over HTTP? Ask on a throwaway project.
	probe, err := create("git-probe", false)
	if err != nil {
		return err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet,
		l.srv.base+"/"+probe.FullPath+".git/info/refs?service=git-upload-pack", nil)
	req.SetBasicAuth("root", sd.RootToken)
	if resp, err := l.client.Do(req); err == nil {
		resp.Body.Close()
		sd.GitHTTP = resp.StatusCode == http.StatusOK
	}
	if !sd.GitHTTP {
		logf("git over HTTP is not served (GET info/refs did not answer 200): pushing over file://")
	}
	logf("creating %d repository projects and pushing", n)
	refs := []string{"refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*"}
	sd.RepoProjects = make([]projectRef, n)
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			p, err := create(fmt.Sprintf("repo-%03d", i), !sd.GitHTTP)
			if err == nil {
				if sd.GitHTTP {
					_, err = git(ctx, l.src.Dir, append([]string{"push", "--quiet",
						"http://root:" + sd.RootToken + "@" + l.srv.addr + "/" + p.FullPath + ".git"}, refs...)...)
				} else {
					dir := filepath.Join(dataDir, "repositories", repo.HashedPath(p.ID))
					_, err = git(ctx, l.src.Dir, append([]string{"push", "--quiet", "--force", "file://" + dir}, refs...)...)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			sd.RepoProjects[i] = p
		}(i)
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	sd.SeedRepos = time.Since(start)
	logf("repositories seeded in %s", sd.SeedRepos.Round(time.Millisecond))
	return nil
}
