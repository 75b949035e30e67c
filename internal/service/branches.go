package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// BranchInfo is a branch with everything GitLab's Branch entity shows.
type BranchInfo struct {
	repo.Branch
	Commit             *repo.Commit
	Merged             bool
	Protected          bool
	Default            bool
	DevelopersCanPush  bool
	DevelopersCanMerge bool
	CanPush            bool
}

// BranchFilter selects and orders branches as GitLab's BranchesFinder.
type BranchFilter struct {
	// Search matches names case-insensitively: "^x" prefix, "x$" suffix,
	// otherwise substring.
	Search string
	// Regex is an RE2 pattern the name must match.
	Regex string
	// Sort is name_asc (default), updated_asc or updated_desc.
	Sort string
}

// maxNameFilter bounds search and regex input.
const maxNameFilter = 1024

// MatchRefName applies GitLab's ref search syntax ("^prefix", "suffix$",
// else substring; case-insensitive).
func MatchRefName(name, search string) bool {
	if search == "" {
		return true
	}
	n, q := strings.ToLower(name), strings.ToLower(search)
	prefix := strings.HasPrefix(q, "^")
	suffix := strings.HasSuffix(q, "$")
	q = strings.TrimSuffix(strings.TrimPrefix(q, "^"), "$")
	switch {
	case prefix && suffix:
		return n == q
	case prefix:
		return strings.HasPrefix(n, q)
	case suffix:
		return strings.HasSuffix(n, q)
	}
	return strings.Contains(n, q)
}

// Branches lists a repository's branches, filtered and ordered, with one
// for-each-ref call. Details (commits, merged, protection) are added by
// DescribeBranches for the page actually shown.
func (s *Service) Branches(ctx context.Context, id *auth.Identity, projectRef string, f BranchFilter) (*ProjectRepo, []repo.Branch, error) {
	sort := repo.SortNameAsc
	switch f.Sort {
	case "", "name_asc":
	case "updated_asc":
		sort = repo.SortUpdatedAsc
	case "updated_desc":
		sort = repo.SortUpdatedDesc
	case "name_desc":
		sort = repo.SortNameDesc
	default:
		return nil, nil, ParamError("sort does not have a valid value")
	}
	if len(f.Search) > maxNameFilter || len(f.Regex) > maxNameFilter {
		return nil, nil, Invalid("search or regex is too long")
	}
	var re *regexp.Regexp
	if f.Regex != "" {
		var err error
		if re, err = regexp.Compile(f.Regex); err != nil {
			return nil, nil, Invalid("Regex is invalid")
		}
	}
	pr, err := s.RepoForRead(ctx, id, projectRef)
	if err != nil {
		return nil, nil, err
	}
	all, err := pr.Repo.BranchesSorted(ctx, sort)
	if err != nil {
		return nil, nil, fmt.Errorf("service: list branches: %w", err)
	}
	out := all[:0]
	for _, b := range all {
		if MatchRefName(b.Name, f.Search) && (re == nil || re.MatchString(b.Name)) {
			out = append(out, b)
		}
	}
	return pr, out, nil
}

// DescribeBranches completes branches for display: their commits through
// one warm cat-file reader, "merged" from one for-each-ref --merged call,
// and the caller's push rights.
func (s *Service) DescribeBranches(ctx context.Context, pr *ProjectRepo, branches []repo.Branch) ([]BranchInfo, error) {
	out := make([]BranchInfo, 0, len(branches))
	if len(branches) == 0 {
		return out, nil
	}
	ids := make([]string, len(branches))
	for i, b := range branches {
		ids[i] = b.Target
	}
	commits, err := pr.Repo.CommitsByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("service: branch commits: %w", err)
	}
	def, _ := pr.Repo.HeadBranch()
	merged := map[string]bool{}
	if d, err := pr.Repo.Branch(def); err == nil {
		if merged, err = pr.Repo.MergedBranches(ctx, d.Target); err != nil {
			return nil, fmt.Errorf("service: merged branches: %w", err)
		}
	} else if !errors.Is(err, repo.ErrNotFound) {
		return nil, fmt.Errorf("service: default branch: %w", err)
	}
	rules, err := s.BranchRules(ctx, pr.Project)
	if err != nil {
		return nil, fmt.Errorf("service: branch rules: %w", err)
	}
	for _, b := range branches {
		bi := BranchInfo{Branch: b, Commit: commits[b.Target], Merged: merged[b.Name], Default: b.Name == def}
		branchAccess(rules, pr.Project, pr.Level, &bi)
		out = append(out, bi)
	}
	return out, nil
}

