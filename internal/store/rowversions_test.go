package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/model"
)

func TestPayload(t *testing.T) {
	e := &versions{instance: "abc"}
	for _, c := range []change{
		{topics: 1 << TopicAuth},
		{rows: []int64{7}},
		{topics: accessTopics, rows: []int64{1, 4097, 99}},
		{topics: 1 << TopicListing, created: []int64{12}},
		{topics: 1 << TopicListing, rows: []int64{3}, created: []int64{12, 13}},
	} {
		got, from := parsePayload(e.payload(c))
		if got.topics != c.topics || from != "abc" || !slices.Equal(got.rows, c.rows) || !slices.Equal(got.created, c.created) {
			t.Errorf("round trip of %+v = %+v %q", c, got, from)
		}
	}
	for _, bad := range []string{"", "x abc", "0 abc", "1 abc r7,x", "1 abc r0", "1 abc 1 2", strconv.Itoa(allTopics+1) + " abc",
		"1 abc x5", "1 abc r1 r2", "0 abc c5", "4 abc c5 r1 c6"} {
		if c, _ := parsePayload(bad); c.topics != allTopics || c.rows != nil || c.created != nil {
			t.Errorf("parsePayload(%q) = %+v, want all topics", bad, c)
		}
	}
	if c := notifiable(change{rows: make([]int64, maxNotifiedIDs+1)}); c.topics != accessTopics || c.rows != nil {
		t.Errorf("too many rows for a notification = %+v", c)
	}
}

// A row-only change published while rows were read keeps them out of the
// caches, whichever stripe the reader looks at afterwards.
func TestRowGuard(t *testing.T) {
	db, _, _ := mustOpen(t)
	g := db.newRowGuard()
	if _, ok := g.version(5); !ok {
		t.Fatal("an untouched guard refused")
	}
	db.versions.bumpRows([]int64{5 + rowStripes*3})
	if v, ok := g.version(5); ok || v == 0 {
		t.Fatalf("after a change in the stripe: %d %v", v, ok)
	}
	if _, ok := g.version(6); ok {
		t.Fatal("after a change elsewhere the guard still allowed caching")
	}
}

// Recording a push (UpdateProjectRepository) shows at once through every
// cached read of the project, and moves neither the access nor the
// listing version, so other cached projects, levels and lists stay.
func TestRowOnlyChange(t *testing.T) {
	fx := newListFixture(t)
	waitListening(t, fx.db) // connecting moves every version
	ctx := context.Background()
	v0 := fx.viewers[0]
	p := fx.projects[0] // in g0, where v0 is a Developer
	read := func() []*model.Project {
		t.Helper()
		byID, _, err := fx.db.Queries().ProjectWithAccessByID(ctx, p.ID, v0.ID, "2026-01-01")
		if err != nil {
			t.Fatal(err)
		}
		byPath, _, err := fx.db.Queries().ProjectWithAccessByFullPath(ctx, strings.ToUpper(byID.FullPath()), v0.ID, "2026-01-01")
		if err != nil {
			t.Fatal(err)
		}
		f := model.ProjectFilter{ViewerID: v0.ID, Today: "2026-01-01", MinAccessLevel: 10, OrderBy: "id",
			IDAfter: p.ID - 1, IDBefore: p.ID + 1, Limit: 5}
		listed, _, _, err := fx.db.Queries().ListProjects(ctx, f)
		if err != nil || len(listed) != 1 {
			t.Fatalf("list: %v %v", listed, err)
		}
		return []*model.Project{byID, byPath, listed[0]}
	}
	for range 2 {
		for _, got := range read() {
			if got.DefaultBranch != nil {
				t.Fatalf("before: %+v", got)
			}
		}
	}
	access, _ := fx.db.Version(TopicAccess)
	listing, _ := fx.db.Version(TopicListing)
	branch := "trunk"
	cur, err := fx.db.Queries().ProjectByID(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	cur.DefaultBranch, cur.EmptyRepo, cur.LastActivityAt = &branch, false, time.Now().UTC().Add(time.Hour)
	if err := fx.db.WithTx(ctx, func(q *Queries) error { return q.UpdateProjectRepository(ctx, cur) }); err != nil {
		t.Fatal(err)
	}
	for _, got := range read() {
		if got.DefaultBranch == nil || *got.DefaultBranch != "trunk" || got.EmptyRepo {
			t.Fatalf("after the push: %+v", got)
		}
	}
	if a, _ := fx.db.Version(TopicAccess); a != access {
		t.Fatal("a row-only change moved the access version")
	}
	if l, _ := fx.db.Version(TopicListing); l != listing {
		t.Fatal("a row-only change moved the listing version")
	}
	// Outside a transaction too.
	branch2 := "main"
	cur.DefaultBranch = &branch2
	if err := fx.db.Queries().UpdateProjectRepository(ctx, cur); err != nil {
		t.Fatal(err)
	}
	for _, got := range read() {
		if *got.DefaultBranch != "main" {
			t.Fatalf("after the second push: %+v", got)
		}
	}
	if a, _ := fx.db.Version(TopicAccess); a != access {
		t.Fatal("a row-only change outside a transaction moved the access version")
	}
}

// On PostgreSQL another instance's cached row follows a row-only change.
func TestRowOnlyChangeAcrossInstances(t *testing.T) {
	db, dsn, _ := mustOpen(t)
	other := secondInstance(t, db, dsn, "TestRowOnlyChange")
	ctx := context.Background()
	heard, _ := other.Version(TopicAccess)
	var p *model.Project
	if err := db.WithTx(ctx, func(q *Queries) error {
		ns := &model.Namespace{Kind: model.KindGroup, Name: "G", Path: "g"}
		if err := q.CreateNamespace(ctx, ns); err != nil {
			return err
		}
		p = &model.Project{NamespaceID: ns.ID, Name: "P", Path: "p", EmptyRepo: true}
		return q.CreateProject(ctx, p)
	}); err != nil {
		t.Fatal(err)
	}
	waitFor := func(want bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			got, _, err := other.Queries().ProjectWithAccessByID(ctx, p.ID, 0, "2026-01-01")
			if err != nil {
				t.Fatal(err)
			}
			if got.EmptyRepo == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the other instance still shows empty_repo=%v", got.EmptyRepo)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if e, _ := other.Version(TopicAccess); e != heard {
			break // the creation is heard: what is cached next stays
		}
		if time.Now().After(deadline) {
			t.Fatal("the other instance never heard the creation")
		}
	}
	waitFor(true) // cached there now
	p.EmptyRepo = false
	if err := db.WithTx(ctx, func(q *Queries) error { return q.UpdateProjectRepository(ctx, p) }); err != nil {
		t.Fatal(err)
	}
	waitFor(false)
}
