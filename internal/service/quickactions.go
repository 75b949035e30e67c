package service

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/emoji"
	"github.com/lablet/lablet/internal/model"
)

// QuickActionResult is what a text's commands did: GitLab's
// commands_changes (the update parameters they made) and the execution
// message of each command run.
type QuickActionResult struct {
	Changes  map[string]any
	Messages []string
}

// Summary is Notes::QuickActionsStatus#messages: the distinct messages
// joined into one (InterpretService#execution_messages_for), none when
// no command ran.
func (r *QuickActionResult) Summary() []string {
	if len(r.Messages) == 0 {
		return []string{}
	}
	var distinct []string
	for _, m := range r.Messages {
		if !slices.Contains(distinct, m) {
			distinct = append(distinct, m)
		}
	}
	return []string{strings.Join(distinct, " ")}
}

// quickPlan is the commands of one text turned into the existing
// operations' inputs; commands the caller may not run are dropped, as
// GitLab's condition blocks leave them unexecuted.
type quickPlan struct {
	in        IssueInput
	hasUpdate bool
	// reviewers: a merge request's new reviewers (in has no field for them).
	reviewers *[]int64
	// estimate and spend: GitLab keeps one update of each, the last
	// command's, and reports every command's message.
	estimate, spend *TimeAction
	subscribe       *bool
	awards          []string
	res             QuickActionResult
}

// times are the time tracking changes to run, estimate first.
func (pl *quickPlan) times() []TimeAction {
	var out []TimeAction
	for _, t := range []*TimeAction{pl.estimate, pl.spend} {
		if t != nil {
			out = append(out, *t)
		}
	}
	return out
}

func (pl *quickPlan) did(change string, value any, summary string) {
	pl.res.Changes[change] = value
	pl.res.Messages = append(pl.res.Messages, summary)
}

