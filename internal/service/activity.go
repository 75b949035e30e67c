package service

import (
	"context"
	"slices"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// What a change to an issue or a comment leaves behind beyond itself —
// the events of the activity feed and the to-do items of the users it
// concerns — is decided here, once, in the change's transaction.

// recordIssueEvent writes an event of an issue (created, closed, reopened).
func recordIssueEvent(ctx context.Context, q *store.Queries, action string, issue *model.Issue, authorID int64) error {
	t := model.NoteableIssue
	return q.InsertEvent(ctx, &model.Event{ProjectID: &issue.ProjectID, AuthorID: authorID, Action: action,
		TargetType: &t, TargetID: &issue.ID, TargetIID: &issue.IID, TargetTitle: &issue.Title})
}

// issueCreated: the "opened" event; to-do items for its assignees and
// the users its description mentions.
func (s *Service) issueCreated(ctx context.Context, q *store.Queries, p *model.Project, issue *model.Issue, authorID int64) error {
	if err := recordIssueEvent(ctx, q, model.EventCreated, issue, authorID); err != nil {
		return err
	}
	if err := s.issueHooks(ctx, q, p, issue, authorID, "open"); err != nil {
		return err
	}
	assignees, err := usersByIDs(ctx, q, issue.AssigneeIDs)
	if err != nil {
		return err
	}
	if err := s.addIssueTodos(ctx, q, p, issue, authorID, model.TodoAssigned, assignees, nil); err != nil {
		return err
	}
	addressed, others, err := s.mentions(ctx, q, issue.Description)
	if err != nil {
		return err
	}
	return s.addMentionTodos(ctx, q, p, issueTodoTarget(issue), authorID, addressed, others, nil)
}

// issueUpdated compares an issue before and after an update: closing and
// reopening are events (and closing marks the closer's to-do items on it
// done, as GitLab's TodoService#close_issue); new assignees and users
// newly mentioned in the description get to-do items.
func (s *Service) issueUpdated(ctx context.Context, q *store.Queries, p *model.Project, old, issue *model.Issue, authorID int64) error {
	hookAction := "update"
	if old.State != issue.State {
		hookAction = map[string]string{"opened": "reopen", "closed": "close"}[issue.State]
	}
	if err := s.issueHooks(ctx, q, p, issue, authorID, hookAction); err != nil {
		return err
	}
	if old.State != issue.State {
		action := model.EventClosed
		if issue.State == "opened" {
			action = model.EventReopened
		}
		if err := recordIssueEvent(ctx, q, action, issue, authorID); err != nil {
			return err
		}
		if issue.State == "closed" {
			if err := q.MarkTodosDone(ctx, authorID, model.NoteableIssue, issue.ID); err != nil {
				return err
			}
		}
	}
	var added []int64
	for _, a := range issue.AssigneeIDs {
		if !slices.Contains(old.AssigneeIDs, a) {
			added = append(added, a)
		}
	}
	assignees, err := usersByIDs(ctx, q, added)
	if err != nil {
		return err
	}
	if err := s.addIssueTodos(ctx, q, p, issue, authorID, model.TodoAssigned, assignees, nil); err != nil {
		return err
	}
	return s.descriptionMentionTodos(ctx, q, p, issueTodoTarget(issue), authorID, old.Description, issue.Description)
}

// descriptionMentionTodos gives the users a changed description mentions
// their to-do items; users it mentioned before get nothing new, as
// GitLab's update_issue skips them.
func (s *Service) descriptionMentionTodos(ctx context.Context, q *store.Queries, p *model.Project, target todoTarget,
	authorID int64, oldDescription, description string) error {
	if oldDescription == description {
		return nil
	}
	wasAddressed, wasMentioned, err := s.mentions(ctx, q, oldDescription)
	if err != nil {
		return err
	}
	addressed, others, err := s.mentions(ctx, q, description)
	if err != nil {
		return err
	}
	before := append(wasAddressed, wasMentioned...)
	skipped := func(u *model.User) bool {
		return slices.ContainsFunc(before, func(b *model.User) bool { return b.ID == u.ID })
	}
	addressed, others = slices.DeleteFunc(addressed, skipped), slices.DeleteFunc(others, skipped)
	return s.addMentionTodos(ctx, q, p, target, authorID, addressed, others, nil)
}

// noteCreated: a diff note's suggestions, the "commented on" event of a
// comment and to-do items for the users it mentions.
func (s *Service) noteCreated(ctx context.Context, q *store.Queries, n *Noteable, note *model.Note) error {
	if err := s.writeNoteSuggestions(ctx, q, n, note); err != nil {
		return err
	}
	if note.System || note.AuthorID == nil {
		return nil
	}
	t := noteClass(note)
	if err := q.InsertEvent(ctx, &model.Event{ProjectID: &n.Project.ID, AuthorID: *note.AuthorID,
		Action: model.EventCommented, TargetType: &t, TargetID: &note.ID, TargetIID: &note.ID}); err != nil {
		return err
	}
	if err := s.noteHooks(ctx, q, n.Project, note); err != nil {
		return err
	}
	if note.Internal {
		// An internal note is for Reporters: to-do items for whom it
		// mentions would point others at it.
		return nil
	}
	var target todoTarget
	switch n.Type {
	case model.NoteableIssue:
		issue, err := q.IssueByID(ctx, n.ID)
		if err != nil {
			return err
		}
		target = issueTodoTarget(issue)
	case model.NoteableMergeRequest:
		target = mergeRequestTodoTarget(&model.MergeRequest{ID: n.ID})
	default:
		return nil
	}
	addressed, others, err := s.mentions(ctx, q, note.Body)
	if err != nil || len(addressed)+len(others) == 0 {
		return err
	}
	return s.addMentionTodos(ctx, q, n.Project, target, *note.AuthorID, addressed, others, note)
}

// addMentionTodos gives the users a text addresses directly a
// "directly_addressed" item and those it only mentions a "mentioned" one,
// as GitLab's TodoService#create_mention_todos does.
func (s *Service) addMentionTodos(ctx context.Context, q *store.Queries, p *model.Project, target todoTarget,
	authorID int64, addressed, others []*model.User, note *model.Note) error {
	if err := s.addTodos(ctx, q, p, target, authorID, model.TodoDirectlyAddressed, addressed, note); err != nil {
		return err
	}
	return s.addTodos(ctx, q, p, target, authorID, model.TodoMentioned, others, note)
}

// mergeRequestCreated: the "opened" event; to-do items for its assignees
// ("assigned"), reviewers ("review_requested") and the users its
// description mentions.
func (s *Service) mergeRequestCreated(ctx context.Context, q *store.Queries, p *model.Project, m *model.MergeRequest, authorID int64) error {
	if err := recordMergeRequestEvent(ctx, q, model.EventCreated, m, authorID); err != nil {
		return err
	}
	if err := s.mergeRequestHooks(ctx, q, p, m, authorID, "open"); err != nil {
		return err
	}
	return s.mergeRequestTodos(ctx, q, p, m, authorID, m.AssigneeIDs, m.ReviewerIDs, "", m.Description)
}

// mergeRequestTodos gives new assignees, new reviewers and users the
// description newly mentions their to-do items (those the old description
// mentioned get nothing new, as for issues).
func (s *Service) mergeRequestTodos(ctx context.Context, q *store.Queries, p *model.Project, m *model.MergeRequest,
	authorID int64, assigneeIDs, reviewerIDs []int64, oldDescription, description string) error {
	target := mergeRequestTodoTarget(m)
	for _, set := range []struct {
		ids    []int64
		action string
	}{{assigneeIDs, model.TodoAssigned}, {reviewerIDs, model.TodoReviewRequested}} {
		users, err := usersByIDs(ctx, q, set.ids)
		if err != nil {
			return err
		}
		if err := s.addTodos(ctx, q, p, target, authorID, set.action, users, nil); err != nil {
			return err
		}
	}
	return s.descriptionMentionTodos(ctx, q, p, target, authorID, oldDescription, description)
}
