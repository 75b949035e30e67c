package store

// Creating a project moves the listing epoch, and each viewer's cached
// projects (project_lists.go) would be computed again — about a thousand
// rows for a member of a few large groups — on their next list after every
// creation anywhere. Instead the listing epoch's recent values remember
// which projects their change created, and a viewer's projects are patched
// with a query for just those when nothing else moved since.

// createdLog is how many recent listing epochs remember their creations.
const createdLog = 1024

// createdEntry is what listing epoch v added: the ids of the projects a
// creation-only change made, or nil for any other change.
type createdEntry struct {
	v   uint64
	ids []int64
}

// bumpListing advances the listing epoch for c, remembering c's created
// projects when creating them is all c did to access (the listing move of
// an access change carries no ids, so it is never patched over). The
// entry is written before the epoch shows it.
func (e *epochs) bumpListing(c change) {
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
func (e *epochs) createdSince(from, to uint64) ([]int64, bool) {
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
