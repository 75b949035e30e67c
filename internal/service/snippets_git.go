package service

import (
	"context"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// MsgGitSnippetPushNotAllowed refuses pushes to snippet repositories,
// which lablet serves for cloning and fetching only.
const MsgGitSnippetPushNotAllowed = "You are not allowed to update this snippet."

// snippetRepoRef reads a snippet repository's git path: "snippets/<id>"
// for a personal snippet, "<project path>/-/snippets/<id>" for a project
// one. ok is false for any other path.
func snippetRepoRef(fullPath string) (SnippetRef, bool) {
	rest, project := fullPath, ""
	if before, after, found := strings.Cut(fullPath, "/-/snippets/"); found {
		rest, project = "snippets/"+after, before
	}
	idText, found := strings.CutPrefix(rest, "snippets/")
	if !found {
		return SnippetRef{}, false
	}
	n, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != idText {
		return SnippetRef{}, false
	}
	return SnippetRef{Project: project, ID: n}, true
}

// snippetGitRepo is GitRepo for a snippet's repository: whoever reads the
// snippet may clone and fetch it; a snippet the caller can't see is
// hidden as a project is. ok is false when fullPath names no snippet.
func (s *Service) snippetGitRepo(ctx context.Context, id *auth.Identity, fullPath string, write bool) (*GitRepo, bool, error) {
	ref, ok := snippetRepoRef(fullPath)
	if !ok {
		return nil, false, nil
	}
	v, err := s.GetSnippet(ctx, id, ref)
	if err != nil {
		if KindOf(err) == KindNotFound {
			return nil, true, s.gitNotFound(id)
		}
		return nil, true, err
	}
	if write {
		if !id.Authenticated() {
			return nil, true, auth.ErrUnauthorized
		}
		return nil, true, Forbidden(MsgGitSnippetPushNotAllowed)
	}
	p := v.Project
	if p == nil {
		// A personal snippet has no project; the git adapters read only
		// the repository of a fetch.
		p = &model.Project{}
	}
	return &GitRepo{Project: p, Level: v.Level, Repo: s.repos.OpenSnippet(v.Snippet.ID)}, true, nil
}

// snippetNoteable is the noteable a project snippet the caller reads
// provides (its iid is the snippet's id). Personal snippets take no notes
// through the API.
func (s *Service) snippetNoteable(ctx context.Context, id *auth.Identity, ref NoteableRef) (*Noteable, error) {
	v, err := s.GetSnippet(ctx, id, SnippetRef{Project: ref.Project, ID: ref.IID})
	if err != nil {
		return nil, err
	}
	return &Noteable{Type: model.NoteableSnippet, ID: v.Snippet.ID, AuthorID: v.Snippet.AuthorID, Project: v.Project,
		Level: v.Level}, nil
}
