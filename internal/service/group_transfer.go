package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// groupTransferFailed is GitLab's answer to a refused group transfer
// (Groups::TransferService#localized_error_messages).
func groupTransferFailed(msg string) error {
	return Invalid("Transfer failed: " + msg)
}

// mayCreateSubgroup reports whether a caller with level on parent may
// create a subgroup in it (GitLab's create_subgroup).
func mayCreateSubgroup(id *auth.Identity, parent *model.Namespace, level access.Level) bool {
	need := access.Maintainer
	if parent.SubgroupCreationLevel == "owner" {
		need = access.Owner
	}
	return id.IsAdmin() || level >= need
}

// TransferGroup moves a group below another (POST /groups/:id/transfer),
// or to the top level when newParentID is nil, with every subgroup and
// project under it: the group's Owner, who may create subgroups in the new
// parent (or groups at the top level). The group and everything below it
// are made no more open than the new parent; the projects' old full paths
// stay as redirect routes. Repositories are stored by project id, so no
// file moves.
func (s *Service) TransferGroup(ctx context.Context, id *auth.Identity, ref string, newParentID *int64) (*model.Namespace, error) {
	g, level, err := s.VisibleGroup(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if level < access.Owner {
		return nil, Forbidden("")
	}
	var parent *model.Namespace
	var parentLevel access.Level
	if newParentID != nil {
		if parent, parentLevel, err = s.VisibleGroup(ctx, id, strconv.FormatInt(*newParentID, 10)); err != nil {
			return nil, err
		}
	}
	switch {
	case parent == nil && g.ParentID == nil:
		return nil, groupTransferFailed("Group is already a root group.")
	case parent != nil && g.ParentID != nil && *g.ParentID == parent.ID:
		return nil, groupTransferFailed("Group is already associated to the parent group.")
	case parent != nil && !mayCreateSubgroup(id, parent, parentLevel),
		parent == nil && !id.IsAdmin() && !id.User.CanCreateGroup:
		return nil, groupTransferFailed("You don't have enough permissions.")
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		cur, err := q.NamespaceByID(ctx, g.ID)
		if err != nil {
			return err
		}
		visibility := cur.VisibilityLevel
		var parentRef *int64
		if parent != nil {
			if err := q.LockNamespaceChain(ctx, parent.ID); err != nil {
				return err
			}
			if parent, err = q.NamespaceByID(ctx, parent.ID); err != nil {
				return err
			}
			parentRef = &parent.ID
			visibility = min(visibility, parent.VisibilityLevel)
		}
		taken, err := q.NamespacePathTakenBelow(ctx, parentRef, cur.Path)
		if err != nil {
			return err
		}
		if taken {
			return groupTransferFailed("The parent group already has a subgroup or a project with the same path.")
		}
		if parent != nil {
			ancestors, err := q.AncestorIDs(ctx, parent.ID)
			if err != nil {
				return err
			}
			if parent.ID == cur.ID || containsID(ancestors, cur.ID) {
				return groupTransferFailed("Cannot transfer group to one of its subgroup.")
			}
			// The group's own validation (nesting_level_allowed).
			if parent.Depth+1 > MaxGroupAncestors {
				return groupTransferFailed("Validation failed: Parent has too deep level of nesting")
			}
		}
		if err := q.MoveNamespace(ctx, cur.ID, parentRef, visibility); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return groupTransferFailed("The parent group already has a subgroup or a project with the same path.")
			}
			return fmt.Errorf("service: transfer group: %w", err)
		}
		return s.ensureGroupOwner(ctx, q, id, cur.ID, parent == nil)
	})
	if err != nil {
		return nil, err
	}
	moved, _, err := s.VisibleGroup(ctx, id, strconv.FormatInt(g.ID, 10))
	return moved, err
}

// ensureGroupOwner makes the caller an Owner of a group promoted to the
// top level that has none left (GitLab's ensure_ownership).
func (s *Service) ensureGroupOwner(ctx context.Context, q *store.Queries, id *auth.Identity, nsID int64, topLevel bool) error {
	if !topLevel {
		return nil
	}
	owners, err := q.CountOtherOwners(ctx, nsID, 0, s.Today())
	if err != nil || owners > 0 {
		return err
	}
	uid := id.User.ID
	return q.UpsertMember(ctx, &model.Member{SourceType: model.SourceNamespace, SourceID: nsID, UserID: uid,
		AccessLevel: int(access.Owner), CreatedByID: &uid})
}

// GroupTransferLocations lists the groups a group's Owner may move it to
// (GET /groups/:id/transfer_locations): those where they may create
// subgroups, other than the group, its subgroups and its parent.
func (s *Service) GroupTransferLocations(ctx context.Context, id *auth.Identity, ref string, o GroupListOptions) ([]*model.Namespace, int, error) {
	g, level, err := s.VisibleGroup(ctx, id, ref)
	if err != nil {
		return nil, 0, err
	}
	if level < access.Owner {
		return nil, 0, Forbidden("")
	}
	q := s.db.Queries()
	skip, err := q.DescendantIDs(ctx, g.ID)
	if err != nil {
		return nil, 0, err
	}
	skip = append(skip, g.ID)
	if g.ParentID != nil {
		skip = append(skip, *g.ParentID)
	}
	f := s.groupFilter(id, o)
	f.Admin = false
	f.MemberOnly = true
	f.MinAccessLevel = int(access.Maintainer)
	f.SkipIDs = append(f.SkipIDs, skip...)
	if f.OrderBy == "" {
		f.OrderBy = "name"
	}
	return q.ListGroups(ctx, f)
}

// TransferProjectToGroup moves a project into a group as an administrator
// (POST /groups/:id/projects/:project_id), through the project transfer.
func (s *Service) TransferProjectToGroup(ctx context.Context, id *auth.Identity, groupRef, projectRef string) (*model.Namespace, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	g, _, err := s.VisibleGroup(ctx, id, groupRef)
	if err != nil {
		return nil, err
	}
	if _, err := s.TransferProject(ctx, id, projectRef, strconv.FormatInt(g.ID, 10)); err != nil {
		return nil, err
	}
	return g, nil
}
