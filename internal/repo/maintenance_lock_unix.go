//go:build unix

package repo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// maintenanceLockName is the file in a repository that housekeeping holds
// exclusively and a snapshot shared: an flock, so it also orders the
// instances that share the repositories' file system.
const maintenanceLockName = "lablet-maintenance.lock"

// lockMaintenance takes the repository's maintenance lock (exclusive for
// housekeeping, shared for a snapshot) and returns its release. It waits;
// pushes and API commits never take it (git's ref locks order them, and
// git's repack and prune are safe beside them).
func lockMaintenance(ctx context.Context, repoPath string, exclusive bool) (func(), error) {
	f, err := os.OpenFile(filepath.Join(repoPath, maintenanceLockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("maintenance lock: %w", err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	// Polled without blocking, so that a cancelled context (a stopping
	// server, a client gone) is not stuck behind a long holder.
	for {
		err = syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil // closing releases the flock
		}
		if err != syscall.EWOULDBLOCK && err != syscall.EINTR {
			f.Close()
			return nil, fmt.Errorf("maintenance lock: %w", err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(maintenanceLockPoll):
		}
	}
}

// maintenanceLockPoll is how often a waiter tries the lock again.
const maintenanceLockPoll = 50 * time.Millisecond
