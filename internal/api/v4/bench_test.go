package v4

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/store"
)

// These benchmarks run the API in process (no network, no git: the
// service has no repository store), so that a CPU profile shows the
// request path itself:
//
//	go test -run '^$' -bench . -benchmem -cpuprofile /tmp/api.prof ./internal/api/v4
//	go tool pprof -top internal/api/v4/v4.test /tmp/api.prof

type benchAPI struct {
	api     *API
	svc     *service.Service
	db      *store.DB
	project *model.Project
	token   string // a Developer of the project's group, scope api
}

func newBenchAPI(b testing.TB) *benchAPI {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	db, err := store.Open(ctx, "", dir, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := service.New(service.Options{DB: db, Log: log, ImpersonationEnabled: true})
	if err := svc.EnsureRoot(ctx, "root-password-1234", dir); err != nil {
		b.Fatal(err)
	}
	authn := auth.NewAuthenticator(db, true, false)
	a := New(Options{Service: svc, Authenticator: authn, Log: log})
	root, err := db.Queries().UserByUsername(ctx, "root")
	if err != nil {
		b.Fatal(err)
	}
	admin := &auth.Identity{User: root, Owner: root}
	u := &model.User{Username: "alice", Email: "alice@example.com", Name: "Alice", CanCreateGroup: true, ProjectsLimit: 100}
	if err := db.WithTx(ctx, func(q *store.Queries) error { return q.CreateUser(ctx, u) }); err != nil {
		b.Fatal(err)
	}
	_, tok, err := svc.CreateToken(ctx, service.NewTokenInput{UserID: u.ID, Name: "bench", Scopes: []string{"api"}})
	if err != nil {
		b.Fatal(err)
	}
	str := func(v string) *string { return &v }
	vis := access.Private
	g, err := svc.CreateGroup(ctx, admin, service.GroupInput{Name: str("g"), Path: str("g"), Visibility: &vis})
	if err != nil {
		b.Fatal(err)
	}
	src, err := svc.GroupMemberSource(ctx, admin, fmt.Sprint(g.ID))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.AddMember(ctx, admin, src, u.ID, service.MemberInput{AccessLevel: int(access.Developer)}); err != nil {
		b.Fatal(err)
	}
	ns := fmt.Sprint(g.ID)
	var first *model.Project
	for i := 0; i < 100; i++ {
		name := fmt.Sprintf("p%d", i)
		p, err := svc.CreateProject(ctx, admin, service.ProjectInput{Name: &name, Path: &name, Namespace: &ns,
			Description: str("A project for benchmarks.")}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if first == nil {
			first = p
		}
	}
	return &benchAPI{api: a, svc: svc, db: db, project: first, token: tok}
}

// serve runs one request through the whole API handler.
func (ba *benchAPI) serve(b *testing.B, target string) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("PRIVATE-TOKEN", ba.token)
	rec := httptest.NewRecorder()
	ba.api.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
	}
}

// BenchmarkProjectEntity measures GET /projects/:id's JSON without
// storage: the struct the specification builds, encoded by encoding/json
// (as writeJSON did), against the entity written from the row.
func BenchmarkProjectEntity(b *testing.B) {
	ba := newBenchAPI(b)
	r := httptest.NewRequest(http.MethodGet, "/api/v4/projects/1", nil)
	perms := model.ProjectAccess{Group: int(access.Developer)}
	pb := ba.api.ProjectBase(r)
	b.Run("struct+encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f := fullProjectAt(pb, ba.project, nil, nil, &perms)
			if err := json.NewEncoder(io.Discard).Encode(f); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("direct", func(b *testing.B) { // what writeProject does
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = withPermissions(appendProjectEntity(buf[:0], pb, ba.project, nil, nil), perms, true)
		}
	})
}

