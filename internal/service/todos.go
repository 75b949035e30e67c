package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/markdown"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// TodoActions are the to-do list's action filter values.
var TodoActions = []string{model.TodoAssigned, model.TodoMentioned, "build_failed", model.TodoMarked,
	"approval_required", "unmergeable", model.TodoDirectlyAddressed, "merge_train_removed",
	"member_access_requested", model.TodoReviewRequested}

// mentions returns the users a text mentions (@username; not groups or
// @all), read as GitLab Flavored Markdown reads references, split as
// GitLab's Mentionable splits them: those it addresses directly — the
// user references opening a top-level paragraph ("@alice @bob, please
// look"), up to the first name that is no user or group, which GitLab
// leaves text — and the others.
func (s *Service) mentions(ctx context.Context, q *store.Queries, text string) (addressed, others []*model.User, err error) {
	refs := s.markdown.References(text)
	var names []string
	seen := map[string]bool{}
	for _, r := range refs {
		name := strings.ToLower(r.Name)
		if r.Kind != markdown.KindUser || name == "all" || seen[name] {
			continue
		}
		seen[name] = true
		names = append(names, r.Name)
	}
	if len(names) == 0 {
		return nil, nil, nil
	}
	users, err := q.UsersByUsernames(ctx, names)
	if err != nil {
		return nil, nil, fmt.Errorf("service: mentioned users: %w", err)
	}
	byName := make(map[string]*model.User, len(users))
	for _, u := range users {
		byName[strings.ToLower(u.Username)] = u
	}
	links, err := s.addressedGroups(ctx, q, refs, byName)
	if err != nil {
		return nil, nil, err
	}
	direct := map[int64]bool{}
	inRun := false
	for _, r := range refs {
		switch {
		case r.Kind != markdown.KindUser || r.Addressed == 0:
			inRun = false
			continue
		case r.Addressed == 1:
			inRun = true
		}
		name := strings.ToLower(r.Name)
		switch {
		case !inRun:
		case byName[name] != nil:
			direct[byName[name].ID] = true
		case name != "all" && !links[name]:
			inRun = false // left as text: the run ends here
		}
	}
	for _, u := range users {
		if direct[u.ID] {
			addressed = append(addressed, u)
		} else {
			others = append(others, u)
		}
	}
	return addressed, others, nil
}

// addressedGroups says which of the names opening paragraphs that are no
// user are groups: GitLab links those (and @all), so they do not end a
// run of directly addressed users. Looked up only when there are such
// names.
func (s *Service) addressedGroups(ctx context.Context, q *store.Queries, refs []markdown.Ref, users map[string]*model.User) (map[string]bool, error) {
	var paths []string
	for _, r := range refs {
		name := strings.ToLower(r.Name)
		if r.Kind == markdown.KindUser && r.Addressed > 0 && users[name] == nil && name != "all" {
			paths = append(paths, r.Name)
		}
	}
	if len(paths) == 0 {
		return nil, nil
	}
	nss, err := q.NamespacesByFullPaths(ctx, paths)
	if err != nil {
		return nil, fmt.Errorf("service: mentioned groups: %w", err)
	}
	out := map[string]bool{}
	for _, ns := range nss {
		if ns.IsGroup() {
			out[strings.ToLower(ns.FullPath)] = true
		}
	}
	return out, nil
}

// todoTarget is what a to-do item is about: its type and id, and whether
// a user other than the caller, with level on its project (which they
// see), may read it.
type todoTarget struct {
	typ      string
	id       int64
	readable func(who *auth.Identity, p *model.Project, level access.Level) bool
}

func issueTodoTarget(issue *model.Issue) todoTarget {
	return todoTarget{typ: model.NoteableIssue, id: issue.ID, readable: func(who *auth.Identity, p *model.Project, level access.Level) bool {
		return p.IssuesEnabled && CanReadIssue(who, level, issue)
	}}
}

func mergeRequestTodoTarget(m *model.MergeRequest) todoTarget {
	return todoTarget{typ: model.NoteableMergeRequest, id: m.ID, readable: func(who *auth.Identity, p *model.Project, level access.Level) bool {
		return ProjectCan(who, p, level, access.ReadMergeRequest)
	}}
}

// addIssueTodos is addTodos on an issue.
func (s *Service) addIssueTodos(ctx context.Context, q *store.Queries, p *model.Project, issue *model.Issue,
	authorID int64, action string, users []*model.User, note *model.Note) error {
	return s.addTodos(ctx, q, p, issueTodoTarget(issue), authorID, action, users, note)
}

