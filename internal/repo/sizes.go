package repo

import (
	"context"
	"fmt"
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
