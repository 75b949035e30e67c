//go:build unix

package repo

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// maintenanceLockName is the file in a repository that housekeeping holds
// exclusively and a snapshot shared: an flock, so it also orders the
// instances that share the repositories' file system.
const maintenanceLockName = "lablet-maintenance.lock"

// lockMaintenance takes the repository's maintenance lock (exclusive for
// housekeeping, shared for a snapshot) and returns its release. It waits;
// pushes and API commits never take it (git's ref locks order them, and
// git's repack and prune are safe beside them).
func lockMaintenance(repoPath string, exclusive bool) (func(), error) {
	f, err := os.OpenFile(filepath.Join(repoPath, maintenanceLockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("maintenance lock: %w", err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("maintenance lock: %w", err)
	}
	return func() { f.Close() }, nil // closing releases the flock
}