// addTodos gives each of users a pending to-do item of action on a
// target (note: the comment that mentioned them), as GitLab's
// TodoService does: not to the author of the change, not to users who may
// not read the target or are not active, and, outside comments, not twice
// while one of the same action is pending.
func (s *Service) addTodos(ctx context.Context, q *store.Queries, p *model.Project, target todoTarget,
	authorID int64, action string, users []*model.User, note *model.Note) error {
	var noteID *int64
	body := ""
	if note != nil {
		// GitLab's Todo#body: the comment's text, else the target's title.
		noteID, body = &note.ID, note.Body
	}
	for _, u := range users {
		if u.ID == authorID || u.State != "active" {
			continue
		}
		ok, err := s.userCanRead(ctx, q, u, p, target)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		// A comment's mention is an item of its own; others are not
		// repeated while one is pending (InsertTodo adds none then).
		author := authorID
		if _, err := q.InsertTodo(ctx, &model.Todo{UserID: u.ID, ProjectID: &p.ID, AuthorID: &author,
			TargetType: target.typ, TargetID: target.id, Action: action, NoteID: noteID, Body: body}); err != nil {
			return err
		}
	}
	return nil
}

// userCanRead decides whether a user other than the caller reads target.
func (s *Service) userCanRead(ctx context.Context, q *store.Queries, u *model.User, p *model.Project, target todoTarget) (bool, error) {
	who := &auth.Identity{User: u, Owner: u}
	level := access.NoAccess
	if u.IsAdmin {
		level = access.Admin
	} else {
		l, err := q.ProjectAccessLevel(ctx, u.ID, p.ID, p.NamespaceID, s.Today())
		if err != nil {
			return false, fmt.Errorf("service: todo recipient's level: %w", err)
		}
		level = access.Level(l)
	}
	if !viewer(who).CanSee(p.VisibilityLevel, level) {
		return false, nil
	}
	return target.readable(who, p, level), nil
}

// usersByIDs lists the users with these ids that exist.
func usersByIDs(ctx context.Context, q *store.Queries, ids []int64) ([]*model.User, error) {
	byID, err := q.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*model.User, 0, len(ids))
	for _, id := range ids {
		if u := byID[id]; u != nil {
			out = append(out, u)
		}
	}
	return out, nil
}

// TodoListInput are the to-do list's filters.
type TodoListInput struct {
	Action    string
	AuthorID  int64
	ProjectID int64
	GroupID   int64
	State     string // "pending" (default) or "done"
	Type      string // "Issue" …
	Offset    int
	Limit     int
}

// TodoPage is a page of the caller's to-do items with the issues they
// are about (loaded in one query).
type TodoPage struct {
	Todos         []*model.Todo
	Issues        map[int64]*model.Issue
	MergeRequests map[int64]*model.MergeRequest
	Total         int
}

// loadTodoTargets reads the issues and merge requests of to-do items (with
// their relations), one query per kind.
func loadTodoTargets(ctx context.Context, q *store.Queries, page *TodoPage) error {
	var issueIDs, mrIDs []int64
	for _, t := range page.Todos {
		switch t.TargetType {
		case model.NoteableIssue:
			issueIDs = append(issueIDs, t.TargetID)
		case model.NoteableMergeRequest:
			mrIDs = append(mrIDs, t.TargetID)
		}
	}
	issues, err := q.IssuesByIDs(ctx, issueIDs)
	if err != nil {
		return err
	}
	mrs, err := q.MergeRequestsByIDs(ctx, mrIDs)
	if err != nil {
		return err
	}
	page.Issues = make(map[int64]*model.Issue, len(issues))
	for _, i := range issues {
		page.Issues[i.ID] = i
	}
	page.MergeRequests = make(map[int64]*model.MergeRequest, len(mrs))
	for _, m := range mrs {
		page.MergeRequests[m.ID] = m
	}
	return nil
}

