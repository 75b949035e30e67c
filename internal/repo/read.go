package repo

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
)

// idLen is the raw object id length; repositories are created SHA-1.
const idLen = 20

// withCatFile runs fn on a pooled cat-file process. fn must be a pure read:
// if a reused process turns out dead (crashed, killed by an earlier
// cancellation) fn is retried once on a fresh process.
func (r *Repo) withCatFile(ctx context.Context, fn func(*catFile) error) error {
	// A request already cancelled starts nothing (otherwise whether it
	// fails would depend on whether git answers before the cancel is seen).
	if err := ctx.Err(); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		c, err := r.pool.get(r.path)
		if err != nil {
			if !r.Exists() {
				return fmt.Errorf("repository: %w", ErrNotFound)
			}
			return err
		}
		err = fn(c)
		broken := c.broken
		r.pool.put(c)
		if err == nil || !broken || ctx.Err() != nil || attempt > 0 {
			return err
		}
	}
}

// object reads one object of the wanted type ("" for any).
func (r *Repo) object(ctx context.Context, c *catFile, rev, want string) (objHeader, []byte, error) {
	h, data, err := c.do(ctx, "contents", rev)
	if errors.Is(err, errMissing) {
		return h, nil, fmt.Errorf("object %s: %w", rev, ErrNotFound)
	}
	if err != nil {
		return h, nil, err
	}
	if want != "" && h.Type != want {
		return h, nil, fmt.Errorf("object %s is a %s, not a %s: %w", rev, h.Type, want, ErrNotFound)
	}
	return h, data, nil
}

// ResolveRef resolves a branch name, tag name, full ref ("refs/..."),
// "HEAD", or a full or abbreviated (>= 7 hex) commit id to the commit it
// names; tags are peeled. Short names are tried as tags before branches,
// as git's rev-parse does. Unknown revisions give ErrNotFound.
func (r *Repo) ResolveRef(ctx context.Context, ref string) (string, error) {
	// Cached under the refs version: the refs say what a name points at
	// and the object it points at never changes. Abbreviated ids are not
	// cached: a new object can make one ambiguous without any ref change.
	key := refKey{repo: r.path, version: r.RefsVersion(), name: ref}
	if sha, ok := r.cache.resolved.Get(key); ok {
		return sha, nil
	}
	var sha, expr string
	err := r.withCatFile(ctx, func(c *catFile) error {
		var err error
		sha, expr, err = r.resolveExpr(ctx, c, ref)
		return err
	})
	if err == nil && fullIDExpr(expr) {
		r.cache.resolved.Put(key, sha)
	}
	return sha, err
}

// fullIDExpr reports whether a revExpr answer names a full object id
// (peeled to its commit), whose meaning never changes.
func fullIDExpr(expr string) bool {
	id, ok := strings.CutSuffix(expr, "^{commit}")
	return ok && len(id) == 40 && isHexID(id, 40)
}

func (r *Repo) resolve(ctx context.Context, c *catFile, ref string) (string, error) {
	sha, _, err := r.resolveExpr(ctx, c, ref)
	return sha, err
}

// resolveExpr is resolve that also returns the revExpr it asked cat-file.
func (r *Repo) resolveExpr(ctx context.Context, c *catFile, ref string) (string, string, error) {
	expr, err := r.revExpr(ref)
	if err != nil {
		return "", "", err
	}
	h, _, err := c.do(ctx, "info", expr)
	if errors.Is(err, errMissing) {
		return "", "", fmt.Errorf("revision %q: %w", ref, ErrNotFound)
	}
	if err != nil {
		return "", "", err
	}
	return h.OID, expr, nil
}

// Commit reads and parses the commit a revision names.
//
// A name resolved under the current refs and a commit read before come
// from the caches: a hot read of a commit takes no cat-file reader.
func (r *Repo) Commit(ctx context.Context, rev string) (*Commit, error) {
	sha, err := r.ResolveRef(ctx, rev)
	if err != nil {
		return nil, err
	}
	cs, err := r.CommitsByID(ctx, []string{sha})
	if err != nil {
		return nil, err
	}
	if cs[sha] == nil {
		return nil, fmt.Errorf("commit %s: %w", sha, ErrNotFound)
	}
	return cs[sha], nil
}

