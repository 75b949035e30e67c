package service

import (
	"context"
	"errors"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/repo"
)

// GitLab's words for wiki git access (Gitlab::GitAccessWiki).
const (
	MsgGitWikiDownloadNotAllowed = "You are not allowed to download files from this wiki."
	MsgGitWikiWriteNotAllowed    = "You are not allowed to write to this project's wiki."
)

// wikiGitRepo is GitRepo for "<full path>.wiki": ok is false for any other
// path. A project's wiki is looked for first, then a group's (a group and
// a project never share a full path). Fetching takes download_wiki_code
// (a project's: Reporter or public access, as code; a group's: read_wiki),
// pushing create_wiki (Developer); a disabled wiki is hidden from git. The
// repository is created on first access, as GitLab does.
func (s *Service) wikiGitRepo(ctx context.Context, id *auth.Identity, fullPath string, write bool) (g *GitRepo, ok bool, err error) {
	container, ok := strings.CutSuffix(fullPath, ".wiki")
	if !ok || container == "" {
		return nil, false, nil
	}
	if s.repos == nil {
		return nil, true, errors.New("service: no repository store")
	}
	g = &GitRepo{Wiki: true}
	var kind repo.WikiKind
	var holder int64
	var level access.Level
	p, plevel, err := s.VisibleProject(ctx, id, container)
	switch {
	case err == nil && strings.Contains(container, "/"):
		if !p.WikiEnabled {
			return nil, true, s.gitNotFound(id)
		}
		if !CanReadCode(id, p, plevel) {
			return nil, true, Forbidden(MsgGitWikiDownloadNotAllowed)
		}
		g.Project, kind, holder, level = p, repo.ProjectWiki, p.ID, plevel
		if write && p.Archived {
			return nil, true, Forbidden(MsgGitPushArchived)
		}
	case err == nil || KindOf(err) == KindNotFound:
		grp, glevel, gerr := s.VisibleGroup(ctx, id, container)
		if gerr != nil {
			if KindOf(gerr) == KindNotFound {
				return nil, true, s.gitNotFound(id)
			}
			return nil, true, gerr
		}
		if !GroupWikiCan(id, grp, glevel, access.ReadWiki) {
			return nil, true, Forbidden(MsgGitWikiDownloadNotAllowed)
		}
		kind, holder, level = repo.GroupWiki, grp.ID, glevel
	default:
		return nil, true, err
	}
	if write {
		switch {
		case !id.Authenticated():
			return nil, true, auth.ErrUnauthorized
		case !id.HasAnyScope(auth.ScopeAPI, auth.ScopeWriteRepository), id.CIJob != nil, level < access.Developer:
			return nil, true, Forbidden(MsgGitWikiWriteNotAllowed)
		}
		g.HiddenRefs = ReservedRefPrefixes()
		g.Pusher = id.User
	}
	g.Level = level
	if g.Repo, err = s.repos.EnsureWiki(ctx, kind, holder, WikiDefaultBranch); err != nil {
		return nil, true, err
	}
	return g, true, nil
}

// wikiAfterPush is all a wiki push does afterwards (no CI, hooks or merge
// requests, as GitLab): a wiki whose branch is missing takes the first
// pushed one, as a project's empty repository does. Failures are logged
// here: a group's wiki has no project for the caller to name.
func (s *Service) wikiAfterPush(ctx context.Context, g *GitRepo, changes []RefChange) error {
	head, err := g.Repo.DefaultBranch(ctx)
	if err != nil {
		s.log.ErrorContext(ctx, "wiki after push", "repo", g.Repo.Path(), "err", err)
		return nil
	}
	if v, _ := g.Repo.RefValue(gitBranchPrefix + head); v != "" {
		return nil
	}
	for _, c := range changes {
		if b, ok := strings.CutPrefix(c.Ref, gitBranchPrefix); ok && !c.IsDelete() {
			if err := g.Repo.SetDefaultBranch(ctx, b); err != nil {
				s.log.ErrorContext(ctx, "wiki after push", "repo", g.Repo.Path(), "err", err)
			}
			return nil
		}
	}
	return nil
}
