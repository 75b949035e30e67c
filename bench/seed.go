package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/store"
)

// The bulk of the instance (users, groups, projects, memberships) is
// seeded in-process through the service layer, with the server stopped:
// through the REST API it takes minutes at the default scale, because user
// creation hashes a password with bcrypt and project creation runs git
// several times, both inside the SQLite write transaction (see
// BENCHMARKS.md). Bulk projects therefore have no repository on disk; the
// repository projects are created through the API and pushed to.

type projectRef struct {
	ID       int64
	FullPath string
}

// seeded is what the load generator picks its targets from.
type seeded struct {
	Users, Groups, Projects, Members int

	BenchUserID int64
	BenchToken  string // bench user, scope api
	RootToken   string
	ReposGroup  int64

	Issues         int // issues seeded, issuesPerProject in every bulk project
	AssignedIssues int // of them assigned to the bench user
	MergeRequests  int // merge requests seeded (mergeRequestsPerProject in visible projects, otherMergeRequests elsewhere)
	SeedIssues     time.Duration
	IssueProjects  []projectRef // visible projects with seeded issues
	Boards         []boardRef   // a board with three label lists in each of them

	UserIDs         []int64      // every user
	VisibleGroups   []int64      // groups the bench user can see
	VisibleProjects []projectRef // projects the bench user can see
	MaxProjectID    int64
	RepoProjects    []projectRef // with a pushed repository
	Seed            time.Duration
	SeedRepos       time.Duration
	GitHTTP         bool // git over HTTP answered; else pushed over file://
}

type seedCounts struct{ users, groups, projects int }

func countsFor(scale int) seedCounts {
	return seedCounts{users: max(10, scale/10), groups: max(4, scale/50), projects: scale}
}

