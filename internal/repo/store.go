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
	"strings"
	"sync"
	"time"
)

// Store is the root directory holding all repositories. Use it by pointer
// and call Close on shutdown to stop pooled cat-file processes.
type Store struct {
	Root string
	// CachesOff keeps no read caches (LABLET_CACHES=off).
	CachesOff bool
	// Shared says that other instances change these repositories too:
	// ref changes are then stamped in each repository, and ref-derived
	// caches check the stamp (refsversion.go). Set it before first use.
	Shared bool
	// refsHookDir holds the refs stamp hook that lablet's own ref
	// transactions run (InstallRefsHook); "" for none.
	refsHookDir string

	pool     catFilePool
	updaters updaterPool
	zlib     zlibPool
	versions refsVersions
	cache    caches
	// probes remembers what git init would learn from the file system,
	// per directory holding new repositories (one file system).
	probes sync.Map // parent directory → fsProbe
}

// HashedPath returns GitLab's hashed storage path of a project's
// repository, relative to the storage root.
func HashedPath(projectID int64) string { return hashedPath("@hashed", projectID, ".git") }

// hashedPath is GitLab's hashed storage layout in an area (@hashed,
// @snippets, @groups): <area>/<aa>/<bb>/<sha256 of the id><suffix>.
func hashedPath(area string, id int64, suffix string) string {
	sum := sha256.Sum256([]byte(strconv.FormatInt(id, 10)))
	h := hex.EncodeToString(sum[:])
	return filepath.Join(area, h[:2], h[2:4], h+suffix)
}

// Path returns the absolute directory of a project's bare repository.
func (s *Store) Path(projectID int64) string {
	return filepath.Join(s.Root, HashedPath(projectID))
}

// Open returns a handle on a project's repository; it does not check that
// the repository exists (reads then fail with ErrNotFound).
func (s *Store) Open(projectID int64) *Repo { return s.openAt(s.Path(projectID)) }

// openAt returns a handle on the repository at dir, sharing the store's
// process pools and caches.
func (s *Store) openAt(dir string) *Repo {
	return &Repo{path: dir, pool: &s.pool, updaters: &s.updaters, zlib: &s.zlib,
		versions: &s.versions, cache: s.cache.init(s.CachesOff), shared: s.Shared,
		refsHookDir: s.refsHookDir}
}

// Close stops all pooled cat-file processes; the Store is unusable after.
func (s *Store) Close() error {
	s.pool.closeAll()
	s.updaters.closeAll()
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
	if _, err := os.Stat(s.Path(projectID)); err == nil {
		return nil, fmt.Errorf("create repository %d: %w", projectID, ErrExists)
	}
	tmp, err := s.Prepare(ctx, defaultBranch)
	if err != nil {
		return nil, fmt.Errorf("create repository %d: %w", projectID, err)
	}
	r, err := s.Place(tmp, projectID)
	if err != nil {
		s.Discard(tmp)
		return nil, err
	}
	return r, nil
}

// Prepare initialises an empty bare repository with HEAD pointing at
// defaultBranch in a temporary directory of the store, for a project whose
// id is not known yet: the git work (and a first commit on the returned
// handle) can then happen before the project's transaction, which only
// has to Place it. Discard it if it is not placed.
func (s *Store) Prepare(ctx context.Context, defaultBranch string) (*Repo, error) {
	head, err := BranchRef(defaultBranch)
	if err != nil {
		return nil, err
	}
	parent := filepath.Join(s.Root, "@hashed")
	// Everything under the data dir is private: 0700 directories, 0600
	// files (0400 for objects), whatever the umask.
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, ".init-*")
	if err != nil {
		return nil, err
	}
	// No process: the files `git init --bare --template=` and then `git
	// config` and `git symbolic-ref HEAD` write are written directly;
	// should probing the file system fail, git does it.
	if err := initBare(&s.probes, tmp, head); err != nil {
		os.RemoveAll(tmp)
		if err := os.Mkdir(tmp, 0o700); err != nil {
			return nil, err
		}
		// --template= : no sample hooks or description copied in.
		if _, err := (gitCmd{dir: tmp, args: []string{"init", "--bare", "--quiet", "--template=", "--initial-branch=" + defaultBranch, "."}}).run(ctx); err != nil {
			os.RemoveAll(tmp)
			return nil, err
		}
		// The settings are appended to the config git init wrote (a
		// repeated section is the same as one).
		if err := writeRepoSettings(tmp, "", head); err != nil {
			os.RemoveAll(tmp)
			return nil, err
		}
	}
	r := OpenPath(tmp)
	r.zlib = &s.zlib // its first commit reuses the store's writers
	return r, nil
}

