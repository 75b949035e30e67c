package repo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// readBranchRefs lists refs/heads/ by reading the files backend directly,
// as readRef does for one ref, so a branch listing spawns no process: every
// loose ref (symbolic ones followed), then the packed-refs entries that
// have no loose file. The order is git's default (refname, byte order).
// Loose refs are read before packed-refs, which is safe against a
// concurrent pack-refs (it writes packed-refs before unlinking loose refs).
func (r *Repo) readBranchRefs() ([]Branch, error) {
	if !r.Exists() {
		return nil, fmt.Errorf("repository: %w", ErrNotFound)
	}
	seen := map[string]bool{}
	out := []Branch{}
	root := filepath.Join(r.path, "refs", "heads")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while listing, or no loose branch at all
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		ref := "refs/heads/" + filepath.ToSlash(rel)
		if checkRefFormat(ref) != nil {
			return nil // lock files and the like; git skips them too
		}
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) || err != nil && isDirErr(err) {
			return nil // deleted or packed meanwhile; packed-refs is read next
		}
		if err != nil {
			return fmt.Errorf("read ref %s: %w", ref, err)
		}
		v := strings.TrimSpace(string(b))
		if target, ok := strings.CutPrefix(v, "ref: "); ok {
			if v, err = r.readRef(target); err != nil || v == "" {
				seen[ref] = true // dangling or broken symbolic ref: git skips it
				return nil
			}
		} else if !isHexID(v, 40) {
			seen[ref] = true // broken ref: git ignores it with a warning
			return nil
		}
		seen[ref] = true
		out = append(out, Branch{Name: strings.TrimPrefix(ref, "refs/heads/"), Target: v})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list branches: %w", err)
	}
	err = r.eachPackedRef(func(oid, ref string) bool {
		if strings.HasPrefix(ref, "refs/heads/") && !seen[ref] && isHexID(oid, 40) && checkRefFormat(ref) == nil {
			seen[ref] = true
			out = append(out, Branch{Name: strings.TrimPrefix(ref, "refs/heads/"), Target: oid})
		}
		return true
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// branchList returns the branches sorted by name, from the cache while
// the refs have not changed through lablet (see RefsVersion); callers get
// their own slice.
func (r *Repo) branchList() ([]Branch, error) {
	key := versionKey{repo: r.path, version: r.RefsVersion()}
	if bs, ok := r.cache.branches.Get(key); ok {
		return append([]Branch(nil), bs...), nil
	}
	bs, err := r.readBranchRefs()
	if err != nil {
		return nil, err
	}
	r.cache.branches.PutCost(key, append([]Branch(nil), bs...), len(bs)+1)
	return bs, nil
}

// mergedBranchesCached answers from the cache when the refs have not
// changed through lablet since an answer was computed, else runs compute
// and caches its answer under the version taken before it ran.
func (r *Repo) mergedBranchesCached(into string, compute func() (map[string]bool, error)) (map[string]bool, error) {
	key := mergedKey{repo: r.path, version: r.RefsVersion(), into: into}
	if m, ok := r.cache.merged.Get(key); ok {
		return copyMerged(m), nil
	}
	m, err := compute()
	if err != nil {
		return nil, err
	}
	r.cache.merged.Put(key, copyMerged(m))
	return m, nil
}

func copyMerged(m map[string]bool) map[string]bool {
	c := make(map[string]bool, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
