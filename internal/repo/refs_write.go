package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// zeroID is the null object id of a SHA-1 repository: "the ref must not
// exist" as update-ref's old value.
var zeroID = strings.Repeat("0", 40)

// updateRef moves ref from old ("" = must not exist) to new ("" = delete)
// atomically: git's "update <ref> <new> <old>" (or "delete <ref> <old>"),
// which takes the ref's lock, checks the old value, writes the reflog and
// moves the ref, exactly as "git update-ref -m lablet <ref> <new> <old>"
// does. A lost race (ref moved or locked by another writer) is errRaced; a
// directory/file clash with another ref is ErrExists.
func (r *Repo) updateRef(ctx context.Context, ref, new, old string) error {
	if old == "" {
		old = zeroID
	}
	line := "update " + ref + " " + new + " " + old
	if new == "" {
		line = "delete " + ref + " " + old
	}
	err := r.refTransaction(ctx, line)
	// Even a failed update may have moved the ref (lost its answer).
	r.RefsChanged()
	if err == nil {
		return nil
	}
	var ge *GitError
	stderr := ""
	if errors.As(err, &ge) {
		stderr = ge.Stderr
	}
	switch {
	case strings.Contains(stderr, "exists; cannot create"):
		return fmt.Errorf("ref %s clashes with an existing ref: %w", ref, ErrExists)
	case strings.Contains(stderr, ".lock': File exists"),
		// git's own old-value check failed (reading the ref again cannot
		// tell: a third writer may have put the expected value back).
		strings.Contains(stderr, " but expected "):
		return fmt.Errorf("update %s: %w", ref, errRaced)
	}
	if cur, rerr := r.readRef(ref); rerr == nil && cur != strings.TrimPrefix(old, zeroID) {
		return fmt.Errorf("update %s: %w", ref, errRaced)
	}
	return fmt.Errorf("update-ref %s: %w", ref, err)
}

// refTransaction runs one ref update (a "git update-ref --stdin" command
// line) as a transaction of a pooled "git update-ref -m lablet --stdin"
// process, which saves starting git for every API commit. The process is
// git's own update-ref, so locking, the old-value check, packed refs and
// reflogs are git's; it exits on any failure (a fatal error), and is only
// reused after a committed transaction. If no process can be used, git
// update-ref runs once, as before.
func (r *Repo) refTransaction(ctx context.Context, line string) error {
	for attempt := 0; attempt < 2; attempt++ {
		u, err := r.updaters.get(r.path, r.hookArgs())
		if err != nil {
			break
		}
		started, err := u.run(ctx, line)
		if err == nil {
			return nil
		}
		if started || ctx.Err() != nil {
			return err
		}
		// The process died before taking the transaction (an idle one
		// whose repository went away, say): nothing happened, so a new
		// process may try.
	}
	verb, rest, _ := strings.Cut(line, " ")
	args := append(r.hookArgs(), "update-ref", "-m", "lablet")
	if verb == "delete" {
		args = append(args, "-d")
	}
	_, err := r.git(ctx, append(args, strings.Fields(rest)...)...)
	return err
}

// Limits of the update-ref pool: like cat-file processes, a few per busy
// repository, a bounded total, and none kept idle for long.
const (
	maxIdleUpdatersPerRepo = 4
	maxIdleUpdaters        = 64
	updaterIdleTimeout     = 30 * time.Second
)

// refUpdater is one "git update-ref -m lablet --stdin" process, used by one
// transaction at a time.
type refUpdater struct {
	poolEntry
	gitProc
	dir  os.FileInfo  // the repository directory it runs in
	pool *updaterPool // where it goes back when idle
}

// hookArgs (Repo.hookArgs) go before the command: they make git run the
// refs stamp hook as each transaction commits.
func startRefUpdater(path string, hookArgs []string) (*refUpdater, error) {
	dir, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("update-ref: %w", err)
	}
	// run kills the process if its request ends mid-transaction.
	proc, err := startGitProc(path, 4096, append(hookArgs, "update-ref", "-m", "lablet", "--stdin")...)
	if err != nil {
		return nil, err
	}
	return &refUpdater{poolEntry: poolEntry{path: path}, gitProc: proc, dir: dir}, nil
}

