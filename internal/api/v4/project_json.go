package v4

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/lablet/lablet/internal/cache"
	"github.com/lablet/lablet/internal/model"
)

// Encoding the full project entity is most of a project list's cost. Its
// bytes depend on the project as the store read it (its Version covers
// the row, namespace and owner) and on the base URL, but not on the
// caller — except "permissions", which is the entity's last field and is
// appended per caller, and a fork's source (withForkedFrom), spliced in
// before it. So the bytes without permissions are kept per
// (project, version, base URL); a project read in any other state misses.

type projectJSONKey struct {
	id      int64
	version model.Version
	base    string
}

// admitEvery is how many misses of a request yield one new entry once the
// cache is full.
const admitEvery = 8

// projectJSONBudget bounds the bytes of cached entities: about 5,000 of
// them, every project an instance of 10,000 shows a user.
const projectJSONBudget = 16 << 20

func newProjectJSONCache(off bool) *cache.Cache[projectJSONKey, []byte] {
	return cache.New[projectJSONKey, []byte](cache.Options{MaxCost: projectJSONBudget, AvgCost: 3200, Off: off})
}

// writeFullProjects writes projects as full entities, with each one's
// permissions from access when withAccess is set, each fork's source
// from sources (forkSources) and its statistics from stats — the bytes WriteOK(w, []fullProject{…})
// would write.
func (a *API) writeFullProjects(w http.ResponseWriter, r *http.Request, projects []*model.Project,
	owners map[int64]*model.User, access map[int64]model.ProjectAccess, withAccess bool, sources map[int64]*model.Project,
	stats map[int64]*model.ProjectStatistics) error {
	pb := a.ProjectBase(r)
	items := make([][]byte, len(projects))
	size := 3
	buf := a.getListBuffer()
	defer a.putListBuffer(buf)
	// Misses are encoded one after another into arena, and items point
	// into it once it stops growing. Only the entities admitted to the
	// cache are copied out (the copy is never written to again): when the
	// cache is full — pages drawn from more projects than it holds — one
	// miss in admitEvery is, which keeps most of its hits for a fraction
	// of the copies and evictions.
	arena := a.getListBuffer()
	defer a.putListBuffer(arena)
	type span struct{ i, start, end int }
	var misses []span
	full := a.projectJSON.Full()
	for i, p := range projects {
		k := projectJSONKey{id: p.ID, version: p.Version, base: pb.url}
		if p.Version.Valid() {
			if b, ok := a.projectJSON.Get(k); ok {
				items[i] = b
				size += len(b) + 1 + maxPermissionsLen
				continue
			}
		}
		start := arena.Len()
		arena.Grow(4096) // an entity is about 3 kB: appended in place
		arena.Write(appendProjectEntity(arena.AvailableBuffer(), pb, p, projectOwnerOf(p, owners), nil))
		misses = append(misses, span{i, start, arena.Len()})
		size += arena.Len() - start + 1 + maxPermissionsLen
		if p.Version.Valid() && (!full || len(misses)%admitEvery == 1) {
			b := bytes.Clone(arena.Bytes()[start:])
			a.projectJSON.PutCost(k, b, len(b)+64)
		}
	}
	for _, m := range misses {
		items[m.i] = arena.Bytes()[m.start:m.end]
	}
	buf.Grow(size)
	buf.WriteByte('[')
	for i, p := range projects {
		if i > 0 {
			buf.WriteByte(',')
		}
		b := items[i]
		if p.ForkedFromID != nil { // the source shown depends on the caller
			b = withForkedFrom(bytes.Clone(b), pb, p, sources[*p.ForkedFromID])
		}
		if !withAccess {
			buf.Write(withStatistics(append(buf.AvailableBuffer(), b...), stats[p.ID]))
			continue
		}
		buf.Write(withStatistics(withPermissions(append(buf.AvailableBuffer(), b...), access[p.ID], p.Namespace.IsGroup()),
			stats[p.ID]))
	}
	buf.WriteString("]\n")
	writeJSONBytes(w, http.StatusOK, buf.Bytes())
	return nil
}

// getListBuffer takes an empty buffer from the API's pool.
func (a *API) getListBuffer() *bytes.Buffer {
	if buf, _ := a.listBuffers.Get().(*bytes.Buffer); buf != nil {
		return buf
	}
	return new(bytes.Buffer)
}

// putListBuffer returns buf to the pool unless it grew too large to keep.
func (a *API) putListBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= 4<<20 {
		buf.Reset()
		a.listBuffers.Put(buf)
	}
}

// writeJSONBytes writes an already encoded body as writeJSON would.
func writeJSONBytes(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	// A known length spares net/http chunking a long body in 4 KB writes.
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// maxPermissionsLen bounds what appendPermissions adds.
const maxPermissionsLen = len(`,"permissions":{"project_access":{"access_level":50,"notification_level":3},"group_access":{"access_level":50,"notification_level":3}}`)

// appendPermissions appends the permissions member fullProject renders,
// with its leading comma; group says whether the project's namespace is a
// group (only then is an inherited level shown).
func appendPermissions(dst []byte, pa model.ProjectAccess, group bool) []byte {
	level := func(dst []byte, l int) []byte {
		dst = strconv.AppendInt(append(dst, `{"access_level":`...), int64(l), 10)
		return append(dst, `,"notification_level":3}`...)
	}
	dst = append(dst, `,"permissions":{"project_access":`...)
	if pa.Project > 0 {
		dst = level(dst, pa.Project)
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"group_access":`...)
	if pa.Group > 0 && group {
		dst = level(dst, pa.Group)
	} else {
		dst = append(dst, "null"...)
	}
	return append(dst, '}')
}

// withPermissions turns an encoded entity (ending in its closing brace)
// into one with pa's permissions.
func withPermissions(entity []byte, pa model.ProjectAccess, group bool) []byte {
	return append(appendPermissions(entity[:len(entity)-1], pa, group), '}')
}
