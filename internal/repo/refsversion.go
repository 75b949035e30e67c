package repo

import (
	"crypto/rand"
	"encoding/binary"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
)

// refsVersions counts ref changes per repository directory. Caches of
// ref-derived answers (branch lists, the info/refs advertisement) key on
// a repository's version, so any change made through lablet — an API
// write in this package or a push that the git HTTP handler reports with
// RefsChanged — makes them miss. Refs changed by hand on disk are not
// seen until the next change made through lablet (or a restart).
//
// When the repositories are shared by several instances (Store.Shared),
// each change also rewrites the repository's refs stamp, a file of 8
// random bytes, and a version is the local count plus the stamp read from
// the file: a change made by any instance is seen by the next read of
// every other one, without waiting for a notification.
type refsVersions struct {
	m sync.Map // repository directory → *atomic.Uint64
}

// RefsStampName is the file in a repository that every ref change made
// through lablet rewrites when the repositories are shared (pushes' ref
// transactions rewrite it from git's reference-transaction hook too, see
// internal/githttp). git ignores it (fsck too); backups copy it like any
// other file.
const RefsStampName = "lablet-refs-stamp"

func (v *refsVersions) counter(dir string) *atomic.Uint64 {
	if c, ok := v.m.Load(dir); ok {
		return c.(*atomic.Uint64)
	}
	c, _ := v.m.LoadOrStore(dir, new(atomic.Uint64))
	return c.(*atomic.Uint64)
}

// RefsVersion is a number that changes whenever lablet changes this
// repository's refs or HEAD. A reader must take it before reading refs
// and store what it read under that version: the bump comes after a change
// is complete, so a stale answer is never stored under the new version.
func (r *Repo) RefsVersion() uint64 {
	n := r.versions.counter(r.path).Load()
	if r.shared {
		n += readRefsStamp(r.path)
	}
	return n
}

// RefsChanged records that the refs were changed outside this package
// (git receive-pack); call it after the change is complete.
func (r *Repo) RefsChanged() {
	r.versions.counter(r.path).Add(1)
	if r.shared {
		writeRefsStamp(r.path)
	}
}

// readRefsStamp returns the repository's refs stamp; 0 when there is none
// (no change yet, or no repository).
// It is read on every cached ref read, so through bare system calls (open,
// read, close: no *os.File, no poller), a few times cheaper than os.Open;
// opening it each time also revalidates it on NFS (close-to-open).
func readRefsStamp(dir string) uint64 {
	fd, err := syscall.Open(filepath.Join(dir, RefsStampName), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return 0
	}
	var b [8]byte
	n, err := syscall.Read(fd, b[:])
	_ = syscall.Close(fd)
	if err != nil || n != len(b) {
		return 0
	}
	return binary.LittleEndian.Uint64(b[:])
}

// writeRefsStamp gives the repository a new random refs stamp, written in
// place (8 bytes at offset 0: no reader sees the file empty). Writers
// racing leave one of their stamps, new either way. A repository that is
// gone (deleted) gets none.
func writeRefsStamp(dir string) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	f, err := os.OpenFile(filepath.Join(dir, RefsStampName), os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	_, _ = f.WriteAt(b[:], 0)
	_ = f.Close()
}