// run sends one transaction and waits for git to commit it, then returns
// the process to the pool. On failure the process is gone and err carries
// git's stderr; started reports whether git had begun the transaction
// (before that, nothing can have changed).
func (u *refUpdater) run(ctx context.Context, line string) (started bool, err error) {
	stop := context.AfterFunc(ctx, u.cancel)
	if _, err := io.WriteString(u.stdin, "start\n"+line+"\nprepare\ncommit\n"); err != nil {
		stop()
		return false, u.fail(ctx, err)
	}
	for _, want := range []string{"start: ok\n", "prepare: ok\n", "commit: ok\n"} {
		got, err := u.out.ReadString('\n')
		if got != want {
			stop()
			if err == nil {
				err = fmt.Errorf("unexpected answer %q", got)
			}
			return started, u.fail(ctx, err)
		}
		started = true
	}
	if stop() {
		u.pool.put(u)
	} else {
		u.close() // killed as the request ended, after committing
	}
	return true, nil
}

// fail waits for a process whose transaction failed (git exits on a fatal
// error, or was killed) and returns the error as a one-off git update-ref
// would.
func (u *refUpdater) fail(ctx context.Context, err error) error {
	_ = u.stdin.Close()
	werr := u.cmd.Wait()
	u.cancel()
	switch {
	case ctx.Err() != nil:
		err = ctx.Err()
	case werr != nil:
		err = werr
	}
	return &GitError{Args: []string{"update-ref", "--stdin"}, Stderr: strings.TrimSpace(u.stderr.String()), Err: err}
}

// close makes an idle process exit: EOF on stdin ends git cleanly between
// transactions.
func (u *refUpdater) close() {
	_ = u.stdin.Close()
	go func() {
		_ = u.cmd.Wait()
		u.cancel()
	}()
}

// updaterPool keeps idle update-ref processes by repository path; they are
// also reaped on a timer when no transaction comes.
type updaterPool struct {
	idlePool[*refUpdater]
}

// get returns an idle process still running in the repository at path (the
// same directory, not one that replaced it), or starts one with hookArgs
// (the same for every repository of a store).
func (p *updaterPool) get(path string, hookArgs []string) (*refUpdater, error) {
	if u, ok := p.take(path); ok {
		if fi, err := os.Stat(path); err == nil && os.SameFile(fi, u.dir) {
			return u, nil
		}
		u.close()
		p.closePath(path)
	}
	p.starts.Add(1)
	u, err := startRefUpdater(path, hookArgs)
	if err != nil {
		return nil, err
	}
	u.pool = p
	return u, nil
}

func (p *updaterPool) put(u *refUpdater) {
	p.idlePool.put(u, idleLimits{perRepo: maxIdleUpdatersPerRepo, total: maxIdleUpdaters,
		timeout: updaterIdleTimeout, reap: true})
}

// CreateBranch creates a branch at a revision; ErrExists if it exists.
func (r *Repo) CreateBranch(ctx context.Context, name, rev string) (*Branch, error) {
	ref, err := BranchRef(name)
	if err != nil {
		return nil, err
	}
	sha, err := r.ResolveRef(ctx, rev)
	if err != nil {
		return nil, err
	}
	if err := r.updateRef(ctx, ref, sha, ""); err != nil {
		if errors.Is(err, errRaced) {
			return nil, fmt.Errorf("branch %q: %w", name, ErrExists)
		}
		return nil, err
	}
	return &Branch{Name: name, Target: sha}, nil
}

// DeleteBranch deletes a branch. expected, if set, must be its current
// commit (ErrConflict otherwise). Refusing to delete the default or a
// protected branch is the caller's policy.
func (r *Repo) DeleteBranch(ctx context.Context, name, expected string) error {
	ref, err := BranchRef(name)
	if err != nil {
		return err
	}
	return r.deleteRef(ctx, ref, expected)
}

// DeleteTag deletes a tag; expected as for DeleteBranch.
func (r *Repo) DeleteTag(ctx context.Context, name, expected string) error {
	ref, err := TagRef(name)
	if err != nil {
		return err
	}
	return r.deleteRef(ctx, ref, expected)
}

