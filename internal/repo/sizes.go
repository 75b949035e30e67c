package repo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
)

// FileSize is a blob's path and size in a tree.
type FileSize struct {
	Path string
	Size int64
}

// FileSizes lists the blobs of commit's whole tree with their sizes (one
// `git ls-tree -r -l`), up to the search output budget: a larger tree is
// answered from its first files.
func (r *Repo) FileSizes(ctx context.Context, commit string) ([]FileSize, error) {
	if !isHexID(commit, 40) {
		return nil, fmt.Errorf("%w: commit %q", ErrInvalid, commit)
	}
	var out []FileSize
	// "<mode> <type> <id> <size>\t<path>"
	err := r.lsTree(ctx, 4, func(f []string, p string) bool {
		if n, err := strconv.ParseInt(f[3], 10, 64); err == nil && f[1] == "blob" {
			out = append(out, FileSize{Path: p, Size: n})
		}
		return true
	}, "-l", commit)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DiskSize is the bytes of the repository's files (Gitaly's
// RepositorySize: the repository directory's disk usage); 0 when there is
// no repository. It walks the directory: background work only.
func (r *Repo) DiskSize() (int64, error) {
	var n int64
	err := filepath.WalkDir(r.path, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed meanwhile (a gc's old pack)
			}
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			n += fi.Size()
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("repository size: %w", err)
	}
	return n, nil
}

// CommitCount counts the commits reachable from branch (GitLab's
// commit_count counts the default branch's); 0 when it does not exist.
func (r *Repo) CommitCount(ctx context.Context, branch string) (int64, error) {
	if !r.Exists() {
		return 0, nil
	}
	v, err := r.RefValue("refs/heads/" + branch)
	if err != nil {
		return 0, fmt.Errorf("count commits: %w", err)
	}
	if v == "" {
		return 0, nil
	}
	out, err := r.git(ctx, "rev-list", "--count", v)
	if err != nil {
		return 0, fmt.Errorf("count commits: %w", err)
	}
	n, err := strconv.ParseInt(out, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("count commits: %w", err)
	}
	return n, nil
}
