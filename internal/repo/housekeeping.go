package repo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// HousekeepingTask is what one housekeeping run does, as GitLab's
// HousekeepingService maps its tasks onto git.
type HousekeepingTask string

// Housekeeping tasks.
const (
	// TaskIncrementalRepack packs the loose objects into a new pack.
	TaskIncrementalRepack HousekeepingTask = "incremental_repack"
	// TaskFullRepack packs everything into one pack.
	TaskFullRepack HousekeepingTask = "full_repack"
	// TaskGC is git gc: refs packed, one pack, old unreachable objects
	// pruned (GitLab's eager housekeeping).
	TaskGC HousekeepingTask = "gc"
	// TaskPrune removes unreachable loose objects.
	TaskPrune HousekeepingTask = "prune"
)

// pruneGrace is how old an unreachable object must be before a prune
// removes it (Gitaly's 30 minutes): objects a push or an API commit has
// written but not yet made reachable are younger.
const pruneGrace = "30.minutes.ago"

// Housekeep runs task on a project's repository under its maintenance
// lock, then drops the repository's pooled processes and ref-keyed
// answers, which may hold the packs it replaced. A repository other
// repositories borrow objects from (a fork's source) loses no object:
// unreachable ones may be what a fork still needs, so they are repacked
// (-k) rather than pruned.
func (s *Store) Housekeep(ctx context.Context, projectID int64, task HousekeepingTask) error {
	path := s.Path(projectID)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("housekeeping %d: %w", projectID, ErrNotFound)
		}
		return fmt.Errorf("housekeeping %d: %w", projectID, err)
	}
	unlock, err := lockMaintenance(ctx, path, true)
	if err != nil {
		return fmt.Errorf("housekeeping %d: %w", projectID, err)
	}
	defer unlock()
	lent := lendsObjects(path)
	var runs [][]string
	switch task {
	case TaskIncrementalRepack:
		runs = [][]string{{"repack", "-d", "-l", "-q"}}
	case TaskFullRepack:
		runs = [][]string{fullRepack(lent)}
	case TaskGC:
		if lent {
			runs = [][]string{{"pack-refs", "--all", "--prune"}, fullRepack(true)}
		} else {
			runs = [][]string{{"gc", "--quiet", "--prune=" + pruneGrace}}
		}
	case TaskPrune:
		if !lent {
			runs = [][]string{{"prune", "--expire=" + pruneGrace}}
		}
	default:
		return fmt.Errorf("housekeeping %d: unknown task %q", projectID, task)
	}
	r := s.Open(projectID)
	defer func() {
		s.pool.closeRepo(path)
		r.RefsChanged()
	}()
	for _, args := range runs {
		if _, err := (gitCmd{dir: path, args: args}).run(ctx); err != nil {
			return fmt.Errorf("housekeeping %d: %w", projectID, err)
		}
	}
	return nil
}

// fullRepack is git repack -a -d of a repository's own objects (-l: a
// fork leaves borrowed ones where they are); keep holds unreachable ones.
func fullRepack(keep bool) []string {
	args := []string{"repack", "-a", "-d", "-l", "-q"}
	if keep {
		args = append(args, "--keep-unreachable")
	}
	return args
}

// lendsObjects reports whether other repositories borrow the objects of
// the one at path.
func lendsObjects(path string) bool {
	entries, err := os.ReadDir(borrowersDir(path))
	return err != nil && !errors.Is(err, fs.ErrNotExist) || len(entries) > 0
}
