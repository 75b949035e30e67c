package repo

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// CommitsByID reads many commits through one warm cat-file reader: listing
// N branches costs N round trips on a pipe, never N processes. Missing
// objects are left out of the map.
func (r *Repo) CommitsByID(ctx context.Context, ids []string) (map[string]*Commit, error) {
	out := make(map[string]*Commit, len(ids))
	// Commits are immutable: those read before come from the cache, and
	// only the others cost a cat-file round trip.
	var missing []string
	for _, id := range ids {
		if _, seen := out[id]; seen || id == "" {
			continue
		}
		if c, ok := r.cache.commits.Get(commitKey{repo: r.path, id: id}); ok {
			c.Parents = append([]string(nil), c.Parents...)
			out[id] = &c
			continue
		}
		missing = append(missing, id)
	}
	if len(missing) == 0 {
		return out, nil
	}
	cached := make(map[string]*Commit, len(out))
	for k, v := range out {
		cached[k] = v
	}
	err := r.withCatFile(ctx, func(c *catFile) error {
		clear(out)
		for k, v := range cached {
			out[k] = v
		}
		for _, id := range missing {
			if _, seen := out[id]; seen {
				continue
			}
			h, data, err := r.object(ctx, c, id, "commit")
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			cm, err := parseCommit(h.OID, data)
			if err != nil {
				return err
			}
			out[id] = cm
			if id == h.OID {
				cc := *cm
				cc.Parents = append([]string(nil), cm.Parents...)
				r.cache.commits.Put(commitKey{repo: r.path, id: id}, cc)
			}
		}
		return nil
	})
	return out, err
}

// MergeBaseOf returns the merge base of two or more revisions, as
// "git merge-base <a> <b>..." computes it; ErrNotFound if there is none.
// Each revision must resolve (ErrNotFound names the first that does not).
func (r *Repo) MergeBaseOf(ctx context.Context, revs ...string) (string, error) {
	if len(revs) < 2 {
		return "", fmt.Errorf("%w: merge base needs two revisions", ErrInvalid)
	}
	args := []string{"merge-base", "--end-of-options"}
	for _, rev := range revs {
		sha, err := r.ResolveRef(ctx, rev)
		if err != nil {
			return "", err
		}
		args = append(args, sha)
	}
	out, err := r.git(ctx, args...)
	if exitCode(err) == 1 {
		return "", fmt.Errorf("merge base of %v: %w", revs, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("merge-base: %w", err)
	}
	return out, nil
}

// BlobByID reads a blob by (possibly abbreviated, >= 7 hex digits) object
// id. Anything else, or an object that is not a blob, is ErrNotFound.
func (r *Repo) BlobByID(ctx context.Context, id string) (*Blob, error) {
	id = strings.ToLower(id)
	if !isHexID(id, 7) || len(id) > 40 {
		return nil, fmt.Errorf("blob %q: %w", id, ErrNotFound)
	}
	var out *Blob
	err := r.withCatFile(ctx, func(c *catFile) error {
		h, data, err := r.object(ctx, c, id, "blob")
		if err != nil {
			return err
		}
		out = &Blob{ID: h.OID, Size: h.Size, Content: data}
		return nil
	})
	return out, err
}

// TreeEntryAt reports the type ("tree", "blob", "commit") of the entry at p
// in a commit, or ErrNotFound. p == "" is the root tree.
func (r *Repo) TreeEntryAt(ctx context.Context, commit, p string) (string, error) {
	if !isHexID(commit, 40) {
		return "", fmt.Errorf("%w: %q is not an object id", ErrInvalid, commit)
	}
	if p != "" {
		if err := ValidatePath(p); err != nil {
			return "", err
		}
	}
	var typ string
	err := r.withCatFile(ctx, func(c *catFile) error {
		h, _, err := c.do(ctx, "info", commit+":"+p)
		if errors.Is(err, errMissing) {
			return fmt.Errorf("path %q: %w", p, ErrNotFound)
		}
		typ = h.Type
		return err
	})
	return typ, err
}

// RawCommit returns the commit a revision names as git stores it (what
// "git cat-file commit" prints): headers, signature included, and message.
// It is read through the repository's pooled cat-file process.
func (r *Repo) RawCommit(ctx context.Context, rev string) (id string, raw []byte, err error) {
	err = r.withCatFile(ctx, func(c *catFile) error {
		sha, err := r.resolve(ctx, c, rev)
		if err != nil {
			return err
		}
		h, data, err := r.object(ctx, c, sha, "commit")
		if err != nil {
			return err
		}
		id, raw = h.OID, data
		return nil
	})
	return id, raw, err
}
