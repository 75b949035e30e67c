package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
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
	s, err := r.startSearch(ctx, maxSearchOutput, "ls-tree", "-r", "-z", "-l", "--full-tree", commit)
	if err != nil {
		return nil, err
	}
	defer s.close()
	var out []FileSize
	for {
		rec, err := s.readUntil(0)
		if errors.Is(err, io.EOF) && len(rec) == 0 {
			if err := s.wait(); err != nil {
				return nil, s.fail(r, err)
			}
			return out, nil
		}
		if err != nil {
			return cut(r, s, out, err)
		}
		// "<mode> <type> <id> <size>\t<path>"
		meta, p, ok := strings.Cut(string(rec), "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 4 {
			return nil, s.fail(r, fmt.Errorf("unexpected record %q", rec))
		}
		if f[1] != "blob" {
			continue
		}
		n, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			continue // a link or submodule shows "-"
		}
		out = append(out, FileSize{Path: p, Size: n})
	}
}
