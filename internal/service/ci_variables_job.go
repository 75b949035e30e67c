package service

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// CIVariables returns the CI/CD variables a job of project gets, in GitLab's precedence order
// (instance, then groups from the top down, then project; later wins on the same key), filtered by
// protected (only when the ref is protected) and environment scope (exact, wildcard `*`, and
// patterns like `review/*`; the most specific scope wins per key as GitLab documents).
//
// Each key appears once, with the value that wins, at the place of the
// variable that wins: what a runner would end up with from GitLab's full
// list. A job without an environment gets only the variables scoped `*`.
func (s *Service) CIVariables(ctx context.Context, projectID int64, protectedRef bool, environment string) ([]model.CIVariable, error) {
	q := s.db.Queries()
	p, err := q.ProjectByID(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("Project")
	}
	if err != nil {
		return nil, fmt.Errorf("service: load project for ci variables: %w", err)
	}
	instance, groups, project, err := q.JobCIVariables(ctx, p.ID, p.NamespaceID, protectedRef)
	if err != nil {
		return nil, err
	}
	all := make([]*model.StoredCIVariable, 0, len(instance)+len(groups)+len(project))
	all = append(all, instance...)
	// Groups come from the top down; each group's own variables are ranked
	// by scope as GitLab's on_environment orders them.
	for start := 0; start < len(groups); {
		end := start + 1
		for end < len(groups) && groups[end].Owner.ID == groups[start].Owner.ID {
			end++
		}
		all = append(all, inEnvironment(groups[start:end], environment)...)
		start = end
	}
	all = append(all, inEnvironment(project, environment)...)
	return lastPerKey(all), nil
}

// scopeRank is GitLab's relevance of a variable's environment scope for
// environment (HasEnvironmentScope.on_environment): `*` 0, a matching
// pattern 1, the environment's own name 2; -1 when it does not apply.
// Without an environment only `*` applies.
func scopeRank(scope, environment string) int {
	switch {
	case scope == model.CIVariableScopeAll:
		return 0
	case environment == "":
		return -1
	case scope == environment:
		return 2
	case BranchMatches(scope, environment):
		// A scope is a glob as GitLab's SQL LIKE reads it: `*` is any
		// run of characters, slashes included.
		return 1
	}
	return -1
}

// inEnvironment keeps the variables of one owner that apply to
// environment, least relevant first (stable, so creation order breaks
// ties), so that the most specific one comes last and wins.
func inEnvironment(vars []*model.StoredCIVariable, environment string) []*model.StoredCIVariable {
	type ranked struct {
		v    *model.StoredCIVariable
		rank int
	}
	var kept []ranked
	for _, v := range vars {
		if r := scopeRank(v.EnvironmentScope, environment); r >= 0 {
			kept = append(kept, ranked{v, r})
		}
	}
	slices.SortStableFunc(kept, func(a, b ranked) int { return a.rank - b.rank })
	out := make([]*model.StoredCIVariable, len(kept))
	for i, k := range kept {
		out[i] = k.v
	}
	return out
}

// lastPerKey keeps the last variable of each key, in the order of those
// kept.
func lastPerKey(vars []*model.StoredCIVariable) []model.CIVariable {
	seen := make(map[string]bool, len(vars))
	out := make([]model.CIVariable, 0, len(vars))
	for i := len(vars) - 1; i >= 0; i-- {
		if seen[vars[i].Key] {
			continue
		}
		seen[vars[i].Key] = true
		out = append(out, vars[i].CIVariable)
	}
	slices.Reverse(out)
	return out
}
