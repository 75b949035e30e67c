package store

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// Concurrent assignments of one resource group, from two instances on
// PostgreSQL, give it to one waiting job at a time, oldest first, and
// to the next only once its holder ended; another group is not held
// back by it.
func TestAssignResourceOneHolder(t *testing.T) {
	db, dsn, _ := mustOpen(t)
	dbs := []*DB{db}
	if db.Dialect() == Postgres {
		other, err := Open(context.Background(), dsn, t.TempDir(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		dbs = append(dbs, other)
	}
	ctx := context.Background()
	_, _, project := newPrivateProjectFixture(t, db)
	prod, staging := "production", "staging"
	var waiting []*model.Job
	var other *model.Job
	err := db.WithTx(ctx, func(q *Queries) error {
		p := &model.Pipeline{ProjectID: project.ID, Ref: "main", SHA: "abc", Source: "push", Status: model.CIStatusRunning}
		if err := q.InsertPipeline(ctx, p); err != nil {
			return err
		}
		for i := range 5 {
			group := &prod
			if i == 4 {
				group = &staging
			}
			j := &model.Job{ProjectID: project.ID, PipelineID: p.ID, Name: fmt.Sprint("deploy ", i), Stage: "deploy",
				Status: model.CIStatusWaitingForResource, When: "on_success", SchedulingType: "stage", Spec: "{}",
				Ref: "main", SHA: "abc", ResourceGroup: group}
			if err := q.InsertJob(ctx, j); err != nil {
				return err
			}
			if i == 4 {
				other = j
			} else {
				waiting = append(waiting, j)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// round lets 8 writers assign production at once and returns the jobs
	// they were given.
	round := func() []*model.Job {
		t.Helper()
		var mu sync.Mutex
		var got []*model.Job
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				err := dbs[i%len(dbs)].WithTx(ctx, func(q *Queries) error {
					j, err := q.AssignResource(ctx, project.ID, prod)
					if j != nil {
						mu.Lock()
						got = append(got, j)
						mu.Unlock()
					}
					return err
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		return got
	}
	for i, want := range waiting {
		got := round()
		if len(got) != 1 || got[0].ID != want.ID || got[0].Status != model.CIStatusPending {
			t.Fatalf("round %d: assigned %+v, want job %d alone", i, got, want.ID)
		}
		if again := round(); len(again) != 0 {
			t.Fatalf("round %d: assigned %d more while job %d holds the group", i, len(again), want.ID)
		}
		if j, err := db.Queries().JobByID(ctx, want.ID); err != nil || j.Status != model.CIStatusPending {
			t.Fatalf("holder %d: %+v, %v", want.ID, j, err)
		}
		// The holder runs, then ends: the group is free again.
		h := *got[0]
		h.Status = model.CIStatusRunning
		if ok, err := db.Queries().SetJobStatus(ctx, &h, []string{model.CIStatusPending}); err != nil || !ok {
			t.Fatalf("run holder: %v %v", ok, err)
		}
		if again := round(); len(again) != 0 {
			t.Fatalf("round %d: assigned %d while job %d runs", i, len(again), want.ID)
		}
		h.Status = model.CIStatusSuccess
		if ok, err := db.Queries().SetJobStatus(ctx, &h, []string{model.CIStatusRunning}); err != nil || !ok {
			t.Fatalf("end holder: %v %v", ok, err)
		}
	}
	if got := round(); len(got) != 0 {
		t.Fatalf("assigned %d with nobody waiting", len(got))
	}
	if w, err := db.Queries().WaitingForResource(ctx, project.ID, prod); err != nil || w {
		t.Fatalf("production waiting: %v, %v; want none", w, err)
	}
	if w, err := db.Queries().WaitingForResource(ctx, project.ID, staging); err != nil || !w {
		t.Fatalf("staging waiting: %v, %v; want its job", w, err)
	}
	err = db.WithTx(ctx, func(q *Queries) error {
		j, err := q.AssignResource(ctx, project.ID, staging)
		if err == nil && (j == nil || j.ID != other.ID) {
			t.Errorf("staging assigned %+v, want job %d", j, other.ID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Queries().AssignResource(ctx, project.ID, prod); err == nil {
		t.Error("AssignResource outside a transaction: no error")
	}
}