func (r *Repo) deleteRef(ctx context.Context, ref, expected string) error {
	cur, err := r.readRef(ref)
	if err != nil {
		return err
	}
	if cur == "" {
		return fmt.Errorf("%s: %w", ref, ErrNotFound)
	}
	if expected != "" && expected != cur {
		return fmt.Errorf("%s is at %s, expected %s: %w", ref, cur, expected, ErrConflict)
	}
	if err := r.updateRef(ctx, ref, "", cur); err != nil {
		if errors.Is(err, errRaced) {
			return fmt.Errorf("%s: %w", ref, ErrConflict)
		}
		return err
	}
	return nil
}

// TagRequest creates a tag. With a Message the tag is annotated (a tag
// object written by git mktag, which fsck-checks it); without, lightweight.
type TagRequest struct {
	Name    string
	Rev     string
	Message string
	Tagger  Signature
}

// CreateTag creates a tag at a revision; ErrExists if the tag exists.
func (r *Repo) CreateTag(ctx context.Context, req TagRequest) (*Tag, error) {
	ref, err := TagRef(req.Name)
	if err != nil {
		return nil, err
	}
	sha, err := r.ResolveRef(ctx, req.Rev)
	if err != nil {
		return nil, err
	}
	tag := &Tag{Name: req.Name, Target: sha, Commit: sha}
	if strings.TrimSpace(req.Message) != "" {
		if err := validateSignature(req.Tagger); err != nil {
			return nil, err
		}
		msg := req.Message
		if !strings.HasSuffix(msg, "\n") {
			msg += "\n"
		}
		obj := fmt.Sprintf("object %s\ntype commit\ntag %s\ntagger %s <%s> %s\n\n%s",
			sha, req.Name, req.Tagger.Name, req.Tagger.Email,
			strings.TrimPrefix(formatSignatureDate(req.Tagger.Date), "@"), msg)
		out, err := gitCmd{dir: r.path, args: []string{"mktag"}, stdin: strings.NewReader(obj)}.run(ctx)
		if err != nil {
			return nil, fmt.Errorf("mktag: %w", err)
		}
		tag.Target = strings.TrimSpace(string(out))
		tag.Annotated = true
		tag.Message = msg
		tag.Tagger = req.Tagger
	}
	if err := r.updateRef(ctx, ref, tag.Target, ""); err != nil {
		if errors.Is(err, errRaced) {
			return nil, fmt.Errorf("tag %q: %w", req.Name, ErrExists)
		}
		return nil, err
	}
	return tag, nil
}

// MergeRequestRef is the ref GitLab keeps of merge request iid's source
// head. Pushes never see or move it: it is one of the reserved refs the
// git adapter hides from receive-pack.
func MergeRequestRef(iid int64) string { return fmt.Sprintf("refs/merge-requests/%d/head", iid) }

// WriteMergeRequestRef points merge request iid's ref at commit sha,
// wherever it pointed before; a racing writer is retried.
func (r *Repo) WriteMergeRequestRef(ctx context.Context, iid int64, sha string) error {
	return r.writeKeptRef(ctx, MergeRequestRef(iid), sha)
}

// PipelineRef is the ref GitLab keeps of pipeline id's commit: its jobs
// fetch it, so they find the commit after its branch moved on. Like
// merge request refs it is reserved, out of pushes' reach.
func PipelineRef(id int64) string { return fmt.Sprintf("refs/pipelines/%d", id) }

// WritePipelineRef points pipeline id's ref at commit sha.
func (r *Repo) WritePipelineRef(ctx context.Context, id int64, sha string) error {
	return r.writeKeptRef(ctx, PipelineRef(id), sha)
}

// writeKeptRef points one of the refs lablet keeps itself at sha,
// wherever it pointed before; a racing writer is retried.
func (r *Repo) writeKeptRef(ctx context.Context, ref, sha string) error {
	if len(sha) != len(zeroID) || !isHexAnyCase(sha) {
		return fmt.Errorf("%s at %q: %w", ref, sha, ErrInvalid)
	}
	_, err := retryRaced(ctx, 3, func() (struct{}, error) {
		cur, err := r.readRef(ref)
		if err != nil {
			return struct{}{}, err
		}
		if cur == sha {
			return struct{}{}, nil
		}
		return struct{}{}, r.updateRef(ctx, ref, sha, cur)
	})
	return err
}
