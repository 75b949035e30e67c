package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/lablet/lablet/internal/model"
)

// The viewer's projects — every project they hold a level on, directly or
// through a group — decide both the membership lists and which private
// projects a visibility list shows. Computing them visits every such row
// (about a thousand for a member of a few large groups), so they are kept
// per viewer under the listing version (TopicListing: any committed change to
// memberships, projects, namespaces or the hierarchy moves it, and so does
// a new project) and list pages are cut from them, fetching only the rows
// shown.

// myProject is one project the viewer holds a level on, with the columns
// list filters need.
type myProject struct {
	id         int64
	access     model.ProjectAccess
	visibility int
	archived   bool
	marked     bool
}

// myProjects is a viewer's projects, ordered by id, with the version and day
// they were computed for, and the positions matching each filter asked so
// far (a list request then costs a binary search, not a pass over them).
type myProjects struct {
	version uint64 // listing
	access  uint64
	today   string
	list    []myProject

	mu   sync.Mutex
	hits map[hitsKey][]int32
}

// hitsKey is the part of a ProjectFilter that decides which of the
// viewer's projects match, leaving out the id bounds.
type hitsKey struct {
	admin            bool
	minVis, minLevel int
	visibility       int // -1: any
	archived         int // -1: any, 0 false, 1 true
	throughLevelOnly bool
}

// matching returns the positions in m.list of the projects matching f but
// its id bounds, ascending; with throughLevelOnly, only those that
// qualify through the viewer's level rather than their visibility.
func (m *myProjects) matching(f model.ProjectFilter, throughLevelOnly bool) []int32 {
	k := hitsKey{admin: f.Admin, minVis: f.MinVisibility, minLevel: f.MinAccessLevel, visibility: -1, archived: -1,
		throughLevelOnly: throughLevelOnly}
	if f.Visibility != nil {
		k.visibility = *f.Visibility
	}
	if f.Archived != nil {
		k.archived = 0
		if *f.Archived {
			k.archived = 1
		}
	}
	m.mu.Lock()
	h, ok := m.hits[k]
	m.mu.Unlock()
	if ok {
		return h
	}
	unbounded := f
	unbounded.IDAfter, unbounded.IDBefore = 0, 0
	h = []int32{}
	for i := range m.list {
		p := &m.list[i]
		if p.matches(unbounded) && (!throughLevelOnly || p.visibility < f.MinVisibility || p.marked) {
			h = append(h, int32(i))
		}
	}
	m.mu.Lock()
	if m.hits == nil {
		m.hits = map[hitsKey][]int32{}
	}
	if len(m.hits) < 64 { // filter combinations are few; bound anyway
		m.hits[k] = h
	}
	m.mu.Unlock()
	return h
}

// within narrows hits (ascending positions) to f's id bounds.
func (m *myProjects) within(hits []int32, f model.ProjectFilter) []int32 {
	if f.IDAfter > 0 {
		i, _ := slices.BinarySearchFunc(hits, f.IDAfter, func(h int32, id int64) int {
			return cmp.Compare(m.list[h].id, id+1)
		})
		hits = hits[i:]
	}
	if f.IDBefore > 0 {
		i, _ := slices.BinarySearchFunc(hits, f.IDBefore, func(h int32, id int64) int {
			return cmp.Compare(m.list[h].id, id)
		})
		hits = hits[:i]
	}
	return hits
}

// myProjectsCache keeps myProjects per viewer, computing each at most once
// at a time.
type myProjectsCache struct {
	mu       sync.Mutex
	m        map[int64]*myProjects
	inflight map[int64]*myProjectsCall
}

type myProjectsCall struct {
	version uint64 // a load for an older version is not waited for
	done    chan struct{}
	val     *myProjects
	err     error
}

// myProjectsMaxViewers bounds the cache; the entry of a large member is a
// few tens of kilobytes.
const myProjectsMaxViewers = 1024