// Place renames a prepared repository into the project's place and returns
// the project's handle; ErrExists if a repository is already there. tmp is
// closed either way and must not be used again; on failure it is left for
// Discard.
func (s *Store) Place(tmp *Repo, projectID int64) (*Repo, error) {
	_ = tmp.Close()
	final := s.Path(projectID)
	if _, err := os.Stat(final); err == nil {
		return nil, fmt.Errorf("create repository %d: %w", projectID, ErrExists)
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return nil, fmt.Errorf("create repository %d: %w", projectID, err)
	}
	// A fork is listed by its source before it is in place, so that the
	// source's deletion never misses it.
	if err := s.registerBorrower(tmp.path, projectID); err != nil {
		return nil, fmt.Errorf("create repository %d: %w", projectID, err)
	}
	s.stampNew(tmp.path)
	if err := os.Rename(tmp.path, final); err != nil {
		if errors.Is(err, fs.ErrExist) { // EEXIST or ENOTEMPTY: a concurrent Create won
			return nil, fmt.Errorf("create repository %d: %w", projectID, ErrExists)
		}
		return nil, fmt.Errorf("create repository %d: %w", projectID, err)
	}
	tmp.path = "" // placed: Discard must not touch a reused temporary name
	r := s.Open(projectID)
	r.RefsChanged() // a repository at this path may have come and gone
	return r, nil
}

// Discard removes a prepared repository that was not placed (a no-op once
// it was).
func (s *Store) Discard(tmp *Repo) {
	if tmp == nil || tmp.path == "" {
		return
	}
	_ = tmp.Close()
	_ = os.RemoveAll(tmp.path)
}

// fsProbe is what git init learns by probing the file system; it is the
// same for every repository of a store (one file system), so it is probed
// once per directory holding them.
type fsProbe struct{ filemode, symlinks, ignorecase bool }

// initBare writes into the empty directory dir what `git init --bare
// --template=` writes, followed by repoConfig and HEAD pointing at head
// (writeRepoSettings): the object and ref directories and a config with
// git's [core] settings, which depend on the file system as git probes it
// (the executable bit for core.filemode; symlinks and case-insensitivity,
// only recorded when missing).
//
// Only objects/ and refs/ are made, the two git needs to recognise a
// repository: git creates objects/pack, objects/info, refs/heads and
// refs/tags when it first writes into them, and so do lablet's own
// writers and readers (objects_write.go, refs_list.go). Directory
// creation is the slowest part of creating a project on some file
// systems.
func initBare(probes *sync.Map, dir, head string) error {
	for _, d := range []string{"objects", "refs"} {
		if err := os.Mkdir(filepath.Join(dir, filepath.FromSlash(d)), 0o700); err != nil {
			return err
		}
	}
	probe, err := probeFS(probes, dir)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("[core]\n\trepositoryformatversion = 0\n")
	b.WriteString("\tfilemode = " + strconv.FormatBool(probe.filemode) + "\n")
	b.WriteString("\tbare = true\n")
	if !probe.symlinks {
		b.WriteString("\tsymlinks = false\n")
	}
	if probe.ignorecase {
		b.WriteString("\tignorecase = true\n")
	}
	return writeRepoSettings(dir, b.String(), head)
}

