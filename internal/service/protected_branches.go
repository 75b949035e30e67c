package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// ValidBranchAccessLevel reports whether l is a level a protected branch
// may require for push or merge: 0 (no one), 30, 40 or 60 (administrators).
func ValidBranchAccessLevel(l int) bool {
	switch access.Level(l) {
	case access.NoAccess, access.Developer, access.Maintainer, access.Admin:
		return true
	}
	return false
}

// ValidUnprotectAccessLevel is ValidBranchAccessLevel without "no one":
// GitLab does not offer it for unprotecting.
func ValidUnprotectAccessLevel(l int) bool {
	return l != int(access.NoAccess) && ValidBranchAccessLevel(l)
}

// levelAllows reports whether a caller with level passes a rule's required
// level: 0 lets no one through, 60 only administrators.
func levelAllows(required int, level access.Level) bool {
	switch access.Level(required) {
	case access.NoAccess:
		return false
	case access.Admin:
		return level >= access.Admin
	}
	return level >= access.Level(required)
}

// BranchMatches reports whether a protected branch name or wildcard
// pattern matches branch. As in GitLab, "*" matches any run of characters,
// slashes included, and the match covers the whole name.
func BranchMatches(pattern, branch string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == branch
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(branch, parts[0]) {
		return false
	}
	rest := branch[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, mid)
		if i < 0 {
			return false
		}
		rest = rest[i+len(mid):]
	}
	return len(rest) >= len(last) && strings.HasSuffix(rest, last)
}

// BranchRules are a project's protection rules, loaded once to judge many
// branches (one query per push, however many refs it updates). When several
// rules match a branch the most permissive one wins, as GitLab documents.
type BranchRules struct {
	rules []*model.ProtectedBranch
}

// BranchRules loads the protection rules of p.
func (s *Service) BranchRules(ctx context.Context, p *model.Project) (*BranchRules, error) {
	rules, err := s.db.Queries().ProtectedBranches(ctx, p.ID, "")
	if err != nil {
		return nil, err
	}
	return &BranchRules{rules: rules}, nil
}

func (br *BranchRules) matching(branch string) []*model.ProtectedBranch {
	var out []*model.ProtectedBranch
	for _, r := range br.rules {
		if BranchMatches(r.Name, branch) {
			out = append(out, r)
		}
	}
	return out
}

// Protected reports whether any rule matches branch.
func (br *BranchRules) Protected(branch string) bool { return len(br.matching(branch)) > 0 }

// CanPush reports whether a caller with level may push to branch:
// Developer or more, and on a protected branch a matching rule's push level.
func (br *BranchRules) CanPush(level access.Level, branch string) bool {
	if level < access.Developer {
		return false
	}
	m := br.matching(branch)
	if len(m) == 0 {
		return true
	}
	for _, r := range m {
		if levelAllows(r.PushAccessLevel, level) {
			return true
		}
	}
	return false
}

// Closed reports whether branch is protected against a caller with level:
// they may neither push nor merge to it (GitLab's !can_update_branch?, which
// refuses pipelines and pipeline schedules on it).
func (br *BranchRules) Closed(level access.Level, branch string) bool {
	return br.Protected(branch) && !br.CanPush(level, branch) && !br.CanMerge(level, branch)
}

// CanMerge reports whether a caller with level may merge into branch.
func (br *BranchRules) CanMerge(level access.Level, branch string) bool {
	if level < access.Developer {
		return false
	}
	m := br.matching(branch)
	if len(m) == 0 {
		return true
	}
	for _, r := range m {
		if levelAllows(r.MergeAccessLevel, level) {
			return true
		}
	}
	return false
}

// ForcePushAllowed reports whether non-fast-forward updates of branch are
// allowed: unprotected branches, or a matching rule allowing force push.
func (br *BranchRules) ForcePushAllowed(branch string) bool {
	m := br.matching(branch)
	if len(m) == 0 {
		return true
	}
	for _, r := range m {
		if r.AllowForcePush {
			return true
		}
	}
	return false
}