// branchAccess fills the protection fields from the project's rules,
// loaded once per request (see BranchRules), never per branch.
func branchAccess(rules *BranchRules, p *model.Project, level access.Level, bi *BranchInfo) {
	bi.Protected = rules.Protected(bi.Name)
	bi.DevelopersCanPush = rules.CanPush(access.Developer, bi.Name)
	bi.DevelopersCanMerge = rules.CanMerge(access.Developer, bi.Name)
	bi.CanPush = !p.Archived && rules.CanPush(level, bi.Name)
}

// Branch returns one branch, or 404 Branch Not Found; a name no branch
// can have is GitLab's 400 "The branch refname is invalid".
func (s *Service) Branch(ctx context.Context, id *auth.Identity, projectRef, name string) (*ProjectRepo, *BranchInfo, error) {
	pr, err := s.RepoForRead(ctx, id, projectRef)
	if err != nil {
		return nil, nil, err
	}
	if !ValidBranchName(name) {
		return nil, nil, Invalid(MsgBranchRefnameInvalid)
	}
	b, err := pr.Repo.Branch(name)
	if err != nil {
		if errors.Is(err, repo.ErrNotFound) {
			return nil, nil, NotFound("Branch")
		}
		return nil, nil, fmt.Errorf("service: branch: %w", err)
	}
	infos, err := s.DescribeBranches(ctx, pr, []repo.Branch{*b})
	if err != nil {
		return nil, nil, err
	}
	return pr, &infos[0], nil
}

// CreateBranch creates branch name at ref (a branch, tag or commit id),
// answering with GitLab's messages.
func (s *Service) CreateBranch(ctx context.Context, id *auth.Identity, projectRef, name, ref string) (*ProjectRepo, *BranchInfo, error) {
	pr, err := s.RepoForWrite(ctx, id, projectRef)
	if err != nil {
		return nil, nil, err
	}
	if !ValidBranchName(name) {
		return nil, nil, Invalid(MsgBranchNameInvalid)
	}
	if err := s.createDefaultBranch(ctx, id, pr); err != nil {
		return nil, nil, err
	}
	if _, err := pr.Repo.Branch(name); err == nil {
		return nil, nil, Invalid("Branch already exists")
	} else if !errors.Is(err, repo.ErrNotFound) {
		return nil, nil, fmt.Errorf("service: create branch: %w", err)
	}
	sha, err := pr.Repo.ResolveRef(ctx, ref)
	if err != nil {
		if errors.Is(err, repo.ErrNotFound) || errors.Is(err, repo.ErrInvalidRef) || errors.Is(err, repo.ErrInvalid) {
			return nil, nil, Invalid(fmt.Sprintf("Failed to create branch '%s': invalid reference name '%s'", name, ref))
		}
		return nil, nil, fmt.Errorf("service: create branch: %w", err)
	}
	if ok, err := s.CanPushBranch(ctx, pr.Project, pr.Level, name); err != nil {
		return nil, nil, fmt.Errorf("service: create branch: %w", err)
	} else if !ok {
		return nil, nil, Invalid("You are not allowed to create protected branches on this project.")
	}
	b, err := pr.Repo.CreateBranch(ctx, name, sha)
	if err != nil {
		switch {
		case errors.Is(err, repo.ErrExists):
			// A concurrent create, or a clash such as "a" vs "a/b".
			return nil, nil, Invalid("Branch already exists")
		case errors.Is(err, repo.ErrInvalidRef):
			return nil, nil, Invalid(MsgBranchNameInvalid)
		}
		return nil, nil, fmt.Errorf("service: create branch: %w", err)
	}
	if err := s.markRepoNonEmpty(ctx, pr.Project); err != nil {
		return nil, nil, err
	}
	s.recordAPIPush(ctx, pr, id.User, gitBranchPrefix+b.Name, "", b.Target)
	infos, err := s.DescribeBranches(ctx, pr, []repo.Branch{*b})
	if err != nil {
		return nil, nil, err
	}
	return pr, &infos[0], nil
}

// createDefaultBranch gives an empty repository its default branch before
// a branch is created from it, as GitLab's Branches::CreateService does:
// an empty README.md committed by the caller ("Add README.md"), who must
// be allowed to push to that branch. Another writer's first commit in the
// meantime is as good.
func (s *Service) createDefaultBranch(ctx context.Context, id *auth.Identity, pr *ProjectRepo) error {
	empty, err := pr.Repo.IsEmpty(ctx)
	if err != nil {
		return fmt.Errorf("service: repository state: %w", err)
	}
	if !empty {
		return nil
	}
	def := s.defaultBranch(ctx, pr)
	if err := s.checkPush(ctx, pr, def); err != nil {
		return err
	}
	me := repo.Signature{Name: id.User.Name, Email: id.User.Email}
	_, err = pr.Repo.CommitFiles(ctx, repo.CommitRequest{Branch: def, Message: "Add README.md", Author: me,
		Actions: []repo.Action{{Kind: repo.ActionCreate, Path: "README.md", Content: []byte{}}}})
	if err != nil && !errors.Is(err, repo.ErrExists) {
		return commitError(err)
	}
	return s.markRepoNotEmpty(ctx, pr.Project)
}

