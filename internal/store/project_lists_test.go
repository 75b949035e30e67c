package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// listFixture is an instance with nested groups, projects of every
// visibility (some archived, some scheduled for deletion) and viewers
// with direct, inherited, minimal, expired and no memberships.
type listFixture struct {
	db       *DB
	dsn      string // empty on SQLite
	viewers  []*model.User
	projects []*model.Project
	groups   []*model.Namespace
}

func newListFixture(t *testing.T) *listFixture {
	t.Helper()
	db, dsn, _ := mustOpen(t)
	ctx := context.Background()
	fx := &listFixture{db: db, dsn: dsn}
	rng := rand.New(rand.NewPCG(1, 2))
	err := db.WithTx(ctx, func(q *Queries) error {
		for i := 0; i < 4; i++ {
			u := &model.User{Username: fmt.Sprintf("v%d", i), Email: fmt.Sprintf("v%d@example.com", i), Name: "V"}
			if err := q.CreateUser(ctx, u); err != nil {
				return err
			}
			fx.viewers = append(fx.viewers, u)
		}
		addProjects := func(nsID int64, n int) error {
			for i := 0; i < n; i++ {
				p := &model.Project{NamespaceID: nsID, Name: fmt.Sprintf("P%d", i), Path: fmt.Sprintf("p%d", i),
					VisibilityLevel: []int{0, 0, 10, 20}[rng.IntN(4)], Archived: rng.IntN(5) == 0}
				if err := q.CreateProject(ctx, p); err != nil {
					return err
				}
				if rng.IntN(6) == 0 {
					day := "2026-01-01"
					p.MarkedForDeletionOn = &day
					if err := q.UpdateProject(ctx, p); err != nil {
						return err
					}
				}
				fx.projects = append(fx.projects, p)
			}
			return nil
		}
		for g := 0; g < 8; g++ {
			top := &model.Namespace{Kind: model.KindGroup, Name: fmt.Sprintf("G%d", g), Path: fmt.Sprintf("g%d", g)}
			if err := q.CreateNamespace(ctx, top); err != nil {
				return err
			}
			sub := &model.Namespace{Kind: model.KindGroup, Name: "S", Path: "s", ParentID: &top.ID}
			if err := q.CreateNamespace(ctx, sub); err != nil {
				return err
			}
			leaf := &model.Namespace{Kind: model.KindGroup, Name: "L", Path: "l", ParentID: &sub.ID}
			if err := q.CreateNamespace(ctx, leaf); err != nil {
				return err
			}
			fx.groups = append(fx.groups, top, sub, leaf)
			for _, ns := range []*model.Namespace{top, sub, leaf} {
				if err := addProjects(ns.ID, 6); err != nil {
					return err
				}
			}
		}
		for _, u := range fx.viewers[:2] { // personal projects
			if err := addProjects(u.NamespaceID, 4); err != nil {
				return err
			}
		}
		expired := "2025-12-31"
		v0, v1 := fx.viewers[0].ID, fx.viewers[1].ID
		for _, m := range []*model.Member{
			{SourceType: model.SourceNamespace, SourceID: fx.groups[0].ID, UserID: v0, AccessLevel: 30}, // inherits s, l
			{SourceType: model.SourceNamespace, SourceID: fx.groups[4].ID, UserID: v0, AccessLevel: 10}, // g1/s and below
			{SourceType: model.SourceNamespace, SourceID: fx.groups[6].ID, UserID: v0, AccessLevel: 5},  // minimal access
			{SourceType: model.SourceNamespace, SourceID: fx.groups[9].ID, UserID: v0, AccessLevel: 40, ExpiresAt: &expired},
			{SourceType: model.SourceNamespace, SourceID: fx.groups[1].ID, UserID: v0, AccessLevel: 50},  // higher on a subgroup
			{SourceType: model.SourceProject, SourceID: fx.projects[40].ID, UserID: v0, AccessLevel: 50}, // direct owner
			{SourceType: model.SourceProject, SourceID: fx.projects[3].ID, UserID: v0, AccessLevel: 20},  // lower than inherited
			{SourceType: model.SourceNamespace, SourceID: fx.groups[12].ID, UserID: v1, AccessLevel: 50},
			{SourceType: model.SourceProject, SourceID: fx.projects[100].ID, UserID: v1, AccessLevel: 30},
		} {
			if err := q.UpsertMember(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

// listIDs runs ListProjects and renders ids, levels and total for comparison.
func listIDs(t *testing.T, q *Queries, f model.ProjectFilter) string {
	t.Helper()
	ps, levels, total, err := q.ListProjects(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("total=%d", total)
	for _, p := range ps {
		out += fmt.Sprintf(" %d:%v", p.ID, levels[p.ID])
	}
	return out
}

// slowList is the same list through the plain SQL path (the cached path
// is never taken inside a transaction).
func slowList(t *testing.T, db *DB, f model.ProjectFilter) string {
	t.Helper()
	var out string
	if err := db.WithTx(context.Background(), func(q *Queries) error { out = listIDs(t, q, f); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// The lists cut from a viewer's cached projects equal the SQL answers for
// every filter combination they serve.
func TestProjectListsFromViewerProjects(t *testing.T) {
	fx := newListFixture(t)
	mid := fx.projects[len(fx.projects)/2].ID
	late := fx.projects[len(fx.projects)*4/5].ID
	vis0, vis20 := 0, 20
	yes, no := true, false
	n := 0
	for _, v := range fx.viewers {
		for _, admin := range []bool{false, true} {
			for _, minVis := range []int{10, 20} {
				for _, minLevel := range []int{0, 10, 30, 50} {
					for _, visibility := range []*int{nil, &vis0, &vis20} {
						for _, archived := range []*bool{nil, &yes, &no} {
							for _, bounds := range [][2]int64{{0, 0}, {mid, 0}, {0, late}, {mid, late}} {
								after, before := bounds[0], bounds[1]
								for _, desc := range []bool{false, true} {
									for _, offset := range []int{0, 5} {
										f := model.ProjectFilter{ViewerID: v.ID, Admin: admin, MinVisibility: minVis,
											Today: "2026-01-01", MinAccessLevel: minLevel, Visibility: visibility,
											Archived: archived, IDAfter: after, IDBefore: before, Desc: desc, OrderBy: "created_at",
											Limit: 5, Offset: offset, Count: minLevel > 0}
										if !fx.db.Queries().fastListable(f) {
											t.Fatalf("filter %+v not served by the cached path", f)
										}
										got, want := listIDs(t, fx.db.Queries(), f), slowList(t, fx.db, f)
										if got != want {
											t.Fatalf("filter %+v:\n got %s\nwant %s", f, got, want)
										}
										n++
									}
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d filter combinations agree", n)
}

// A change to memberships, projects or the hierarchy shows in the very
// next list.
func TestProjectListsFollowChanges(t *testing.T) {
	fx := newListFixture(t)
	ctx := context.Background()
	v := fx.viewers[2] // no memberships yet
	f := model.ProjectFilter{ViewerID: v.ID, MinVisibility: 10, Today: "2026-01-01", MinAccessLevel: 10,
		OrderBy: "id", Limit: 100, Count: true}
	check := func(what string) {
		t.Helper()
		if got, want := listIDs(t, fx.db.Queries(), f), slowList(t, fx.db, f); got != want {
			t.Fatalf("after %s:\n got %s\nwant %s", what, got, want)
		}
	}
	check("nothing")
	g := fx.groups[3]
	if err := fx.db.Queries().UpsertMember(ctx, &model.Member{SourceType: model.SourceNamespace, SourceID: g.ID, UserID: v.ID, AccessLevel: 30}); err != nil {
		t.Fatal(err)
	}
	check("joining a group")
	if got := listIDs(t, fx.db.Queries(), f); got == "total=0" {
		t.Fatal("joining a group listed nothing")
	}
	if err := fx.db.WithTx(ctx, func(q *Queries) error {
		return q.CreateProject(ctx, &model.Project{NamespaceID: fx.groups[4].ID, Name: "New", Path: "new"})
	}); err != nil {
		t.Fatal(err)
	}
	check("a new project in a subgroup")
	for _, p := range fx.projects {
		if p.NamespaceID == g.ID {
			day := "2026-01-01"
			p.MarkedForDeletionOn = &day
			if err := fx.db.Queries().UpdateProject(ctx, p); err != nil {
				t.Fatal(err)
			}
			check("scheduling a project for deletion")
			break
		}
	}
	if err := fx.db.Queries().DeleteMember(ctx, model.SourceNamespace, g.ID, v.ID); err != nil {
		t.Fatal(err)
	}
	check("leaving the group")
	if got := listIDs(t, fx.db.Queries(), f); got != "total=0" {
		t.Fatalf("after leaving: %s", got)
	}
}

// Point reads through the caches follow renames, membership and
// visibility changes at once, and never hand out a shared copy.
func TestProjectWithAccessFollowsChanges(t *testing.T) {
	fx := newListFixture(t)
	ctx := context.Background()
	v := fx.viewers[3]
	p := fx.projects[7]
	get := func() (*model.Project, model.ProjectAccess) {
		t.Helper()
		got, a, err := fx.db.Queries().ProjectWithAccessByID(ctx, p.ID, v.ID, "2026-01-01")
		if err != nil {
			t.Fatal(err)
		}
		byPath, a2, err := fx.db.Queries().ProjectWithAccessByFullPath(ctx, strings.ToUpper(got.FullPath()), v.ID, "2026-01-01")
		if err != nil || byPath.ID != p.ID || a2 != a {
			t.Fatalf("by path: %+v %v %v", byPath, a2, err)
		}
		return got, a
	}
	for range 2 {
		if _, a := get(); a != (model.ProjectAccess{}) {
			t.Fatalf("access before joining = %v", a)
		}
	}
	if err := fx.db.Queries().UpsertMember(ctx, &model.Member{SourceType: model.SourceProject, SourceID: p.ID, UserID: v.ID, AccessLevel: 40}); err != nil {
		t.Fatal(err)
	}
	if _, a := get(); a.Project != 40 {
		t.Fatalf("access after joining = %v", a)
	}
	got, _ := get()
	got.Name, got.Namespace.Name = "changed by a caller", "changed too"
	if again, _ := get(); again.Name == got.Name || again.Namespace.Name == got.Namespace.Name {
		t.Fatal("a caller's change reached the cache")
	}
	old := got.FullPath()
	cur, _ := get()
	cur.Path, cur.VisibilityLevel = "renamed", 20
	if err := fx.db.Queries().UpdateProject(ctx, cur); err != nil {
		t.Fatal(err)
	}
	if now, _ := get(); now.Path != "renamed" || now.VisibilityLevel != 20 {
		t.Fatalf("after the update: %+v", now)
	}
	if _, _, err := fx.db.Queries().ProjectWithAccessByFullPath(ctx, old, v.ID, "2026-01-01"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old path: %v", err)
	}
}

// Creating a project moves the listing version only: cached single projects
// stay valid, while lists, the new project's rows, its members and rules
// all show at once.
func TestNewProjectMovesListingOnly(t *testing.T) {
	fx := newListFixture(t)
	waitListening(t, fx.db) // connecting moves every version
	ctx := context.Background()
	v0, v1 := fx.viewers[0], fx.viewers[1]
	version := func(tp Topic) uint64 {
		t.Helper()
		e, ok := fx.db.Version(tp)
		if !ok {
			t.Fatal("versions not trusted")
		}
		return e
	}
	f := model.ProjectFilter{ViewerID: v0.ID, MinVisibility: 10, Today: "2026-01-01", MinAccessLevel: 10,
		OrderBy: "id", Desc: true, Limit: 5, Count: true}
	before := listIDs(t, fx.db.Queries(), f) // fills the viewer's cached projects
	if _, _, err := fx.db.Queries().ProjectWithAccessByID(ctx, fx.projects[0].ID, v0.ID, "2026-01-01"); err != nil {
		t.Fatal(err)
	}
	access, listing := version(TopicAccess), version(TopicListing)

	branch := "main"
	p := &model.Project{NamespaceID: fx.groups[0].ID, Name: "Fresh", Path: "fresh", DefaultBranch: &branch, VisibilityLevel: 0}
	rule := &model.ProtectedBranch{Name: branch, PushAccessLevel: 40, MergeAccessLevel: 40, UnprotectAccessLevel: 40}
	if err := fx.db.WithTx(ctx, func(q *Queries) error {
		return q.CreateNewProject(ctx, NewProject{Project: p, Namespace: fx.groups[0],
			Owner: &model.Member{UserID: v1.ID, AccessLevel: 50}, Rule: rule})
	}); err != nil {
		t.Fatal(err)
	}
	if version(TopicAccess) != access {
		t.Fatal("creating a project moved the access version")
	}
	if version(TopicListing) == listing {
		t.Fatal("creating a project did not move the listing version")
	}
	after := listIDs(t, fx.db.Queries(), f)
	if want := slowList(t, fx.db, f); after != want || after == before || !strings.Contains(after, fmt.Sprintf(" %d:", p.ID)) {
		t.Fatalf("list after creating project %d:\n got %s\nwant %s\n(before %s)", p.ID, after, want, before)
	}
	if _, a, err := fx.db.Queries().ProjectWithAccessByID(ctx, p.ID, v0.ID, "2026-01-01"); err != nil || a.Group != 30 {
		t.Fatalf("inherited access on the new project = %v, %v", a, err)
	}
	if _, a, err := fx.db.Queries().ProjectWithAccessByID(ctx, p.ID, v1.ID, "2026-01-01"); err != nil || a.Project != 50 {
		t.Fatalf("owner's access on the new project = %v, %v", a, err)
	}
	if rules, err := fx.db.Queries().ProtectedBranches(ctx, p.ID, ""); err != nil || len(rules) != 1 || rules[0].Name != "main" {
		t.Fatalf("rules of the new project = %v, %v", rules, err)
	}
	// Any other change to a table of TopicAccess moves both versions.
	if err := fx.db.Queries().DeleteMember(ctx, model.SourceProject, p.ID, v1.ID); err != nil {
		t.Fatal(err)
	}
	if version(TopicAccess) == access || version(TopicListing) == listing+1 {
		t.Fatal("removing a member did not move both versions")
	}
}

// Namespace point reads through the caches follow renames and membership
// changes at once, and never hand out a shared copy.
func TestNamespaceCachesFollowChanges(t *testing.T) {
	fx := newListFixture(t)
	ctx := context.Background()
	v := fx.viewers[3]
	g := fx.groups[1] // g0/s
	get := func() (*model.Namespace, int) {
		t.Helper()
		byID, err := fx.db.Queries().NamespaceByID(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		byPath, err := fx.db.Queries().NamespaceByFullPath(ctx, strings.ToUpper(byID.FullPath))
		if err != nil || byPath.ID != g.ID || byPath.FullPath != byID.FullPath {
			t.Fatalf("by path: %+v %v", byPath, err)
		}
		l, err := fx.db.Queries().NamespaceAccessLevel(ctx, v.ID, g.ID, "2026-01-01")
		if err != nil {
			t.Fatal(err)
		}
		return byID, l
	}
	for range 2 {
		if ns, l := get(); ns.FullPath != "g0/s" || l != 0 {
			t.Fatalf("before: %s %d", ns.FullPath, l)
		}
	}
	got, _ := get()
	got.Name, *got.ParentID = "changed by a caller", -1
	if again, _ := get(); again.Name == got.Name || *again.ParentID == -1 {
		t.Fatal("a caller's change reached the cache")
	}
	// Joining the parent group is inherited here.
	if err := fx.db.Queries().UpsertMember(ctx, &model.Member{SourceType: model.SourceNamespace, SourceID: fx.groups[0].ID, UserID: v.ID, AccessLevel: 20}); err != nil {
		t.Fatal(err)
	}
	if _, l := get(); l != 20 {
		t.Fatalf("level after joining the parent = %d", l)
	}
	// Renaming the parent moves this group's full path.
	top, err := fx.db.Queries().NamespaceByID(ctx, fx.groups[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	top.Path = "renamed"
	if err := fx.db.WithTx(ctx, func(q *Queries) error { return q.UpdateNamespace(ctx, top) }); err != nil {
		t.Fatal(err)
	}
	if ns, _ := get(); ns.FullPath != "renamed/s" {
		t.Fatalf("full path after renaming the parent = %s", ns.FullPath)
	}
	if _, err := fx.db.Queries().NamespaceByFullPath(ctx, "g0/s"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old path: %v", err)
	}
}
