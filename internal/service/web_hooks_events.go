package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Issue, merge request and note events (Gitlab::DataBuilder::Issuable and
// Note), queued in the transaction of the change, and the hook tests.

type hookIssueAttrs struct {
	ID           int64   `json:"id"`
	IID          int64   `json:"iid"`
	Title        string  `json:"title"`
	Description  string  `json:"description"`
	State        string  `json:"state"`
	Confidential bool    `json:"confidential"`
	AuthorID     *int64  `json:"author_id"`
	ProjectID    int64   `json:"project_id"`
	AssigneeIDs  []int64 `json:"assignee_ids"`
	MilestoneID  *int64  `json:"milestone_id"`
	DueDate      *string `json:"due_date"`
	ClosedAt     *string `json:"closed_at"`
	CreatedAt    string  `json:"created_at"`
	UpdatedAt    string  `json:"updated_at"`
	URL          string  `json:"url"`
	Action       string  `json:"action,omitempty"`
}

type hookMRAttrs struct {
	ID              int64   `json:"id"`
	IID             int64   `json:"iid"`
	Title           string  `json:"title"`
	Description     string  `json:"description"`
	State           string  `json:"state"`
	SourceBranch    string  `json:"source_branch"`
	TargetBranch    string  `json:"target_branch"`
	SourceProjectID *int64  `json:"source_project_id"`
	TargetProjectID int64   `json:"target_project_id"`
	AuthorID        *int64  `json:"author_id"`
	AssigneeIDs     []int64 `json:"assignee_ids"`
	ReviewerIDs     []int64 `json:"reviewer_ids"`
	Draft           bool    `json:"draft"`
	WorkInProgress  bool    `json:"work_in_progress"`
	MergeCommitSHA  *string `json:"merge_commit_sha"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
	URL             string  `json:"url"`
	Action          string  `json:"action,omitempty"`
}

type hookIssuable struct {
	ObjectKind       string         `json:"object_kind"`
	EventType        string         `json:"event_type"`
	User             hookUser       `json:"user"`
	Project          hookProject    `json:"project"`
	ObjectAttributes any            `json:"object_attributes"`
	Labels           []any          `json:"labels"`
	Changes          map[string]any `json:"changes"`
	Repository       hookRepository `json:"repository"`
}

func (s *Service) issueAttrs(p *model.Project, i *model.Issue, action string) hookIssueAttrs {
	a := hookIssueAttrs{ID: i.ID, IID: i.IID, Title: i.Title, Description: i.Description, State: i.State,
		Confidential: i.Confidential, AuthorID: i.AuthorID, ProjectID: i.ProjectID, AssigneeIDs: i.AssigneeIDs,
		MilestoneID: i.MilestoneID, DueDate: i.DueDate, CreatedAt: i.CreatedAt.UTC().Format(hookTime),
		UpdatedAt: i.UpdatedAt.UTC().Format(hookTime),
		URL:       s.hookProjectOf(p).WebURL + "/-/issues/" + strconv.FormatInt(i.IID, 10), Action: action}
	if a.AssigneeIDs == nil {
		a.AssigneeIDs = []int64{}
	}
	if i.ClosedAt != nil {
		t := i.ClosedAt.UTC().Format(hookTime)
		a.ClosedAt = &t
	}
	return a
}

func (s *Service) mrAttrs(p *model.Project, m *model.MergeRequest, action string) hookMRAttrs {
	a := hookMRAttrs{ID: m.ID, IID: m.IID, Title: m.Title, Description: m.Description, State: m.State,
		SourceBranch: m.SourceBranch, TargetBranch: m.TargetBranch, SourceProjectID: m.SourceProjectID,
		TargetProjectID: m.TargetProjectID, AuthorID: m.AuthorID, AssigneeIDs: m.AssigneeIDs,
		ReviewerIDs: m.ReviewerIDs, Draft: m.Draft, WorkInProgress: m.Draft, MergeCommitSHA: m.MergeCommitSHA,
		CreatedAt: m.CreatedAt.UTC().Format(hookTime), UpdatedAt: m.UpdatedAt.UTC().Format(hookTime),
		URL: s.hookProjectOf(p).WebURL + "/-/merge_requests/" + strconv.FormatInt(m.IID, 10), Action: action}
	if a.AssigneeIDs == nil {
		a.AssigneeIDs = []int64{}
	}
	if a.ReviewerIDs == nil {
		a.ReviewerIDs = []int64{}
	}
	return a
}

// issueHookEvent is an issue's event; a confidential issue's goes only to
// hooks that take confidential issue events.
func (s *Service) issueHookEvent(p *model.Project, i *model.Issue, u *model.User, action string) hookEvent {
	kind, trigger := "issue", "issue_hooks"
	wants := func(h *model.WebHook) bool { return h.Events.Issues }
	if i.Confidential {
		kind, trigger = "confidential_issue", "confidential_issue_hooks"
		wants = func(h *model.WebHook) bool { return h.Events.ConfidentialIssues }
	}
	return hookEvent{trigger: trigger, header: "Issue Hook", wants: wants, payload: hookIssuable{
		ObjectKind: "issue", EventType: kind, User: hookUserOf(u), Project: s.hookProjectOf(p),
		ObjectAttributes: s.issueAttrs(p, i, action), Labels: []any{}, Changes: map[string]any{},
		Repository: s.hookRepositoryOf(p, false)}}
}

// mergeRequestHookEvent is a merge request's event. System hooks that take
// merge request events get it too.
func (s *Service) mergeRequestHookEvent(p *model.Project, m *model.MergeRequest, u *model.User, action string) hookEvent {
	return hookEvent{trigger: "merge_request_hooks", header: "Merge Request Hook",
		wants: func(h *model.WebHook) bool { return h.Events.MergeRequests },
		payload: hookIssuable{ObjectKind: "merge_request", EventType: "merge_request", User: hookUserOf(u),
			Project: s.hookProjectOf(p), ObjectAttributes: s.mrAttrs(p, m, action), Labels: []any{},
			Changes: map[string]any{}, Repository: s.hookRepositoryOf(p, false)}}
}

type hookNoteAttrs struct {
	ID           int64   `json:"id"`
	Note         string  `json:"note"`
	NoteableType string  `json:"noteable_type"`
	NoteableID   *int64  `json:"noteable_id"`
	AuthorID     *int64  `json:"author_id"`
	ProjectID    *int64  `json:"project_id"`
	CommitID     *string `json:"commit_id"`
	DiscussionID string  `json:"discussion_id"`
	System       bool    `json:"system"`
	Internal     bool    `json:"internal"`
	CreatedAt    string  `json:"created_at"`
	UpdatedAt    string  `json:"updated_at"`
	URL          string  `json:"url"`
	Action       string  `json:"action"`
}

type hookNote struct {
	ObjectKind       string         `json:"object_kind"`
	EventType        string         `json:"event_type"`
	User             hookUser       `json:"user"`
	ProjectID        int64          `json:"project_id"`
	Project          hookProject    `json:"project"`
	ObjectAttributes hookNoteAttrs  `json:"object_attributes"`
	Repository       hookRepository `json:"repository"`
	Issue            any            `json:"issue,omitempty"`
	MergeRequest     any            `json:"merge_request,omitempty"`
	Commit           any            `json:"commit,omitempty"`
}

// noteHookEvent is a comment's event, with its noteable; an internal note
// or one on a confidential issue is a confidential_note event.
func (s *Service) noteHookEvent(ctx context.Context, q *store.Queries, p *model.Project, note *model.Note, u *model.User) (hookEvent, error) {
	web := s.hookProjectOf(p).WebURL
	d := hookNote{ObjectKind: "note", EventType: "note", User: hookUserOf(u), ProjectID: p.ID,
		Project: s.hookProjectOf(p), Repository: s.hookRepositoryOf(p, false)}
	attrs := hookNoteAttrs{ID: note.ID, Note: note.Body, NoteableType: note.NoteableType, AuthorID: note.AuthorID,
		ProjectID: note.ProjectID, CommitID: note.CommitID, DiscussionID: note.DiscussionID, System: note.System,
		Internal: note.Internal, CreatedAt: note.CreatedAt.UTC().Format(hookTime),
		UpdatedAt: note.UpdatedAt.UTC().Format(hookTime), Action: "create"}
	confidential := note.Internal
	anchor := "#note_" + strconv.FormatInt(note.ID, 10)
	switch note.NoteableType {
	case model.NoteableIssue:
		i, err := q.IssueByID(ctx, note.NoteableID)
		if err != nil {
			return hookEvent{}, err
		}
		confidential = confidential || i.Confidential
		d.Issue = s.issueAttrs(p, i, "")
		attrs.NoteableID, attrs.URL = &i.ID, s.issueAttrs(p, i, "").URL+anchor
	case model.NoteableMergeRequest:
		m, err := q.MergeRequestByID(ctx, note.NoteableID)
		if err != nil {
			return hookEvent{}, err
		}
		d.MergeRequest = s.mrAttrs(p, m, "")
		attrs.NoteableID, attrs.URL = &m.ID, s.mrAttrs(p, m, "").URL+anchor
	default:
		if note.CommitID != nil {
			attrs.URL = web + "/-/commit/" + *note.CommitID + anchor
			d.Commit = map[string]string{"id": *note.CommitID, "url": web + "/-/commit/" + *note.CommitID}
		}
	}
	d.ObjectAttributes = attrs
	ev := hookEvent{trigger: "note_hooks", header: "Note Hook", payload: d,
		wants: func(h *model.WebHook) bool { return h.Events.Note }}
	if confidential {
		d.EventType = "confidential_note"
		ev.payload, ev.trigger = d, "confidential_note_hooks"
		ev.wants = func(h *model.WebHook) bool { return h.Events.ConfidentialNote }
	}
	return ev, nil
}

// hookUser loads the user an event is by (nil id: none, no event).
func hookActor(ctx context.Context, q *store.Queries, userID int64) (*model.User, error) {
	u, err := q.UserByID(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("service: hook user: %w", err)
	}
	return u, nil
}

// issueHooks queues an issue's event in q's transaction.
func (s *Service) issueHooks(ctx context.Context, q *store.Queries, p *model.Project, i *model.Issue, userID int64, action string) error {
	u, err := hookActor(ctx, q, userID)
	if err != nil {
		return err
	}
	return s.enqueueHookEvent(ctx, q, p, s.issueHookEvent(p, i, u, action))
}

// mergeRequestHooks queues a merge request's event in q's transaction.
func (s *Service) mergeRequestHooks(ctx context.Context, q *store.Queries, p *model.Project, m *model.MergeRequest, userID int64, action string) error {
	u, err := hookActor(ctx, q, userID)
	if err != nil {
		return err
	}
	return s.enqueueHookEvent(ctx, q, p, s.mergeRequestHookEvent(p, m, u, action))
}

// noteHooks queues a comment's event in q's transaction.
func (s *Service) noteHooks(ctx context.Context, q *store.Queries, p *model.Project, note *model.Note) error {
	if note.AuthorID == nil {
		return nil
	}
	u, err := hookActor(ctx, q, *note.AuthorID)
	if err != nil {
		return err
	}
	ev, err := s.noteHookEvent(ctx, q, p, note, u)
	if err != nil {
		return err
	}
	return s.enqueueHookEvent(ctx, q, p, ev)
}

// hookTestTriggers are the triggers POST …/hooks/:hook_id/test/:trigger
// takes (GitLab's TestHooks triggers).
var hookTestTriggers = map[string]bool{"push_events": true, "tag_push_events": true, "note_events": true,
	"issues_events": true, "confidential_issues_events": true, "merge_requests_events": true,
	"job_events": true, "pipeline_events": true, "wiki_page_events": true, "releases_events": true,
	"emoji_events": true, "resource_access_token_events": true, "confidential_note_events": true,
	"deployment_events": true, "feature_flag_events": true}

// TestHook sends a hook a sample of an event built from the project's
// data (for a group hook: the group's first project), now, as GitLab's
// TestHooks::ProjectService: 422 with GitLab's message when there is
// nothing to build it from or the receiver does not answer 2xx. A success
// enables a disabled hook again.
func (s *Service) TestHook(ctx context.Context, id *auth.Identity, o HookOwner, hookID int64, trigger string) error {
	h, err := s.hook(ctx, id, o, hookID)
	if err != nil {
		return err
	}
	if !hookTestTriggers[trigger] {
		return ParamError("trigger does not have a valid value")
	}
	p, err := s.hookTestProject(ctx, h)
	if err != nil {
		return err
	}
	ev, err := s.sampleHookEvent(ctx, p, id.User, trigger)
	if err != nil {
		return err
	}
	payload, err := ev.payloadValue()
	if err != nil {
		return err
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("service: hook test payload: %w", err)
	}
	res, err := s.deliverHook(ctx, h, ev.trigger, ev.header, newUUID(), body)
	if err != nil {
		return err
	}
	if res.Status < 200 || res.Status >= 300 {
		msg := res.Message
		if res.Status != 0 {
			msg = "Hook executed successfully but returned HTTP " + strconv.Itoa(res.Status)
		}
		return &Error{Kind: KindUnprocessable, Message: msg}
	}
	return nil
}

// hookTestProject is the project a test's sample comes from.
func (s *Service) hookTestProject(ctx context.Context, h *model.WebHook) (*model.Project, error) {
	q := s.db.Queries()
	if h.ProjectID != nil {
		return q.ProjectByID(ctx, *h.ProjectID)
	}
	ids, err := q.GroupProjectIDs(ctx, *h.GroupID)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, &Error{Kind: KindUnprocessable, Message: "Ensure the group has a project with commits."}
	}
	return q.ProjectByID(ctx, ids[0])
}

// sampleHookEvent builds a test's event from the project's newest data.
func (s *Service) sampleHookEvent(ctx context.Context, p *model.Project, u *model.User, trigger string) (hookEvent, error) {
	q := s.db.Queries()
	issueID, mrID, noteID, err := q.LatestProjectRows(ctx, p.ID)
	if err != nil {
		return hookEvent{}, err
	}
	unprocessable := func(msg string) (hookEvent, error) {
		return hookEvent{}, &Error{Kind: KindUnprocessable, Message: msg}
	}
	switch trigger {
	case "push_events", "tag_push_events":
		pr := s.repos.Open(p.ID)
		if p.DefaultBranch == nil || p.EmptyRepo {
			return unprocessable("Ensure the project has at least one commit.")
		}
		ref := gitBranchPrefix + *p.DefaultBranch
		head, err := pr.RefValue(ref)
		if err != nil || head == "" {
			return unprocessable("Ensure the project has at least one commit.")
		}
		ev := s.pushHookEvent(ctx, p, u, pr, RefChange{Ref: ref, Old: noCommit, New: head}, false)
		if trigger == "tag_push_events" {
			ev.trigger, ev.header = "tag_push_hooks", "Tag Push Hook"
		}
		return ev, nil
	case "issues_events", "confidential_issues_events":
		if issueID == 0 {
			return unprocessable("Ensure the project has issues.")
		}
		i, err := q.IssueByID(ctx, issueID)
		if err != nil {
			return hookEvent{}, err
		}
		return s.issueHookEvent(p, i, u, "open"), nil
	case "merge_requests_events":
		if mrID == 0 {
			return unprocessable("Ensure the project has merge requests.")
		}
		m, err := q.MergeRequestByID(ctx, mrID)
		if err != nil {
			return hookEvent{}, err
		}
		return s.mergeRequestHookEvent(p, m, u, "open"), nil
	case "pipeline_events", "job_events":
		return s.sampleCIHookEvent(ctx, p, trigger)
	case "note_events", "confidential_note_events":
		if noteID == 0 {
			return unprocessable("Ensure the project has notes.")
		}
		n, err := q.NoteByID(ctx, noteID)
		if err != nil {
			return hookEvent{}, err
		}
		return s.noteHookEvent(ctx, q, p, n, u)
	}
	return unprocessable("Testing not available for this hook")
}

// systemHookTestData is GitLab's sample of POST /hooks/:id.
var systemHookTestData = map[string]any{"event_name": "project_create", "name": "Ruby", "path": "ruby",
	"project_id": 1, "owner_name": "Someone", "owner_email": "example@gitlabhq.com"}

// TestSystemHook sends a system hook GitLab's sample event and returns it.
func (s *Service) TestSystemHook(ctx context.Context, id *auth.Identity, hookID int64) (map[string]any, error) {
	h, err := s.hook(ctx, id, HookOwner{Kind: model.HookOfSystem}, hookID)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(systemHookTestData)
	if err != nil {
		return nil, err
	}
	if _, err := s.deliverHook(ctx, h, "system_hooks", "System Hook", newUUID(), body); err != nil {
		return nil, err
	}
	return systemHookTestData, nil
}

// mergeRequestHookAction is the hook action of an update from old to m:
// close, reopen, update, or "" when nothing was written.
func mergeRequestHookAction(old, m *model.MergeRequest) string {
	switch {
	case old.State != m.State && m.State == "closed":
		return "close"
	case old.State != m.State && m.State == "opened":
		return "reopen"
	case !old.UpdatedAt.Equal(m.UpdatedAt):
		return "update"
	}
	return ""
}
