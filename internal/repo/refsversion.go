package repo

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// RefsStampHookName is git's hook run at each step of a ref transaction.
const RefsStampHookName = "reference-transaction"

// RefsStampHook rewrites the repository's refs stamp (hooks run in a bare
// repository's directory) once a ref transaction is committed. It runs in
// git's process, so a ref that moved moves the stamp even if lablet dies
// right after (or during) the transaction: no other instance keeps
// answering from the refs before it. Pushes run it (internal/githttp), and
// so do lablet's own ref transactions when the store has a hook directory
// (InstallRefsHook).
//
// git runs it at every step of every transaction, so it starts nothing
// but the shell: it leaves its stdin (the refs) unread, which git allows,
// and writes the kernel's random UUID with builtins (a fresh stamp of 122
// random bits, folded by readRefsStamp); head(1) only where there is no
// /proc.
const RefsStampHook = `#!/bin/sh
# Written by lablet. Do not edit.
[ "$1" = committed ] || exit 0
` + stampNewShell + `
exit 0
`

// stampNewShell rewrites the refs stamp in the current directory with
// shell builtins (see RefsStampHook).
const stampNewShell = `if read -r stamp </proc/sys/kernel/random/uuid 2>/dev/null; then printf '%s' "$stamp" 1<>` +
	RefsStampName + `; else head -c 8 /dev/urandom 1<>` + RefsStampName + `; fi`

// InstallRefsHook writes RefsStampHook into dir (private to this
// instance, kept across restarts) and makes lablet's own ref transactions
// (update-ref, fetches into refs) of a shared store run it: the stamp then
// moves in the same git process as the refs. Call it before first use,
// after setting Shared; it does nothing on a store that is not shared.
func (s *Store) InstallRefsHook(dir string) error {
	if !s.Shared {
		return nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("refs hook: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return fmt.Errorf("refs hook: %w", err)
	}
	p := filepath.Join(abs, RefsStampHookName)
	if err := os.WriteFile(p+".tmp", []byte(RefsStampHook), 0o700); err != nil {
		return fmt.Errorf("refs hook: %w", err)
	}
	if err := os.Rename(p+".tmp", p); err != nil {
		return fmt.Errorf("refs hook: %w", err)
	}
	s.refsHookDir = abs
	return nil
}

// hookArgs are git's options that run the refs stamp hook in the ref
// transactions of a command (none without a hook directory).
func (r *Repo) hookArgs() []string {
	if r.refsHookDir == "" {
		return nil
	}
	return []string{"-c", "core.hooksPath=" + r.refsHookDir}
}

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

// stampNew gives a prepared repository of a shared store its first refs
// stamp before it is renamed into place, so that it appears with a stamp:
// answers cached while no repository (or a deleted one) was at its path
// miss from then on, even if lablet dies right after the rename.
func (s *Store) stampNew(dir string) {
	if s.Shared {
		writeRefsStamp(dir)
	}
}

// readRefsStamp returns the repository's refs stamp; 0 when there is none
// (no change yet, or no repository). The file holds 8 random bytes written
// by lablet or a UUID written by RefsStampHook (or the UUID with its first
// 8 bytes overwritten by lablet): up to maxStampLen bytes are folded into
// one number (FNV-1a).
// It is read on every cached ref read, so through bare system calls (open,
// read, close: no *os.File, no poller), a few times cheaper than os.Open;
// opening it each time also revalidates it on NFS (close-to-open).
func readRefsStamp(dir string) uint64 {
	fd, err := syscall.Open(filepath.Join(dir, RefsStampName), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return 0
	}
	var b [maxStampLen]byte
	n, err := syscall.Read(fd, b[:])
	_ = syscall.Close(fd)
	if err != nil || n < 8 {
		return 0
	}
	h := uint64(14695981039346656037)
	for _, c := range b[:n] {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// maxStampLen is the longest refs stamp: a UUID (36 bytes).
const maxStampLen = 36

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

// setHeadStamped is the shell that points HEAD at $1 and then rewrites the
// refs stamp. git symbolic-ref runs no reference-transaction hook (git
// before 2.46 writes HEAD outside a ref transaction), so the stamp is
// rewritten by the same child process instead: once HEAD moved, the stamp
// moves too, even if lablet dies in between (the shell is not lablet's).
const setHeadStamped = `git symbolic-ref HEAD "$1" || exit; ` + stampNewShell

// symbolicRefStamped points HEAD at ref and rewrites the refs stamp in one
// child process (setHeadStamped).
func (r *Repo) symbolicRefStamped(ctx context.Context, ref string) error {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "sh", "-c", setHeadStamped, "sh", ref)
	cmd.Dir = r.path
	cmd.Env = Env()
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return &GitError{Args: []string{"symbolic-ref", "HEAD", ref}, Stderr: strings.TrimSpace(stderr.String()), Err: err}
	}
	return nil
}
