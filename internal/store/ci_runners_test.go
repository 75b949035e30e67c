package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/model"
)

// Status and tag filters of runner lists, at the filter's clock: online
// within two hours of contact, offline after, stale a week after both
// creation and contact; tags match whole items, wildcards taken literally.
func TestListRunnersFilters(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	now := time.Now().UTC()
	mk := func(tags ...string) int64 {
		r := &model.Runner{RunnerType: model.RunnerInstance, TokenDigest: "d" + JoinTags(tags) + now.String(),
			RunUntagged: true, AccessLevel: "not_protected", Tags: tags}
		if err := db.WithTx(ctx, func(q *Queries) error { return q.InsertRunner(ctx, r) }); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	never, earlier, recent := mk("a_b"), mk("axb", "linux"), mk("linux")
	q := db.Queries()
	if err := q.TouchRunner(ctx, earlier, model.RunnerContact{}, now.Add(-3*time.Hour), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := q.TouchRunner(ctx, recent, model.RunnerContact{Version: "17.0"}, now, time.Minute); err != nil {
		t.Fatal(err)
	}
	// A second contact within the interval is not written.
	if err := q.TouchRunner(ctx, recent, model.RunnerContact{Version: "18.0"}, now.Add(time.Second), time.Minute); err != nil {
		t.Fatal(err)
	}
	if r, err := q.RunnerByID(ctx, recent); err != nil || r.Version != "17.0" {
		t.Fatalf("throttled touch: %+v, %v", r, err)
	}
	list := func(f model.RunnerFilter) []int64 {
		t.Helper()
		f.Limit = 100
		rs, total, err := q.ListRunners(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
		slices.Sort(ids)
		if total != len(ids) {
			t.Fatalf("total %d for %d rows", total, len(ids))
		}
		return ids
	}
	week := now.Add(8 * 24 * time.Hour)
	for _, tc := range []struct {
		f    model.RunnerFilter
		want []int64
	}{
		{model.RunnerFilter{Now: now, Status: model.RunnerOnline}, []int64{recent}},
		{model.RunnerFilter{Now: now, Status: model.RunnerOffline}, []int64{earlier}},
		{model.RunnerFilter{Now: now, Status: model.RunnerNeverContacted}, []int64{never}},
		{model.RunnerFilter{Now: now, Status: model.RunnerStale}, nil},
		{model.RunnerFilter{Now: week, Status: model.RunnerStale}, []int64{never, earlier, recent}},
		{model.RunnerFilter{Now: week, Status: model.RunnerOnline}, nil},
		{model.RunnerFilter{Now: now, Tags: []string{"linux"}}, []int64{earlier, recent}},
		{model.RunnerFilter{Now: now, Tags: []string{"a_b"}}, []int64{never}},
		{model.RunnerFilter{Now: now, Tags: []string{"linux", "axb"}}, []int64{earlier}},
		{model.RunnerFilter{Now: now, Tags: []string{"lin"}}, nil},
		{model.RunnerFilter{Now: now, Type: model.RunnerGroup}, nil},
	} {
		if got := list(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: %v, want %v", tc.f, got, tc.want)
		}
	}
}