// myProjects returns the viewer's projects, from the cache when still
// valid. It must not be used inside a transaction (its own writes would
// not be seen) — callers check.
func (q *Queries) myProjects(ctx context.Context, viewerID int64, today string) (*myProjects, error) {
	c := &q.db.myProjects
	// Access first: an access change moves access before listing, so a
	// pair read in this order never pairs a new listing with an old access.
	access, _ := q.db.Version(TopicAccess)
	version, ok := q.db.Version(TopicListing)
	if !ok {
		list, err := q.loadMyProjects(ctx, viewerID, today)
		return &myProjects{list: list}, err
	}
	for {
		c.mu.Lock()
		prev := c.m[viewerID]
		if e := prev; e != nil && e.version == version && e.today == today {
			c.mu.Unlock()
			return e, nil
		}
		if call := c.inflight[viewerID]; call != nil && call.version == version {
			c.mu.Unlock()
			select {
			case <-call.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if call.err == nil && call.val.version == version && call.val.today == today {
				return call.val, nil
			}
			continue // computed for another version or failed: try ourselves
		}
		call := &myProjectsCall{version: version, done: make(chan struct{})}
		if c.inflight == nil {
			c.inflight = map[int64]*myProjectsCall{}
			c.m = map[int64]*myProjects{}
		}
		c.inflight[viewerID] = call
		c.mu.Unlock()

		list, err := q.refreshMyProjects(ctx, prev, viewerID, today, access, version)
		call.val, call.err = &myProjects{version: version, access: access, today: today, list: list}, err
		c.mu.Lock()
		if c.inflight[viewerID] == call {
			delete(c.inflight, viewerID)
		}
		if cur := c.m[viewerID]; err == nil && (cur == nil || cur.version <= version) {
			if len(c.m) >= myProjectsMaxViewers {
				for k := range c.m { // evict any one; stale ones first would need a scan
					delete(c.m, k)
					break
				}
			}
			c.m[viewerID] = call.val
		}
		c.mu.Unlock()
		close(call.done)
		return call.val, err
	}
}

// refreshMyProjects computes the viewer's projects for versions (access,
// listing): from prev and the projects created since, when creating them
// is all that changed (creations.go), else from scratch.
func (q *Queries) refreshMyProjects(ctx context.Context, prev *myProjects, viewerID int64, today string, access, listing uint64) ([]myProject, error) {
	var list []myProject
	var prevAccess, prevListing uint64
	usable := prev != nil && prev.today == today
	if usable {
		list, prevAccess, prevListing = prev.list, prev.access, prev.version
	}
	return patchCreations(ctx, &q.db.versions, list, usable, prevAccess, prevListing, access, listing,
		func(m myProject) int64 { return m.id },
		func(ctx context.Context) ([]myProject, error) { return q.loadMyProjects(ctx, viewerID, today) },
		func(ctx context.Context, ids []int64) ([]myProject, error) {
			return q.myProjectsAmong(ctx, viewerID, today, ids)
		})
}

// loadMyProjects computes the viewer's projects from the database.
func (q *Queries) loadMyProjects(ctx context.Context, viewerID int64, today string) ([]myProject, error) {
	// The projects of the namespaces the viewer inherits a level on (read
	// from the projects_namespace_listing index alone), then their direct
	// projects elsewhere (CROSS JOIN keeps SQLite from scanning projects).
	rows, err := q.query(ctx, projectAccessCTE+`SELECT p.id, COALESCE(pm.lvl, 0), gm.lvl,
		p.visibility_level, p.archived, p.marked_for_deletion_on IS NOT NULL
		FROM gm JOIN projects p ON p.namespace_id = gm.namespace_id LEFT JOIN pm ON pm.project_id = p.id
		UNION ALL
		SELECT p.id, pm.lvl, 0, p.visibility_level, p.archived, p.marked_for_deletion_on IS NOT NULL
		FROM pm CROSS JOIN projects p
		WHERE p.id = pm.project_id AND p.namespace_id NOT IN (SELECT namespace_id FROM gm)
		ORDER BY 1`,
		viewerID, today, viewerID, today)
	if err != nil {
		return nil, fmt.Errorf("store: viewer projects: %w", err)
	}
	return scanMyProjects(rows, false)
}

// myProjectsAmong computes which of projects ids are the viewer's, with
// their levels, as loadMyProjects would, by primary key: its cost follows
// len(ids), not the number of the viewer's projects.
func (q *Queries) myProjectsAmong(ctx context.Context, viewerID int64, today string, ids []int64) ([]myProject, error) {
	args := []any{viewerID, today, viewerID, today, viewerID, today, viewerID, today}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := q.query(ctx, `SELECT p.id, p.visibility_level, p.archived,
		p.marked_for_deletion_on IS NOT NULL`+projectAccessColumns+` FROM projects p
		WHERE p.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: viewer projects: %w", err)
	}
	return scanMyProjects(rows, true)
}

// scanMyProjects reads loadMyProjects' rows, or with levelsLast those of
// myProjectsAmong (levels after the columns, NULL for none), keeping only
// projects the viewer holds a level on.
func scanMyProjects(rows *sql.Rows, levelsLast bool) ([]myProject, error) {
	defer rows.Close()
	var out []myProject
	for rows.Next() {
		var m myProject
		var err error
		if levelsLast {
			var pl, gl, spl, sgl sql.NullInt64
			err = rows.Scan(&m.id, &m.visibility, &m.archived, &m.marked, &pl, &gl, &spl, &sgl)
			m.access = model.ProjectAccess{Project: int(max(pl.Int64, spl.Int64)), Group: int(max(gl.Int64, sgl.Int64))}
		} else {
			err = rows.Scan(&m.id, &m.access.Project, &m.access.Group, &m.visibility, &m.archived, &m.marked)
		}
		if err != nil {
			return nil, fmt.Errorf("store: viewer projects: %w", err)
		}
		if m.access != (model.ProjectAccess{}) {
			out = append(out, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: viewer projects: %w", wrapErr(err))
	}
	return out, nil
}

// fastListable reports whether f can be answered from the viewer's
// projects: no text filters, no namespace, ordered by id, outside a
// transaction.
func (q *Queries) fastListable(f model.ProjectFilter) bool {
	byID := f.OrderBy == "" || projectOrderColumns[f.OrderBy] == "p.id"
	return q.tx == nil && q.db != nil && !q.db.caches.off && f.ViewerID != 0 && f.NamespaceID == 0 && f.Search == "" &&
		f.Topic == "" && f.ForkedFromID == 0 && len(f.CustomAttributes) == 0 && f.StarredBy == 0 && f.SharedWithGroupID == 0 && byID && f.Limit > 0
}

// matches applies f's conditions to one of the viewer's projects, as the
// WHERE clause of ListProjects does.
func (m *myProject) matches(f model.ProjectFilter) bool {
	level := m.access.Level()
	if !f.Admin {
		if m.visibility < f.MinVisibility && level < 10 || m.marked && level < 50 {
			return false
		}
	}
	return level >= f.MinAccessLevel &&
		(f.Visibility == nil || m.visibility == *f.Visibility) &&
		(f.Archived == nil || m.archived == *f.Archived) &&
		(f.IDAfter <= 0 || m.id > f.IDAfter) &&
		(f.IDBefore <= 0 || m.id < f.IDBefore)
}

// listMine answers a membership-limited list (f.MinAccessLevel > 0) from
// the viewer's projects.
func (q *Queries) listMine(ctx context.Context, f model.ProjectFilter) ([]*model.Project, map[int64]model.ProjectAccess, int, error) {
	mine, err := q.myProjects(ctx, f.ViewerID, f.Today)
	if err != nil {
		return nil, nil, 0, err
	}
	hits := mine.within(mine.matching(f, false), f) // positions in id order
	total := len(hits)
	lo, hi := min(f.Offset, total), min(f.Offset+f.Limit, total)
	page := make([]*myProject, 0, hi-lo)
	for n := lo; n < hi; n++ {
		i := n
		if f.Desc {
			i = total - 1 - n
		}
		page = append(page, &mine.list[hits[i]])
	}
	out, levels, err := q.projectsForPage(ctx, f, page)
	return out, levels, total, err
}

// listVisibleByID answers a visibility list (no level filter) ordered by
// id: the public/internal ids come from the projects table in id order,
// the viewer's other projects from their list, merged by id.
func (q *Queries) listVisibleByID(ctx context.Context, f model.ProjectFilter) ([]*model.Project, map[int64]model.ProjectAccess, error) {
	mine, err := q.myProjects(ctx, f.ViewerID, f.Today)
	if err != nil {
		return nil, nil, err
	}
	public, err := q.publicProjectIDs(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	// The viewer's projects that qualify through their level, in f's order.
	hits := mine.within(mine.matching(f, true), f)
	own := make([]*myProject, 0, min(len(hits), f.Limit+f.Offset))
	for n := 0; n < len(hits) && n < f.Limit+f.Offset; n++ {
		i := n
		if f.Desc {
			i = len(hits) - 1 - n
		}
		own = append(own, &mine.list[hits[i]])
	}
	// Merge both id-ordered lists, then cut the page.
	before := func(a, b int64) bool { return a < b != f.Desc }
	merged := make([]int64, 0, len(public)+len(own))
	i, j := 0, 0
	for i < len(public) || j < len(own) {
		if j == len(own) || i < len(public) && before(public[i], own[j].id) {
			merged = append(merged, public[i])
			i++
		} else {
			merged = append(merged, own[j].id)
			j++
		}
	}
	lo, hi := min(f.Offset, len(merged)), min(f.Offset+f.Limit, len(merged))
	page := make([]*myProject, 0, hi-lo)
	for _, id := range merged[lo:hi] {
		m := &myProject{id: id}
		if k, ok := slices.BinarySearchFunc(mine.list, id, func(m myProject, id int64) int { return cmp.Compare(m.id, id) }); ok {
			m = &mine.list[k]
		}
		page = append(page, m)
	}
	return q.projectsForPage(ctx, f, page)
}

// publicProjectIDs returns, in f's id order, up to f.Limit+f.Offset ids of
// projects visible at f.MinVisibility and not scheduled for deletion, with
// f's other column filters: from the cached public rows (public_ids.go)
// outside transactions while the versions can be trusted, else by query.
func (q *Queries) publicProjectIDs(ctx context.Context, f model.ProjectFilter) ([]int64, error) {
	if q.db != nil && q.tx == nil {
		rows, ok, err := q.publicRows(ctx, f.MinVisibility)
		if err != nil {
			return nil, err
		}
		if ok {
			return cutPublicIDs(rows, f), nil
		}
	}
	var w conds
	w.add("p.visibility_level >= ?", f.MinVisibility)
	w.add("p.marked_for_deletion_on IS NULL")
	projectRowFilter(&w, f)
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	ids, err := q.int64s(ctx, "SELECT p.id FROM projects p"+w.where()+
		" ORDER BY p.id"+dir+" LIMIT ?", append(w.args, f.Limit+f.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("store: list projects: %w", err)
	}
	return ids, nil
}

// projectsForPage loads the rows of page in its order — from the read
// cache when it holds them — dropping any that no longer match f (a change
// between reading the list and the rows).
func (q *Queries) projectsForPage(ctx context.Context, f model.ProjectFilter, page []*myProject) ([]*model.Project, map[int64]model.ProjectAccess, error) {
	levels := make(map[int64]model.ProjectAccess, len(page))
	if len(page) == 0 {
		return nil, levels, nil
	}
	c := q.caches()
	version, cached := q.stamp(TopicAccess)
	byID := make(map[int64]*model.Project, len(page))
	var missing []any
	for _, m := range page {
		if cached {
			if p, ok := c.project(q.db, m.id, version); ok {
				byID[m.id] = p
				continue
			}
		}
		missing = append(missing, m.id)
	}
	if len(missing) > 0 {
		var g rowGuard
		if cached {
			g = q.db.newRowGuard()
		}
		rows, err := q.queryProjects(ctx, "WHERE p.id IN (?"+strings.Repeat(", ?", len(missing)-1)+")", missing...)
		if err != nil {
			return nil, nil, err
		}
		for _, p := range rows {
			byID[p.ID] = p
			if cached {
				c.putProject(p, version, g)
			}
		}
	}
	out := make([]*model.Project, 0, len(page))
	for _, m := range page {
		p := byID[m.id]
		if p == nil {
			continue
		}
		now := myProject{id: p.ID, access: m.access, visibility: p.VisibilityLevel, archived: p.Archived,
			marked: p.MarkedForDeletionOn != nil}
		if !now.matches(f) {
			continue
		}
		out = append(out, p)
		levels[p.ID] = m.access
	}
	return out, levels, nil
}
