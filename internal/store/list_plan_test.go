package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// recorder is a queryer that remembers the statements it runs.
type recorder struct {
	db      *sql.DB
	queries []string
	args    [][]any
}

func (r *recorder) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return r.db.ExecContext(ctx, query, args...)
}

func (r *recorder) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r.queries, r.args = append(r.queries, query), append(r.args, args)
	return r.db.QueryContext(ctx, query, args...)
}

func (r *recorder) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	r.queries, r.args = append(r.queries, query), append(r.args, args)
	return r.db.QueryRowContext(ctx, query, args...)
}

// TestMembershipListUsesIndexes checks that a membership-limited project
// list returns exactly the caller's projects and that neither its page nor
// its count query scans the projects table (EXPLAIN on both engines).
func TestMembershipListUsesIndexes(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	var user model.User
	var groups []model.Namespace
	var projects []model.Project
	err := db.WithTx(ctx, func(q *Queries) error {
		user = model.User{Username: "u", Email: "u@example.com", Name: "U"}
		if err := q.CreateUser(ctx, &user); err != nil {
			return err
		}
		for g := 0; g < 40; g++ {
			ns := model.Namespace{Kind: model.KindGroup, Name: fmt.Sprintf("G%d", g), Path: fmt.Sprintf("g%d", g)}
			if g%4 == 1 { // a subgroup of the previous group
				ns.ParentID = &groups[g-1].ID
			}
			if err := q.CreateNamespace(ctx, &ns); err != nil {
				return err
			}
			groups = append(groups, ns)
			for i := 0; i < 50; i++ {
				p := model.Project{NamespaceID: ns.ID, Name: fmt.Sprintf("P%d", i), Path: fmt.Sprintf("p%d", i), VisibilityLevel: 0}
				if err := q.CreateProject(ctx, &p); err != nil {
					return err
				}
				projects = append(projects, p)
			}
		}
		// Member of group 0 (and so of its subgroup 1), and of one project.
		if err := q.UpsertMember(ctx, &model.Member{SourceType: model.SourceNamespace, SourceID: groups[0].ID, UserID: user.ID, AccessLevel: 30}); err != nil {
			return err
		}
		return q.UpsertMember(ctx, &model.Member{SourceType: model.SourceProject, SourceID: projects[500].ID, UserID: user.ID, AccessLevel: 40})
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for _, p := range projects {
		if l, err := db.Queries().ProjectAccessLevel(ctx, user.ID, p.ID, p.NamespaceID, "2026-01-01"); err != nil {
			t.Fatal(err)
		} else if l >= 10 {
			want = append(want, p.ID)
		}
	}
	if len(want) != 101 {
		t.Fatalf("seeded %d member projects, want 101", len(want))
	}
	rec := &recorder{db: db.SQL()}
	q := &Queries{q: rec, dialect: db.dialect, now: db.Queries().now} // no statement cache: record every query
	f := model.ProjectFilter{ViewerID: user.ID, Today: "2026-01-01", MinAccessLevel: 10, OrderBy: "id", Limit: 1000, Count: true}
	got, levels, total, err := q.ListProjects(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range got {
		ids = append(ids, p.ID)
		if levels[p.ID].Level() < 10 {
			t.Errorf("project %d listed with level %v", p.ID, levels[p.ID])
		}
	}
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	if fmt.Sprint(ids) != fmt.Sprint(want) || total != len(want) {
		t.Fatalf("listed %d (total %d): %v\nwant %d: %v", len(ids), total, ids, len(want), want)
	}
	checkPlans(t, db, rec, "projects")
}

// checkPlans EXPLAINs each recorded query and fails if any scans one of
// the tables. On PostgreSQL, a table this small is cheaper to scan, and the
// planner rightly does; with sequential scans priced out the plan shows
// whether an index can serve the query (otherwise a Seq Scan remains).
func checkPlans(t *testing.T, db *DB, rec *recorder, tables ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if db.dialect == Postgres {
		if _, err := conn.ExecContext(ctx, "ANALYZE"); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
	}
	for i, query := range rec.queries {
		var plan []string
		if db.dialect == Postgres {
			rows, err := conn.QueryContext(ctx, "EXPLAIN "+query, rec.args[i]...)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, line)
			}
			rows.Close()
		} else {
			plan = sqlitePlan(t, conn, query, rec.args[i])
		}
		text := strings.Join(plan, "\n")
		t.Logf("plan of query %d:\n%s", i, text)
		subqueries := map[string]bool{} // SQLite's names for a FROM subquery's rows
		for _, line := range plan {
			if name, ok := strings.CutPrefix(line, "CO-ROUTINE "); ok {
				subqueries[name] = true
			}
			if name, ok := strings.CutPrefix(line, "MATERIALIZE "); ok {
				subqueries[name] = true
			}
		}
		for _, line := range plan {
			if strings.Contains(line, "VIRTUAL TABLE INDEX") {
				continue // an FTS5 table answering MATCH through its index
			}
			if name, ok := strings.CutPrefix(line, "SCAN "); ok && subqueries[name] {
				continue // the rows of a subquery (a page), not a table
			}
			for _, table := range tables {
				alias := table[:1]
				if strings.Contains(line, "Seq Scan on "+table) || line == "SCAN "+alias ||
					strings.HasPrefix(line, "SCAN "+alias+" ") || strings.HasPrefix(line, "SCAN "+table) {
					t.Errorf("query %d scans %s:\n%s\n%s", i, table, query, text)
				}
			}
		}
	}
}

// The statements behind the cached paths — a project with the viewer's
// access, a viewer's projects, the public ids of a visibility list and a
// page of rows by id — find their rows through indexes on both engines.
func TestCachedPathQueriesUseIndexes(t *testing.T) {
	fx := newListFixture(t)
	ctx := context.Background()
	rec := &recorder{db: fx.db.SQL()}
	q := &Queries{q: rec, dialect: fx.db.dialect, now: fx.db.Queries().now} // no caches, no statement cache
	v := fx.viewers[0]
	p := fx.projects[5]
	if _, _, err := q.ProjectWithAccessByID(ctx, p.ID, v.ID, "2026-01-01"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.ProjectWithAccessByFullPath(ctx, p.FullPath(), v.ID, "2026-01-01"); err != nil {
		t.Fatal(err)
	}
	mine, err := q.loadMyProjects(ctx, v.ID, "2026-01-01")
	if err != nil || len(mine) == 0 {
		t.Fatalf("viewer projects: %d, %v", len(mine), err)
	}
	if some, err := q.myProjectsAmong(ctx, v.ID, "2026-01-01", []int64{mine[0].id, fx.projects[len(fx.projects)-1].ID}); err != nil || len(some) == 0 {
		t.Fatalf("viewer projects among ids: %d, %v", len(some), err)
	}
	f := model.ProjectFilter{ViewerID: v.ID, MinVisibility: 10, Today: "2026-01-01", IDAfter: fx.projects[10].ID, Limit: 20}
	if ids, err := q.publicProjectIDs(ctx, f); err != nil || len(ids) == 0 {
		t.Fatalf("public ids: %v, %v", ids, err)
	}
	page := []*myProject{{id: fx.projects[1].ID}, {id: fx.projects[2].ID}}
	if _, _, err := q.projectsForPage(ctx, model.ProjectFilter{Admin: true}, page); err != nil {
		t.Fatal(err)
	}
	checkPlans(t, fx.db, rec, "projects", "members", "namespaces", "namespace_closure")
}

// The purge loop asks twice a second which projects and groups are marked
// for deletion; both questions read the marked rows through their indexes,
// never every project or group.
func TestPurgeQueriesUseIndexes(t *testing.T) {
	fx := newListFixture(t)
	ctx := context.Background()
	rec := &recorder{db: fx.db.SQL()}
	q := &Queries{q: rec, dialect: fx.db.dialect, now: fx.db.Queries().now}
	ids, err := q.ProjectIDsMarkedForDeletion(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, p := range fx.projects {
		if p.MarkedForDeletionOn != nil {
			want++
		}
	}
	if want == 0 || len(ids) != min(want, 100) {
		t.Fatalf("marked projects: got %d, want %d", len(ids), min(want, 100))
	}
	if _, err := q.GroupIDsMarkedForDeletion(ctx); err != nil {
		t.Fatal(err)
	}
	checkPlans(t, fx.db, rec, "projects", "namespaces")
}

// sqlitePlan is the detail column of SQLite's EXPLAIN QUERY PLAN of query.
func sqlitePlan(t *testing.T, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args []any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return plan
}