// ListTodos lists the caller's to-do items, newest first. Items on issues
// the caller may no longer read are left out, as GitLab's TodosFinder
// does.
func (s *Service) ListTodos(ctx context.Context, id *auth.Identity, in TodoListInput) (*TodoPage, error) {
	state := in.State
	if state == "" {
		state = "pending"
	}
	q := s.db.Queries()
	todos, total, err := q.ListTodos(ctx, model.TodoFilter{UserID: id.User.ID, Action: in.Action, AuthorID: in.AuthorID,
		ProjectID: in.ProjectID, GroupID: in.GroupID, State: state, TargetType: in.Type, Offset: in.Offset, Limit: in.Limit})
	if err != nil {
		return nil, fmt.Errorf("service: list todos: %w", err)
	}
	page := &TodoPage{Todos: todos, Total: total}
	if err := loadTodoTargets(ctx, q, page); err != nil {
		return nil, err
	}
	levels := map[int64]access.Level{}
	projects := map[int64]*model.Project{}
	readable := func(projectID int64) (*model.Project, access.Level, error) {
		level, ok := levels[projectID]
		if !ok {
			p, err := q.ProjectByID(ctx, projectID)
			if err != nil {
				return nil, 0, fmt.Errorf("service: list todos: %w", err)
			}
			if level, err = s.ProjectLevel(ctx, id, p); err != nil {
				return nil, 0, err
			}
			if !viewer(id).CanSee(p.VisibilityLevel, level) {
				level = -1
			}
			levels[projectID], projects[projectID] = level, p
		}
		return projects[projectID], level, nil
	}
	page.Todos = nil
	for _, t := range todos {
		var keep bool
		switch t.TargetType {
		case model.NoteableIssue:
			if i := page.Issues[t.TargetID]; i != nil {
				_, level, err := readable(i.ProjectID)
				if err != nil {
					return nil, err
				}
				keep = level >= 0 && CanReadIssue(id, level, i)
			}
		case model.NoteableMergeRequest:
			if m := page.MergeRequests[t.TargetID]; m != nil {
				p, level, err := readable(m.TargetProjectID)
				if err != nil {
					return nil, err
				}
				keep = level >= 0 && ProjectCan(id, p, level, access.ReadMergeRequest)
			}
		}
		if keep {
			page.Todos = append(page.Todos, t)
		}
	}
	return page, nil
}

// MarkTodoDone marks one of the caller's items done; another user's, or
// an unknown id, is "404 Todo Not Found".
func (s *Service) MarkTodoDone(ctx context.Context, id *auth.Identity, todoID int64) (*TodoPage, error) {
	var t *model.Todo
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		var err error
		t, err = q.MarkTodoDone(ctx, id.User.ID, todoID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("Todo")
	}
	if err != nil {
		return nil, fmt.Errorf("service: mark todo done: %w", err)
	}
	page := &TodoPage{Todos: []*model.Todo{t}, Total: 1}
	if err := loadTodoTargets(ctx, s.db.Queries(), page); err != nil {
		return nil, err
	}
	return page, nil
}

// MarkAllTodosDone marks every pending item of the caller done.
func (s *Service) MarkAllTodosDone(ctx context.Context, id *auth.Identity) error {
	return s.db.WithTx(ctx, func(q *store.Queries) error { return q.MarkTodosDone(ctx, id.User.ID, "", 0) })
}

// MarkTodo adds a "marked" item on an issue or merge request the caller
// reads to their own list (POST …/issues/:iid/todo, …/merge_requests/:iid/todo);
// created is false when one is pending already (GitLab answers 304).
func (s *Service) MarkTodo(ctx context.Context, id *auth.Identity, ref NoteableRef) (*TodoPage, bool, error) {
	page := &TodoPage{Total: 1}
	var projectID, targetID int64
	switch ref.Type {
	case model.NoteableIssue:
		ip, err := s.VisibleIssue(ctx, id, ref.Project, ref.IID)
		if err != nil {
			return nil, false, err
		}
		projectID, targetID = ip.Project.ID, ip.Issue.ID
		page.Issues = map[int64]*model.Issue{ip.Issue.ID: ip.Issue}
	case model.NoteableMergeRequest:
		mp, err := s.VisibleMergeRequest(ctx, id, ref.Project, ref.IID)
		if err != nil {
			return nil, false, err
		}
		projectID, targetID = mp.Project.ID, mp.MR.ID
		page.MergeRequests = map[int64]*model.MergeRequest{mp.MR.ID: mp.MR}
	default:
		return nil, false, errRecordNotFound
	}
	uid := id.User.ID
	t := &model.Todo{UserID: uid, ProjectID: &projectID, AuthorID: &uid, TargetType: ref.Type,
		TargetID: targetID, Action: model.TodoMarked}
	added, err := s.db.Queries().InsertTodo(ctx, t)
	if err != nil || !added {
		return nil, false, err
	}
	page.Todos = []*model.Todo{t}
	return page, true, nil
}
