package repo

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// writeLooseObject stores an object as git's loose object writer does
// (objects/xx/yyyy…: zlib of "<type> <size>\x00<data>", named by its SHA-1,
// written to a temporary file and linked into place, read-only), without
// a git process. ok is false when the repository is not a plain SHA-1 one
// (another object format): the caller then asks git.
func (r *Repo) writeLooseObject(typ string, data []byte) (oid string, ok bool, err error) {
	if !r.sha1Objects() {
		return "", false, nil
	}
	hdr := typ + " " + strconv.Itoa(len(data)) + "\x00"
	h := sha1.New()
	h.Write([]byte(hdr))
	h.Write(data)
	oid = hex.EncodeToString(h.Sum(nil))
	dir := filepath.Join(r.path, "objects", oid[:2])
	final := filepath.Join(dir, oid[2:])
	if _, err := os.Stat(final); err == nil {
		return oid, true, nil // already there (git would only freshen it)
	}
	var buf bytes.Buffer
	zw := r.zlib.get(&buf)
	zw.Write([]byte(hdr))
	zw.Write(data)
	err = zw.Close()
	r.zlib.put(zw)
	if err != nil {
		return "", true, fmt.Errorf("write object: %w", err)
	}
	f, err := createObjectTemp(dir)
	if err != nil {
		return "", true, fmt.Errorf("write object: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return "", true, fmt.Errorf("write object: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", true, fmt.Errorf("write object: %w", err)
	}
	// Read-only as git's objects are, and private as the data dir is.
	if err := os.Chmod(tmp, 0o400); err != nil {
		return "", true, fmt.Errorf("write object: %w", err)
	}
	if err := os.Link(tmp, final); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", true, fmt.Errorf("write object: %w", err)
	}
	return oid, true, nil
}

// createObjectTemp creates a temporary file in the loose object directory
// dir, making dir when missing. A repack running beside us (git
// prune-packed) removes empty object directories, so dir can vanish
// between its creation and the file's: git's own writer then makes it
// again and retries, and so does this.
func createObjectTemp(dir string) (*os.File, error) {
	for attempt := 0; ; attempt++ {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		f, err := os.CreateTemp(dir, "tmp_obj_")
		if err == nil || !errors.Is(err, fs.ErrNotExist) || attempt == 5 {
			return f, err
		}
	}
}

// zlibPool reuses the store's zlib writers: one allocates ~1 MiB of
// compressor state, which would otherwise dominate an API commit's
// allocations and GC.
type zlibPool struct{ p sync.Pool }

// get returns a writer compressing into w at git's loose object level.
func (z *zlibPool) get(w io.Writer) *zlib.Writer {
	if zw, ok := z.p.Get().(*zlib.Writer); ok {
		zw.Reset(w)
		return zw
	}
	zw, _ := zlib.NewWriterLevel(w, zlib.BestSpeed) // fails only for a bad level
	return zw
}

// put takes back a writer from get once it is closed.
func (z *zlibPool) put(zw *zlib.Writer) {
	zw.Reset(io.Discard) // keep no reference to its output in the pool
	z.p.Put(zw)
}

// sha1Objects reports whether the repository stores SHA-1 objects in its
// own objects directory: no extensions.objectFormat in its config.
func (r *Repo) sha1Objects() bool {
	b, err := os.ReadFile(filepath.Join(r.path, "config"))
	if err != nil {
		return false
	}
	return !strings.Contains(strings.ToLower(string(b)), "objectformat")
}

// treeObject encodes entries as git mktree does: canonical octal modes,
// sorted as git sorts tree entries (a tree's name compares as if it ended
// with "/"). Every oid must be a 40-digit hex id.
func treeObject(entries []treeObjectEntry) ([]byte, error) {
	sort.Slice(entries, func(i, j int) bool { return treeEntryLess(entries[i], entries[j]) })
	var b bytes.Buffer
	for _, e := range entries {
		mode, err := strconv.ParseUint(e.mode, 8, 32)
		if err != nil {
			return nil, fmt.Errorf("tree entry %q: mode %q", e.name, e.mode)
		}
		id, err := hex.DecodeString(e.oid)
		if err != nil || len(id) != sha1.Size {
			return nil, fmt.Errorf("tree entry %q: object id %q", e.name, e.oid)
		}
		b.WriteString(strconv.FormatUint(mode, 8))
		b.WriteByte(' ')
		b.WriteString(e.name)
		b.WriteByte(0)
		b.Write(id)
	}
	return b.Bytes(), nil
}

type treeObjectEntry struct{ mode, name, oid string }

func treeEntryLess(a, b treeObjectEntry) bool {
	an, bn := a.name, b.name
	if entryType(a.mode) == "tree" {
		an += "/"
	}
	if entryType(b.mode) == "tree" {
		bn += "/"
	}
	return an < bn
}
