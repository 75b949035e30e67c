package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/model"
)

func TestStatementTopics(t *testing.T) {
	auth, acc := uint8(1<<TopicAuth), uint8(accessTopics)
	for q, want := range map[string]uint8{
		"SELECT * FROM users":                                     0,
		"  select 1":                                              0,
		"WITH x AS (SELECT 1) SELECT * FROM x":                    0,
		"INSERT INTO users (username) VALUES (?)":                 auth,
		"insert into personal_access_tokens(name) values (?)":     auth,
		"UPDATE personal_access_tokens SET revoked = ?":           auth,
		"DELETE FROM users WHERE id = ?":                          auth,
		"INSERT INTO members (user_id) VALUES (?)":                acc,
		"UPDATE projects SET archived = ?":                        acc,
		"DELETE FROM namespace_closure WHERE descendant_id = ?":   acc,
		"INSERT INTO namespaces(name) VALUES (?)":                 acc,
		"UPDATE sessions SET last_seen = ?":                       0,
		"WITH x AS (SELECT 1) UPDATE users SET name = ?":          allTopics,
		"CREATE TABLE x (id INT)":                                 allTopics,
		"INSERT INTO oauth_grants (signature) VALUES (?)":         0,
		"UPDATE \"users\" SET name = ?":                           auth,
		"DELETE FROM protected_branches WHERE project_id = ?":     acc,
		"INSERT INTO projects (id, name) SELECT id, name FROM x":  acc,
		"UPDATE users SET state = 'blocked' WHERE id IN (SELECT)": auth,
	} {
		if got := statementTopics(q); got != want {
			t.Errorf("statementTopics(%q) = %b, want %b", q, got, want)
		}
	}
}

// A write bumps its topic's version only once committed; a rolled-back
// transaction and a read bump nothing.
func TestVersionsFollowCommits(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	version := func(tp Topic) uint64 {
		t.Helper()
		e, ok := db.Version(tp)
		if !ok {
			t.Fatal("versions not trusted")
		}
		return e
	}
	waitListening(t, db)
	a0, p0 := version(TopicAuth), version(TopicAccess)
	if _, err := db.Queries().UserByUsername(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if version(TopicAuth) != a0 {
		t.Fatal("a read bumped the auth version")
	}
	boom := errors.New("boom")
	err := db.WithTx(ctx, func(q *Queries) error {
		if err := q.CreateUser(ctx, &model.User{Username: "rolled", Email: "r@example.com", Name: "R"}); err != nil {
			return err
		}
		if version(TopicAuth) != a0 {
			t.Error("the version moved before the commit")
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if version(TopicAuth) != a0 {
		t.Fatal("a rolled-back write bumped the auth version")
	}
	u := &model.User{Username: "kept", Email: "k@example.com", Name: "K"}
	if err := db.WithTx(ctx, func(q *Queries) error { return q.CreateUser(ctx, u) }); err != nil {
		t.Fatal(err)
	}
	if version(TopicAuth) == a0 {
		t.Fatal("a committed user write did not bump the auth version")
	}
	if version(TopicAccess) == p0 {
		t.Fatal("creating a user (and its namespace) did not bump the access version")
	}
	a1, p1 := version(TopicAuth), version(TopicAccess)
	u.Name = "Kept"
	if err := db.Queries().UpdateUser(ctx, u); err != nil { // outside a transaction
		t.Fatal(err)
	}
	if version(TopicAuth) == a1 {
		t.Fatal("an autocommit update did not bump the auth version")
	}
	if version(TopicAccess) != p1 {
		t.Fatal("a users-only update bumped the access version")
	}
}

// On PostgreSQL a second instance on the same database hears the first
// one's commits.
func TestVersionsAcrossInstances(t *testing.T) {
	db, dsn, _ := mustOpen(t)
	other := secondInstance(t, db, dsn, "TestVersionsFollowCommits")
	before, _ := other.Version(TopicAuth)
	ctx := context.Background()
	if err := db.WithTx(ctx, func(q *Queries) error {
		return q.CreateUser(ctx, &model.User{Username: "remote", Email: "remote@example.com", Name: "Remote"})
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if now, _ := other.Version(TopicAuth); now != before {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the other instance never heard the commit")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// secondInstance opens another instance on db's PostgreSQL database, both
// listening; on SQLite, which has a single serving process, it skips the
// test, which covered names the single-instance test of.
func secondInstance(t *testing.T, db *DB, dsn, covered string) *DB {
	t.Helper()
	if db.Dialect() != Postgres {
		t.Skip("SQLite has a single serving process; covered by " + covered)
	}
	other, err := Open(context.Background(), dsn, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	waitListening(t, db)
	waitListening(t, other)
	return other
}

func waitListening(t *testing.T, db *DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok := db.Version(TopicAuth); ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("version listener never connected")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Users read by id come from a cache that follows every committed change
// and never shares a copy with a caller.
func TestUserCacheFollowsChanges(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	waitListening(t, db)
	a := &model.User{Username: "a", Email: "a@example.com", Name: "A"}
	b := &model.User{Username: "b", Email: "b@example.com", Name: "B"}
	if err := db.WithTx(ctx, func(q *Queries) error {
		if err := q.CreateUser(ctx, a); err != nil {
			return err
		}
		return q.CreateUser(ctx, b)
	}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Queries().UserByID(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	got.Name = "changed by a caller"
	if again, _ := db.Queries().UserByID(ctx, a.ID); again.Name != "A" {
		t.Fatalf("a caller's change reached the cache: %q", again.Name)
	}
	a.Name, a.State = "A2", "blocked"
	if err := db.Queries().UpdateUser(ctx, a); err != nil {
		t.Fatal(err)
	}
	users, err := db.Queries().UsersByIDs(ctx, []int64{a.ID, b.ID, 999999})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || users[a.ID].Name != "A2" || users[a.ID].State != "blocked" || users[b.ID].Name != "B" {
		t.Fatalf("users = %+v", users)
	}
	if u, _ := db.Queries().UserByID(ctx, a.ID); u.Name != "A2" {
		t.Fatalf("name = %q after the update", u.Name)
	}
	if err := db.WithTx(ctx, func(q *Queries) error { return q.DeleteUser(ctx, b.ID) }); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Queries().UserByID(ctx, b.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted user: %v", err)
	}
}

// Protected-branch rules are cached per project and follow every change.
func TestProtectedBranchCacheFollowsChanges(t *testing.T) {
	fx := newListFixture(t)
	ctx := context.Background()
	p := fx.projects[0]
	rules := func() []*model.ProtectedBranch {
		t.Helper()
		r, err := fx.db.Queries().ProtectedBranches(ctx, p.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if len(rules()) != 0 {
		t.Fatal("rules before any")
	}
	b := &model.ProtectedBranch{ProjectID: p.ID, Name: "main", PushAccessLevel: 40, MergeAccessLevel: 40, UnprotectAccessLevel: 40}
	if err := fx.db.Queries().CreateProtectedBranch(ctx, b); err != nil {
		t.Fatal(err)
	}
	got := rules()
	if len(got) != 1 || got[0].PushAccessLevel != 40 {
		t.Fatalf("after create: %+v", got)
	}
	got[0].PushAccessLevel = 0 // a caller's change must not reach the cache
	b.PushAccessLevel = 30
	if err := fx.db.Queries().UpdateProtectedBranch(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got := rules(); len(got) != 1 || got[0].PushAccessLevel != 30 {
		t.Fatalf("after update: %+v", got)
	}
	if err := fx.db.Queries().DeleteProtectedBranch(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if len(rules()) != 0 {
		t.Fatal("rule still listed after delete")
	}
}