func (r *Repo) commit(ctx context.Context, c *catFile, rev string) (*Commit, error) {
	sha, err := r.resolve(ctx, c, rev)
	if err != nil {
		return nil, err
	}
	h, data, err := r.object(ctx, c, sha, "commit")
	if err != nil {
		return nil, err
	}
	return parseCommit(h.OID, data)
}

// revExpr turns a user revision into a cat-file expression naming its
// commit ("<oid>^{commit}") without a round trip to git: refs are read from
// disk, object ids are left for cat-file to expand and check.
func (r *Repo) revExpr(ref string) (string, error) {
	switch {
	case ref == "":
		return "", fmt.Errorf("%w: empty revision", ErrInvalidRef)
	case ref == "HEAD" || strings.HasPrefix(ref, "refs/"):
		v, err := r.refValue(ref)
		if err != nil || v == "" {
			return "", notFoundUnlessFailed(ref, err)
		}
		return v + "^{commit}", nil
	}
	for _, full := range []func(string) (string, error){TagRef, BranchRef} {
		name, err := full(ref)
		if err != nil {
			continue
		}
		v, err := r.refValue(name)
		if err != nil {
			return "", err
		}
		if v != "" {
			return v + "^{commit}", nil
		}
	}
	if isHexID(ref, 7) {
		return ref + "^{commit}", nil
	}
	return "", fmt.Errorf("revision %q: %w", ref, ErrNotFound)
}

func notFoundUnlessFailed(ref string, err error) error {
	if err != nil && !errors.Is(err, ErrInvalidRef) {
		return err
	}
	return fmt.Errorf("revision %q: %w", ref, ErrNotFound)
}

// treeAt reads the directory at p ("" for the root) of a revision with one
// cat-file round trip ("<commit>:<dir>").
func (r *Repo) treeAt(ctx context.Context, c *catFile, expr, p string) (string, []rawEntry, error) {
	h, data, err := r.object(ctx, c, expr+":"+p, "tree")
	if err != nil {
		return "", nil, err
	}
	entries, err := parseTree(data, idLen)
	return h.OID, entries, err
}

// Tree lists the directory at p ("" for the root) at a revision; with
// recursive it lists every entry below, trees before their contents (the
// order of "git ls-tree -r -t").
func (r *Repo) Tree(ctx context.Context, rev, p string, recursive bool) ([]TreeEntry, error) {
	if p != "" {
		if err := ValidatePath(p); err != nil {
			return nil, err
		}
	}
	expr, err := r.revExpr(rev)
	if err != nil {
		return nil, err
	}
	// A listing at a full object id never changes.
	key := treeKey{repo: r.path, commit: expr, path: p, recursive: recursive}
	cacheable := fullIDExpr(expr)
	if cacheable {
		if es, ok := r.cache.trees.Get(key); ok {
			return append([]TreeEntry(nil), es...), nil
		}
	}
	var out []TreeEntry
	err = r.withCatFile(ctx, func(c *catFile) error {
		out = nil
		var list func(entries []rawEntry, prefix string) error
		list = func(entries []rawEntry, prefix string) error {
			for _, re := range entries {
				e := TreeEntry{ID: re.oid, Name: re.name, Type: entryType(re.mode), Path: path.Join(prefix, re.name), Mode: displayMode(re.mode)}
				out = append(out, e)
				if recursive && e.Type == "tree" {
					_, data, err := r.object(ctx, c, e.ID, "tree")
					if err != nil {
						return err
					}
					sub, err := parseTree(data, idLen)
					if err != nil {
						return err
					}
					if err := list(sub, e.Path); err != nil {
						return err
					}
				}
			}
			return nil
		}
		_, entries, err := r.treeAt(ctx, c, expr, p)
		if err != nil {
			return err
		}
		return list(entries, p)
	})
	if err == nil && cacheable {
		r.cache.trees.PutCost(key, append([]TreeEntry(nil), out...), len(out)+1)
	}
	return out, err
}