// CanPushBranch reports whether a caller with level may push to branch of
// p, following its protected branches. The repository API's file and
// commit endpoints use it too.
func (s *Service) CanPushBranch(ctx context.Context, p *model.Project, level access.Level, branch string) (bool, error) {
	if level < access.Developer {
		return false, nil
	}
	br, err := s.BranchRules(ctx, p)
	if err != nil {
		return false, err
	}
	return br.CanPush(level, branch), nil
}

// CanForcePushBranch reports whether a caller with level may rewrite the
// history of branch: push rights and, on a protected branch, a matching
// rule that allows force push.
func (s *Service) CanForcePushBranch(ctx context.Context, p *model.Project, level access.Level, branch string) (bool, error) {
	br, err := s.BranchRules(ctx, p)
	if err != nil {
		return false, err
	}
	return br.CanPush(level, branch) && br.ForcePushAllowed(branch), nil
}

// ProtectedBranchInput are the settable fields of a protected branch; nil
// means not given.
type ProtectedBranchInput struct {
	Name                      *string
	PushAccessLevel           *int
	MergeAccessLevel          *int
	UnprotectAccessLevel      *int
	AllowForcePush            *bool
	CodeOwnerApprovalRequired *bool
}

// maxProtectedBranchName bounds a rule's name, like a ref name in GitLab.
const maxProtectedBranchName = 255

// validateProtectedBranchName checks a rule name: not blank, and with "*"
// read as any character, a name git would accept for a branch.
func validateProtectedBranchName(name string) error {
	if strings.TrimSpace(name) == "" {
		return &Error{Kind: KindUnprocessable, Message: "Name can't be blank"}
	}
	if len(name) > maxProtectedBranchName || !utf8.ValidString(name) ||
		repo.CheckRefFormat("refs/heads/"+strings.ReplaceAll(name, "*", "x")) != nil {
		return &Error{Kind: KindUnprocessable, Message: "Name is invalid"}
	}
	return nil
}

// protectedBranchNotFound is GitLab's answer for an unknown rule (a
// RecordNotFound in Rails: "404 Not found").
var protectedBranchNotFound = &Error{Kind: KindNotFound, Message: "Not found"}

// protectedBranchProject loads a project whose protected branches the
// caller manages: Maintainer or more (GitLab's admin_project).
func (s *Service) protectedBranchProject(ctx context.Context, id *auth.Identity, ref string) (*model.Project, access.Level, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, 0, err
	}
	if level < access.Maintainer {
		return nil, 0, Forbidden("")
	}
	return p, level, nil
}

// ListProtectedBranches lists a project's rules, optionally filtered by a
// part of their name.
func (s *Service) ListProtectedBranches(ctx context.Context, id *auth.Identity, ref, search string) ([]*model.ProtectedBranch, error) {
	p, _, err := s.protectedBranchProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	return s.db.Queries().ProtectedBranches(ctx, p.ID, search)
}

// ProtectedBranch returns one rule by its exact name or wildcard.
func (s *Service) ProtectedBranch(ctx context.Context, id *auth.Identity, ref, name string) (*model.ProtectedBranch, error) {
	p, _, err := s.protectedBranchProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	return s.protectedBranchByName(ctx, s.db.Queries(), p.ID, name)
}

func (s *Service) protectedBranchByName(ctx context.Context, q *store.Queries, projectID int64, name string) (*model.ProtectedBranch, error) {
	b, err := q.ProtectedBranchByName(ctx, projectID, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, protectedBranchNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: load protected branch: %w", err)
	}
	return b, nil
}

func protectedBranchExists(name string) error {
	return Conflict("Protected branch '" + name + "' already exists")
}

