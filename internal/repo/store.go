package repo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Store is the root directory holding all repositories. Use it by pointer
// and call Close on shutdown to stop pooled cat-file processes.
type Store struct {
	Root string

	pool catFilePool
}

// HashedPath returns GitLab's hashed storage path of a project's
// repository, relative to the storage root.
func HashedPath(projectID int64) string {
	sum := sha256.Sum256([]byte(strconv.FormatInt(projectID, 10)))
	h := hex.EncodeToString(sum[:])
	return filepath.Join("@hashed", h[:2], h[2:4], h+".git")
}

// Path returns the absolute directory of a project's bare repository.
func (s *Store) Path(projectID int64) string {
	return filepath.Join(s.Root, HashedPath(projectID))
}

// Open returns a handle on a project's repository; it does not check that
// the repository exists (reads then fail with ErrNotFound).
func (s *Store) Open(projectID int64) *Repo {
	return &Repo{path: s.Path(projectID), pool: &s.pool}
}

// Close stops all pooled cat-file processes; the Store is unusable after.
func (s *Store) Close() error {
	s.pool.closeAll()
	return nil
}

// repoConfig is set on every new repository.
//   - receive.advertisePushOptions: GitLab accepts "git push -o ..." (ci.skip,
//     merge_request.create), so clients may send push options.
//   - receive.fsckObjects: refuse corrupt or malicious objects at push time
//     (Gitaly does the same); the repository stays "fsck --strict" clean.
//   - uploadpack.allowFilter: partial clone (--filter=blob:none), as GitLab.
//   - uploadpack.allowAnySHA1InWant is deliberately NOT set: it would let a
//     v0 client fetch unreachable objects (force-pushed-away or deleted
//     content). Tip/reachable wants are enough for every normal client.
//   - gc.auto=0: housekeeping is the server's job, not a side effect of a
//     push or an API commit racing other writers.
//   - core.logAllRefUpdates: reflogs help recover from bad force pushes.
var repoConfig = [][2]string{
	{"receive.advertisePushOptions", "true"},
	{"receive.fsckObjects", "true"},
	{"uploadpack.allowFilter", "true"},
	{"gc.auto", "0"},
	{"core.logAllRefUpdates", "true"},
}

// Create initialises an empty bare repository for the project with HEAD
// pointing at defaultBranch. It returns ErrExists if one is already there.
// The repository is built in a temporary directory and renamed into place,
// so readers never see a half-initialised repository.
func (s *Store) Create(ctx context.Context, projectID int64, defaultBranch string) (*Repo, error) {
	head, err := BranchRef(defaultBranch)
	if err != nil {
		return nil, err
	}
	final := s.Path(projectID)
	if _, err := os.Stat(final); err == nil {
		return nil, fmt.Errorf("create repository %d: %w", projectID, ErrExists)
	}
	parent := filepath.Dir(final)
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return nil, fmt.Errorf("create repository %d: %w", projectID, err)
	}
	tmp, err := os.MkdirTemp(parent, ".init-*")
	if err != nil {
		return nil, fmt.Errorf("create repository %d: %w", projectID, err)
	}
	defer os.RemoveAll(tmp) // no-op after a successful rename
	// --template= : no sample hooks or description copied in.
	if _, err := (gitCmd{dir: tmp, args: []string{"init", "--bare", "--quiet", "--template=", "--initial-branch=" + defaultBranch, "."}}).run(ctx); err != nil {
		return nil, fmt.Errorf("create repository %d: %w", projectID, err)
	}
	for _, kv := range repoConfig {
		if _, err := (gitCmd{dir: tmp, args: []string{"config", kv[0], kv[1]}}).run(ctx); err != nil {
			return nil, fmt.Errorf("create repository %d: %w", projectID, err)
		}
	}
	if _, err := (gitCmd{dir: tmp, args: []string{"symbolic-ref", "HEAD", head}}).run(ctx); err != nil {
		return nil, fmt.Errorf("create repository %d: %w", projectID, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		if errors.Is(err, fs.ErrExist) { // EEXIST or ENOTEMPTY: a concurrent Create won
			return nil, fmt.Errorf("create repository %d: %w", projectID, ErrExists)
		}
		return nil, fmt.Errorf("create repository %d: %w", projectID, err)
	}
	return s.Open(projectID), nil
}

// Delete removes a project's repository. It is first renamed aside so that
// no reader or pusher ever sees a half-deleted repository.
func (s *Store) Delete(ctx context.Context, projectID int64) error {
	path := s.Path(projectID)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete repository %d: %w", projectID, ErrNotFound)
		}
		return fmt.Errorf("delete repository %d: %w", projectID, err)
	}
	s.pool.closeRepo(path)
	aside := fmt.Sprintf("%s+%d.deleted", path, time.Now().UnixNano())
	if err := os.Rename(path, aside); err != nil {
		return fmt.Errorf("delete repository %d: %w", projectID, err)
	}
	if err := ctx.Err(); err != nil {
		return err // renamed aside: gone for readers; housekeeping can finish
	}
	if err := os.RemoveAll(aside); err != nil {
		return fmt.Errorf("delete repository %d: %w", projectID, err)
	}
	return nil
}

// Repo is one bare repository.
type Repo struct {
	path string
	pool *catFilePool
}

// OpenPath returns a handle on a bare repository at an arbitrary path with
// its own process pool (tests, tools). Close it when done.
func OpenPath(path string) *Repo {
	return &Repo{path: path, pool: &catFilePool{}}
}

// Path is the repository directory.
func (r *Repo) Path() string { return r.path }

// Close stops this repository's pooled cat-file processes.
func (r *Repo) Close() error {
	r.pool.closeRepo(r.path)
	return nil
}

// Exists reports whether the repository directory exists.
func (r *Repo) Exists() bool {
	fi, err := os.Stat(r.path)
	return err == nil && fi.IsDir()
}
