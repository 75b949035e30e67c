package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// result is one endpoint's figures.
type result struct {
	Name     string
	Conc     int
	Requests int
	Errors   int
	Elapsed  time.Duration
	P50      time.Duration
	P90      time.Duration
	P99      time.Duration
	PeakRSS  int64
	// CPU is the server's CPU time over the measured time, in percent
	// of one core (its git children are not counted).
	CPU         float64
	Unavailable string // why the endpoint was not run
	FirstError  string
}

func (r *result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// reqSpec is one HTTP request to send.
type reqSpec struct {
	method, path string // path below /api/v4, with query
	body         []byte
	ctype        string
	token        string // default: the bench user's
	// git: path is below the server root (smart HTTP), the token goes as
	// HTTP Basic password as git sends it, and protocol is Git-Protocol.
	git      bool
	protocol string
	// root: path is below the server root (GraphQL's /api/graphql), with
	// the API's credentials.
	root bool
	// base, when set, is another server's root URL (the yardstick): path
	// goes below it as is, without credentials.
	base string
	// jobToken, when set, is sent as JOB-TOKEN instead of the user's
	// token (the runner's job calls), with contentRange as Content-Range.
	jobToken, contentRange string
	// bearer: path is below the server root and the token goes as an
	// Authorization: Bearer (SCIM's token).
	bearer bool
}

// worker is the state of one load-generating goroutine in one run.
type worker struct {
	id    int
	n     int // requests sent so far
	rng   *rand.Rand
	phase string
	dir   string // scratch directory for git workers
	// measured and deadline are when the endpoint's measured time
	// starts and ends; a run that holds its request open (a long poll)
	// ends at the deadline.
	measured, deadline time.Time
	state              map[string]bool
	lastSHA            string
}

// endpoint is one benchmarked operation: an HTTP request or a git process.
type endpoint struct {
	name   string
	weight int  // share in the mix; 0: not in the mix
	git    bool // runs git processes with the git concurrency
	conc   int  // if set, the concurrency of this endpoint (latency of one client)
	// target, when set, is the server whose RSS is sampled (the
	// yardstick's requests name it in their base); default lablet.
	target *server
	// cold: measured from its first request, without warm-up; its req
	// returns a spec without method once it has nothing left to ask.
	cold bool
	req  func(w *worker) reqSpec
	// setup, if set, prepares each request outside the measured time
	// (the merge request a merge row merges) and replaces req.
	setup func(ctx context.Context, w *worker) (reqSpec, error)
	// after, if set, sees each successful answer (to track worker state).
	after func(w *worker, spec reqSpec)
	run   func(ctx context.Context, w *worker) error
	// observe, if set, sees the latency of each measured request, and
	// breakdown summarises what it saw (the mix: latency per endpoint).
	observe   func(w *worker, d time.Duration)
	breakdown func() string
}

// loader drives endpoints against one server.
type loader struct {
	srv *server
	// instances, when set, are the servers requests go to in turn
	// (round robin, srv first): several instances on one database.
	instances []*server
	next      atomic.Uint64
	sd        *seeded
	src       *seedRepo
	client    *http.Client
	work      string
}

func newLoader(srv *server, sd *seeded, src *seedRepo, conc int, work string) *loader {
	tr := &http.Transport{
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		// Every worker keeps its own connection alive.
		MaxIdleConns:        conc * 2,
		MaxIdleConnsPerHost: conc * 2,
		MaxConnsPerHost:     conc,
		IdleConnTimeout:     60 * time.Second,
	}
	return &loader{srv: srv, sd: sd, src: src, work: work,
		client: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

func (l *loader) close() { l.client.CloseIdleConnections() }

// base is the root URL of the server the next request goes to.
func (l *loader) base() string {
	if len(l.instances) == 0 {
		return l.srv.base
	}
	return l.instances[(l.next.Add(1)-1)%uint64(len(l.instances))].base
}

// targets are the lablet processes whose CPU and memory a run measures.
func (l *loader) targets() []*server {
	if len(l.instances) == 0 {
		return []*server{l.srv}
	}
	return l.instances
}

// do sends one request; an error is a transport error or a non-2xx answer.
func (l *loader) do(ctx context.Context, spec reqSpec) (int, []byte, error) {
	return l.exchange(ctx, spec, false)
}

// measure is do for the measuring loop, which never reads a successful
// answer's body: it drains it through io.Discard's pooled buffer instead of
// a new allocation for each answer, so that the bench's own reading costs
// the same for a 20 kB page as for the yardstick's 1 kB (the client shares
// the machine's cores with the server it measures).
func (l *loader) measure(ctx context.Context, spec reqSpec) error {
	_, _, err := l.exchange(ctx, spec, true)
	return err
}

// exchange sends one request and reads its answer; with drain, the body
// of a 2xx answer is read and dropped.
func (l *loader) exchange(ctx context.Context, spec reqSpec, drain bool) (int, []byte, error) {
	var body io.Reader
	if spec.body != nil {
		body = bytes.NewReader(spec.body)
	}
	base, prefix := l.base(), "/api/v4"
	switch {
	case spec.base != "":
		base, prefix = spec.base, ""
	case spec.git, spec.root, spec.bearer:
		prefix = ""
	}
	req, err := http.NewRequestWithContext(ctx, spec.method, base+prefix+spec.path, body)
	if err != nil {
		return 0, nil, err
	}
	tok := spec.token
	if tok == "" {
		tok = l.sd.BenchToken
	}
	switch {
	case spec.base != "": // the yardstick takes no credentials
	case spec.jobToken != "":
		req.Header.Set("JOB-TOKEN", spec.jobToken)
		req.Header.Set("Content-Range", spec.contentRange)
	case spec.bearer:
		req.Header.Set("Authorization", "Bearer "+tok)
	case spec.git:
		req.SetBasicAuth("bench", tok)
		if spec.protocol != "" {
			req.Header.Set("Git-Protocol", spec.protocol)
		}
	default:
		req.Header.Set("PRIVATE-TOKEN", tok)
	}
	if spec.ctype != "" {
		req.Header.Set("Content-Type", spec.ctype)
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	if drain && ok {
		_, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<20))
		return resp.StatusCode, nil, err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return resp.StatusCode, nil, err
	}
	if !ok {
		msg := string(b)
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return resp.StatusCode, b, fmt.Errorf("%s %s: %d %s", spec.method, spec.path, resp.StatusCode, msg)
	}
	return resp.StatusCode, b, nil
}

// routeMissing reports whether an answer means "no such route yet".
func routeMissing(status int, body []byte) bool {
	return status == http.StatusMethodNotAllowed ||
		status == http.StatusNotFound && bytes.Contains(body, []byte(`"error":"404 Not Found"`))
}

// probe sends one request of ep to see whether the route exists.
func (l *loader) probe(ctx context.Context, ep *endpoint, phase string) string {
	if ep.req == nil {
		return ""
	}
	w := &worker{id: 999, rng: rand.New(rand.NewPCG(9, 9)), phase: phase + "-probe", state: map[string]bool{}}
	spec := ep.req(w)
	status, body, err := l.do(ctx, spec)
	if err != nil && routeMissing(status, body) {
		return fmt.Sprintf("%s %s answers %d", spec.method, strings.SplitN(spec.path, "?", 2)[0], status)
	}
	if err == nil && ep.after != nil {
		ep.after(w, spec)
	}
	return ""
}

// runEndpoint drives ep with conc workers for d.
// The first warm of it is not measured (caches fill, pooled processes
// start), though its failures count.
func (l *loader) runEndpoint(ctx context.Context, ep *endpoint, conc int, warm, d time.Duration, phase string) *result {
	res := &result{Name: ep.name, Conc: conc}
	if ep.git && !l.sd.GitHTTP {
		res.Unavailable = "git over HTTP not served"
		return res
	}
	if why := l.probe(ctx, ep, phase); why != "" {
		res.Unavailable = why
		return res
	}
	targets := l.targets()
	if ep.target != nil {
		targets = []*server{ep.target}
	}
	samplers := make([]*rssSampler, len(targets))
	for i, t := range targets {
		samplers[i] = t.sampleRSS()
	}
	cpuTime := func() (d time.Duration) {
		for _, t := range targets {
			d += t.cpuTime()
		}
		return d
	}
	var mu sync.Mutex
	var all []time.Duration
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if ep.cold {
		warm = 0
	}
	start := time.Now()
	measured := start.Add(warm)
	deadline := measured.Add(d)
	cpuAtMeasured := make(chan time.Duration, 1)
	time.AfterFunc(warm, func() { cpuAtMeasured <- cpuTime() })
	var wg sync.WaitGroup
	for i := 0; i < conc; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			w := &worker{id: id, rng: rand.New(rand.NewPCG(uint64(id), uint64(time.Now().UnixNano()))),
				phase: phase, state: map[string]bool{}, measured: measured, deadline: deadline}
			if ep.git {
				w.dir = filepath.Join(l.work, fmt.Sprintf("%s-w%d", phase, id))
				if err := os.MkdirAll(w.dir, 0o700); err != nil {
					mu.Lock()
					res.Errors++
					res.FirstError = err.Error()
					mu.Unlock()
					return
				}
				defer os.RemoveAll(w.dir)
			}
			lat := make([]time.Duration, 0, 1024)
			errs, first := 0, ""
			// Bounded in time, and in count as a backstop.
		requests:
			for n := 0; n < 10_000_000 && time.Now().Before(deadline) && ctx.Err() == nil; n++ {
				var spec reqSpec
				var err error
				if ep.setup != nil {
					spec, err = ep.setup(ctx, w)
				}
				t0 := time.Now()
				switch {
				case err != nil: // setup failed: counted, nothing sent
				case ep.run != nil:
					err = ep.run(ctx, w)
				default:
					if ep.setup == nil {
						spec = ep.req(w)
					}
					if spec.method == "" {
						break requests // a cold endpoint asked everything once
					}
					err = l.measure(ctx, spec)
					if err == nil && ep.after != nil {
						ep.after(w, spec)
					}
				}
				w.n++
				if err != nil && ctx.Err() != nil {
					break
				}
				if !t0.Before(measured) {
					d := time.Since(t0)
					lat = append(lat, d)
					if ep.observe != nil {
						ep.observe(w, d)
					}
				}
				if err != nil {
					errs++
					if first == "" {
						first = err.Error()
					}
				}
			}
			mu.Lock()
			all = append(all, lat...)
			res.Errors += errs
			if res.FirstError == "" {
				res.FirstError = first
			}
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	res.Elapsed = time.Since(measured)
	if cpu := cpuTime() - <-cpuAtMeasured; res.Elapsed > 0 {
		res.CPU = 100 * cpu.Seconds() / res.Elapsed.Seconds()
	}
	for _, sm := range samplers { // several instances: their sum
		res.PeakRSS += sm.stop()
	}
	res.Requests = len(all)
	slices.Sort(all)
	res.P50, res.P90, res.P99 = pct(all, 50), pct(all, 90), pct(all, 99)
	return res
}

// pct is the nearest-rank percentile of sorted samples.
func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, min(len(sorted)-1, i-1))]
}