// markRepoNonEmpty keeps the project's empty_repo flag true to the
// repository after a ref is created.
func (s *Service) markRepoNonEmpty(ctx context.Context, p *model.Project) error {
	if !p.EmptyRepo {
		return nil
	}
	p.EmptyRepo = false
	if err := s.db.WithTx(ctx, func(q *store.Queries) error { return q.UpdateProjectRepository(ctx, p) }); err != nil {
		return fmt.Errorf("service: update empty_repo: %w", err)
	}
	return nil
}

// GitLab's refusals when deleting a branch.
const (
	msgDeleteDefaultBranch   = "The default branch of a project cannot be deleted."
	msgDeleteProtectedBranch = "You are not allowed to delete protected branches from this project. " +
		"Only a project maintainer or owner can delete a protected branch."
)

// DeleteBranch deletes a branch. The default branch is never deleted, and
// protected branches only by Maintainers, as GitLab's push checks decide.
// A name no branch can have is GitLab's 400, as for reading.
func (s *Service) DeleteBranch(ctx context.Context, id *auth.Identity, projectRef, name string) error {
	pr, err := s.RepoForWrite(ctx, id, projectRef)
	if err != nil {
		return err
	}
	if !ValidBranchName(name) {
		return Invalid(MsgBranchRefnameInvalid)
	}
	b, err := pr.Repo.Branch(name)
	if err != nil {
		if errors.Is(err, repo.ErrNotFound) {
			return NotFound("Branch")
		}
		return fmt.Errorf("service: delete branch: %w", err)
	}
	if err := s.deletableBranch(ctx, pr, b.Name); err != nil {
		return err
	}
	if err := pr.Repo.DeleteBranch(ctx, b.Name, b.Target); err != nil {
		switch {
		case errors.Is(err, repo.ErrNotFound):
			return NotFound("Branch")
		case errors.Is(err, repo.ErrConflict):
			return Conflict("Branch was updated concurrently; try again")
		}
		return fmt.Errorf("service: delete branch: %w", err)
	}
	s.recordAPIPush(ctx, pr, id.User, gitBranchPrefix+b.Name, b.Target, "")
	return nil
}

// deletableBranch applies the default and protected branch rules.
func (s *Service) deletableBranch(ctx context.Context, pr *ProjectRepo, name string) error {
	if def, _ := pr.Repo.HeadBranch(); def == name {
		return Invalid(msgDeleteDefaultBranch)
	}
	rules, err := s.BranchRules(ctx, pr.Project)
	if err != nil {
		return fmt.Errorf("service: branch rules: %w", err)
	}
	if rules.Protected(name) && pr.Level < access.Maintainer {
		return Invalid(msgDeleteProtectedBranch)
	}
	return nil
}

// DeleteMergedBranches deletes every branch merged into the default branch
// except the default and protected branches. A branch that moves meanwhile
// is kept: each deletion is pinned to the commit that was found merged.
func (s *Service) DeleteMergedBranches(ctx context.Context, id *auth.Identity, projectRef string) error {
	pr, err := s.RepoForWrite(ctx, id, projectRef)
	if err != nil {
		return err
	}
	def, err := pr.Repo.HeadBranch()
	if err != nil {
		return fmt.Errorf("service: delete merged branches: %w", err)
	}
	d, err := pr.Repo.Branch(def)
	if errors.Is(err, repo.ErrNotFound) {
		return nil // empty repository: nothing is merged
	}
	if err != nil {
		return fmt.Errorf("service: delete merged branches: %w", err)
	}
	merged, err := pr.Repo.MergedBranches(ctx, d.Target)
	if err != nil {
		return fmt.Errorf("service: delete merged branches: %w", err)
	}
	all, err := pr.Repo.Branches(ctx)
	if err != nil {
		return fmt.Errorf("service: delete merged branches: %w", err)
	}
	rules, err := s.BranchRules(ctx, pr.Project)
	if err != nil {
		return fmt.Errorf("service: branch rules: %w", err)
	}
	for _, b := range all {
		if !merged[b.Name] || b.Name == def || rules.Protected(b.Name) {
			continue
		}
		if err := pr.Repo.DeleteBranch(ctx, b.Name, b.Target); err != nil &&
			!errors.Is(err, repo.ErrConflict) && !errors.Is(err, repo.ErrNotFound) {
			return fmt.Errorf("service: delete merged branch %q: %w", b.Name, err)
		}
	}
	return nil
}
