package graphql

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/templates"
)

// projectCiTemplate is GitLab's Project.ciTemplate (TemplateFinder of
// gitlab_ci_ymls), the lookup of REST's GET /projects/:id/templates/
// gitlab_ci_ymls/:name: the Project it hangs on is one the caller may read
// (read_project, REST's check), so no statement runs per project; an
// unknown name is null.
func (r *Resolver) projectCiTemplate(obj *Project, name string) (*CiTemplate, error) {
	t, err := r.svc.FileTemplate(templates.GitlabCIYmls, name)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &CiTemplate{Name: t.Name, Content: t.Content}, nil
}

// msgNoZoekt is the error of GitLab's BlobSearchResolver when the search
// is not an exact code search (Zoekt).
const msgNoZoekt = "Zoekt search is not available for this request"

// blobSearchArgs are Query.blobSearch's arguments that lablet uses.
type blobSearchArgs struct {
	projectID, repositoryRef *string
	search                   string
	regex                    bool
	chunkCount, page         int
	perPage                  *int
}

// blobSearch is GitLab's Query.blobSearch over REST's project code search
// (GET /projects/:id/search?scope=blobs). GitLab answers it only with
// Zoekt; lablet has basic search alone, so a project the caller may read is
// searched as the basic search does (searchType BASIC), and what only Zoekt
// does is refused with GitLab's error: group and global searches, regex
// mode, and a project the caller may not read, which GitLab's
// SearchService drops, turning the search global. excludeForks and
// includeArchived change nothing in a project search, as in GitLab.
func (r *Resolver) blobSearch(ctx context.Context, a blobSearchArgs) (*BlobSearch, error) {
	start := time.Now()
	if a.projectID == nil || a.regex {
		return nil, errors.New(msgNoZoekt)
	}
	pid, err := parseGID("Project", *a.projectID)
	if err != nil {
		return nil, err
	}
	in := service.BlobFileSearchInput{ProjectRef: strconv.FormatInt(pid, 10), Text: a.search, ChunkCount: a.chunkCount}
	if a.repositoryRef != nil {
		in.Ref = *a.repositoryRef
	}
	in.Limit = 20 // Search::Zoekt::SearchResults::DEFAULT_PER_PAGE
	if a.perPage != nil {
		in.Limit = min(max(*a.perPage, 1), 100)
	}
	in.Offset = (max(a.page, 1) - 1) * in.Limit
	res, err := r.svc.SearchBlobFiles(ctx, callerOf(ctx), in)
	if hidden(err) {
		return nil, errors.New(msgNoZoekt)
	}
	if err != nil {
		return nil, err
	}
	web := r.at(ctx).base + "/" + res.Project.FullPath()
	out := &BlobSearch{FileCount: ptr(res.FileCount), MatchCount: ptr(res.MatchCount), PerPage: a.perPage,
		SearchLevel: ptr(SearchLevelProject), SearchType: ptr(SearchTypeBasic), Files: []*SearchBlobFileType{}}
	for _, f := range res.Files {
		file := &SearchBlobFileType{Path: ptr(f.Path), ProjectPath: ptr(res.Project.FullPath()),
			MatchCount: ptr(f.MatchCount), MatchCountTotal: ptr(f.MatchCountTotal), Chunks: []*SearchBlobChunk{}}
		if ref := branchOf(res); ref != "" {
			file.FileURL = ptr(web + "/-/blob/" + ref + "/" + f.Path)
			file.BlameURL = ptr(web + "/-/blame/" + ref + "/" + f.Path)
		}
		for _, c := range f.Chunks {
			chunk := &SearchBlobChunk{MatchCountInChunk: ptr(c.Matches), Lines: []*SearchBlobLine{}}
			n := c.StartLine
			for line := range strings.Lines(c.Data) {
				chunk.Lines = append(chunk.Lines, &SearchBlobLine{LineNumber: ptr(n), Text: ptr(strings.TrimSuffix(line, "\n"))})
				n++
			}
			file.Chunks = append(file.Chunks, chunk)
		}
		out.Files = append(out.Files, file)
	}
	out.DurationS = ptr(time.Since(start).Seconds())
	return out, nil
}

// branchOf is the branch a project code search read: the default branch.
func branchOf(res *service.BlobFileSearch) string {
	if res.Project.DefaultBranch == nil {
		return ""
	}
	return *res.Project.DefaultBranch
}