// endpoints lists the benchmarked operations.
func (l *loader) endpoints() []*endpoint {
	sd, src := l.sd, l.src
	pick := func(w *worker, list []projectRef) projectRef { return list[w.rng.IntN(len(list))] }
	repoOf := func(w *worker) projectRef { return pick(w, sd.RepoProjects) }
	esc := url.PathEscape
	get := func(p string) reqSpec { return reqSpec{method: http.MethodGet, path: p} }
	// Every visible project once, in an order fixed by the seed, shared by
	// all workers: each request finds the server's caches without that
	// project, as a first visit does. At 10,000 projects the steady-state
	// figure below is nearly all cache hits; at 100,000, a run of a few
	// seconds sees most projects for the first time. This row compares the
	// cost of a first read at both scales, the next one the steady state.
	firstReads := slices.Clone(sd.VisibleProjects)
	rand.New(rand.NewPCG(5, 5)).Shuffle(len(firstReads), func(i, j int) {
		firstReads[i], firstReads[j] = firstReads[j], firstReads[i]
	})
	var firstNext atomic.Int64
	eps := []*endpoint{
		{name: "GET /projects/:id first read", cold: true, req: func(w *worker) reqSpec {
			i := firstNext.Add(1) - 1
			if i >= int64(len(firstReads)) {
				return reqSpec{}
			}
			return get(fmt.Sprintf("/projects/%d", firstReads[i].ID))
		}},
		{name: "GET /projects/:id", weight: 15, req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects/%d", pick(w, sd.VisibleProjects).ID))
		}},
		{name: "GET /projects/:path", weight: 10, req: func(w *worker) reqSpec {
			return get("/projects/" + esc(pick(w, sd.VisibleProjects).FullPath))
		}},
		{name: "GET /projects?membership", weight: 10, req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects?membership=true&per_page=20&page=%d", 1+w.rng.IntN(3)))
		}},
		{name: "GET /projects keyset", weight: 5, req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects?pagination=keyset&order_by=id&sort=asc&per_page=20&id_after=%d",
				w.rng.Int64N(max(1, sd.MaxProjectID))))
		}},
		{name: "GET /groups/:id", weight: 5, req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/groups/%d", sd.VisibleGroups[w.rng.IntN(len(sd.VisibleGroups))]))
		}},
		{name: "GET /users/:id", weight: 5, req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/users/%d", sd.UserIDs[w.rng.IntN(len(sd.UserIDs))]))
		}},
		{name: "GET /user", weight: 10, req: func(w *worker) reqSpec { return get("/user") }},
		{name: "GET …/repository/branches", weight: 5, req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects/%d/repository/branches", repoOf(w).ID))
		}},
		{name: "GET …/repository/tree", weight: 8, req: func(w *worker) reqSpec {
			d := src.Dirs[w.rng.IntN(len(src.Dirs))]
			return get(fmt.Sprintf("/projects/%d/repository/tree?ref=main&path=%s", repoOf(w).ID, url.QueryEscape(d)))
		}},
		{name: "GET …/repository/files/:path", weight: 8, req: func(w *worker) reqSpec {
			f := src.Files[w.rng.IntN(len(src.Files))]
			return get(fmt.Sprintf("/projects/%d/repository/files/%s?ref=main", repoOf(w).ID, esc(f)))
		}},
		{name: "GET …/repository/files/:path/raw", weight: 8, req: func(w *worker) reqSpec {
			f := src.Files[w.rng.IntN(len(src.Files))]
			return get(fmt.Sprintf("/projects/%d/repository/files/%s/raw?ref=main", repoOf(w).ID, esc(f)))
		}},
		{name: "GET …/repository/commits", weight: 5, req: func(w *worker) reqSpec {
			return get(fmt.Sprintf("/projects/%d/repository/commits?ref_name=main&per_page=20", repoOf(w).ID))
		}},
		{name: "POST /projects", weight: 1, req: func(w *worker) reqSpec {
			form := url.Values{"name": {fmt.Sprintf("new-%s-%d-%d-%d", w.phase, w.id, w.n, w.rng.IntN(1e9))}}
			return reqSpec{method: http.MethodPost, path: "/projects", body: []byte(form.Encode()),
				ctype: "application/x-www-form-urlencoded"}
		}},
		{name: "POST …/repository/commits", weight: 1, req: func(w *worker) reqSpec {
			p := sd.RepoProjects[w.id%len(sd.RepoProjects)]
			branch := fmt.Sprintf("bench-%s-w%d", w.phase, w.id)
			body := map[string]any{
				"branch":         branch,
				"commit_message": fmt.Sprintf("bench commit %d", w.n),
				"actions": []map[string]string{{"action": "create",
					"file_path": fmt.Sprintf("bench/w%d/%d-%d.txt", w.id, w.n, w.rng.IntN(1e9)),
					"content":   "generated by the lablet bench\n"}},
			}
			if !w.state[branch] {
				body["start_branch"] = "main"
			}
			return reqSpec{method: http.MethodPost, path: fmt.Sprintf("/projects/%d/repository/commits", p.ID),
				body: mustJSON(body), ctype: "application/json"}
		}, after: func(w *worker, spec reqSpec) {
			w.state[fmt.Sprintf("bench-%s-w%d", w.phase, w.id)] = true
		}},
	}
	eps = append(eps, l.planningEndpoints()...)
	eps = append(eps, l.forkEndpoints()...)
	eps = append(eps, l.mergeEndpoints()...)
	eps = append(eps, l.ciVariableEndpoints()...)
	eps = append(eps, l.ciEndpoints()...)
	eps = append(eps, l.ciTriggerEndpoints()...)
	eps = append(eps, l.ciScheduleEndpoints()...)
	eps = append(eps, l.deployKeyEndpoints()...)
	eps = append(eps, l.instanceEndpoints()...)
	eps = append(eps, l.deployTokenEndpoints()...)
	eps = append(eps, l.releaseEndpoints()...)
	eps = append(eps, l.packageEndpoints()...)
	eps = append(eps, l.wikiEndpoints()...)
	eps = append(eps, l.sharingEndpoints()...)
	eps = append(eps, l.gpgKeyEndpoints()...)
	eps = append(eps, l.hookEndpoints()...)
	eps = append(eps, l.badgeEndpoints()...)
	eps = append(eps, l.ciJobTokenScopeEndpoints()...)
	eps = append(eps, l.runnerEndpoints()...)
	eps = append(eps, l.userExtraEndpoints()...)
	eps = append(eps, l.ciStatusEndpoints()...)
	eps = append(eps, l.environmentEndpoints()...)
	eps = append(eps, l.notificationEndpoints()...)
	eps = append(eps, l.lfsEndpoints()...)
	eps = append(eps, l.snippetEndpoints()...)
	eps = append(eps, l.graphqlEndpoints()...)
	eps = append(eps, l.scimEndpoints()...)
	eps = append(eps, []*endpoint{
		// What git ls-remote and every fetch ask first: v0 answers the whole
		// ref advertisement, v2 only the capabilities.
		{name: "GET info/refs (v0)", req: func(w *worker) reqSpec {
			return reqSpec{method: http.MethodGet, git: true,
				path: "/" + repoOf(w).FullPath + ".git/info/refs?service=git-upload-pack"}
		}},
		{name: "GET info/refs (v2)", req: func(w *worker) reqSpec {
			return reqSpec{method: http.MethodGet, git: true, protocol: "version=2",
				path: "/" + repoOf(w).FullPath + ".git/info/refs?service=git-upload-pack"}
		}},
		{name: "git ls-remote", git: true, run: func(ctx context.Context, w *worker) error {
			_, err := git(ctx, w.dir, "ls-remote", l.gitURL(repoOf(w), sd.BenchToken))
			return err
		}},
		{name: "git clone", git: true, run: func(ctx context.Context, w *worker) error {
			dst := filepath.Join(w.dir, fmt.Sprintf("c%d", w.n))
			_, err := git(ctx, w.dir, "clone", "--quiet", "--bare", l.gitURL(repoOf(w), sd.BenchToken), dst)
			_ = os.RemoveAll(dst)
			return err
		}},
		{name: "git push", git: true, run: func(ctx context.Context, w *worker) error {
			return l.gitPush(ctx, w)
		}},
	}...)
	// The writes again with one client: their latency without queueing
	// behind 63 others.
	for _, name := range []string{"POST /projects", "POST …/repository/commits", "POST /projects/:id/fork"} {
		for _, ep := range eps {
			if ep.name == name {
				one := *ep
				one.name, one.weight, one.conc = name+" (1 client)", 0, 1
				eps = append(eps, &one)
			}
		}
	}
	return eps
}

