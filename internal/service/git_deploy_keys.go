package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// MsgGitDeployKeyUpload is GitLab's refusal of a push by a deploy key
// without write access.
const MsgGitDeployKeyUpload = "This deploy key does not have write access to this project."

// deployKeyGitRepo is GitRepo for a deploy key (GitLab's GitAccess with a
// deploy key actor): it reads the projects it is enabled on, whatever
// their visibility, and pushes where it may push (can_push), as its
// creator for events; any other project is not found.
func (s *Service) deployKeyGitRepo(ctx context.Context, k *model.Key, fullPath string, write bool) (*GitRepo, error) {
	q := s.db.Queries()
	p, err := machineGitProject(ctx, q, fullPath)
	if err != nil {
		return nil, err
	}
	link, err := q.DeployKeyProject(ctx, k.ID, p.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("Project")
	}
	if err != nil {
		return nil, fmt.Errorf("service: deploy key project: %w", err)
	}
	if s.repos == nil {
		return nil, errors.New("service: no repository store")
	}
	g := &GitRepo{Project: p, Level: access.Reporter, Repo: s.repos.Open(p.ID), DeployKey: true}
	if !write {
		return g, nil
	}
	switch {
	case !link.CanPush:
		return nil, Forbidden(MsgGitDeployKeyUpload)
	case p.Archived:
		return nil, Forbidden(MsgGitPushArchived)
	}
	g.Level = access.Developer
	g.HiddenRefs = ReservedRefPrefixes()
	if k.UserID != 0 {
		if g.Pusher, err = q.UserByID(ctx, k.UserID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("service: deploy key user: %w", err)
		}
	}
	return g, nil
}

// machineGitProject finds the project a deploy key's or deploy token's
// git request names, whatever its visibility (they act as no user):
// git URLs name projects by full path only.
func machineGitProject(ctx context.Context, q *store.Queries, fullPath string) (*model.Project, error) {
	if !strings.Contains(fullPath, "/") {
		return nil, NotFound("Project")
	}
	p, err := q.ProjectByFullPath(ctx, fullPath)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("Project")
	}
	if err != nil {
		return nil, fmt.Errorf("service: git project: %w", err)
	}
	return p, nil
}
