package graphql

import (
	"context"
	"fmt"
	"maps"
	"strconv"

	gql "github.com/99designs/gqlgen/graphql"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// queryComplexity is Query.queryComplexity: the score and limit the limits
// extension computed for this operation.
func (r *Resolver) queryComplexity(ctx context.Context) *QueryComplexity {
	c, _ := gql.GetOperationContext(ctx).Stats.GetExtension(complexityStats).(complexityScore)
	return &QueryComplexity{Score: &c.score, Limit: &c.limit}
}

// To-do items: CurrentUser.todos and the todoMarkDone and todosMarkAllDone
// mutations, through the service calls REST's /todos routes make (items
// on what the caller may no longer read are left out, as there).

var todoTargetTypes = map[TodoTargetEnum]string{
	TodoTargetEnumIssue: model.NoteableIssue, TodoTargetEnumMergerequest: model.NoteableMergeRequest,
	TodoTargetEnumCommit: "Commit", TodoTargetEnumEpic: "Epic", TodoTargetEnumDesign: "DesignManagement::Design",
	TodoTargetEnumAlert: "AlertManagement::Alert",
}

// todoFilter reads GitLab's list filters; lablet's list takes one value
// of each.
func todoFilter(action []TodoActionEnum, authorID, projectID, groupID []string, state []TodoStateEnum,
	typ []TodoTargetEnum) (service.TodoListInput, error) {
	var in service.TodoListInput
	for name, n := range map[string]int{"action": len(action), "authorId": len(authorID), "projectId": len(projectID),
		"groupId": len(groupID), "state": len(state), "type": len(typ)} {
		if n > 1 {
			return in, fmt.Errorf("lablet filters to-do items by one %s at a time", name)
		}
	}
	if len(action) == 1 {
		in.Action = string(action[0])
	}
	if len(state) == 1 {
		in.State = string(state[0])
	}
	if len(typ) == 1 {
		in.Type = todoTargetTypes[typ[0]]
	}
	for _, f := range []struct {
		kind string
		ids  []string
		dst  *int64
	}{{"User", authorID, &in.AuthorID}, {"Project", projectID, &in.ProjectID}, {"Group", groupID, &in.GroupID}} {
		if len(f.ids) == 1 {
			n, err := parseGID(f.kind, f.ids[0])
			if err != nil {
				return in, err
			}
			*f.dst = n
		}
	}
	return in, nil
}

func (r *Resolver) todos(ctx context.Context, in service.TodoListInput, after, before *string, first, last *int) (*TodoConnection, error) {
	id := callerOf(ctx)
	if !id.Authenticated() {
		return nil, nil
	}
	var page *service.TodoPage
	list, pg, total, err := pageOf(after, before, first, last, func(offset, limit int) ([]*model.Todo, int, error) {
		in.Offset, in.Limit = offset, limit
		p, err := r.svc.ListTodos(ctx, id, in)
		if err != nil {
			return nil, 0, err
		}
		page = p
		return p.Todos, p.Total, nil
	})
	if err != nil {
		return nil, err
	}
	c := &TodoConnection{Count: total, PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < total)}
	if len(list) == 0 {
		return c, nil
	}
	nodes, err := r.todoNodes(ctx, page)
	if err != nil {
		return nil, err
	}
	for i, n := range nodes {
		c.Nodes = append(c.Nodes, n)
		c.Edges = append(c.Edges, &TodoEdge{Cursor: cursor(pg.offset + i), Node: n})
	}
	return c, nil
}