// referenceName is the yardstick's row in the results.
const referenceName = "yardstick: net/http, 1 SQLite row, 1 KB JSON"

// referenceEndpoint reads random rows of the yardstick server ref.
func referenceEndpoint(ref *server) *endpoint {
	return &endpoint{name: referenceName, target: ref, req: func(w *worker) reqSpec {
		return reqSpec{method: http.MethodGet, base: ref.base, path: fmt.Sprintf("/items/%d", 1+w.rng.IntN(1000))}
	}}
}

// gitURL is a project's HTTP clone URL with the token as password.
func (l *loader) gitURL(p projectRef, token string) string {
	return "http://bench:" + token + "@" + l.srv.addr + "/" + p.FullPath + ".git"
}

// gitPush pushes one new commit (made before the clock starts would be
// nicer; commit-tree costs ~2ms) to the worker's own branch.
func (l *loader) gitPush(ctx context.Context, w *worker) error {
	local := filepath.Join(w.dir, "local.git")
	if w.lastSHA == "" {
		if _, err := git(ctx, w.dir, "clone", "--quiet", "--bare", "--no-tags", "--single-branch", l.src.Dir, local); err != nil {
			return err
		}
		out, err := git(ctx, local, "rev-parse", "refs/heads/main")
		if err != nil {
			return err
		}
		w.lastSHA = strings.TrimSpace(out)
	}
	out, err := git(ctx, local, "commit-tree", w.lastSHA+"^{tree}", "-p", w.lastSHA, "-m",
		fmt.Sprintf("bench push %d", w.n))
	if err != nil {
		return err
	}
	sha := strings.TrimSpace(out)
	p := l.sd.RepoProjects[w.id%len(l.sd.RepoProjects)]
	ref := fmt.Sprintf("refs/heads/bench-push-%s-w%d", w.phase, w.id)
	if _, err := git(ctx, local, "push", "--quiet", l.gitURL(p, l.sd.BenchToken), sha+":"+ref); err != nil {
		return err
	}
	w.lastSHA = sha
	return nil
}

