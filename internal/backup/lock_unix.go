//go:build unix

package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockFile is the file in the data dir a running backup holds (an flock:
// released when the process ends, however it ends).
const lockFile = "backup.lock"

// lockBackups takes the data dir's backup lock without waiting, or fails
// with ErrBusy.
func lockBackups(dataDir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dataDir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("backup: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("backup: %w", ErrBusy)
		}
		return nil, fmt.Errorf("backup: lock: %w", err)
	}
	return func() { f.Close() }, nil
}