// todoNodes renders a page of items: their authors and the projects of
// their issues and merge requests are read once for the page.
func (r *Resolver) todoNodes(ctx context.Context, page *service.TodoPage) ([]*Todo, error) {
	authors, err := usersOf(ctx, r, page.Todos, func(t *model.Todo) *int64 { return t.AuthorID })
	if err != nil {
		return nil, err
	}
	issues := make([]*model.Issue, 0, len(page.Issues))
	for _, i := range page.Issues {
		issues = append(issues, i)
	}
	mrs := make([]*model.MergeRequest, 0, len(page.MergeRequests))
	for _, m := range page.MergeRequests {
		mrs = append(mrs, m)
	}
	projects := map[int64]*model.Project{}
	if len(issues) > 0 {
		refs, err := r.svc.LoadIssueRefs(ctx, issues)
		if err != nil {
			return nil, err
		}
		projects = refs.Projects
	}
	if len(mrs) > 0 {
		refs, err := r.svc.LoadMergeRequestRefs(ctx, mrs)
		if err != nil {
			return nil, err
		}
		for k, p := range refs.Projects {
			projects[k] = p
		}
	}
	v := r.at(ctx)
	out := make([]*Todo, 0, len(page.Todos))
	for _, t := range page.Todos {
		n := &Todo{ID: gid("Todo", t.ID), Action: TodoActionEnum(t.Action), Body: t.Body, CreatedAt: t.CreatedAt,
			State: TodoStateEnum(t.State)}
		for e, name := range todoTargetTypes {
			if name == t.TargetType {
				n.TargetType = e
			}
		}
		if u := userOf(authors, t.AuthorID); u != nil {
			n.Author = v.userCore(u)
		}
		title, web := "", ""
		switch t.TargetType {
		case model.NoteableIssue:
			if i := page.Issues[t.TargetID]; i != nil && projects[i.ProjectID] != nil {
				title = i.Title
				web = v.base + "/" + projects[i.ProjectID].FullPath() + "/-/issues/" + strconv.FormatInt(i.IID, 10)
			}
		case model.NoteableMergeRequest:
			if m := page.MergeRequests[t.TargetID]; m != nil && projects[m.TargetProjectID] != nil {
				title = m.Title
				web = v.base + "/" + projects[m.TargetProjectID].FullPath() + "/-/merge_requests/" + strconv.FormatInt(m.IID, 10)
			}
		}
		if web != "" {
			if t.NoteID != nil {
				web += "#note_" + strconv.FormatInt(*t.NoteID, 10)
			}
			n.TargetURL = &web
			if n.Body == "" {
				n.Body = title // GitLab's Todo#body: the note's text, else the target's title
			}
		}
		out = append(out, n)
	}
	return out, nil
}

func (r *Resolver) todoMarkDone(ctx context.Context, in TodoMarkDoneInput) (*TodoMarkDonePayload, error) {
	page, err := func() (*service.TodoPage, error) {
		n, err := parseGID("Todo", in.ID)
		if err != nil {
			return nil, service.NotFound("Todo")
		}
		return r.svc.MarkTodoDone(ctx, callerOf(ctx), n)
	}()
	if err != nil {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &TodoMarkDonePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	nodes, err := r.todoNodes(ctx, page)
	if err != nil {
		return nil, err
	}
	return &TodoMarkDonePayload{ClientMutationID: in.ClientMutationID, Todo: nodes[0], Errors: []string{}}, nil
}

// todosMarkAllDone marks the caller's pending items done and answers them
// (GitLab's payload lists the items it updated).
func (r *Resolver) todosMarkAllDone(ctx context.Context, in TodosMarkAllDoneInput) (*TodosMarkAllDonePayload, error) {
	id := callerOf(ctx)
	if !id.Authenticated() {
		return nil, fmt.Errorf(msgNoAccess)
	}
	page := &service.TodoPage{Issues: map[int64]*model.Issue{}, MergeRequests: map[int64]*model.MergeRequest{}}
	for offset := 0; ; offset += maxPageSize {
		p, err := r.svc.ListTodos(ctx, id, service.TodoListInput{State: "pending", Offset: offset, Limit: maxPageSize})
		if err != nil {
			return nil, err
		}
		page.Todos = append(page.Todos, p.Todos...)
		maps.Copy(page.Issues, p.Issues)
		maps.Copy(page.MergeRequests, p.MergeRequests)
		if offset+maxPageSize >= p.Total {
			break
		}
	}
	if err := r.svc.MarkAllTodosDone(ctx, id); err != nil {
		return nil, err
	}
	nodes, err := r.todoNodes(ctx, page)
	if err != nil {
		return nil, err
	}
	for _, n := range nodes {
		n.State = TodoStateEnumDone
	}
	return &TodosMarkAllDonePayload{ClientMutationID: in.ClientMutationID, Todos: nodes, Errors: []string{}}, nil
}
