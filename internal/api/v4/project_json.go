package v4

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"github.com/lablet/lablet/internal/store"
)

// Encoding the full project entity is most of a project list's cost. Its
// bytes depend on the project and its namespace (the access epoch), on the
// owner of a personal project (the auth epoch) and on the base URL, but
// not on the caller — except "permissions", which is the entity's last
// field and is appended per caller. So the bytes without permissions are
// kept per (project, base URL) under both epochs, read before the list.

type projectJSONKey struct {
	id   int64
	base string
}

// projectJSONCache holds encoded full project entities for one pair of
// epochs; the first store under a newer pair drops the older entries.
type projectJSONCache struct {
	mu           sync.RWMutex
	access, auth uint64
	m            map[projectJSONKey][]byte
	max          int
}

func newProjectJSONCache(max int) *projectJSONCache {
	return &projectJSONCache{m: make(map[projectJSONKey][]byte), max: max}
}

func (c *projectJSONCache) get(k projectJSONKey, access, auth uint64) []byte {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.access != access || c.auth != auth {
		return nil
	}
	return c.m[k]
}

func (c *projectJSONCache) put(k projectJSONKey, access, auth uint64, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case access == c.access && auth == c.auth:
	case access >= c.access && auth >= c.auth:
		clear(c.m)
		c.access, c.auth = access, auth
	default:
		return // read before a change that is already known
	}
	if _, ok := c.m[k]; !ok && len(c.m) >= c.max {
		for old := range c.m { // evict an arbitrary entry
			delete(c.m, old)
			break
		}
	}
	c.m[k] = b
}

// listEpochs are the epochs a rendered list is valid under; ok is false
// when caches cannot be trusted.
type listEpochs struct {
	access, auth uint64
	ok           bool
}

// epochsNow reads the epochs; call it before reading what is rendered.
func (a *API) epochsNow() listEpochs {
	access, ok1 := a.db.Epoch(store.TopicAccess)
	auth, ok2 := a.db.Epoch(store.TopicAuth)
	return listEpochs{access: access, auth: auth, ok: ok1 && ok2}
}

// writeFullProjects writes projects as full entities, with each one's
// permissions from access when withAccess is set — the bytes
// ok(w, []fullProject{…}) would write.
func (a *API) writeFullProjects(w http.ResponseWriter, r *http.Request, ep listEpochs, projects []*store.Project,
	owners map[int64]*store.User, access map[int64]store.ProjectAccess, withAccess bool) error {
	base := a.baseURL(r)
	items := make([][]byte, len(projects))
	size := 3
	for i, p := range projects {
		k := projectJSONKey{id: p.ID, base: base}
		var b []byte
		if ep.ok {
			b = a.projectJSON.get(k, ep.access, ep.auth)
		}
		if b == nil {
			var err error
			if b, err = encodeJSON(a.fullProject(r, p, projectOwnerOf(p, owners), nil)); err != nil {
				return err
			}
			if ep.ok {
				a.projectJSON.put(k, ep.access, ep.auth, b)
			}
		}
		items[i] = b
		size += len(b) + 1 + maxPermissionsLen
	}
	buf, _ := a.listBuffers.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= 4<<20 {
			buf.Reset()
			a.listBuffers.Put(buf)
		}
	}()
	buf.Grow(size)
	buf.WriteByte('[')
	for i, p := range projects {
		if i > 0 {
			buf.WriteByte(',')
		}
		b := items[i]
		if !withAccess {
			buf.Write(b)
			continue
		}
		buf.Write(b[:len(b)-1]) // up to the closing brace
		buf.WriteString(`,"permissions":`)
		appendPermissions(buf, access[p.ID], p.Namespace.IsGroup())
		buf.WriteByte('}')
	}
	buf.WriteString("]\n")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// maxPermissionsLen bounds what appendPermissions adds, with its key.
const maxPermissionsLen = len(`,"permissions":{"project_access":{"access_level":50,"notification_level":3},"group_access":{"access_level":50,"notification_level":3}}`)

// encodeJSON encodes v as writeJSON does, without the trailing newline.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// appendPermissions writes the permissions object fullProject renders.
func appendPermissions(buf *bytes.Buffer, pa store.ProjectAccess, group bool) {
	level := func(l int) {
		buf.WriteString(`{"access_level":`)
		buf.WriteString(strconv.Itoa(l))
		buf.WriteString(`,"notification_level":3}`)
	}
	buf.WriteString(`{"project_access":`)
	if pa.Project > 0 {
		level(pa.Project)
	} else {
		buf.WriteString("null")
	}
	buf.WriteString(`,"group_access":`)
	if pa.Group > 0 && group {
		level(pa.Group)
	} else {
		buf.WriteString("null")
	}
	buf.WriteByte('}')
}
