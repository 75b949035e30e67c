package repo

import (
	"sync"

	"github.com/lablet/lablet/internal/cache"
)

// caches holds one Store's read caches (OpenPath repositories get their
// own). Keys start with the repository directory. Answers derived from an
// object id (a commit pins its whole history) never change and are only
// bounded; answers derived from refs carry the repository's RefsVersion in
// their key, so a ref change makes them miss and they age out.
type caches struct {
	once sync.Once

	// lastCommits: LastCommitIDForPath answers git gave for one path.
	lastCommits *cache.Cache[lastCommitKey, string]
	// pathCommits: the last commit of every file of a commit's tree, from
	// one history walk; cost = number of paths.
	pathCommits *cache.Cache[commitKey, *pathCommits]
	walks       cache.Flight[commitKey, *pathCommits]
	// commits: parsed commits by id.
	commits *cache.Cache[commitKey, Commit]
	// trees: Tree listings at a full commit id; cost = entries.
	trees *cache.Cache[treeKey, []TreeEntry]
	// dirs: one directory's raw entries at a full commit id (Blob).
	dirs *cache.Cache[treeKey, []rawEntry]
	// history: rev-list answers (commit ids) by their full argument list;
	// cost = ids.
	history *cache.Cache[historyKey, []string]
	// refs: ref name → object id ("" for none), under a refs version.
	refs *cache.Cache[refKey, string]
	// resolved: user revision → commit id, under a refs version.
	resolved *cache.Cache[refKey, string]
	// branches: the branch list under a refs version; cost = branches.
	branches *cache.Cache[versionKey, []Branch]
	// merged: MergedBranches answers under a refs version.
	merged *cache.Cache[mergedKey, map[string]bool]
	// stats: the line stats of commits CommitFiles wrote whose every
	// action created a file: they follow from the contents alone, so the
	// stats GitLab shows for a new commit need no "diff-tree" process.
	// Keyed by repository and commit id, immutable.
	stats *cache.Cache[statsKey, Stats]
	// diffs: DiffTrees answers by repository and object ids, immutable;
	// cost = KiB.
	diffs    *cache.Cache[diffKey, []FileDiff]
	diffRuns cache.Flight[diffKey, []FileDiff]
	// changedFiles: ChangedFiles answers by the same key, immutable.
	changedFiles *cache.Cache[diffKey, int]
	// mergeTrees: merge-tree's tree for two commit ids, "" for a
	// conflict; immutable.
	mergeTrees *cache.Cache[mergeKey, string]
}

func (c *caches) init(off bool) *caches {
	c.once.Do(func() {
		c.lastCommits = cache.New[lastCommitKey, string](cache.Options{MaxCost: 8192, Off: off})
		c.pathCommits = cache.New[commitKey, *pathCommits](cache.Options{MaxCost: 1 << 19, Off: off})
		c.commits = cache.New[commitKey, Commit](cache.Options{MaxCost: 16384, Off: off})
		c.trees = cache.New[treeKey, []TreeEntry](cache.Options{MaxCost: 1 << 17, Off: off})
		c.dirs = cache.New[treeKey, []rawEntry](cache.Options{MaxCost: 1 << 17, Off: off})
		c.history = cache.New[historyKey, []string](cache.Options{MaxCost: 1 << 17, Off: off})
		c.refs = cache.New[refKey, string](cache.Options{MaxCost: 1 << 15, Off: off})
		c.resolved = cache.New[refKey, string](cache.Options{MaxCost: 1 << 15, Off: off})
		c.branches = cache.New[versionKey, []Branch](cache.Options{MaxCost: 1 << 17, Off: off})
		c.merged = cache.New[mergedKey, map[string]bool](cache.Options{MaxCost: 1024, Off: off})
		c.stats = cache.New[statsKey, Stats](cache.Options{MaxCost: 1024, Off: off})
		c.diffs = cache.New[diffKey, []FileDiff](cache.Options{MaxCost: 64 << 10, Off: off})
		c.changedFiles = cache.New[diffKey, int](cache.Options{MaxCost: 1 << 15, Off: off})
		c.mergeTrees = cache.New[mergeKey, string](cache.Options{MaxCost: 1 << 14, Off: off})
	})
	return c
}

// lastCommitKey names a LastCommitIDForPath answer: the repository, the
// starting commit's full id and the path. The commit id fixes every
// ancestor, so the answer never changes (the repository is part of the key
// only so that a repository never answers for a commit it lacks).
type lastCommitKey struct{ repo, commit, path string }

// mergeKey names a merge-tree answer.
type mergeKey struct{ repo, ours, theirs string }

// diffKey names a DiffTrees answer.
type diffKey struct{ repo, from, to string }

// commitKey names what is derived from one commit of a repository.
type commitKey struct{ repo, id string }

// treeKey names a Tree listing.
type treeKey struct {
	repo, commit, path string
	recursive          bool
}

// historyKey names a History answer: refsVersion is 0 unless the walk
// starts from every branch and tag.
type historyKey struct {
	repo        string
	refsVersion uint64
	args        string
}

// refKey names an answer read from refs under a refs version.
type refKey struct {
	repo    string
	version uint64
	name    string
}

// versionKey names a repository's refs at one version.
type versionKey struct {
	repo    string
	version uint64
}

// mergedKey names a MergedBranches answer: the branches at a refs version
// and the commit merged into.
type mergedKey struct {
	repo    string
	version uint64
	into    string
}
