package store

import "context"

// Creating a project moves the listing version, and each viewer's cached
// projects (project_lists.go) would be computed again — about a thousand
// rows for a member of a few large groups — on their next list after every
// creation anywhere. Instead the listing version's recent values remember
// which projects their change created, and a viewer's projects are patched
// with a query for just those when nothing else moved since.

// createdLog is how many recent listing versions remember their creations.
const createdLog = 1024

// createdEntry is what listing version v added: the ids of the projects a
// creation-only change made, or nil for any other change.
type createdEntry struct {
	v   uint64
	ids []int64
}

// bumpListing advances the listing version for c, remembering c's created
// projects when creating them is all c did to access (the listing move of
// an access change carries no ids, so it is never patched over). The
// entry is written before the version shows it.
func (e *versions) bumpListing(c change) {
	var ids []int64
	if c.topics&(1<<TopicAccess) == 0 && len(c.created) > 0 {
		ids = c.created
	}
	e.listingMu.Lock()
	defer e.listingMu.Unlock()
	v := e.n[TopicListing].Load() + 1
	e.created[v%createdLog] = createdEntry{v: v, ids: ids}
	e.n[TopicListing].Store(v)
}

// createdSince returns the projects created by the listing moves after
// from up to to, and false when any of those moves was not a creation or
// is no longer remembered.
func (e *versions) createdSince(from, to uint64) ([]int64, bool) {
	if to <= from || to-from > createdLog {
		return nil, false
	}
	e.listingMu.Lock()
	defer e.listingMu.Unlock()
	var ids []int64
	for v := from + 1; v <= to; v++ {
		ent := e.created[v%createdLog]
		if ent.v != v || ent.ids == nil {
			return nil, false
		}
		ids = append(ids, ent.ids...)
	}
	return ids, true
}

// patchCreations computes a cached list for versions (access, listing) from
// prev, read under (prevAccess, prevListing), when creating projects is
// all that changed since: loadAmong reads just the created projects' rows
// (by primary key) and they are merged in by id. Otherwise, or without
// prev, loadAll reads the list again. Lists are in ascending id order.
func patchCreations[T any](ctx context.Context, e *versions, prev []T, hasPrev bool, prevAccess, prevListing, access, listing uint64,
	id func(T) int64, loadAll func(context.Context) ([]T, error), loadAmong func(context.Context, []int64) ([]T, error)) ([]T, error) {
	if !hasPrev || prevAccess != access || prevListing >= listing {
		return loadAll(ctx)
	}
	ids, ok := e.createdSince(prevListing, listing)
	if !ok {
		return loadAll(ctx)
	}
	if len(ids) == 0 {
		return prev, nil
	}
	added, err := loadAmong(ctx, ids)
	if err != nil {
		return nil, err
	}
	// Merge by id; prev's query may have seen some of them already.
	out := make([]T, 0, len(prev)+len(added))
	i, j := 0, 0
	for i < len(prev) || j < len(added) {
		switch {
		case j == len(added) || i < len(prev) && id(prev[i]) < id(added[j]):
			out = append(out, prev[i])
			i++
		case i < len(prev) && id(prev[i]) == id(added[j]):
			out = append(out, added[j])
			i, j = i+1, j+1
		default:
			out = append(out, added[j])
			j++
		}
	}
	return out, nil
}