// ProtectBranch creates a rule; levels default to Maintainers, as in GitLab.
// Nobody creates a rule they could not unprotect, and so could neither
// update nor remove (GitLab's create_protected_branch under unprotection
// restrictions).
func (s *Service) ProtectBranch(ctx context.Context, id *auth.Identity, ref string, in ProtectedBranchInput) (*model.ProtectedBranch, error) {
	p, level, err := s.protectedBranchProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if in.Name == nil {
		return nil, ParamError("name is missing")
	}
	b := &model.ProtectedBranch{ProjectID: p.ID, Name: *in.Name, PushAccessLevel: int(access.Maintainer),
		MergeAccessLevel: int(access.Maintainer), UnprotectAccessLevel: int(access.Maintainer)}
	applyProtectedBranchInput(b, in)
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		// GitLab answers a duplicate before validating the rest.
		if _, err := q.ProtectedBranchByName(ctx, p.ID, b.Name); err == nil {
			return protectedBranchExists(b.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if !levelAllows(b.UnprotectAccessLevel, level) {
			return Forbidden("")
		}
		if err := validateProtectedBranchName(b.Name); err != nil {
			return err
		}
		if err := q.CreateProtectedBranch(ctx, b); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return protectedBranchExists(b.Name)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// UpdateProtectedBranch changes a rule (PATCH). Whoever may not unprotect
// the rule may not change it either: loosening or renaming it would undo
// the protection as surely as removing it (GitLab's
// update_protected_branch, judged on the rule as it stands).
func (s *Service) UpdateProtectedBranch(ctx context.Context, id *auth.Identity, ref, name string, in ProtectedBranchInput) (*model.ProtectedBranch, error) {
	p, level, err := s.protectedBranchProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	var b *model.ProtectedBranch
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		var err error
		if b, err = s.protectedBranchByName(ctx, q, p.ID, name); err != nil {
			return err
		}
		if !levelAllows(b.UnprotectAccessLevel, level) {
			return Forbidden("")
		}
		applyProtectedBranchInput(b, in)
		if b.Name != name {
			if err := validateProtectedBranchName(b.Name); err != nil {
				return err
			}
		}
		if err := q.UpdateProtectedBranch(ctx, b); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return protectedBranchExists(b.Name)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// UnprotectBranch removes a rule. Besides managing the project, the caller
// needs the rule's unprotect level.
func (s *Service) UnprotectBranch(ctx context.Context, id *auth.Identity, ref, name string) error {
	p, level, err := s.protectedBranchProject(ctx, id, ref)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		b, err := s.protectedBranchByName(ctx, q, p.ID, name)
		if err != nil {
			return err
		}
		if !levelAllows(b.UnprotectAccessLevel, level) {
			return Forbidden("")
		}
		return q.DeleteProtectedBranch(ctx, b.ID)
	})
}

func applyProtectedBranchInput(b *model.ProtectedBranch, in ProtectedBranchInput) {
	if in.Name != nil {
		b.Name = *in.Name
	}
	if in.PushAccessLevel != nil {
		b.PushAccessLevel = *in.PushAccessLevel
	}
	if in.MergeAccessLevel != nil {
		b.MergeAccessLevel = *in.MergeAccessLevel
	}
	if in.UnprotectAccessLevel != nil {
		b.UnprotectAccessLevel = *in.UnprotectAccessLevel
	}
	if in.AllowForcePush != nil {
		b.AllowForcePush = *in.AllowForcePush
	}
	if in.CodeOwnerApprovalRequired != nil {
		b.CodeOwnerApprovalRequired = *in.CodeOwnerApprovalRequired
	}
}

// moveDefaultBranchProtection follows a default branch set by the first
// push: the rule protecting the old default name now protects the new one,
// unless the new one already has a rule.
func (s *Service) moveDefaultBranchProtection(ctx context.Context, q *store.Queries, projectID int64, from, to string) error {
	if from == to {
		return nil
	}
	old, err := q.ProtectedBranchByName(ctx, projectID, from)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := q.ProtectedBranchByName(ctx, projectID, to); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	old.Name = to
	return q.UpdateProtectedBranch(ctx, old)
}
