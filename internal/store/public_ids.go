package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/lablet/lablet/internal/model"
)

// The projects a visibility list shows whoever asks — those at or above
// the viewer's lowest visibility, not scheduled for deletion — are the same
// for every viewer. Asking the database for a page's ids cost a round trip
// per keyset request (a third of PostgreSQL's time on that list); they are
// kept here in id order, per lowest visibility, under the listing version, and
// patched after creations as viewers' projects are (creations.go).

// publicRow is one such project, with the columns list filters need.
type publicRow struct {
	id       int64
	vis      int32
	archived bool
}

// publicList is the rows for one lowest visibility, with the versions they
// were read under. It is never changed once published.
type publicList struct {
	listing, access uint64
	rows            []publicRow
}

// publicListsCache holds a publicList per lowest visibility.
type publicListsCache struct {
	mu   sync.Mutex
	m    map[int]*publicList
	load sync.Mutex // one load at a time: a waiting reader then finds it done
}

// publicRows returns the rows visible at minVis, and false when the
// versions cannot be trusted (the caller asks the database).
func (q *Queries) publicRows(ctx context.Context, minVis int) ([]publicRow, bool, error) {
	c := &q.db.public
	// Access first, as in myProjects: never a new listing with an old access.
	access, _ := q.db.Version(TopicAccess)
	listing, ok := q.db.Version(TopicListing)
	if !ok {
		return nil, false, nil
	}
	current := func() *publicList {
		c.mu.Lock()
		defer c.mu.Unlock()
		if l := c.m[minVis]; l != nil && l.listing >= listing {
			return l // a newer list is as good
		}
		return nil
	}
	if l := current(); l != nil {
		return l.rows, true, nil
	}
	c.load.Lock()
	defer c.load.Unlock()
	if l := current(); l != nil {
		return l.rows, true, nil
	}
	c.mu.Lock()
	prev := c.m[minVis]
	c.mu.Unlock()
	rows, err := q.refreshPublicRows(ctx, prev, minVis, access, listing)
	if err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[int]*publicList{}
	}
	if old := c.m[minVis]; old == nil || old.listing <= listing {
		c.m[minVis] = &publicList{listing: listing, access: access, rows: rows}
	}
	c.mu.Unlock()
	return rows, true, nil
}

// refreshPublicRows computes the rows for versions (access, listing),
// patched from prev when only creations happened since.
func (q *Queries) refreshPublicRows(ctx context.Context, prev *publicList, minVis int, access, listing uint64) ([]publicRow, error) {
	var rows []publicRow
	var prevAccess, prevListing uint64
	if prev != nil {
		rows, prevAccess, prevListing = prev.rows, prev.access, prev.listing
	}
	return patchCreations(ctx, &q.db.versions, rows, prev != nil, prevAccess, prevListing, access, listing,
		func(r publicRow) int64 { return r.id },
		func(ctx context.Context) ([]publicRow, error) { return q.loadPublicRows(ctx, minVis, nil) },
		func(ctx context.Context, ids []int64) ([]publicRow, error) { return q.loadPublicRows(ctx, minVis, ids) })
}

// loadPublicRows reads the rows visible at minVis, all of them or those
// among ids (by primary key), in id order.
func (q *Queries) loadPublicRows(ctx context.Context, minVis int, ids []int64) ([]publicRow, error) {
	query := "SELECT p.id, p.visibility_level, p.archived FROM projects p" +
		" WHERE p.visibility_level >= ? AND p.marked_for_deletion_on IS NULL"
	args := []any{minVis}
	if ids != nil {
		query += " AND p.id IN (?" + strings.Repeat(", ?", len(ids)-1) + ")"
		for _, id := range ids {
			args = append(args, id)
		}
	}
	rows, err := q.query(ctx, query+" ORDER BY p.id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: public projects: %w", err)
	}
	defer rows.Close()
	var out []publicRow
	for rows.Next() {
		var r publicRow
		if err := rows.Scan(&r.id, &r.vis, &r.archived); err != nil {
			return nil, fmt.Errorf("store: public projects: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: public projects: %w", wrapErr(err))
	}
	return out, nil
}

// cutPublicIDs is what publicProjectIDs' query answers, cut from rows.
func cutPublicIDs(rows []publicRow, f model.ProjectFilter) []int64 {
	lo, hi := 0, len(rows)
	if f.IDAfter > 0 {
		lo = sort.Search(len(rows), func(i int) bool { return rows[i].id > f.IDAfter })
	}
	if f.IDBefore > 0 {
		hi = sort.Search(len(rows), func(i int) bool { return rows[i].id >= f.IDBefore })
	}
	want := f.Limit + f.Offset
	out := make([]int64, 0, min(want, max(hi-lo, 0)))
	match := func(r *publicRow) bool {
		return (f.Visibility == nil || int(r.vis) == *f.Visibility) && (f.Archived == nil || r.archived == *f.Archived)
	}
	for n := 0; n < hi-lo && len(out) < want; n++ {
		i := lo + n
		if f.Desc {
			i = hi - 1 - n
		}
		if match(&rows[i]) {
			out = append(out, rows[i].id)
		}
	}
	return out
}
