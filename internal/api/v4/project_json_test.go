package v4

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/cache"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// The cached, spliced rendering of project lists is byte for byte what
// encoding the entities writes, cold and warm, and follows changes.
func TestFullProjectsJSONMatchesEncoder(t *testing.T) {
	t.Parallel()
	ba := newBenchAPI(t)
	a := ba.api
	ctx := context.Background()
	db := ba.db
	alice, err := db.Queries().UserByUsername(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	personal := &model.Project{NamespaceID: alice.NamespaceID, Name: "Mine", Path: "mine", VisibilityLevel: 20,
		Topics: []string{"go", "<b>&"}}
	if err := db.WithTx(ctx, func(q *store.Queries) error { return q.CreateProject(ctx, personal) }); err != nil {
		t.Fatal(err)
	}
	load := func() []*model.Project {
		var out []*model.Project
		for _, id := range []int64{personal.ID, ba.project.ID, ba.project.ID + 1} {
			p, _, err := db.Queries().ProjectWithAccessByID(ctx, id, 0, "2026-01-01")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
		return out
	}
	levels := map[int64]model.ProjectAccess{personal.ID: {Group: 50}, ba.project.ID: {Project: 40, Group: 30}}
	render := func(projects []*model.Project, withAccess bool) (want, got []byte) {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, "http://lablet.test/api/v4/projects", nil)
		owners, err := a.projectOwners(ctx, projects)
		if err != nil {
			t.Fatal(err)
		}
		var out []fullProject
		for _, p := range projects {
			var perms *model.ProjectAccess
			if withAccess {
				pa := levels[p.ID]
				perms = &pa
			}
			out = append(out, fullProjectAt(a.ProjectBase(r), p, projectOwnerOf(p, owners), nil, perms))
		}
		rec := httptest.NewRecorder()
		WriteJSON(rec, http.StatusOK, out)
		for range 2 { // cold, then from the cache
			rec2 := httptest.NewRecorder()
			if err := a.writeFullProjects(rec2, r, projects, owners, levels, withAccess, nil, nil); err != nil {
				t.Fatal(err)
			}
			if got != nil && !bytes.Equal(got, rec2.Body.Bytes()) {
				t.Fatalf("warm rendering differs from cold:\n%s\n%s", got, rec2.Body.Bytes())
			}
			got = rec2.Body.Bytes()
		}
		return rec.Body.Bytes(), got
	}
	for _, withAccess := range []bool{true, false} {
		if want, got := render(load(), withAccess); !bytes.Equal(want, got) {
			t.Fatalf("withAccess=%v:\nwant %s\n got %s", withAccess, want, got)
		}
	}
	personal.Name = "Renamed"
	if err := db.Queries().UpdateProject(ctx, personal); err != nil {
		t.Fatal(err)
	}
	alice.Name = "Alice Renamed"
	if err := db.Queries().UpdateUser(ctx, alice); err != nil {
		t.Fatal(err)
	}
	want, got := render(load(), true)
	if !bytes.Equal(want, got) || !bytes.Contains(got, []byte(`"Renamed"`)) || !bytes.Contains(got, []byte(`"Alice Renamed"`)) {
		t.Fatalf("after changes:\nwant %s\n got %s", want, got)
	}
	// A push moves only the project's row version; its cached entity follows.
	access, listening := db.Version(store.TopicAccess)
	for i := 0; !listening && i < 1000; i++ { // PostgreSQL: connecting moves every version
		time.Sleep(10 * time.Millisecond)
		access, listening = db.Version(store.TopicAccess)
	}
	trunk := "trunk"
	personal.DefaultBranch = &trunk
	if err := db.Queries().UpdateProjectRepository(ctx, personal); err != nil {
		t.Fatal(err)
	}
	if now, _ := db.Version(store.TopicAccess); now != access {
		t.Fatal("recording a push moved the access version")
	}
	want, got = render(load(), true)
	if !bytes.Equal(want, got) || !bytes.Contains(got, []byte(`"default_branch":"trunk"`)) {
		t.Fatalf("after a push:\nwant %s\n got %s", want, got)
	}
	// A full cache admits few of a page's misses; the page is the same.
	a.projectJSON = cache.New[projectJSONKey, []byte](cache.Options{MaxCost: len(got) / 2, AvgCost: len(got) / 2})
	for range 3 {
		if want, got := render(load(), true); !bytes.Equal(want, got) {
			t.Fatalf("with a full cache:\nwant %s\n got %s", want, got)
		}
	}
	if !a.projectJSON.Full() {
		t.Fatal("the small cache never filled")
	}
}
