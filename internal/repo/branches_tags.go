package repo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// RefSort orders ref listings. Sorting is done by git itself in the one
// for-each-ref call, so a listing costs one process whatever its order.
type RefSort string

// Ref orders understood by BranchesSorted and TagsSorted.
const (
	SortNameAsc     RefSort = "refname"
	SortNameDesc    RefSort = "-refname"
	SortUpdatedAsc  RefSort = "creatordate" // committer date, or tagger date of annotated tags
	SortUpdatedDesc RefSort = "-creatordate"
	SortVersionAsc  RefSort = "version:refname"
	SortVersionDesc RefSort = "-version:refname"
)

func (s RefSort) valid() bool {
	switch s {
	case SortNameAsc, SortNameDesc, SortUpdatedAsc, SortUpdatedDesc, SortVersionAsc, SortVersionDesc:
		return true
	}
	return false
}

// forEachRefSorted is forEachRef with an explicit --sort (ties broken by
// name, as git does).
func (r *Repo) forEachRefSorted(ctx context.Context, sort RefSort, prefix string, fields ...string) ([][]string, error) {
	if !sort.valid() {
		return nil, fmt.Errorf("%w: sort %q", ErrInvalid, sort)
	}
	return r.forEachRefWith(ctx, []string{"--sort=" + string(sort)}, prefix, fields)
}

// BranchesSorted lists all branches in the given order with one
// for-each-ref call.
//
// Name orders read the ref files directly instead (readBranchRefs): no
// process.
func (r *Repo) BranchesSorted(ctx context.Context, sort RefSort) ([]Branch, error) {
	if sort == SortNameAsc || sort == SortNameDesc {
		out, err := r.branchList()
		if err != nil {
			return nil, err
		}
		if sort == SortNameDesc {
			for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
				out[i], out[j] = out[j], out[i]
			}
		}
		return out, nil
	}
	recs, err := r.forEachRefSorted(ctx, sort, "refs/heads/", "%(refname)", "%(objectname)")
	if err != nil {
		return nil, err
	}
	out := make([]Branch, 0, len(recs))
	for _, f := range recs {
		out = append(out, Branch{Name: strings.TrimPrefix(f[0], "refs/heads/"), Target: f[1]})
	}
	return out, nil
}

// TagsSorted lists all tags, with annotated tag details, in the given order
// with one for-each-ref call.
func (r *Repo) TagsSorted(ctx context.Context, sort RefSort) ([]Tag, error) {
	recs, err := r.forEachRefSorted(ctx, sort, "refs/tags/", tagFields...)
	if err != nil {
		return nil, err
	}
	return parseTags(recs), nil
}

// HeadBranch returns the branch HEAD points at by reading the HEAD file,
// without a process (DefaultBranch asks git). The branch may not exist yet.
func (r *Repo) HeadBranch() (string, error) {
	// HEAD moves only through SetDefaultBranch, which bumps the version.
	key := refKey{repo: r.path, version: r.RefsVersion(), name: "\x00HEAD branch"}
	if v, ok := r.cache.refs.Get(key); ok {
		return v, nil
	}
	name, err := r.readHeadBranch()
	if err == nil {
		r.cache.refs.Put(key, name)
	}
	return name, err
}

func (r *Repo) readHeadBranch() (string, error) {
	b, err := os.ReadFile(filepath.Join(r.path, "HEAD"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("repository: %w", ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read HEAD: %w", err)
	}
	v := strings.TrimSpace(string(b))
	name, ok := strings.CutPrefix(v, "ref: refs/heads/")
	if !ok {
		return "", fmt.Errorf("read HEAD: not a branch: %q", v)
	}
	return name, nil
}

// Branch returns one branch by name, reading the ref files (no process).
// An invalid name is ErrNotFound too: no such branch can exist.
func (r *Repo) Branch(name string) (*Branch, error) {
	ref, err := BranchRef(name)
	if err != nil {
		return nil, fmt.Errorf("branch %q: %w", name, ErrNotFound)
	}
	v, err := r.refValue(ref)
	if err != nil {
		return nil, err
	}
	if v == "" {
		return nil, fmt.Errorf("branch %q: %w", name, ErrNotFound)
	}
	return &Branch{Name: name, Target: v}, nil
}

// Tag returns one tag by name with its annotated details, through the warm
// cat-file reader. An invalid name is ErrNotFound.
func (r *Repo) Tag(ctx context.Context, name string) (*Tag, error) {
	ref, err := TagRef(name)
	if err != nil {
		return nil, fmt.Errorf("tag %q: %w", name, ErrNotFound)
	}
	v, err := r.refValue(ref)
	if err != nil {
		return nil, err
	}
	if v == "" {
		return nil, fmt.Errorf("tag %q: %w", name, ErrNotFound)
	}
	t := &Tag{Name: name, Target: v}
	err = r.withCatFile(ctx, func(c *catFile) error {
		h, data, err := r.object(ctx, c, v, "")
		if err != nil {
			return err
		}
		switch h.Type {
		case "commit":
			t.Commit = v
		case "tag":
			t.Annotated = true
			t.Tagger, t.Message = parseTagObject(data)
			// Peel (possibly nested tags) to the commit, if any.
			ph, _, err := c.do(ctx, "info", v+"^{commit}")
			if err == nil {
				t.Commit = ph.OID
			} else if !errors.Is(err, errMissing) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// parseTagObject returns the tagger and message of a tag object.
func parseTagObject(data []byte) (Signature, string) {
	hdr, msg, _ := bytes.Cut(data, []byte("\n\n"))
	var tagger Signature
	for _, line := range strings.Split(string(hdr), "\n") {
		if v, ok := strings.CutPrefix(line, "tagger "); ok {
			tagger = parseSignature(v)
		}
	}
	// A signature block is not part of the message GitLab shows.
	m := string(msg)
	if i := strings.Index(m, "-----BEGIN PGP SIGNATURE-----"); i >= 0 {
		m = m[:i]
	}
	return tagger, m
}

// MergedBranches returns the names of the branches whose tip is reachable
// from commit into but is not into itself (GitLab's merged_branch_names),
// with one for-each-ref --merged call.
func (r *Repo) MergedBranches(ctx context.Context, into string) (map[string]bool, error) {
	if !isHexID(into, 40) {
		return nil, fmt.Errorf("%w: merged into %q: not an object id", ErrInvalid, into)
	}
	return r.mergedBranchesCached(into, func() (map[string]bool, error) { return r.mergedBranches(ctx, into) })
}

// mergedBranches is MergedBranches without the cache.
func (r *Repo) mergedBranches(ctx context.Context, into string) (map[string]bool, error) {
	out, err := gitCmd{dir: r.path, args: []string{"for-each-ref", "--merged=" + into,
		"--format=%(objectname) %(refname)", "refs/heads/"}}.run(ctx)
	if err != nil {
		if !r.Exists() {
			return nil, fmt.Errorf("repository: %w", ErrNotFound)
		}
		return nil, fmt.Errorf("for-each-ref --merged: %w", err)
	}
	merged := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		oid, ref, ok := strings.Cut(line, " ")
		if !ok || oid == into {
			continue
		}
		merged[strings.TrimPrefix(ref, "refs/heads/")] = true
	}
	return merged, nil
}
