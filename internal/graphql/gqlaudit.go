package graphql

import (
	"context"
	"fmt"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Fields the coverage audit (docs/graphql-coverage.md) found REST serving
// and GitLab's GraphQL naming, but lablet's schema lacking: project
// counters, branch rules (GET /projects/:id/protected_branches) and the
// current user's status (GET /user/status).

// currentUserStatus is GET /user/status: null when none is set or it has
// expired, as GitLab's CurrentUser.status.
func (r *Resolver) currentUserStatus(ctx context.Context) (*UserStatus, error) {
	id := callerOf(ctx)
	if !id.Authenticated() {
		return nil, nil
	}
	st, err := r.svc.CurrentUserStatus(ctx, id)
	if err != nil || st == nil {
		return nil, err
	}
	return userStatusOf(st), nil
}

// accessLevelDescription is GitLab's ProtectedRefAccess#humanize for a
// role: "No one", "Maintainers", "Developers + Maintainers", "Administrators".
func accessLevelDescription(level int) string {
	switch access.Level(level) {
	case access.NoAccess:
		return "No one"
	case access.Developer:
		return "Developers + Maintainers"
	case access.Maintainer:
		return "Maintainers"
	case access.Admin:
		return "Administrators"
	}
	return strconv.Itoa(level)
}

// branchRules is Project.branchRules over the service's protected branch
// list, which only Maintainers may read (null for others, as REST's 403).
// matchingBranchesCount needs the branch names: read once per project.
func (r *Resolver) branchRules(ctx context.Context, p *Project, after, before *string, first, last *int) (*BranchRuleConnection, error) {
	caller := callerOf(ctx)
	rules, err := r.svc.ListProtectedBranches(ctx, caller, strconv.FormatInt(p.p.ID, 10), "")
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("graphql: branch rules: %w", err)
	}
	items, pg, total, err := pageOf(after, before, first, last, func(offset, limit int) ([]*model.ProtectedBranch, int, error) {
		if offset >= len(rules) {
			return nil, len(rules), nil
		}
		return rules[offset:min(offset+limit, len(rules))], len(rules), nil
	})
	if err != nil {
		return nil, err
	}
	var branches []string
	if len(items) > 0 {
		if branches, err = r.branchNames(ctx, p); err != nil {
			return nil, err
		}
	}
	c := &BranchRuleConnection{Count: total, PageInfo: pageInfo(pg, len(items), pg.offset+len(items) < total)}
	for i, pb := range items {
		n := 0
		for _, b := range branches {
			if service.BranchMatches(pb.Name, b) {
				n++
			}
		}
		node := &BranchRule{ID: gid("Projects::BranchRule", pb.ID), Name: pb.Name, IsDefault: p.p.DefaultBranch != nil && pb.Name == *p.p.DefaultBranch,
			IsProtected: true, MatchingBranchesCount: n, CreatedAt: ptr(pb.CreatedAt), UpdatedAt: ptr(pb.UpdatedAt),
			BranchProtection: branchProtection(pb)}
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &BranchRuleEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}

// branchNames lists the project's branches; none for an empty or missing
// repository.
func (r *Resolver) branchNames(ctx context.Context, p *Project) ([]string, error) {
	pr, err := r.openRepo(ctx, p)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("graphql: open repository: %w", err)
	}
	if !pr.Repo.Exists() {
		return nil, nil
	}
	bs, err := pr.Repo.Branches(ctx)
	if err != nil {
		return nil, fmt.Errorf("graphql: list branches: %w", err)
	}
	names := make([]string, 0, len(bs))
	for _, b := range bs {
		names = append(names, b.Name)
	}
	return names, nil
}

// branchProtection is a rule's protection: lablet keeps one role level
// each for merge and push, so each connection holds one entry.
func branchProtection(pb *model.ProtectedBranch) *BranchProtection {
	one := &PageInfo{StartCursor: ptr(cursor(0)), EndCursor: ptr(cursor(0))}
	merge := &MergeAccessLevel{AccessLevel: pb.MergeAccessLevel, AccessLevelDescription: accessLevelDescription(pb.MergeAccessLevel)}
	push := &PushAccessLevel{AccessLevel: pb.PushAccessLevel, AccessLevelDescription: accessLevelDescription(pb.PushAccessLevel)}
	return &BranchProtection{AllowForcePush: pb.AllowForcePush, CodeOwnerApprovalRequired: pb.CodeOwnerApprovalRequired,
		MergeAccessLevels: &MergeAccessLevelConnection{Count: 1, Nodes: []*MergeAccessLevel{merge},
			Edges: []*MergeAccessLevelEdge{{Cursor: cursor(0), Node: merge}}, PageInfo: one},
		PushAccessLevels: &PushAccessLevelConnection{Count: 1, Nodes: []*PushAccessLevel{push},
			Edges: []*PushAccessLevelEdge{{Cursor: cursor(0), Node: push}}, PageInfo: one}}
}
