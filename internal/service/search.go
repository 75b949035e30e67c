package service

import (
	"context"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// Search scopes of the three levels, as GitLab's basic search (Community
// Edition, no Elasticsearch) offers them: code, commits and wikis only in a
// project; elsewhere they are not valid values. Merge requests, snippets
// and wikis find nothing until they exist.
var (
	GlobalSearchScopes  = []string{"projects", "issues", "merge_requests", "milestones", "snippet_titles", "users"}
	GroupSearchScopes   = []string{"projects", "issues", "merge_requests", "milestones", "users"}
	ProjectSearchScopes = []string{"issues", "merge_requests", "milestones", "notes", "wiki_blobs", "commits", "blobs", "users"}
)

// maxSearchLength bounds a search term, as GitLab refuses longer ones.
const maxSearchLength = 4096

// SearchInput is one search: the scope, the words, where (a group or a
// project, or neither for the whole instance) and the documented filters.
type SearchInput struct {
	Scope        string
	Text         string
	GroupRef     string
	ProjectRef   string
	State        string // issues: opened, closed
	Confidential *bool  // issues
	Ref          string // blobs, commits: the branch, tag or commit searched; "" for the default branch
	Asc          bool
	Offset       int
	Limit        int
}

// SearchResult holds the page of the one scope searched and whether a
// next page exists. GitLab pages most search results without counting
// them; a project's notes and users are counted (Counted, Total).
type SearchResult struct {
	More     bool
	Counted  bool
	Total    int
	Projects *ProjectList
	// Issues is the page of issues found, named (Key, Version) so that
	// its rendering may be kept as a list page's is.
	Issues     *IssuePage
	Milestones []*MilestoneView
	Notes      []*model.Note
	// NoteIIDs are the iids of the issues the notes are on, by issue id;
	// NoteUsers their authors and resolvers.
	NoteIIDs  map[int64]int64
	NoteUsers map[int64]*model.User
	Users     []*model.User
	Blobs     []FoundBlob
	Commits   []*repo.Commit
	// Project is the project searched, for project searches.
	Project *model.Project
}

// Search runs a search as GitLab's basic search does, with the caller's
// permissions: issues, notes and milestones through the databases'
// full-text indexes, projects and users through their list filters.
func (s *Service) Search(ctx context.Context, id *auth.Identity, in SearchInput) (*SearchResult, error) {
	if len(in.Text) > maxSearchLength {
		return nil, ParamError("search is too long")
	}
	f := model.SearchFilter{Text: in.Text, State: in.State, Confidential: in.Confidential, Asc: in.Asc,
		Offset: in.Offset, Limit: in.Limit, Today: s.Today(), MinVisibility: access.Public}
	if id.Authenticated() {
		f.ViewerID, f.Admin = id.User.ID, id.IsAdmin()
		if !id.User.External {
			f.MinVisibility = access.Internal
		}
	}
	out := &SearchResult{}
	var err error
	var level access.Level
	switch {
	case in.ProjectRef != "":
		var p *model.Project
		if p, level, err = s.VisibleProject(ctx, id, in.ProjectRef); err != nil {
			return nil, err
		}
		f.ProjectID, out.Project = p.ID, p
	case in.GroupRef != "":
		g, _, err := s.VisibleGroup(ctx, id, in.GroupRef)
		if err != nil {
			return nil, err
		}
		f.GroupID = g.ID
	}
	switch in.Scope {
	case "issues":
		var found store.IssueList
		if found, out.More, err = s.db.Queries().SearchIssues(ctx, f); err == nil {
			out.Issues = &IssuePage{Issues: found.Issues, Key: found.Key, Version: found.Version}
		}
	case "milestones":
		var list []*model.Milestone
		if list, out.More, err = s.db.Queries().SearchMilestones(ctx, f); err == nil {
			out.Milestones, err = s.milestoneViews(ctx, list)
		}
	case "notes":
		if out.Notes, out.Total, err = s.db.Queries().SearchNotes(ctx, f); err == nil {
			out.Counted, out.More = true, in.Offset+len(out.Notes) < out.Total
			err = s.noteContext(ctx, out)
		}
	case "projects":
		o := ProjectListOptions{Search: in.Text, OrderBy: "created_at", Desc: !in.Asc, Offset: in.Offset,
			Limit: in.Limit, Count: true}
		if f.GroupID != 0 {
			o.IncludeSubgroups = true
			out.Projects, err = s.GroupProjects(ctx, id, in.GroupRef, o)
		} else {
			out.Projects, err = s.ListProjects(ctx, id, o)
		}
		if err == nil {
			out.More = in.Offset+len(out.Projects.Projects) < out.Projects.Total
		}
	case "users":
		out.Users, out.Total, err = s.searchUsers(ctx, id, in)
		out.More = in.Offset+len(out.Users) < out.Total
		out.Counted = in.ProjectRef != ""
	case "blobs":
		// Found blobs and commits are counted (up to a limit past the
		// page), as GitLab's project search counts them.
		out.Blobs, out.Total, err = s.searchBlobs(ctx, id, out.Project, level, in)
		out.Counted, out.More = true, in.Offset+len(out.Blobs) < out.Total
	case "commits":
		out.Commits, out.Total, err = s.searchCommits(ctx, id, out.Project, level, in)
		out.Counted, out.More = true, in.Offset+len(out.Commits) < out.Total
	default:
		// Scopes of features lablet does not have yet find nothing; a
		// project's wiki blobs are counted (none).
		out.Counted = in.Scope == "wiki_blobs"
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service: search %s: %w", in.Scope, err)
	}
	return out, nil
}

// searchUsers finds users by name or username: any the caller may list
// for a global search, the members of the group or project searched.
func (s *Service) searchUsers(ctx context.Context, id *auth.Identity, in SearchInput) ([]*model.User, int, error) {
	var src *MemberSource
	var err error
	switch {
	case in.ProjectRef != "":
		src, err = s.ProjectMemberSource(ctx, id, in.ProjectRef)
	case in.GroupRef != "":
		src, err = s.GroupMemberSource(ctx, id, in.GroupRef)
	default:
		return s.ListUsers(ctx, id, UserListInput{Search: in.Text, Active: true, Offset: in.Offset, Limit: in.Limit})
	}
	if err != nil {
		return nil, 0, err
	}
	views, total, err := s.ListMembers(ctx, src, true, model.MemberFilter{Query: in.Text, Offset: in.Offset, Limit: in.Limit})
	if err != nil {
		return nil, 0, err
	}
	users := make([]*model.User, 0, len(views))
	for _, v := range views {
		users = append(users, v.User)
	}
	return users, total, nil
}

// SearchScopeValid reports whether scope may be searched at that level:
// "global", "group" or "project".
func SearchScopeValid(level, scope string) bool {
	switch level {
	case "group":
		return slices.Contains(GroupSearchScopes, scope)
	case "project":
		return slices.Contains(ProjectSearchScopes, scope)
	}
	return slices.Contains(GlobalSearchScopes, scope)
}

// noteContext loads what found notes are shown with: their issues' iids
// and their authors and resolvers, one query each.
func (s *Service) noteContext(ctx context.Context, out *SearchResult) error {
	var issueIDs, userIDs []int64
	for _, n := range out.Notes {
		issueIDs = append(issueIDs, n.NoteableID)
		for _, u := range []*int64{n.AuthorID, n.ResolvedByID} {
			if u != nil {
				userIDs = append(userIDs, *u)
			}
		}
	}
	issues, err := s.db.Queries().IssuesByIDs(ctx, issueIDs)
	if err != nil {
		return err
	}
	out.NoteIIDs = make(map[int64]int64, len(issues))
	for _, i := range issues {
		out.NoteIIDs[i.ID] = i.IID
	}
	out.NoteUsers, err = s.UsersByIDs(ctx, userIDs)
	return err
}