// runQuickActions runs cmds on the issue or merge request ref names as
// the caller, through the operations their API calls use (update, time
// tracking, subscription, award emoji), so notes, events and to-dos are
// recorded as for those.
func (s *Service) runQuickActions(ctx context.Context, id *auth.Identity, ref NoteableRef, cmds []QuickAction) (*QuickActionResult, error) {
	t, err := s.quickTargetOf(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	pl, err := s.planQuickActions(ctx, id, t, cmds)
	if err != nil {
		return nil, err
	}
	if pl.hasUpdate {
		if err := s.quickUpdate(ctx, id, ref, pl); err != nil {
			return nil, err
		}
	}
	for _, a := range pl.times() {
		if _, err := s.TrackTime(ctx, id, ref, a); err != nil {
			return nil, err
		}
	}
	if pl.subscribe != nil {
		if err := s.quickSubscribe(ctx, id, ref, *pl.subscribe); err != nil {
			return nil, err
		}
	}
	for _, name := range pl.awards {
		if err := s.toggleAward(ctx, id, ref, name); err != nil {
			return nil, err
		}
	}
	return &pl.res, nil
}

// toggleAward is /award: the caller's emoji is taken back when they gave
// it already, else given, through the award emoji operations.
func (s *Service) toggleAward(ctx context.Context, id *auth.Identity, ref NoteableRef, name string) error {
	aref := AwardableRef{NoteableRef: ref}
	_, err := s.CreateAwardEmoji(ctx, id, aref, name)
	if !isKind(err, KindNotFound) {
		return err
	}
	given, err := s.ListAwardEmoji(ctx, id, aref, maxAwardsToggled, 0)
	if err != nil {
		return err
	}
	for _, a := range given.Awards {
		if a.UserID == id.User.ID && a.Name == name {
			return s.DeleteAwardEmoji(ctx, id, aref, a.ID)
		}
	}
	return nil
}

// maxAwardsToggled bounds the awards read to find the caller's.
const maxAwardsToggled = 10_000

func isKind(err error, k Kind) bool {
	var se *Error
	return errors.As(err, &se) && se.Kind == k
}

// planQuickActions checks each command against the caller's abilities
// on t (GitLab's conditions: update for state and title, admin for
// metadata and time tracking, award_emoji for awards) and its state.
// Commands of the other kind of target (an issue's due date, a merge
// request's reviewers) are not parsed for it.
func (s *Service) planQuickActions(ctx context.Context, id *auth.Identity, t *quickTarget, cmds []QuickAction) (*quickPlan, error) {
	canUpdate, tracker, admin := t.canUpdate, t.tracker, t.admin
	pl := &quickPlan{res: QuickActionResult{Changes: map[string]any{}}}
	q := s.db.Queries()
	for _, c := range cmds {
		switch c.Name {
		case "close":
			if canUpdate && t.state == "opened" {
				pl.in.StateEvent, pl.hasUpdate = "close", true
				pl.did("state_event", "close", "Closed this "+t.noun+".")
			}
		case "reopen":
			if canUpdate && t.state == "closed" {
				pl.in.StateEvent, pl.hasUpdate = "reopen", true
				pl.did("state_event", "reopen", "Reopened this "+t.noun+".")
			}
		case "title":
			if canUpdate && c.Arg != "" {
				t := c.Arg
				pl.in.Title, pl.hasUpdate = &t, true
				pl.did("title", t, `Changed the title to "`+t+`".`)
			}
		case "confidential":
			if admin && !t.confidential {
				v := true
				pl.in.Confidential, pl.hasUpdate = &v, true
				pl.did("confidential", true, "Made this issue confidential.")
			}
		case "lock", "unlock":
			if v := c.Name == "lock"; admin && v != t.locked {
				pl.in.DiscussionLocked, pl.hasUpdate = &v, true
				pl.did("discussion_locked", v, map[bool]string{true: "Locked the discussion.", false: "Unlocked the discussion."}[v])
			}
		case "due":
			if d, ok := dueDate(c.Arg, s.todayDate()); admin && ok {
				v := d.Format(time.DateOnly)
				pl.in.DueDateSet, pl.in.DueDate, pl.hasUpdate = true, &v, true
				pl.did("due_date", d.Format(time.DateOnly), "Set the due date to "+d.Format("Jan 2, 2006")+".")
			}
		case "remove_due_date":
			if admin && t.dueDate != nil {
				pl.in.DueDateSet, pl.in.DueDate, pl.hasUpdate = true, nil, true
				pl.did("due_date", nil, "Removed the due date.")
			}
		case "estimate", "remove_estimate", "spend":
			if tracker {
				planTime(pl, c, id.User.ID)
			}
		case "subscribe", "unsubscribe":
			if !id.Authenticated() {
				continue
			}
			on := c.Name == "subscribe"
			cur, err := t.subscribed(ctx, q)
			if err != nil {
				return nil, err
			}
			if t.canSubscribe && cur != on {
				pl.subscribe = &on
				pl.did("subscription_event", c.Name, map[bool]string{true: "Subscribed to notifications.", false: "Unsubscribed from notifications."}[on])
			}
		case "award":
			name := emoji.Normalize(strings.Trim(c.Arg, ": "))
			if t.canAward && emoji.Valid(name) {
				pl.awards = append(pl.awards, name)
				pl.did("emoji_award", name, "Toggled :"+name+": emoji reaction.")
			}
		case "draft", "ready":
			if canUpdate && t.draft != (c.Name == "draft") {
				planDraft(pl, t, c.Name == "draft")
			}
		default:
			if !admin {
				continue
			}
			if err := s.planMetadata(ctx, q, id, t, pl, c); err != nil {
				return nil, err
			}
		}
	}
	return pl, nil
}

// planTime plans /estimate, /remove_estimate and /spend.
func planTime(pl *quickPlan, c QuickAction, uid int64) {
	switch c.Name {
	case "estimate":
		n, ok := ParseDuration(c.Arg)
		switch {
		case ok && n == 0:
			pl.estimate = &TimeAction{ResetEstimate: true}
			pl.did("time_estimate", 0, "Removed time estimate.")
		case ok && n > 0:
			d := c.Arg
			pl.estimate = &TimeAction{Estimate: &d}
			pl.did("time_estimate", n, "Set time estimate to "+FormatDuration(n)+".")
		}
	case "remove_estimate":
		pl.estimate = &TimeAction{ResetEstimate: true}
		pl.did("time_estimate", 0, "Removed time estimate.")
	case "spend":
		// A trailing date is when the time was spent
		// (SpendTimeAndDateSeparator); lablet's timelogs keep no date.
		fields := strings.Fields(c.Arg)
		if len(fields) > 1 {
			if _, isDate := quickDate(fields[len(fields)-1]); isDate {
				fields = fields[:len(fields)-1]
			}
		}
		d := strings.Join(fields, " ")
		n, ok := ParseDuration(d)
		if !ok || n == 0 {
			return
		}
		pl.spend = &TimeAction{Spent: &d}
		msg := "Added " + FormatDuration(n) + " spent time."
		if n < 0 {
			msg = "Subtracted " + FormatDuration(-n) + " spent time."
		}
		pl.did("spend_time", map[string]any{"duration": n, "user_id": uid}, msg)
	}
}

// quickDate reads /spend's date, an ISO date as GitLab's Date.parse there.
func quickDate(arg string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(arg))
	return t, err == nil
}

