package repo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// ActionKind is what a CommitFiles action does to its path.
type ActionKind string

// Action kinds, as in GitLab's commits API.
const (
	ActionCreate ActionKind = "create"
	ActionUpdate ActionKind = "update"
	ActionDelete ActionKind = "delete"
	ActionMove   ActionKind = "move"
	ActionChmod  ActionKind = "chmod"
)

// Action is one file change. Content is raw bytes (the API layer decodes
// base64). For move, nil Content keeps the file's content.
// ExecuteFilemode sets or clears the executable bit (create, update, move,
// chmod); nil keeps the current mode.
type Action struct {
	Kind            ActionKind
	Path            string
	PreviousPath    string
	Content         []byte
	ExecuteFilemode *bool
}

// CommitRequest describes a commit built without a work tree.
//
// If Branch exists, the commit goes on top of it and StartBranch/StartSHA
// must be empty (or name the same branch/commit): otherwise ErrExists, as
// GitLab refuses to "start" an existing branch elsewhere. If Branch does not
// exist it is created from StartBranch or StartSHA; with neither, only an
// empty repository accepts the commit (it becomes the first commit).
//
// ExpectedHead pins the branch head the caller saw: if the branch is
// elsewhere the commit fails with ErrConflict. Without it, a race with
// another writer is resolved by re-applying the actions on the new head
// (re-validated, so e.g. a create that now collides gives ErrExists).
type CommitRequest struct {
	Branch       string
	StartBranch  string
	StartSHA     string
	Message      string
	Author       Signature
	Committer    Signature // zero value: same as Author
	Actions      []Action
	ExpectedHead string
}

// maxCommitAttempts bounds retries after losing an update-ref race.
const maxCommitAttempts = 50

// errRaced marks a lost update-ref race (retryable).
var errRaced = errors.New("branch moved concurrently")

// CommitFiles applies the actions in one commit and moves the branch with
// "update-ref <ref> <new> <old>", so a concurrent writer's commit is never
// overwritten. It returns the new commit.
func (r *Repo) CommitFiles(ctx context.Context, req CommitRequest) (*Commit, error) {
	branchRef, err := BranchRef(req.Branch)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.Message) == "" {
		return nil, fmt.Errorf("%w: empty commit message", ErrInvalid)
	}
	if req.Committer == (Signature{}) {
		req.Committer = req.Author
	}
	if err := validateSignature(req.Author); err != nil {
		return nil, err
	}
	if err := validateSignature(req.Committer); err != nil {
		return nil, err
	}
	if len(req.Actions) == 0 {
		return nil, fmt.Errorf("%w: no actions", ErrInvalid)
	}
	// Blobs are content-addressed and independent of the base, so they are
	// written once, outside the retry loop.
	blobs := make([]string, len(req.Actions))
	for i, a := range req.Actions {
		if err := validateAction(a); err != nil {
			return nil, err
		}
		if a.Content != nil || a.Kind == ActionCreate || a.Kind == ActionUpdate {
			oid, err := r.writeBlob(ctx, a.Content)
			if err != nil {
				return nil, err
			}
			blobs[i] = oid
		}
	}
	// Dates are fixed once so retries produce the same commit content.
	now := time.Now()
	if req.Author.Date.IsZero() {
		req.Author.Date = now
	}
	if req.Committer.Date.IsZero() {
		req.Committer.Date = now
	}
	attempts := maxCommitAttempts
	if req.ExpectedHead != "" {
		attempts = 1 // the caller named the head it expects: no retry
	}
	id, err := retryRaced(ctx, attempts, func() (string, error) { return r.commitOnce(ctx, req, branchRef, blobs) })
	if errors.Is(err, errRaced) {
		return nil, fmt.Errorf("commit to %s: %w", req.Branch, ErrConflict)
	}
	if err != nil {
		return nil, err
	}
	r.rememberStats(id, req.Actions)
	return r.Commit(ctx, id)
}

// retryRaced runs once until it does not lose an update-ref race
// (errRaced), at most attempts times, with a jittered backoff so racing
// writers spread out; it returns the last race lost when all were.
func retryRaced[T any](ctx context.Context, attempts int, once func() (T, error)) (T, error) {
	for attempt := 1; ; attempt++ {
		v, err := once()
		if !errors.Is(err, errRaced) || attempt >= attempts {
			return v, err
		}
		d := time.Duration(rand.IntN(2*attempt)+1) * time.Millisecond
		select {
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		case <-time.After(d):
		}
	}
}

func validateSignature(s Signature) error {
	if strings.TrimSpace(s.Name) == "" || strings.TrimSpace(s.Email) == "" {
		return fmt.Errorf("%w: author/committer name and email are required", ErrInvalid)
	}
	if strings.ContainsAny(s.Name+s.Email, "<>\n\r\x00") {
		return fmt.Errorf("%w: author/committer contains <, > or a control character", ErrInvalid)
	}
	return nil
}

func validateAction(a Action) error {
	if err := ValidatePath(a.Path); err != nil {
		return err
	}
	switch a.Kind {
	case ActionCreate, ActionUpdate, ActionDelete:
	case ActionMove:
		if err := ValidatePath(a.PreviousPath); err != nil {
			return err
		}
	case ActionChmod:
		if a.ExecuteFilemode == nil {
			return fmt.Errorf("%w: chmod of %q needs execute_filemode", ErrInvalid, a.Path)
		}
	default:
		return fmt.Errorf("%w: unknown action %q", ErrInvalid, a.Kind)
	}
	return nil
}