// mix is a weighted blend of the available HTTP endpoints.
// It returns the weights as text too, for the report.
func mixEndpoint(eps []*endpoint, available map[string]bool) (*endpoint, string) {
	var pool []*endpoint
	total := 0
	for _, ep := range eps {
		if ep.weight > 0 && !ep.git && available[ep.name] {
			pool = append(pool, ep)
			total += ep.weight
		}
	}
	if total == 0 {
		return nil, ""
	}
	choose := func(w *worker) *endpoint {
		x := w.rng.IntN(total)
		for _, ep := range pool {
			if x < ep.weight {
				return ep
			}
			x -= ep.weight
		}
		return pool[len(pool)-1]
	}
	var names []string
	for _, ep := range pool {
		names = append(names, fmt.Sprintf("%s ×%d", ep.name, ep.weight))
	}
	mix := &endpoint{name: "mix (HTTP)"}
	// Each worker remembers which endpoint it chose for the request in flight.
	var mu sync.Mutex
	chosen := map[*worker]*endpoint{}
	mix.req = func(w *worker) reqSpec {
		ep := choose(w)
		mu.Lock()
		chosen[w] = ep
		mu.Unlock()
		return ep.req(w)
	}
	mix.after = func(w *worker, spec reqSpec) {
		mu.Lock()
		ep := chosen[w]
		mu.Unlock()
		if ep != nil && ep.after != nil {
			ep.after(w, spec)
		}
	}
	seen := map[string][]time.Duration{}
	mix.observe = func(w *worker, d time.Duration) {
		mu.Lock()
		if ep := chosen[w]; ep != nil {
			seen[ep.name] = append(seen[ep.name], d)
		}
		mu.Unlock()
	}
	mix.breakdown = func() string {
		mu.Lock()
		defer mu.Unlock()
		var b strings.Builder
		for _, ep := range pool {
			l := seen[ep.name]
			slices.Sort(l)
			fmt.Fprintf(&b, "\n      %-34s n %6d  p50 %8s  p90 %8s  p99 %8s", ep.name, len(l),
				fmtDur(pct(l, 50)), fmtDur(pct(l, 90)), fmtDur(pct(l, 99)))
		}
		return b.String()
	}
	return mix, strings.Join(names, ", ")
}
