package service

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// GitLab's refusals of what a credential's abilities do not cover
// (GitAccess's auth_download and auth_upload).
const (
	MsgGitAuthDownload = "You are not allowed to download code."
	MsgGitAuthUpload   = "You are not allowed to upload code."
)

// deployTokenGitRepo is GitRepo for a deploy token (GitLab's
// deploy_token_check and GitAccess with a deploy token actor): a project
// token reaches its project, a group token every project of its group and
// subgroups, whatever their visibility. A project out of its reach makes
// the credentials invalid (401), as GitLab's check finds no actor then.
// read_repository lets it fetch; no deploy token scope lets it push
// (GitLab has no write_repository for deploy tokens).
func (s *Service) deployTokenGitRepo(ctx context.Context, t *model.DeployToken, fullPath string, write bool) (*GitRepo, error) {
	q := s.db.Queries()
	p, err := machineGitProject(ctx, q, fullPath)
	if err != nil {
		return nil, err
	}
	reaches, err := s.deployTokenReaches(ctx, q, t, p)
	if err != nil {
		return nil, err
	}
	if !reaches {
		return nil, auth.ErrUnauthorized
	}
	switch {
	case write:
		return nil, Forbidden(MsgGitAuthUpload)
	case !t.HasScope(auth.ScopeReadRepository):
		return nil, Forbidden(MsgGitAuthDownload)
	}
	if s.repos == nil {
		return nil, errors.New("service: no repository store")
	}
	return &GitRepo{Project: p, Level: access.Reporter, Repo: s.repos.Open(p.ID)}, nil
}

// deployTokenReaches is DeployToken#has_access_to?: its own project, or
// for a group token a project whose namespace is the group or below it.
func (s *Service) deployTokenReaches(ctx context.Context, q *store.Queries, t *model.DeployToken, p *model.Project) (bool, error) {
	if t.ProjectID != nil {
		return *t.ProjectID == p.ID, nil
	}
	if t.GroupID == nil {
		return false, nil
	}
	if p.NamespaceID == *t.GroupID {
		return true, nil
	}
	ancestors, err := q.AncestorIDs(ctx, p.NamespaceID)
	if err != nil {
		return false, fmt.Errorf("service: deploy token group: %w", err)
	}
	return slices.Contains(ancestors, *t.GroupID), nil
}