// BenchmarkHandler runs whole requests (authentication, routing, lookup,
// permissions, entity, JSON) through the API handler in process.
func BenchmarkHandler(b *testing.B) {
	ba := newBenchAPI(b)
	p := ba.project
	for _, c := range []struct{ name, target string }{
		{"GET /projects/:id", fmt.Sprintf("/api/v4/projects/%d", p.ID)},
		{"GET /projects/:path", "/api/v4/projects/g%2F" + p.Path},
		{"GET /projects?membership", "/api/v4/projects?membership=true&per_page=20"},
		{"GET /user", "/api/v4/user"},
		{"GET /groups/:id", fmt.Sprintf("/api/v4/groups/%d", p.NamespaceID)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ba.serve(b, c.target)
			}
		})
	}
}

// BenchmarkFullProjectsCold renders a page of 100 full project entities
// with the project JSON cache bypassed: the cost of a list on a cache miss.
func BenchmarkFullProjectsCold(b *testing.B) {
	ba := newBenchAPI(b)
	ctx := context.Background()
	var projects []*model.Project
	for id := ba.project.ID; id < ba.project.ID+100; id++ {
		p, _, err := ba.db.Queries().ProjectWithAccessByID(ctx, id, 0, "2026-01-01")
		if err != nil {
			b.Fatal(err)
		}
		projects = append(projects, p)
	}
	levels := map[int64]model.ProjectAccess{}
	for _, p := range projects {
		levels[p.ID] = model.ProjectAccess{Group: int(access.Developer)}
	}
	r := httptest.NewRequest(http.MethodGet, "/api/v4/projects", nil)
	b.Run("list", func(b *testing.B) {
		// Without a version no entity is cached.
		unversioned := make([]*model.Project, len(projects))
		for i, p := range projects {
			c := *p
			c.Version = model.Version{}
			unversioned[i] = &c
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := ba.api.writeFullProjects(httptest.NewRecorder(), r, unversioned, nil, levels, true, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The 100 entities alone, as the struct path built them and as
	// appendProjectEntity writes them now.
	pb := ba.api.ProjectBase(r)
	b.Run("entities/struct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, p := range projects {
				f := fullProjectAt(pb, p, nil, nil, nil)
				if err := json.NewEncoder(io.Discard).Encode(f); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("entities/direct", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			for _, p := range projects {
				buf = appendProjectEntity(buf[:0], pb, p, nil, nil)
			}
		}
	})
}

// BenchmarkTimestamp compares ts, three of which each entity formats,
// with appendTS.
func BenchmarkTimestamp(b *testing.B) {
	t := time.Date(2026, 5, 17, 7, 45, 38, 123456789, time.FixedZone("", 3600))
	b.Run("ts", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = TS(t)
		}
	})
	b.Run("appendTS", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = appendTS(buf[:0], t)
		}
	})
}

// BenchmarkIssueListCold runs GET /projects/:id/issues?state=opened&labels=…
// (the bench's row) through the handler with every page read for the first
// time: each pass over the 100 projects × 3 labels follows an issue write,
// which moves the planning version, so no page or list is kept.
func BenchmarkIssueListCold(b *testing.B) { benchmarkIssueList(b, true) }

// BenchmarkIssueListWarm asks the same pages with nothing changing in
// between: the kept rendering's path, most of the bench row's requests.
func BenchmarkIssueListWarm(b *testing.B) { benchmarkIssueList(b, false) }

