package graphql

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/lablet/lablet/internal/service"
)

// Forks (GET /projects/:id/forks, the entity's forked_from_project) and
// branch names (GET /projects/:id/repository/branches) under GitLab's
// GraphQL names, through the same service calls.

func (r *Resolver) forkedFrom(ctx context.Context, p *Project) (*Project, error) {
	if p.p.ForkedFromID == nil {
		return nil, nil
	}
	// findProject answers null for a source the caller may not see.
	return r.findProject(ctx, strconv.FormatInt(*p.p.ForkedFromID, 10))
}

// levelOfEnum is the integer level of an AccessLevelEnum.
func levelOfEnum(e AccessLevelEnum) int {
	for n, name := range accessNames {
		if name == e {
			return n
		}
	}
	return 0
}

func (r *Resolver) visibleForks(ctx context.Context, p *Project, minimum *AccessLevelEnum, after, before *string,
	first, last *int) (*ProjectConnection, error) {
	o := service.ProjectListOptions{OrderBy: "id", Desc: true}
	if minimum != nil {
		o.MinAccessLevel = levelOfEnum(*minimum)
	}
	ref := strconv.FormatInt(p.p.ID, 10)
	return r.projectPage(ctx, o, after, before, first, last, func(o service.ProjectListOptions) (*service.ProjectList, error) {
		return r.svc.ListForks(ctx, callerOf(ctx), ref, o)
	})
}

// branchNames is Repository.branchNames: the names matching searchPattern
// ("*" a wildcard, as GitLab's search_branch_names), sorted, from offset,
// at most limit.
func (r *Resolver) branchNamesOf(ctx context.Context, repo *Repository, pattern string, offset, limit int) ([]string, error) {
	if offset < 0 || limit < 0 {
		return nil, errors.New("offset and limit must be non-negative")
	}
	names, err := r.branchNames(ctx, repo.project)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if service.BranchMatches(pattern, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	if offset >= len(out) {
		return []string{}, nil
	}
	return out[offset:min(offset+limit, len(out))], nil
}

// languages is GET /projects/:id/languages: null for a caller who may
// not read the code, as REST's 403/404.
func (r *Resolver) languages(ctx context.Context, p *Project) ([]*RepositoryLanguage, error) {
	ls, err := r.svc.ProjectLanguages(ctx, callerOf(ctx), strconv.FormatInt(p.p.ID, 10))
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]*RepositoryLanguage, 0, len(ls))
	for _, l := range ls {
		out = append(out, &RepositoryLanguage{Name: l.Name, Share: ptr(l.Share)})
	}
	return out, nil
}