func (r *Repo) writeBlob(ctx context.Context, content []byte) (string, error) {
	// Written directly as a loose object (what hash-object -w does), which
	// saves a process per file of an API commit.
	if !r.Exists() {
		return "", fmt.Errorf("repository: %w", ErrNotFound)
	}
	if oid, ok, err := r.writeLooseObject("blob", content); ok {
		return oid, err
	}
	out, err := gitCmd{dir: r.path, args: []string{"hash-object", "-w", "--no-filters", "--stdin"},
		stdin: strings.NewReader(string(content))}.run(ctx)
	if err != nil {
		if !r.Exists() {
			return "", fmt.Errorf("repository: %w", ErrNotFound)
		}
		return "", fmt.Errorf("hash-object: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// commitOnce builds and lands one commit on the branch's current head.
func (r *Repo) commitOnce(ctx context.Context, req CommitRequest, branchRef string, blobs []string) (string, error) {
	head, err := r.readRef(branchRef)
	if err != nil {
		return "", err
	}
	if req.ExpectedHead != "" && head != req.ExpectedHead {
		return "", fmt.Errorf("branch %s is at %s, expected %s: %w", req.Branch, head, req.ExpectedHead, ErrConflict)
	}
	var base, baseTree, newTree string
	err = r.withCatFile(ctx, func(c *catFile) error {
		var err error
		base, err = r.commitBase(ctx, c, req, head)
		if err != nil {
			return err
		}
		if base != "" {
			cm, err := r.commit(ctx, c, base)
			if err != nil {
				return err
			}
			baseTree = cm.Tree
		}
		tb := &treeBuilder{r: r, c: c, root: &treeNode{oid: baseTree}}
		for i, a := range req.Actions {
			if err := tb.apply(ctx, a, blobs[i]); err != nil {
				return err
			}
		}
		tb.root.dirty = true // an untouched empty root still needs an id
		newTree, err = tb.write(ctx)
		return err
	})
	if err != nil {
		return "", err
	}
	var parents []string
	if base != "" {
		parents = []string{base}
	}
	msg := req.Message
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	id, err := r.writeCommit(ctx, newTree, parents, req.Author, req.Committer, msg)
	if err != nil {
		return "", err
	}
	if err := r.updateRef(ctx, branchRef, id, head); err != nil {
		return "", err
	}
	return id, nil
}

// commitBase picks the commit the new commit builds on.
func (r *Repo) commitBase(ctx context.Context, c *catFile, req CommitRequest, head string) (string, error) {
	if head != "" {
		if (req.StartBranch != "" && req.StartBranch != req.Branch) || (req.StartSHA != "" && req.StartSHA != head) {
			return "", fmt.Errorf("branch %q already exists: %w", req.Branch, ErrExists)
		}
		return head, nil
	}
	switch {
	case req.StartSHA != "":
		if !isHexID(req.StartSHA, 7) {
			return "", fmt.Errorf("%w: start sha %q", ErrInvalidRef, req.StartSHA)
		}
		return r.resolve(ctx, c, req.StartSHA)
	case req.StartBranch != "":
		ref, err := BranchRef(req.StartBranch)
		if err != nil {
			return "", err
		}
		v, err := r.readRef(ref)
		if err != nil {
			return "", err
		}
		if v == "" {
			return "", fmt.Errorf("start branch %q: %w", req.StartBranch, ErrNotFound)
		}
		return v, nil
	}
	empty, err := r.IsEmpty(ctx)
	if err != nil {
		return "", err
	}
	if !empty {
		return "", fmt.Errorf("branch %q: %w", req.Branch, ErrNotFound)
	}
	return "", nil // first commit of an empty repository
}

// apply performs one action on the tree.
func (b *treeBuilder) apply(ctx context.Context, a Action, blob string) error {
	cur, err := b.get(ctx, a.Path)
	if err != nil {
		return err
	}
	mode := func(old string) string {
		if a.ExecuteFilemode != nil {
			if *a.ExecuteFilemode {
				return "100755"
			}
			return "100644"
		}
		if old == "" {
			return "100644"
		}
		return old
	}
	isFile := func(it *treeItem) bool { return it != nil && entryType(it.mode) == "blob" }
	switch a.Kind {
	case ActionCreate:
		if cur != nil {
			return fmt.Errorf("%q: %w", a.Path, ErrExists)
		}
		return b.put(ctx, a.Path, &treeItem{mode: mode(""), oid: blob})
	case ActionUpdate:
		if !isFile(cur) {
			return fmt.Errorf("%q: %w", a.Path, ErrNotFound)
		}
		return b.put(ctx, a.Path, &treeItem{mode: mode(cur.mode), oid: blob})
	case ActionDelete:
		if !isFile(cur) {
			return fmt.Errorf("%q: %w", a.Path, ErrNotFound)
		}
		return b.remove(ctx, a.Path)
	case ActionChmod:
		if !isFile(cur) || cur.mode == "120000" {
			return fmt.Errorf("%q: %w", a.Path, ErrNotFound)
		}
		return b.put(ctx, a.Path, &treeItem{mode: mode(cur.mode), oid: cur.oid})
	case ActionMove:
		prev, err := b.get(ctx, a.PreviousPath)
		if err != nil {
			return err
		}
		if !isFile(prev) {
			return fmt.Errorf("%q: %w", a.PreviousPath, ErrNotFound)
		}
		if cur != nil {
			return fmt.Errorf("%q: %w", a.Path, ErrExists)
		}
		if blob == "" {
			blob = prev.oid
		}
		m := mode(prev.mode)
		if err := b.remove(ctx, a.PreviousPath); err != nil {
			return err
		}
		return b.put(ctx, a.Path, &treeItem{mode: m, oid: blob})
	}
	return fmt.Errorf("%w: unknown action %q", ErrInvalid, a.Kind)
}