func benchmarkIssueList(b *testing.B, cold bool) {
	ba := newBenchAPI(b)
	ctx := context.Background()
	titles := []string{"bug", "feature", "p1"}
	author := *ba.project.CreatorID
	var targets []string
	err := ba.db.WithTx(ctx, func(q *store.Queries) error {
		for pid := ba.project.ID; pid < ba.project.ID+100; pid++ {
			labels := make([]int64, len(titles))
			for k, t := range titles {
				l := &model.Label{ProjectID: &pid, Title: t, Color: "#6699cc"}
				if err := q.InsertLabel(ctx, l); err != nil {
					return err
				}
				labels[k] = l.ID
				targets = append(targets, fmt.Sprintf("/api/v4/projects/%d/issues?state=opened&labels=%s&per_page=20", pid, t))
			}
			for n := 0; n < 20; n++ {
				is := &model.Issue{ProjectID: pid, AuthorID: &author, Title: fmt.Sprintf("issue %d", n), Description: "Steps."}
				if n%3 == 0 {
					is.State = "closed"
				}
				if err := q.InsertIssue(ctx, is); err != nil {
					return err
				}
				if err := q.SetLabelLinks(ctx, model.NoteableIssue, is.ID, []int64{labels[n%3], labels[(n+1)%3]}); err != nil {
					return err
				}
				if n%4 == 0 {
					if err := q.SetIssueAssignees(ctx, is.ID, []int64{author}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	ba.serveList(b, targets, cold)
}

// processCPU is the CPU time the process has used, in nanoseconds (user
// and system, every thread: the garbage collector's work included), which
// other processes on the machine change far less than wall time.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkMergeRequestListCold is BenchmarkIssueListCold for a project's
// open merge requests (the bench's row: ten per project, 0–2 labels each):
// every pass asks each page once after a change that empties the kept
// pages, so each request reads its page from the database.
func BenchmarkMergeRequestListCold(b *testing.B) { benchmarkMergeRequestList(b, true) }

// BenchmarkMergeRequestListWarm asks the same pages with nothing changing
// in between: the kept rendering's path.
func BenchmarkMergeRequestListWarm(b *testing.B) { benchmarkMergeRequestList(b, false) }

func benchmarkMergeRequestList(b *testing.B, cold bool) {
	ba := newBenchAPI(b)
	ctx := context.Background()
	author := *ba.project.CreatorID
	var targets []string
	err := ba.db.WithTx(ctx, func(q *store.Queries) error {
		for pid := ba.project.ID; pid < ba.project.ID+100; pid++ {
			l := &model.Label{ProjectID: &pid, Title: "bug", Color: "#6699cc"}
			if err := q.InsertLabel(ctx, l); err != nil {
				return err
			}
			targets = append(targets, fmt.Sprintf("/api/v4/projects/%d/merge_requests?state=opened&per_page=20", pid))
			for n := 0; n < 10; n++ {
				m := &model.MergeRequest{TargetProjectID: pid, SourceProjectID: &pid, AuthorID: &author,
					Title: fmt.Sprintf("Fix %d", n), SourceBranch: fmt.Sprintf("fix-%d", n), TargetBranch: "main"}
				if n%3 == 0 {
					m.State = "closed"
				}
				if err := q.InsertMergeRequest(ctx, m); err != nil {
					return err
				}
				if n%2 == 0 {
					if err := q.SetLabelLinks(ctx, model.NoteableMergeRequest, m.ID, []int64{l.ID}); err != nil {
						return err
					}
				}
				if n%4 == 0 {
					if err := q.SetMergeRequestUsers(ctx, m.ID, false, []int64{author}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	ba.serveList(b, targets, cold)
}

// serveList asks targets in turn, reporting the process's CPU per request;
// cold empties the kept pages (a new issue in the first project) before
// each pass, outside the measured time.
func (ba *benchAPI) serveList(b *testing.B, targets []string, cold bool) {
	ctx := context.Background()
	author := *ba.project.CreatorID
	ba.serve(b, targets[0]) // warm what is not the list: token, project, levels
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	defer func() { b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op") }()
	for i := 0; b.Loop(); i++ {
		if cold && i%len(targets) == 0 {
			b.StopTimer()
			pid := ba.project.ID
			if err := ba.db.WithTx(ctx, func(q *store.Queries) error {
				return q.InsertIssue(ctx, &model.Issue{ProjectID: pid, AuthorID: &author, Title: fmt.Sprintf("pass %d", i), State: "closed"})
			}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		ba.serve(b, targets[i%len(targets)])
	}
}
