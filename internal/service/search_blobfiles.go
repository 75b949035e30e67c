package service

import (
	"context"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// maxBlobChunks is GitLab's Search::Zoekt::MultiMatch::MAX_CHUNKS_PER_FILE:
// the most blocks of lines one file of a blobSearch shows.
const maxBlobChunks = 50

// BlobFileSearchInput is a project code search grouped by file, as GraphQL's
// blobSearch asks it: the words, the page of files and the blocks per file.
type BlobFileSearchInput struct {
	ProjectRef string
	Text       string
	// Ref is the repository ref asked for; GitLab searches only the
	// default branch and refuses any other.
	Ref        string
	ChunkCount int
	Offset     int
	Limit      int
}

// BlobFile is one file a code search found: its blocks of lines (up to the
// chunk count), the matching lines in them and in all its blocks.
type BlobFile struct {
	Path            string
	Chunks          []BlobChunk
	MatchCount      int
	MatchCountTotal int
}

// BlobChunk is one block of lines of a found file and the number of its
// lines that match.
type BlobChunk struct {
	FoundBlob
	Matches int
}

// BlobFileSearch is one page of the files a project code search found,
// with the number of files and of matching lines in all of them.
type BlobFileSearch struct {
	Project    *model.Project
	Files      []BlobFile
	FileCount  int
	MatchCount int
}

// SearchBlobFiles runs the project code search of GET
// /projects/:id/search?scope=blobs (GitLab's basic search, the same
// permission answer: no project the caller may not read, nothing found
// without read_code) and groups what it finds by file, as GitLab's
// blobSearch shows results. A file found by its path alone has no blocks.
// A "match" is a line containing the term (as git grep matches).
func (s *Service) SearchBlobFiles(ctx context.Context, id *auth.Identity, in BlobFileSearchInput) (*BlobFileSearch, error) {
	if len(in.Text) > maxSearchLength {
		return nil, ParamError("search is too long")
	}
	p, level, err := s.VisibleProject(ctx, id, in.ProjectRef)
	if err != nil {
		return nil, err
	}
	if in.Ref != "" && (p.DefaultBranch == nil || *p.DefaultBranch != in.Ref) {
		return nil, ParamError("Search is only allowed in project default branch")
	}
	out := &BlobFileSearch{Project: p}
	pr, ref, sha, err := s.searchRepo(ctx, id, p, level, "")
	if pr == nil || err != nil {
		return out, err
	}
	q := parseBlobQuery(in.Text)
	found, err := s.findBlobs(ctx, pr, ref, sha, q, maxCodeResults)
	if err != nil {
		return nil, err
	}
	files := groupBlobFiles(found, strings.ToLower(q.term), min(max(in.ChunkCount, 0), maxBlobChunks))
	out.FileCount = len(files)
	for _, f := range files {
		out.MatchCount += f.MatchCountTotal
	}
	out.Files = pageOf(files, in.Offset, in.Limit)
	return out, nil
}

// groupBlobFiles gathers found blocks by path, in the order the paths were
// first found, keeping chunks blocks of each and counting the lines that
// contain term (lower case; git grep ignores case).
func groupBlobFiles(found []FoundBlob, term string, chunks int) []BlobFile {
	var files []BlobFile
	at := map[string]int{}
	for _, b := range found {
		i, ok := at[b.Path]
		if !ok {
			i = len(files)
			at[b.Path] = i
			files = append(files, BlobFile{Path: b.Path, Chunks: []BlobChunk{}})
		}
		if b.ID != "" { // found by its path: no lines
			continue
		}
		n := matchingLines(b.Data, term)
		f := &files[i]
		f.MatchCountTotal += n
		if len(f.Chunks) < chunks {
			f.Chunks = append(f.Chunks, BlobChunk{FoundBlob: b, Matches: n})
			f.MatchCount += n
		}
	}
	return files
}

// matchingLines counts the lines of data that contain term.
func matchingLines(data, term string) int {
	n := 0
	for line := range strings.Lines(data) {
		if strings.Contains(strings.ToLower(line), term) {
			n++
		}
	}
	return n
}
