package service

import (
	"context"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
)

// ProjectRepo is a visible project with its repository and the caller's
// level on it.
type ProjectRepo struct {
	Project *model.Project
	Repo    *repo.Repo
	Level   access.Level
}

// RepoForRead loads the project named by ref for reading its repository.
// As GitLab's API finds the project (404 Project Not Found when invisible)
// before it authorizes read_code (403 Forbidden), a caller who sees the
// project without code access is refused with 403: see CanReadCode.
func (s *Service) RepoForRead(ctx context.Context, id *auth.Identity, ref string) (*ProjectRepo, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if !CanReadCode(id, p, level) {
		return nil, Forbidden("")
	}
	return &ProjectRepo{Project: p, Repo: s.repos.Open(p.ID), Level: level}, nil
}

// CanReadCode reports whether a caller with level on p, who sees it, may
// read its repository (GitLab's read_code and download_code): anyone on a
// public project; on an internal one signed-in users who are not external
// (internal_access); otherwise Reporter or more — guests see no code, and
// external users need Reporter even on internal projects.
func CanReadCode(id *auth.Identity, p *model.Project, level access.Level) bool {
	switch {
	case level >= access.Reporter, p.VisibilityLevel >= access.Public:
		return true
	case p.VisibilityLevel >= access.Internal:
		return id.Authenticated() && !id.User.External
	}
	return false
}

// RepoForWrite loads the project for a write to its repository: Developer or
// more, and the project must not be archived. Which branches the caller may
// change is decided per branch by CanPushBranch.
func (s *Service) RepoForWrite(ctx context.Context, id *auth.Identity, ref string) (*ProjectRepo, error) {
	pr, err := s.RepoForRead(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if pr.Level < access.Developer || pr.Project.Archived {
		return nil, Forbidden("")
	}
	return pr, nil
}
