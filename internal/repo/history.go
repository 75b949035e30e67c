package repo

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// HistoryOptions select commits for History: LogOptions plus what GitLab's
// commit list adds.
type HistoryOptions struct {
	Ref         string // default HEAD; ignored with All
	Path        string
	Since       time.Time
	Until       time.Time
	Offset      int
	Limit       int
	All         bool
	FirstParent bool
	Topo        bool   // --topo-order instead of git's default date order
	Author      string // matches author name or email, as git log --author
	// Message keeps commits whose message contains it, ignoring case
	// (which then applies to Author too).
	Message string
}

// History lists commits newest first with one rev-list call; the commits
// themselves come from the warm cat-file reader.
func (r *Repo) History(ctx context.Context, o HistoryOptions) ([]*Commit, error) {
	ids, err := r.historyIDs(ctx, o)
	if err != nil {
		return nil, err
	}
	return r.commits(ctx, ids)
}

// historyIDs is History's list of commit ids. Answers are cached by the
// whole rev-list argument list: it names the starting commit by id (and
// dates as absolute seconds), so the answer never changes; with All the
// starting points are the refs, and the refs version joins the key.
func (r *Repo) historyIDs(ctx context.Context, o HistoryOptions) ([]string, error) {
	var version uint64
	if o.All {
		version = r.RefsVersion() // before the refs are read
	}
	args := []string{"rev-list"}
	if o.Offset > 0 {
		args = append(args, "--skip="+strconv.Itoa(o.Offset))
	}
	if o.Limit > 0 {
		args = append(args, "--max-count="+strconv.Itoa(o.Limit))
	}
	if !o.Since.IsZero() {
		args = append(args, "--since="+strconv.FormatInt(o.Since.Unix(), 10))
	}
	if !o.Until.IsZero() {
		args = append(args, "--until="+strconv.FormatInt(o.Until.Unix(), 10))
	}
	if o.FirstParent {
		args = append(args, "--first-parent")
	}
	if o.Topo {
		args = append(args, "--topo-order")
	}
	if o.Author != "" {
		if strings.ContainsAny(o.Author, "\x00\n") {
			return nil, fmt.Errorf("%w: author", ErrInvalid)
		}
		args = append(args, "--author="+o.Author)
	}
	if o.Message != "" {
		// A newline makes git read several patterns, any of which matches
		// (as GitLab's search does through Gitaly); NUL cannot be passed.
		if strings.ContainsRune(o.Message, 0) {
			return nil, fmt.Errorf("%w: message", ErrInvalid)
		}
		args = append(args, "--regexp-ignore-case", "--grep="+o.Message)
	}
	if o.Author != "" || o.Message != "" {
		// Fixed strings: a user's text is never a regular expression.
		args = append(args, "--fixed-strings")
	}
	if o.All {
		args = append(args, "--branches", "--tags")
	} else {
		ref := o.Ref
		if ref == "" {
			ref = "HEAD"
		}
		sha, err := r.ResolveRef(ctx, ref)
		if err != nil {
			return nil, err
		}
		args = append(args, "--end-of-options", sha)
	}
	args = append(args, "--")
	if o.Path != "" {
		if err := ValidatePath(o.Path); err != nil {
			return nil, err
		}
		args = append(args, o.Path)
	}
	key := historyKey{repo: r.path, refsVersion: version, args: strings.Join(args, "\x00")}
	if ids, ok := r.cache.history.Get(key); ok {
		return ids, nil
	}
	out, err := r.git(ctx, args...)
	if err != nil {
		if !r.Exists() {
			return nil, fmt.Errorf("repository: %w", ErrNotFound)
		}
		return nil, fmt.Errorf("rev-list: %w", err)
	}
	ids := strings.Fields(out)
	r.cache.history.PutCost(key, ids, len(ids)+1)
	return ids, nil
}

// RevList lists the commits reachable from to but not from exclude
// ("" for none), oldest first, as GitLab's compare shows them. Both must be
// object ids.
func (r *Repo) RevList(ctx context.Context, exclude, to string, limit int) ([]*Commit, error) {
	if !isHexID(to, 40) || (exclude != "" && !isHexID(exclude, 40)) {
		return nil, fmt.Errorf("%w: rev-list needs object ids", ErrInvalidRef)
	}
	args := []string{"rev-list", "--reverse"}
	if limit > 0 {
		args = append(args, "--max-count="+strconv.Itoa(limit))
	}
	args = append(args, to)
	if exclude != "" {
		args = append(args, "^"+exclude)
	}
	out, err := r.git(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("rev-list: %w", err)
	}
	return r.commits(ctx, strings.Fields(out))
}

// RefKind is the kind of a ref containing a commit.
type RefKind string

// Ref kinds.
const (
	RefBranch RefKind = "branch"
	RefTag    RefKind = "tag"
)

// NamedRef is a branch or tag.
type NamedRef struct {
	Kind RefKind
	Name string
}

// RefsContaining lists branches and/or tags whose history contains sha,
// with one for-each-ref call.
func (r *Repo) RefsContaining(ctx context.Context, sha string, branches, tags bool) ([]NamedRef, error) {
	if !isHexID(sha, 40) {
		return nil, fmt.Errorf("%w: %q", ErrInvalidRef, sha)
	}
	args := []string{"for-each-ref", "--format=%(refname)", "--contains", sha}
	if branches {
		args = append(args, "refs/heads/")
	}
	if tags {
		args = append(args, "refs/tags/")
	}
	out, err := r.git(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("for-each-ref --contains: %w", err)
	}
	var refs []NamedRef
	for _, name := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(name, "refs/heads/"):
			refs = append(refs, NamedRef{Kind: RefBranch, Name: strings.TrimPrefix(name, "refs/heads/")})
		case strings.HasPrefix(name, "refs/tags/"):
			refs = append(refs, NamedRef{Kind: RefTag, Name: strings.TrimPrefix(name, "refs/tags/")})
		}
	}
	return refs, nil
}