// Blob reads the file at p at a revision: one round trip for the parent
// directory (which carries the mode), one for the content. A directory or
// submodule at p is ErrNotFound, as in GitLab's files API. At a full object
// id the directory is cached: a warm read costs one round trip.
func (r *Repo) Blob(ctx context.Context, rev, p string) (*Blob, error) {
	if err := ValidatePath(p); err != nil {
		return nil, err
	}
	expr, err := r.revExpr(rev)
	if err != nil {
		return nil, err
	}
	dir, name := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	key := treeKey{repo: r.path, commit: expr, path: dir}
	cacheable := fullIDExpr(expr)
	var out *Blob
	err = r.withCatFile(ctx, func(c *catFile) error {
		entries, ok := []rawEntry(nil), false
		if cacheable {
			entries, ok = r.cache.dirs.Get(key)
		}
		if !ok {
			var err error
			if _, entries, err = r.treeAt(ctx, c, expr, dir); err != nil {
				return err
			}
			if cacheable {
				r.cache.dirs.PutCost(key, entries, len(entries)+1)
			}
		}
		e, err := blobEntry(entries, p, name)
		if err != nil {
			return err
		}
		h, data, err := r.object(ctx, c, e.oid, "blob")
		if err != nil {
			return err
		}
		out = &Blob{ID: h.OID, Name: name, Path: p, Mode: displayMode(e.mode), Size: h.Size, Content: data}
		return nil
	})
	return out, err
}

// blobEntry finds the file name in a directory's entries: ErrNotFound if
// it is missing or not a file.
func blobEntry(entries []rawEntry, p, name string) (rawEntry, error) {
	for _, e := range entries {
		if e.name != name {
			continue
		}
		if t := entryType(e.mode); t != "blob" {
			return e, fmt.Errorf("path %q is a %s: %w", p, t, ErrNotFound)
		}
		return e, nil
	}
	return rawEntry{}, fmt.Errorf("path %q: %w", p, ErrNotFound)
}

// Branch is a branch and the commit it points at.
type Branch struct {
	Name   string
	Target string
}

// Tag is a tag; for annotated tags the tag object's fields are filled.
type Tag struct {
	Name      string
	Target    string // what the ref points at: tag object or commit
	Commit    string // peeled commit id ("" if the tag points at a non-commit)
	Annotated bool
	Message   string
	Tagger    Signature
}

// Branches lists all branches with one for-each-ref call.
func (r *Repo) Branches(ctx context.Context) ([]Branch, error) {
	recs, err := r.forEachRef(ctx, "refs/heads/", "%(refname)", "%(objectname)")
	if err != nil {
		return nil, err
	}
	out := make([]Branch, 0, len(recs))
	for _, f := range recs {
		out = append(out, Branch{Name: strings.TrimPrefix(f[0], "refs/heads/"), Target: f[1]})
	}
	return out, nil
}

// tagFields are the for-each-ref fields parseTags reads.
var tagFields = []string{"%(refname)", "%(objectname)", "%(objecttype)",
	"%(*objectname)", "%(*objecttype)", "%(taggername)", "%(taggeremail)", "%(taggerdate:raw)", "%(contents)"}

// Tags lists all tags with one for-each-ref call.
func (r *Repo) Tags(ctx context.Context) ([]Tag, error) {
	recs, err := r.forEachRef(ctx, "refs/tags/", tagFields...)
	if err != nil {
		return nil, err
	}
	return parseTags(recs), nil
}

// parseTags turns tagFields records into tags, peeling annotated ones.
func parseTags(recs [][]string) []Tag {
	out := make([]Tag, 0, len(recs))
	for _, f := range recs {
		t := Tag{Name: strings.TrimPrefix(f[0], "refs/tags/"), Target: f[1]}
		switch {
		case f[2] == "commit":
			t.Commit = f[1]
		case f[2] == "tag":
			t.Annotated = true
			if f[4] == "commit" {
				t.Commit = f[3]
			}
			t.Message = f[8]
			t.Tagger = parseSignature(f[5] + " " + f[6] + " " + f[7])
		}
		out = append(out, t)
	}
	return out
}

// forEachRef runs one for-each-ref with NUL-separated fields. Every record
// ends with a NUL and git's newline, so fields (messages included) may
// contain newlines; ref names cannot.
func (r *Repo) forEachRef(ctx context.Context, prefix string, fields ...string) ([][]string, error) {
	return r.forEachRefWith(ctx, nil, prefix, fields)
}

// forEachRefWith is forEachRef with extra options (such as --sort) placed
// before the format.
func (r *Repo) forEachRefWith(ctx context.Context, opts []string, prefix string, fields []string) ([][]string, error) {
	format := strings.Join(fields, "%00") + "%00"
	args := append(append([]string{"for-each-ref"}, opts...), "--format="+format, prefix)
	out, err := gitCmd{dir: r.path, args: args}.run(ctx)
	if err != nil {
		if !r.Exists() {
			return nil, fmt.Errorf("repository: %w", ErrNotFound)
		}
		return nil, fmt.Errorf("for-each-ref %s: %w", prefix, err)
	}
	parts := strings.Split(string(out), "\x00")
	var recs [][]string
	for len(parts) > len(fields) {
		rec := parts[:len(fields)]
		rec[0] = strings.TrimPrefix(rec[0], "\n")
		recs = append(recs, rec)
		parts = parts[len(fields):]
	}
	return recs, nil
}

