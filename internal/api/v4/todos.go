package v4

import (
	"net/http"
	"strconv"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// ProjectIdentity is GitLab's Entities::ProjectIdentity.
type ProjectIdentity struct {
	ID                int64  `json:"id"`
	Description       string `json:"description"`
	Name              string `json:"name"`
	NameWithNamespace string `json:"name_with_namespace"`
	Path              string `json:"path"`
	PathWithNamespace string `json:"path_with_namespace"`
	CreatedAt         string `json:"created_at"`
}

// ProjectIdentityOf is p as Entities::ProjectIdentity shows it.
func ProjectIdentityOf(p *model.Project) ProjectIdentity {
	return ProjectIdentity{ID: p.ID, Description: p.Description, Name: p.Name, NameWithNamespace: p.FullName(),
		Path: p.Path, PathWithNamespace: p.FullPath(), CreatedAt: TS(p.CreatedAt)}
}

// todoEntity is GitLab's Entities::Todo.
type todoEntity struct {
	ID         int64            `json:"id"`
	Project    *ProjectIdentity `json:"project"`
	Author     *BasicUser       `json:"author"`
	ActionName string           `json:"action_name"`
	TargetType string           `json:"target_type"`
	Target     any              `json:"target"`
	TargetURL  string           `json:"target_url"`
	Body       string           `json:"body"`
	State      string           `json:"state"`
	CreatedAt  time.Time        `json:"created_at"`
	UpdatedAt  time.Time        `json:"updated_at"`
}

// writeTodos renders to-do items with their issues, whose authors,
// projects, labels and milestones are loaded in one batch.
func (a *API) writeTodos(w http.ResponseWriter, r *http.Request, page *service.TodoPage, status int, list bool) error {
	issues := make([]*model.Issue, 0, len(page.Issues))
	for _, i := range page.Issues {
		issues = append(issues, i)
	}
	refs, err := a.svc.LoadIssueRefs(r.Context(), issues)
	if err != nil {
		return err
	}
	mrs := make([]*model.MergeRequest, 0, len(page.MergeRequests))
	for _, m := range page.MergeRequests {
		mrs = append(mrs, m)
	}
	mrRefs, err := a.svc.LoadMergeRequestRefs(r.Context(), mrs)
	if err != nil {
		return err
	}
	var authorIDs []int64
	for _, t := range page.Todos {
		if t.AuthorID != nil {
			authorIDs = append(authorIDs, *t.AuthorID)
		}
	}
	authors, err := a.svc.UsersByIDs(r.Context(), authorIDs)
	if err != nil {
		return err
	}
	base := a.BaseURL(r)
	ir := a.newIssueRenderer(base, refs, false)
	mr := a.newIssueRenderer(base, mrRefs, false)
	out := make([]todoEntity, 0, len(page.Todos))
	for _, t := range page.Todos {
		e := todoEntity{ID: t.ID, ActionName: t.Action, TargetType: t.TargetType, State: t.State,
			CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Body: t.Body}
		if t.AuthorID != nil && authors[*t.AuthorID] != nil {
			b := a.basicUser(r, authors[*t.AuthorID])
			e.Author = &b
		}
		if t.ProjectID != nil {
			p := refs.Projects[*t.ProjectID]
			if p == nil {
				p = mrRefs.Projects[*t.ProjectID]
			}
			if p != nil {
				pi := ProjectIdentityOf(p)
				e.Project = &pi
			}
		}
		title := ""
		switch t.TargetType {
		case model.NoteableIssue:
			if i := page.Issues[t.TargetID]; i != nil {
				ie := ir.issue(i)
				e.Target, e.TargetURL, title = ie, ie.WebURL, i.Title
			}
		case model.NoteableMergeRequest:
			if m := page.MergeRequests[t.TargetID]; m != nil {
				me := mr.mergeRequest(m)
				e.Target, e.TargetURL, title = me, me.WebURL, m.Title
			}
		}
		if e.Target != nil {
			if t.NoteID != nil {
				e.TargetURL += "#note_" + strconv.FormatInt(*t.NoteID, 10)
			}
			if e.Body == "" {
				e.Body = title // GitLab's Todo#body: the note's text, else the target's title
			}
		}
		out = append(out, e)
	}
	if !list {
		WriteJSON(w, status, out[0])
		return nil
	}
	return WriteOK(w, out)
}

func (a *API) listTodos(w http.ResponseWriter, r *http.Request, c *Call) error {
	var in service.TodoListInput
	var err error
	if in.Action, _, err = c.params.OneOf("action", service.TodoActions...); err != nil {
		return err
	}
	if in.State, _, err = c.params.OneOf("state", "pending", "done"); err != nil {
		return err
	}
	if in.Type, _, err = c.params.OneOf("type", "Issue", "MergeRequest", "Commit", "Epic", "DesignManagement::Design",
		"AlertManagement::Alert", "Project", "Namespace", "Vulnerability", "WikiPage::Meta"); err != nil {
		return err
	}
	for name, dst := range map[string]*int64{"author_id": &in.AuthorID, "project_id": &in.ProjectID, "group_id": &in.GroupID} {
		if v, ok, err := c.params.Int(name); err != nil {
			return err
		} else if ok {
			*dst = v
		}
	}
	pg := PageOf(c.params)
	in.Offset, in.Limit = pg.Offset(), pg.PerPage
	page, err := a.svc.ListTodos(r.Context(), c.id, in)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, page.Total)
	return a.writeTodos(w, r, page, http.StatusOK, true)
}

func (a *API) markTodoDone(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, err := PathID(r, "id", "id")
	if err != nil {
		return err
	}
	page, err := a.svc.MarkTodoDone(r.Context(), c.id, id)
	if err != nil {
		return err
	}
	return a.writeTodos(w, r, page, http.StatusCreated, false)
}

func (a *API) markAllTodosDone(w http.ResponseWriter, r *http.Request, c *Call) error {
	if err := a.svc.MarkAllTodosDone(r.Context(), c.id); err != nil {
		return err
	}
	return WriteNoContent(w)
}

// createTodo is POST …/issues/:iid/todo and …/merge_requests/:iid/todo.
func (a *API) createTodo(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "issue_iid")
	if err != nil {
		return err
	}
	page, created, err := a.svc.MarkTodo(r.Context(), c.id, ref)
	if err != nil {
		return err
	}
	if !created {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return a.writeTodos(w, r, page, http.StatusCreated, false)
}
