package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// transferFailed is GitLab's API answer to a refused transfer: the
// project's errors, as Ruby prints them.
func transferFailed(msg string) error {
	return Invalid(fmt.Sprintf("Failed to transfer project {:new_namespace=>[%q]}", msg))
}

// TransferProject moves a project to another namespace (PUT
// /projects/:id/transfer): its Owner (change_namespace), into a namespace
// where they may create projects, where no project has its path or name.
// A project more open than its new group takes the group's visibility.
// The old full path stays as a redirect route. The repository does not
// move: it is stored under the project's id.
func (s *Service) TransferProject(ctx context.Context, id *auth.Identity, ref, nsRef string) (*model.Project, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if level < access.Owner {
		return nil, Forbidden("")
	}
	target, err := s.transferTarget(ctx, id, nsRef)
	if err != nil {
		return nil, err
	}
	if target.ID == p.NamespaceID {
		return nil, transferFailed("Project is already in this namespace.")
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		cur, err := q.ProjectByID(ctx, p.ID)
		if err != nil {
			return err
		}
		if err := q.LockNamespaceChain(ctx, target.ID); err != nil {
			return err
		}
		ref := fmt.Sprint(target.ID)
		ns, err := s.creationNamespace(ctx, q, id, id.User, &ref, false)
		if err != nil {
			return transferFailed("You don't have permission to transfer this project.")
		}
		// A project is no more open than its new group (GitLab's
		// update_namespace_and_visibility).
		visibility := cur.VisibilityLevel
		if ns.IsGroup() {
			visibility = min(visibility, ns.VisibilityLevel)
		}
		oldPath := cur.FullPath()
		err = q.MoveProject(ctx, cur.ID, cur.NamespaceID, ns.ID, visibility, oldPath, ns.FullPath+"/"+cur.Path)
		if errors.Is(err, store.ErrConflict) {
			return transferFailed("Project with same name or path in target namespace already exists")
		}
		if err != nil {
			return err
		}
		moved, err := q.ProjectByID(ctx, cur.ID)
		if err != nil {
			return err
		}
		return s.projectSystemHooks(ctx, q, moved, "project_transfer", oldPath)
	})
	if err != nil {
		return nil, err
	}
	moved, _, err := s.VisibleProject(ctx, id, fmt.Sprint(p.ID))
	return moved, err
}

// transferTarget finds the namespace a transfer names, by id or full path,
// among those the caller sees: GitLab's find_namespace!.
func (s *Service) transferTarget(ctx context.Context, id *auth.Identity, ref string) (*model.Namespace, error) {
	ns, err := s.namespaceByRef(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("Namespace")
	}
	if err != nil {
		return nil, err
	}
	if ns.IsGroup() {
		g, _, err := s.VisibleGroup(ctx, id, fmt.Sprint(ns.ID))
		if err != nil {
			return nil, NotFound("Namespace")
		}
		return g, nil
	}
	if !id.IsAdmin() && (ns.OwnerID == nil || *ns.OwnerID != id.User.ID) {
		return nil, NotFound("Namespace")
	}
	return ns, nil
}

// TransferLocations lists the groups a project's Owner may transfer it to
// (GET /projects/:id/transfer_locations): those where they may create
// projects, Maintainer and up, other than the project's own.
func (s *Service) TransferLocations(ctx context.Context, id *auth.Identity, ref string, o GroupListOptions) ([]*model.Namespace, int, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, 0, err
	}
	if level < access.Owner {
		return nil, 0, Forbidden("")
	}
	f := s.groupFilter(id, o)
	f.Admin = false
	f.MemberOnly = true
	f.MinAccessLevel = int(access.Maintainer)
	f.SkipIDs = append(f.SkipIDs, p.NamespaceID)
	return s.db.Queries().ListGroups(ctx, f)
}