// DefaultBranch returns the branch HEAD points at (it may not exist yet in
// an empty repository).
func (r *Repo) DefaultBranch(ctx context.Context) (string, error) {
	out, err := r.git(ctx, "symbolic-ref", "--quiet", "HEAD")
	if err != nil {
		if !r.Exists() {
			return "", fmt.Errorf("repository: %w", ErrNotFound)
		}
		return "", fmt.Errorf("read HEAD: %w", err)
	}
	return strings.TrimPrefix(out, "refs/heads/"), nil
}

// SetDefaultBranch points HEAD at an existing branch.
func (r *Repo) SetDefaultBranch(ctx context.Context, name string) error {
	ref, err := BranchRef(name)
	if err != nil {
		return err
	}
	if v, err := r.readRef(ref); err != nil {
		return err
	} else if v == "" {
		return fmt.Errorf("branch %q: %w", name, ErrNotFound)
	}
	if r.shared {
		err = r.symbolicRefStamped(ctx, ref)
	} else {
		_, err = r.git(ctx, "symbolic-ref", "HEAD", ref)
	}
	r.RefsChanged()
	if err != nil {
		return fmt.Errorf("set HEAD: %w", err)
	}
	return nil
}

// IsEmpty reports whether the repository has no branches (GitLab's
// empty_repo), from the cached branch list: no process.
func (r *Repo) IsEmpty(ctx context.Context) (bool, error) {
	bs, err := r.branchList()
	if err != nil {
		return false, fmt.Errorf("list branches: %w", err)
	}
	if len(bs) == 0 && !r.Exists() {
		return false, fmt.Errorf("repository: %w", ErrNotFound)
	}
	return len(bs) == 0, nil
}

// LogOptions selects commits for Log. Ref defaults to HEAD; All walks every
// branch and tag instead. Since/Until filter on committer date.
type LogOptions struct {
	Ref    string
	Path   string
	Since  time.Time
	Until  time.Time
	Offset int
	Limit  int
	All    bool
}

// Log lists commits newest first; it is History without GitLab's extras.
func (r *Repo) Log(ctx context.Context, o LogOptions) ([]*Commit, error) {
	return r.History(ctx, HistoryOptions{Ref: o.Ref, Path: o.Path, Since: o.Since, Until: o.Until,
		Offset: o.Offset, Limit: o.Limit, All: o.All})
}

// commits reads commits by full id, in order, through the commit cache.
func (r *Repo) commits(ctx context.Context, ids []string) ([]*Commit, error) {
	byID, err := r.CommitsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*Commit, 0, len(ids))
	for _, id := range ids {
		c, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("object %s: %w", id, ErrNotFound)
		}
		out = append(out, c)
	}
	return out, nil
}

// MergeBase returns the best common ancestor of two revisions, or
// ErrNotFound if they share no history.
func (r *Repo) MergeBase(ctx context.Context, a, b string) (string, error) {
	sa, err := r.ResolveRef(ctx, a)
	if err != nil {
		return "", err
	}
	sb, err := r.ResolveRef(ctx, b)
	if err != nil {
		return "", err
	}
	out, err := r.git(ctx, "merge-base", "--end-of-options", sa, sb)
	if exitCode(err) == 1 {
		return "", fmt.Errorf("merge base of %s and %s: %w", a, b, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("merge-base: %w", err)
	}
	return out, nil
}

// IsAncestor reports whether ancestor is reachable from descendant.
func (r *Repo) IsAncestor(ctx context.Context, ancestor, descendant string) (bool, error) {
	sa, err := r.ResolveRef(ctx, ancestor)
	if err != nil {
		return false, err
	}
	sd, err := r.ResolveRef(ctx, descendant)
	if err != nil {
		return false, err
	}
	_, err = r.git(ctx, "merge-base", "--is-ancestor", "--end-of-options", sa, sd)
	if err == nil {
		return true, nil
	}
	if exitCode(err) == 1 {
		return false, nil
	}
	return false, fmt.Errorf("merge-base --is-ancestor: %w", err)
}