// quickActionsOnCreate folds a new issue's description commands into its
// create input. Commands on what does not exist yet (state, title,
// subscription, awards) are dropped, as GitLab's persisted? conditions do;
// time tracking is returned to run once the issue exists.
func (s *Service) quickActionsOnCreate(ctx context.Context, id *auth.Identity, p *model.Project, level access.Level, in IssueInput) (IssueInput, []TimeAction, error) {
	text, cmds := splitQuickActions(*in.Description, model.NoteableIssue)
	in.Description = &text
	if len(cmds) == 0 {
		return in, nil, nil
	}
	keep := newRecordCommands(cmds)
	uid := id.User.ID
	draft := &IssueInProject{Project: p, Level: level, Issue: &model.Issue{ProjectID: p.ID, AuthorID: &uid, State: "opened"}}
	if in.AssigneeIDs != nil {
		draft.Issue.AssigneeIDs = *in.AssigneeIDs
	}
	pl, err := s.planQuickActions(ctx, id, s.issueQuickTarget(id, draft), keep)
	if err != nil {
		return in, nil, err
	}
	c := pl.in
	labels := []string{}
	if in.Labels != nil {
		labels = *in.Labels
	}
	if c.Labels != nil {
		labels = *c.Labels
	}
	labels = append(labels, c.AddLabels...)
	labels = slices.DeleteFunc(labels, func(t string) bool { return slices.Contains(c.RemoveLabels, t) })
	if in.Labels != nil || len(labels) > 0 {
		in.Labels = &labels
	}
	if c.AssigneeIDs != nil {
		in.AssigneeIDs = c.AssigneeIDs
	}
	if c.MilestoneID != nil {
		in.MilestoneID = c.MilestoneID
	}
	if c.DueDateSet {
		in.DueDateSet, in.DueDate = true, c.DueDate
	}
	if c.Confidential != nil {
		in.Confidential = c.Confidential
	}
	if c.DiscussionLocked != nil {
		in.DiscussionLocked = c.DiscussionLocked
	}
	return in, pl.times(), nil
}

// newRecordCommands drops the commands on what a new issue or merge
// request does not have yet (state, title, subscription, awards, lock, an
// estimate to remove), as GitLab's persisted? conditions do.
func newRecordCommands(cmds []QuickAction) []QuickAction {
	var keep []QuickAction
	for _, c := range cmds {
		switch c.Name {
		case "close", "reopen", "title", "subscribe", "unsubscribe", "award", "lock", "unlock", "remove_estimate":
		default:
			keep = append(keep, c)
		}
	}
	return keep
}
