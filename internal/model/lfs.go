package model

import "time"

// LFSLock is a Git LFS file lock (GitLab's lfs_file_locks): a path of a
// project's repository that one user holds.
type LFSLock struct {
	ID        int64
	ProjectID int64
	UserID    int64
	Path      string
	CreatedAt time.Time
	// OwnerName is the holder's display name (the lock's owner.name).
	OwnerName string
}
