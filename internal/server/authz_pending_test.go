package server_test

import (
	"sort"

	"github.com/lablet/lablet/internal/access"
)

// pendingFixes maps each known disagreement between lablet and GitLab,
// whose fix is under way, to the cells it explains: those cells are
// logged, not failed. Every other disagreement fails the matrix. Remove a
// finding when its fix merges; one that explains no cell any more fails
// the matrix, so the map can't go stale.
//
// A finding names its cells by route (method and pattern, or ability),
// caller and visibility, and by the disagreement itself (what lablet
// answers against GitLab's answer), so that it masks nothing else.
var pendingFixes = map[string]func(c *cell) bool{}

func isAPI(c *cell) bool { return surfaceOf(c.route) == apiSurface }

func codeAbility(a access.Ability) bool {
	return a == access.ReadCode || a == access.PushCode || a == access.AdminTag
}

// pendingFinding returns the pending finding that explains c, if any.
func pendingFinding(c *cell) (string, bool) {
	for what, match := range pendingFixes {
		if match(c) {
			return what, true
		}
	}
	return "", false
}

// stalePending lists the findings that explain none of cells.
func stalePending(cells []*cell) []string {
	used := map[string]bool{}
	for _, c := range cells {
		if c.err == "" && c.got != c.want {
			if what, ok := pendingFinding(c); ok {
				used[what] = true
			}
		}
	}
	var out []string
	for what := range pendingFixes {
		if !used[what] {
			out = append(out, what)
		}
	}
	sort.Strings(out)
	return out
}
