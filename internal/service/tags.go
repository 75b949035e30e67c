package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/repo"
)

// TagInfo is a tag with its peeled commit.
type TagInfo struct {
	repo.Tag
	Commit *repo.Commit
}

// TagFilter selects and orders tags as GitLab's TagsFinder.
type TagFilter struct {
	Search  string // as MatchRefName
	OrderBy string // name, updated (default) or version
	Sort    string // asc or desc (default)
}

// Tags lists a repository's tags, filtered and ordered, with one
// for-each-ref call (git sorts).
func (s *Service) Tags(ctx context.Context, id *auth.Identity, projectRef string, f TagFilter) (*ProjectRepo, []repo.Tag, error) {
	desc := f.Sort != "asc"
	var sort repo.RefSort
	switch f.OrderBy {
	case "name":
		sort = pick(desc, repo.SortNameDesc, repo.SortNameAsc)
	case "", "updated":
		sort = pick(desc, repo.SortUpdatedDesc, repo.SortUpdatedAsc)
	case "version":
		sort = pick(desc, repo.SortVersionDesc, repo.SortVersionAsc)
	default:
		return nil, nil, ParamError("order_by does not have a valid value")
	}
	if len(f.Search) > maxNameFilter {
		return nil, nil, Invalid("search is too long")
	}
	pr, err := s.RepoForRead(ctx, id, projectRef)
	if err != nil {
		return nil, nil, err
	}
	all, err := pr.Repo.TagsSorted(ctx, sort)
	if err != nil {
		return nil, nil, fmt.Errorf("service: list tags: %w", err)
	}
	out := all[:0]
	for _, t := range all {
		if MatchRefName(t.Name, f.Search) {
			out = append(out, t)
		}
	}
	return pr, out, nil
}

func pick[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}

// DescribeTags reads the tags' commits through one warm cat-file reader.
func (s *Service) DescribeTags(ctx context.Context, pr *ProjectRepo, tags []repo.Tag) ([]TagInfo, error) {
	ids := make([]string, 0, len(tags))
	for _, t := range tags {
		ids = append(ids, t.Commit)
	}
	commits, err := pr.Repo.CommitsByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("service: tag commits: %w", err)
	}
	out := make([]TagInfo, 0, len(tags))
	for _, t := range tags {
		out = append(out, TagInfo{Tag: t, Commit: commits[t.Commit]})
	}
	return out, nil
}

// Tag returns one tag, or 404 Tag Not Found.
func (s *Service) Tag(ctx context.Context, id *auth.Identity, projectRef, name string) (*ProjectRepo, *TagInfo, error) {
	pr, err := s.RepoForRead(ctx, id, projectRef)
	if err != nil {
		return nil, nil, err
	}
	ti, err := s.tagInfo(ctx, pr, name)
	return pr, ti, err
}

func (s *Service) tagInfo(ctx context.Context, pr *ProjectRepo, name string) (*TagInfo, error) {
	t, err := pr.Repo.Tag(ctx, name)
	if err != nil {
		if errors.Is(err, repo.ErrNotFound) {
			return nil, NotFound("Tag")
		}
		return nil, fmt.Errorf("service: tag: %w", err)
	}
	infos, err := s.DescribeTags(ctx, pr, []repo.Tag{*t})
	if err != nil {
		return nil, err
	}
	return &infos[0], nil
}

// NewTag is a tag to create; a non-blank Message makes it annotated.
type NewTag struct {
	Name    string
	Ref     string
	Message string
}

// maxTagMessage bounds annotated tag messages.
const maxTagMessage = 1 << 20

// CreateTag creates a tag (Developer or more, as GitLab's admin_tag),
// answering with GitLab's messages. The tagger is the caller.
func (s *Service) CreateTag(ctx context.Context, id *auth.Identity, projectRef string, in NewTag) (*ProjectRepo, *TagInfo, error) {
	pr, err := s.RepoForWrite(ctx, id, projectRef)
	if err != nil {
		return nil, nil, err
	}
	if !ValidTagName(in.Name) {
		return nil, nil, Invalid(MsgTagNameInvalid)
	}
	msg := strings.TrimSpace(in.Message)
	if len(msg) > maxTagMessage {
		return nil, nil, ParamError("message is too long")
	}
	sha, err := pr.Repo.ResolveRef(ctx, in.Ref)
	if err != nil {
		if errors.Is(err, repo.ErrNotFound) || errors.Is(err, repo.ErrInvalidRef) || errors.Is(err, repo.ErrInvalid) {
			return nil, nil, Invalid("Target " + in.Ref + " is invalid")
		}
		return nil, nil, fmt.Errorf("service: create tag: %w", err)
	}
	req := repo.TagRequest{Name: in.Name, Rev: sha, Message: msg,
		Tagger: repo.Signature{Name: id.User.Name, Email: id.User.Email, Date: s.Now()}}
	if _, err := pr.Repo.CreateTag(ctx, req); err != nil {
		switch {
		case errors.Is(err, repo.ErrExists):
			return nil, nil, Invalid("Tag " + in.Name + " already exists")
		case errors.Is(err, repo.ErrInvalidRef):
			return nil, nil, Invalid(MsgTagNameInvalid)
		case errors.Is(err, repo.ErrInvalid):
			return nil, nil, Invalid("Tag message or tagger is invalid")
		}
		return nil, nil, fmt.Errorf("service: create tag: %w", err)
	}
	if v, err := pr.Repo.RefValue("refs/tags/" + in.Name); err == nil && v != "" {
		s.recordAPIPush(ctx, pr, id.User, "refs/tags/"+in.Name, "", v)
	}
	ti, err := s.tagInfo(ctx, pr, in.Name)
	return pr, ti, err
}

// DeleteTag deletes a tag (Developer or more); 404 Tag Not Found if absent.
func (s *Service) DeleteTag(ctx context.Context, id *auth.Identity, projectRef, name string) error {
	pr, err := s.RepoForWrite(ctx, id, projectRef)
	if err != nil {
		return err
	}
	t, err := pr.Repo.Tag(ctx, name)
	if err != nil {
		if errors.Is(err, repo.ErrNotFound) {
			return NotFound("Tag")
		}
		return fmt.Errorf("service: delete tag: %w", err)
	}
	if err := pr.Repo.DeleteTag(ctx, name, t.Target); err != nil {
		switch {
		case errors.Is(err, repo.ErrNotFound):
			return NotFound("Tag")
		case errors.Is(err, repo.ErrConflict):
			return Conflict("Tag was updated concurrently; try again")
		}
		return fmt.Errorf("service: delete tag: %w", err)
	}
	s.recordAPIPush(ctx, pr, id.User, "refs/tags/"+name, t.Target, "")
	return nil
}
