package store

import (
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
)

// Row versions narrow what a change of one project's repository state moves.
// A push updates the project's default branch, empty_repo and activity
// times; moving the access version for that would drop every cached project,
// access level and list of the instance on each push. Such row-only
// changes (UpdateProjectRepository) move instead one of rowStripes
// counters, picked by project id, and cached project rows and their
// rendered entities are kept with the counter of their stripe.

// rowStripes is the number of row versions; a change invalidates the cached
// rows of about 1/rowStripes of the projects.
const rowStripes = 4096

// maxNotifiedIDs bounds the project ids one notification carries
// (PostgreSQL's payload is under 8,000 bytes); beyond it the access versions
// move instead.
const maxNotifiedIDs = 400

func stripe(id int64) uint64 { return uint64(id) % rowStripes }

// bumpRows moves the row versions of ids. rowsAll moves before the stripe,
// which rowGuard.version relies on.
func (e *versions) bumpRows(ids []int64) {
	for _, id := range ids {
		e.rowsAll.Add(1)
		e.rows[stripe(id)].Add(1)
	}
}

// projectRowVersion returns the row version project id's cached row and
// entity must have been read under.
func (db *DB) projectRowVersion(id int64) uint64 {
	return db.versions.rows[stripe(id)].Load()
}

// rowGuard is taken before reading project rows that will be cached, as
// Version is: Version then gives the row version to keep each one under.
type rowGuard struct {
	db  *DB
	all uint64
}

// rowGuard starts a read of project rows.
func (db *DB) newRowGuard() rowGuard { return rowGuard{db: db, all: db.versions.rowsAll.Load()} }

// Version returns the row version to keep project id's row under, read since
// the guard was taken; false when a row-only change was published
// meanwhile (its stripe may already show it while the row read did not),
// and the row must not be cached.
func (g rowGuard) version(id int64) (uint64, bool) {
	if g.db == nil { // the zero guard allows nothing
		return 0, false
	}
	v := g.db.versions.rows[stripe(id)].Load()
	return v, g.db.versions.rowsAll.Load() == g.all
}

// notifiable turns a change naming too many projects for one notification
// into a move of the access versions.
func notifiable(c change) change {
	if len(c.rows)+len(c.created) > maxNotifiedIDs {
		return change{topics: c.topics | accessTopics}
	}
	return c
}

// payload is the notification text of c:
// "<topics> <instance>[ r<id>,<id>…][ c<id>,<id>…]".
func (e *versions) payload(c change) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(c.topics)))
	b.WriteByte(' ')
	b.WriteString(e.instance)
	for _, part := range []struct {
		tag byte
		ids []int64
	}{{'r', c.rows}, {'c', c.created}} {
		for i, id := range part.ids {
			if i == 0 {
				b.WriteByte(' ')
				b.WriteByte(part.tag)
			} else {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatInt(id, 10))
		}
	}
	return b.String()
}

// parsePayload reads a notification; anything unreadable moves all topics.
func parsePayload(s string) (change, string) {
	all := change{topics: allTopics}
	f := strings.Fields(s)
	if len(f) < 2 || len(f) > 4 {
		return all, ""
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n < 0 || n > allTopics {
		return all, f[1]
	}
	c := change{topics: uint8(n)}
	for _, part := range f[2:] {
		var dst *[]int64
		switch part[0] {
		case 'r':
			dst = &c.rows
		case 'c':
			dst = &c.created
		default:
			return all, f[1]
		}
		if *dst != nil {
			return all, f[1]
		}
		for _, v := range strings.Split(part[1:], ",") {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				return all, f[1]
			}
			*dst = append(*dst, id)
		}
	}
	if c.empty() || len(c.created) > 0 && c.topics&(1<<TopicListing) == 0 {
		return all, f[1]
	}
	return c, f[1]
}

// versionGuard is taken before reading projects that leave the store with
// a model.Version: the versions of everything a project's entity shows
// (access: the project, its namespace and access rules; auth: its owner)
// and a row guard, read before the rows as every cache read is.
type versionGuard struct {
	access, auth uint64
	rows         rowGuard
	ok           bool
}

func (q *Queries) versionGuard() versionGuard {
	if q.db == nil || q.tx != nil {
		return versionGuard{} // rows read in a transaction may never commit
	}
	access, ok1 := q.db.Version(TopicAccess)
	auth, ok2 := q.db.Version(TopicAuth)
	return versionGuard{access: access, auth: auth, rows: q.db.newRowGuard(), ok: ok1 && ok2}
}

// stamp sets the version of projects read since the guard was taken.
func (g versionGuard) stamp(projects ...*model.Project) {
	if !g.ok {
		return
	}
	for _, p := range projects {
		if row, ok := g.rows.version(p.ID); ok {
			p.Version = model.NewVersion(g.access, g.auth, row)
		}
	}
}
