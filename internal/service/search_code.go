package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
)

// FoundBlob is a file a code search found, as GitLab's FoundBlob: a block
// of matching lines, or for a file found by its path the file's start.
type FoundBlob struct {
	Path      string
	Basename  string // the path without its extension
	Data      string
	ID        string // the blob's id for a file found by path; "" (null) for a block
	Ref       string
	StartLine int
}

const (
	// searchCountLimit is GitLab's SearchResults::COUNT_LIMIT: code and
	// commit searches find up to this many results past the page's offset.
	searchCountLimit = 100
	// maxCodeResults bounds what one code search keeps where GitLab has no
	// bound: files found by path, and blocks when filters need them all.
	maxCodeResults = 10000
	// foundBlobHead is how much of a file found by its path is shown, as
	// GitLab's FoundBlob fetches it.
	foundBlobHead = 1024
)

// searchRepo is the repository of a searched project and the commit ref
// names, for the code scopes: nil when the caller may not read the code
// (GitLab shows those scopes' tabs only with read_code) or ref names
// nothing (an empty repository, an unknown ref).
func (s *Service) searchRepo(ctx context.Context, id *auth.Identity, p *model.Project, level access.Level, ref string) (*ProjectRepo, string, string, error) {
	if p == nil || !CanReadCode(id, p, level) { // code is searched in a project only
		return nil, "", "", nil
	}
	pr := &ProjectRepo{Project: p, Repo: s.repos.Open(p.ID), Level: level}
	if ref == "" {
		ref = s.defaultBranch(ctx, pr)
	}
	sha, err := pr.Repo.ResolveRef(ctx, ref)
	if errors.Is(err, repo.ErrNotFound) || errors.Is(err, repo.ErrInvalidRef) || errors.Is(err, repo.ErrInvalid) {
		return nil, "", "", nil
	}
	if err != nil {
		return nil, "", "", fmt.Errorf("service: search: resolve %q: %w", ref, err)
	}
	return pr, ref, sha, nil
}

// searchBlobs is GitLab's basic code search (FileFinder): the files whose
// path is the term, then the blocks of lines containing it, filtered by
// the query's filename:, path: and extension:; one page of them and their
// number.
func (s *Service) searchBlobs(ctx context.Context, id *auth.Identity, p *model.Project, level access.Level, in SearchInput) ([]FoundBlob, int, error) {
	pr, ref, sha, err := s.searchRepo(ctx, id, p, level, in.Ref)
	if pr == nil || err != nil {
		return nil, 0, err
	}
	kept, err := s.findBlobs(ctx, pr, ref, sha, parseBlobQuery(in.Text), searchCountLimit+in.Offset)
	if err != nil {
		return nil, 0, err
	}
	page := pageOf(kept, in.Offset, in.Limit)
	var ids []string
	for _, f := range page {
		if f.ID != "" {
			ids = append(ids, f.ID)
		}
	}
	heads, err := pr.Repo.BlobHeads(ctx, ids, foundBlobHead)
	if err != nil {
		return nil, 0, fmt.Errorf("service: search: read files: %w", err)
	}
	for i := range page {
		page[i].Basename = pathWithoutExtension(page[i].Path)
		if page[i].ID != "" {
			page[i].Data = string(heads[page[i].ID])
		}
	}
	return page, len(kept), nil
}

// findBlobs is the search of searchBlobs without paging: the files whose
// path is the query's term, then up to limit blocks of lines containing it,
// those the query's filters keep; files found by path without their data.
func (s *Service) findBlobs(ctx context.Context, pr *ProjectRepo, ref, sha string, q blobQuery, limit int) ([]FoundBlob, error) {
	var found []FoundBlob
	if name := rubyRegexpEscape(strings.TrimLeft(q.term, "/")); name != "" {
		files, err := pr.Repo.FilesByName(ctx, sha, name, maxCodeResults)
		if err != nil {
			return nil, fmt.Errorf("service: search files by name: %w", err)
		}
		for _, f := range files {
			found = append(found, FoundBlob{Path: f.Path, ID: f.ID, Ref: ref, StartLine: 1})
		}
	}
	if len(q.filters) > 0 {
		limit = maxCodeResults // filters may drop any of them
	}
	hits, err := pr.Repo.Grep(ctx, sha, q.term, limit)
	if err != nil && !errors.Is(err, repo.ErrInvalid) { // a term no line can hold
		return nil, fmt.Errorf("service: search file contents: %w", err)
	}
	for _, h := range hits {
		found = append(found, FoundBlob{Path: h.Path, Data: h.Data, Ref: ref, StartLine: h.StartLine})
	}
	kept := found[:0]
	for _, f := range found {
		if q.keep(f.Path) {
			kept = append(kept, f)
		}
	}
	return kept, nil
}

// searchCommits is GitLab's basic commit search: the commits of the ref
// whose message contains the search, and the commit the search names when
// it is a commit id; one page of them and their number.
func (s *Service) searchCommits(ctx context.Context, id *auth.Identity, p *model.Project, level access.Level, in SearchInput) ([]*repo.Commit, int, error) {
	text := strings.Trim(in.Text, " \t\n\v\f\r\x00") // Ruby's strip
	pr, _, sha, err := s.searchRepo(ctx, id, p, level, in.Ref)
	if pr == nil || err != nil || text == "" {
		return nil, 0, err
	}
	found, err := pr.Repo.CommitsByMessage(ctx, sha, text, 0, searchCountLimit+in.Offset)
	if err != nil && !errors.Is(err, repo.ErrInvalid) {
		return nil, 0, fmt.Errorf("service: search commits: %w", err)
	}
	if isCommitID(text) {
		c, err := pr.Repo.Commit(ctx, text)
		if errors.Is(err, repo.ErrNotFound) && text != strings.ToLower(text) {
			c, err = pr.Repo.Commit(ctx, strings.ToLower(text))
		}
		switch {
		case err == nil:
			if !slices.ContainsFunc(found, func(f *repo.Commit) bool { return f.ID == c.ID }) {
				found = append(found, c)
			}
		case !errors.Is(err, repo.ErrNotFound):
			return nil, 0, fmt.Errorf("service: search commit by id: %w", err)
		}
	}
	return pageOf(found, in.Offset, in.Limit), len(found), nil
}

// pageOf cuts the page at offset of at most limit items out of all.
func pageOf[T any](all []T, offset, limit int) []T {
	start := min(offset, len(all))
	return all[start:min(start+limit, len(all))]
}