// probeFS probes the file system of dir's parent as git init probes a new
// repository's directory, once.
func probeFS(probes *sync.Map, dir string) (fsProbe, error) {
	key := filepath.Dir(dir)
	if p, ok := probes.Load(key); ok {
		return p.(fsProbe), nil
	}
	var p fsProbe
	// core.filemode: does toggling the executable bit stick?
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[core]\n\trepositoryformatversion = 0\n"), 0o600); err != nil {
		return p, err
	}
	defer os.Remove(cfg) // written again by writeRepoSettings
	st1, err := os.Lstat(cfg)
	if err != nil {
		return p, err
	}
	if err := os.Chmod(cfg, st1.Mode().Perm()^0o100); err != nil {
		return p, err
	}
	st2, err := os.Lstat(cfg)
	if err != nil {
		return p, err
	}
	p.filemode = st1.Mode() != st2.Mode()
	probe := filepath.Join(dir, "tXXXXXX")
	if err := os.Symlink("testing", probe); err == nil {
		p.symlinks = true
		os.Remove(probe)
	}
	if _, err := os.Lstat(filepath.Join(dir, "CoNfIg")); err == nil {
		p.ignorecase = true
	}
	probes.Store(key, p)
	return p, nil
}

// writeRepoSettings writes dir's config as core (what git init wrote, or
// "" to append to the config git init left) followed by repoConfig, and
// points HEAD at head, as `git config` and `git symbolic-ref HEAD` would.
func writeRepoSettings(dir, core, head string) error {
	var b strings.Builder
	b.WriteString(core)
	section := ""
	for _, kv := range repoConfig {
		sec, key, _ := strings.Cut(kv[0], ".")
		if sec != section {
			b.WriteString("[" + sec + "]\n")
			section = sec
		}
		b.WriteString("\t" + key + " = " + kv[1] + "\n")
	}
	flag := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if core == "" {
		flag = os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(filepath.Join(dir, "config"), flag, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "HEAD"), []byte("ref: "+head+"\n"), 0o600)
}

// Delete removes a project's repository. The repositories that borrow
// its objects (forks) get their own copies first; a failure there leaves
// it in place. It is then renamed aside so that no reader or pusher ever
// sees a half-deleted repository.
func (s *Store) Delete(ctx context.Context, projectID int64) error {
	path := s.Path(projectID)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete repository %d: %w", projectID, ErrNotFound)
		}
		return fmt.Errorf("delete repository %d: %w", projectID, err)
	}
	if err := s.detachBorrowers(ctx, path, 0); err != nil {
		return fmt.Errorf("delete repository %d: detach its forks: %w", projectID, err)
	}
	if err := unregisterBorrower(path, projectID); err != nil {
		return fmt.Errorf("delete repository %d: %w", projectID, err)
	}
	s.pool.closeRepo(path)
	s.updaters.closePath(path)
	defer s.Open(projectID).RefsChanged()
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
	path     string
	pool     *catFilePool
	updaters *updaterPool
	zlib     *zlibPool
	versions *refsVersions
	cache    *caches
	// shared: other instances change it too (Store.Shared).
	shared bool
	// refsHookDir: see Store.refsHookDir.
	refsHookDir string
}

// OpenPath returns a handle on a bare repository at an arbitrary path with
// its own process pool (tests, tools). Close it when done.
func OpenPath(path string) *Repo {
	return &Repo{path: path, pool: &catFilePool{}, updaters: &updaterPool{}, zlib: &zlibPool{},
		versions: &refsVersions{}, cache: new(caches).init(false)}
}

// Path is the repository directory.
func (r *Repo) Path() string { return r.path }

// Close stops this repository's pooled cat-file processes.
func (r *Repo) Close() error {
	r.pool.closeRepo(r.path)
	r.updaters.closePath(r.path)
	return nil
}

// Exists reports whether the repository directory exists.
func (r *Repo) Exists() bool {
	fi, err := os.Stat(r.path)
	return err == nil && fi.IsDir()
}