// seedBulk fills the database of a stopped server.
func seedBulk(ctx context.Context, dbURL, dataDir string, c seedCounts, sd *seeded) error {
	start := time.Now()
	db, err := store.Open(ctx, dbURL, dataDir, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	svc := service.New(service.Options{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), ImpersonationEnabled: true})
	q := db.Queries()
	root, err := q.UserByUsername(ctx, "root")
	if err != nil {
		return fmt.Errorf("seed: root: %w", err)
	}
	admin := &auth.Identity{User: root, Owner: root}
	rng := mrand.New(mrand.NewPCG(5, 6))

	// Users: one bcrypt hash shared by all (hashing 1,000 would take a
	// minute and measure nothing the bench reports).
	hash, err := auth.HashPassword("bench-user-password")
	if err != nil {
		return err
	}
	var bench *model.User
	for i := 0; i < c.users; i += 200 {
		err := db.WithTx(ctx, func(q *store.Queries) error {
			for j := i; j < min(i+200, c.users); j++ {
				name := fmt.Sprintf("user%05d", j)
				u := &model.User{Username: name, Email: name + "@example.com", Name: fmt.Sprintf("User %05d", j),
					PasswordHash: hash, CanCreateGroup: true, ProjectsLimit: 100000}
				if j == 0 {
					u.Username, u.Email, u.Name = "bench", "bench@example.com", "Bench User"
				}
				if err := q.CreateUser(ctx, u); err != nil {
					return err
				}
				if j == 0 {
					bench = u
				}
				sd.UserIDs = append(sd.UserIDs, u.ID)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed users: %w", err)
		}
	}
	sd.BenchUserID = bench.ID
	sd.Users = c.users

	// Groups: half top-level, half subgroups (every third one a level deeper).
	type group struct {
		id, parent int64
		fullPath   string
		vis        int
		benchSees  bool
	}
	var groups []*group
	byID := map[int64]*group{}
	top := max(2, c.groups/2)
	visOf := func(i int) int { return []int{access.Private, access.Internal, access.Public}[i%3] }
	for i := 0; i < c.groups; i++ {
		in := service.GroupInput{}
		name := fmt.Sprintf("group-%04d", i)
		in.Name, in.Path = &name, &name
		vis := visOf(i)
		var parent *group
		if i >= top {
			parent = groups[(i-top)%top]
			if (i-top)%3 == 2 && i-1 >= top {
				parent = groups[i-1]
			}
			vis = min(vis, parent.vis)
			in.ParentID = &parent.id
		}
		in.Visibility = &vis
		ns, err := svc.CreateGroup(ctx, admin, in)
		if err != nil {
			return fmt.Errorf("seed group %s: %w", name, err)
		}
		g := &group{id: ns.ID, fullPath: ns.FullPath, vis: vis}
		if parent != nil {
			g.parent = parent.id
		}
		groups = append(groups, g)
		byID[g.id] = g
	}
	sd.Groups = c.groups
	// The bench user is a Developer of every tenth top-level group (and so
	// of its subgroups); five random users are members of each group.
	benchMember := map[int64]bool{}
	err = db.WithTx(ctx, func(q *store.Queries) error {
		for i, g := range groups {
			if i < top && i%10 == 0 {
				benchMember[g.id] = true
				if err := q.UpsertMember(ctx, &model.Member{SourceType: model.SourceNamespace, SourceID: g.id,
					UserID: bench.ID, AccessLevel: int(access.Developer), CreatedByID: &root.ID}); err != nil {
					return err
				}
				sd.Members++
			}
			for k := 0; k < 5; k++ {
				uid := sd.UserIDs[1+rng.IntN(len(sd.UserIDs)-1)]
				lvl := []access.Level{access.Guest, access.Reporter, access.Developer, access.Maintainer}[rng.IntN(4)]
				if err := q.UpsertMember(ctx, &model.Member{SourceType: model.SourceNamespace, SourceID: g.id,
					UserID: uid, AccessLevel: int(lvl), CreatedByID: &root.ID}); err != nil {
					return err
				}
				sd.Members++
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed members: %w", err)
	}
	sees := func(g *group) bool {
		for x := g; x != nil; x = byID[x.parent] {
			if benchMember[x.id] {
				return true
			}
		}
		return false
	}
	for _, g := range groups {
		g.benchSees = sees(g)
		if g.benchSees || g.vis >= access.Internal {
			sd.VisibleGroups = append(sd.VisibleGroups, g.id)
		}
	}

	// Projects: 70% in groups, 30% personal; 60% private, 20% internal,
	// 20% public (never more open than their group). Four writers.
	jobs := make(chan int)
	var projectIDs []int64
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r := mrand.New(mrand.NewPCG(uint64(i), 7))
				name := fmt.Sprintf("project-%06d", i)
				vis := access.Private
				switch x := r.IntN(10); {
				case x >= 8:
					vis = access.Public
				case x >= 6:
					vis = access.Internal
				}
				in := service.ProjectInput{Name: &name, Path: &name, Visibility: &vis}
				var forUser *int64
				var g *group
				if r.IntN(10) < 7 {
					g = groups[i%len(groups)]
					vis = min(vis, g.vis)
					ns := strconv.FormatInt(g.id, 10)
					in.Namespace = &ns
				} else {
					uid := sd.UserIDs[1+r.IntN(len(sd.UserIDs)-1)]
					forUser = &uid
				}
				p, err := svc.CreateProject(ctx, admin, in, forUser)
				if err == nil && i%5 == 0 {
					uid := sd.UserIDs[1+r.IntN(len(sd.UserIDs)-1)]
					err = db.WithTx(ctx, func(q *store.Queries) error {
						return q.UpsertMember(ctx, &model.Member{SourceType: model.SourceProject, SourceID: p.ID,
							UserID: uid, AccessLevel: int(access.Developer), CreatedByID: &root.ID})
					})
				}
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = fmt.Errorf("seed project %s: %w", name, err)
					}
				} else {
					sd.Projects++
					if i%5 == 0 {
						sd.Members++
					}
					sd.MaxProjectID = max(sd.MaxProjectID, p.ID)
					projectIDs = append(projectIDs, p.ID)
					if (g != nil && g.benchSees) || vis >= access.Internal {
						sd.VisibleProjects = append(sd.VisibleProjects, projectRef{ID: p.ID, FullPath: p.FullPath()})
					}
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < c.projects; i++ {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed || ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	slices.Sort(projectIDs)
	if err := seedIssues(ctx, db, sd, projectIDs); err != nil {
		return err
	}

	// The group holding the repository projects; the bench user maintains it.
	name := "bench-repos"
	vis := access.Private
	ns, err := svc.CreateGroup(ctx, admin, service.GroupInput{Name: &name, Path: &name, Visibility: &vis})
	if err != nil {
		return fmt.Errorf("seed repos group: %w", err)
	}
	sd.ReposGroup = ns.ID
	sd.VisibleGroups = append(sd.VisibleGroups, ns.ID)
	err = db.WithTx(ctx, func(q *store.Queries) error {
		return q.UpsertMember(ctx, &model.Member{SourceType: model.SourceNamespace, SourceID: ns.ID,
			UserID: bench.ID, AccessLevel: int(access.Maintainer), CreatedByID: &root.ID})
	})
	if err != nil {
		return err
	}
	_, sd.BenchToken, err = svc.CreateToken(ctx, service.NewTokenInput{UserID: bench.ID, Name: "bench", Scopes: []string{"api"}})
	if err != nil {
		return fmt.Errorf("seed bench token: %w", err)
	}
	if db.Dialect() == store.Postgres {
		// As autovacuum leaves any bulk load, a minute later: without
		// statistics PostgreSQL guesses that almost no project lacks a
		// deletion date and plans list queries as scans; without the
		// vacuum every first read of a freshly written row also writes
		// (its hint bits) and index-only scans visit the table (no
		// visibility map), so the rows would measure the load, not the
		// instance it leaves.
		if _, err := db.SQL().ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
			return fmt.Errorf("seed: vacuum: %w", err)
		}
	}
	sd.Seed = time.Since(start)
	return nil
}

// createPGDatabase makes a fresh database on the server named by base and
// returns its URL and a function that drops it.
func createPGDatabase(ctx context.Context, base string) (string, func(), error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("-db: %w", err)
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
		return "", nil, fmt.Errorf("-db: the bench only talks to loopback, not %q", h)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "lablet_bench_" + hex.EncodeToString(b)
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(cctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("-db: create database: %w", err)
	}
	drop := func() {
		dctx, c := context.WithTimeout(context.Background(), 30*time.Second)
		defer c()
		_, _ = admin.ExecContext(dctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}
