package service

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/emoji"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
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
	// estimate and spend: GitLab keeps one update of each, the last
	// command's, and reports every command's message.
	estimate, spend *IssueTimeAction
	subscribe       *bool
	awards          []string
	res             QuickActionResult
}

// times are the time tracking changes to run, estimate first.
func (pl *quickPlan) times() []IssueTimeAction {
	var out []IssueTimeAction
	for _, t := range []*IssueTimeAction{pl.estimate, pl.spend} {
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

// runIssueQuickActions runs cmds on issue iid as the caller, through the
// operations their API calls use (update, time tracking, subscription,
// award emoji), so notes, events and to-dos are recorded as for those.
func (s *Service) runIssueQuickActions(ctx context.Context, id *auth.Identity, ref string, iid int64, cmds []QuickAction) (*QuickActionResult, error) {
	ip, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	pl, err := s.planQuickActions(ctx, id, ip, cmds)
	if err != nil {
		return nil, err
	}
	if pl.hasUpdate {
		if _, err := s.updateIssue(ctx, id, ref, iid, pl.in); err != nil {
			return nil, err
		}
	}
	for _, t := range pl.times() {
		if _, err := s.TrackIssueTime(ctx, id, ref, iid, t); err != nil {
			return nil, err
		}
	}
	if pl.subscribe != nil {
		if _, _, err := s.SetIssueSubscription(ctx, id, ref, iid, *pl.subscribe); err != nil {
			return nil, err
		}
	}
	for _, name := range pl.awards {
		if err := s.toggleAward(ctx, id, ref, iid, name); err != nil {
			return nil, err
		}
	}
	return &pl.res, nil
}

// toggleAward is /award: the caller's emoji is taken back when they gave
// it already, else given, through the award emoji operations.
func (s *Service) toggleAward(ctx context.Context, id *auth.Identity, ref string, iid int64, name string) error {
	aref := AwardableRef{NoteableRef: NoteableRef{Project: ref, Type: model.NoteableIssue, IID: iid}}
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
// (GitLab's conditions: update_issue for state and title, admin_issue for
// metadata and time tracking, award_emoji for awards) and the issue.
func (s *Service) planQuickActions(ctx context.Context, id *auth.Identity, ip *IssueInProject, cmds []QuickAction) (*quickPlan, error) {
	p, i := ip.Project, ip.Issue
	canUpdate := id.Authenticated() && CanUpdateIssue(id, p, ip.Level, i)
	// Time tracking takes admin_issue; metadata set_issue_metadata, which
	// a new issue's author has as a member (canSetIssueMetadata).
	tracker := id.Authenticated() && ProjectCan(id, p, ip.Level, access.AdminIssue)
	admin := id.Authenticated() && canSetIssueMetadata(id, p, ip.Level, i.ID != 0)
	pl := &quickPlan{res: QuickActionResult{Changes: map[string]any{}}}
	q := s.db.Queries()
	for _, c := range cmds {
		switch c.Name {
		case "close":
			if canUpdate && i.State == "opened" {
				pl.in.StateEvent, pl.hasUpdate = "close", true
				pl.did("state_event", "close", "Closed this issue.")
			}
		case "reopen":
			if canUpdate && i.State == "closed" {
				pl.in.StateEvent, pl.hasUpdate = "reopen", true
				pl.did("state_event", "reopen", "Reopened this issue.")
			}
		case "title":
			if canUpdate && c.Arg != "" {
				t := c.Arg
				pl.in.Title, pl.hasUpdate = &t, true
				pl.did("title", t, `Changed the title to "`+t+`".`)
			}
		case "confidential":
			if admin && !i.Confidential {
				v := true
				pl.in.Confidential, pl.hasUpdate = &v, true
				pl.did("confidential", true, "Made this issue confidential.")
			}
		case "lock", "unlock":
			locked := i.DiscussionLocked != nil && *i.DiscussionLocked
			if v := c.Name == "lock"; admin && v != locked {
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
			if admin && i.DueDate != nil {
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
			cur, err := s.subscribed(ctx, q, id.User.ID, i)
			if err != nil {
				return nil, err
			}
			if cur != on {
				pl.subscribe = &on
				pl.did("subscription_event", c.Name, map[bool]string{true: "Subscribed to notifications.", false: "Unsubscribed from notifications."}[on])
			}
		case "award":
			name := emoji.Normalize(strings.Trim(c.Arg, ": "))
			if IssueNoteable(ip).canAward(id) && emoji.Valid(name) {
				pl.awards = append(pl.awards, name)
				pl.did("emoji_award", name, "Toggled :"+name+": emoji reaction.")
			}
		default:
			if !admin {
				continue
			}
			if err := s.planMetadata(ctx, q, id, ip, pl, c); err != nil {
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
			pl.estimate = &IssueTimeAction{ResetEstimate: true}
			pl.did("time_estimate", 0, "Removed time estimate.")
		case ok && n > 0:
			d := c.Arg
			pl.estimate = &IssueTimeAction{Estimate: &d}
			pl.did("time_estimate", n, "Set time estimate to "+FormatDuration(n)+".")
		}
	case "remove_estimate":
		pl.estimate = &IssueTimeAction{ResetEstimate: true}
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
		pl.spend = &IssueTimeAction{Spent: &d}
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

// planMetadata plans the label, assignee and milestone commands
// (admin_issue). Labels, users and milestones must exist, as GitLab's
// finders have them; unknown ones are ignored.
func (s *Service) planMetadata(ctx context.Context, q *store.Queries, id *auth.Identity, ip *IssueInProject, pl *quickPlan, c QuickAction) error {
	p, i := ip.Project, ip.Issue
	switch c.Name {
	case "label", "relabel", "unlabel":
		if c.Name == "unlabel" && c.Arg == "" {
			if len(i.LabelIDs) > 0 {
				pl.in.Labels, pl.hasUpdate = &[]string{}, true
				pl.did("label_ids", []int64{}, "Removed all labels.")
			}
			return nil
		}
		if c.Name != "label" && len(i.LabelIDs) == 0 {
			return nil
		}
		titles := refArgs(c.Arg, '~')
		ids, err := resolveLabels(ctx, q, p, titles, false)
		if err != nil || len(ids) == 0 {
			return err
		}
		refs, err := labelRefs(ctx, q, p, titles, ids)
		if err != nil {
			return err
		}
		switch c.Name {
		case "label":
			pl.in.AddLabels = append(pl.in.AddLabels, titles...)
			pl.did("add_label_ids", ids, "Added "+refs+" "+plural(len(ids), "label")+".")
		case "relabel":
			pl.in.Labels = &titles
			pl.did("label_ids", ids, "Replaced all labels with "+refs+" "+plural(len(ids), "label")+".")
		default:
			pl.in.RemoveLabels = append(pl.in.RemoveLabels, titles...)
			pl.did("remove_label_ids", ids, "Removed "+refs+" "+plural(len(ids), "label")+".")
		}
		pl.hasUpdate = true
	case "assign":
		for _, name := range refArgs(c.Arg, '@') {
			u := id.User
			if name != "me" {
				var err error
				if u, err = q.UserByUsername(ctx, name); err != nil {
					if isNotFound(err) {
						continue
					}
					return err
				}
			}
			// CE has one assignee: the first named wins.
			ids := []int64{u.ID}
			pl.in.AssigneeIDs, pl.hasUpdate = &ids, true
			pl.did("assignee_ids", ids, "Assigned @"+u.Username+".")
			return nil
		}
	case "unassign":
		if len(i.AssigneeIDs) == 0 {
			return nil
		}
		users, err := q.UsersByIDs(ctx, i.AssigneeIDs)
		if err != nil {
			return err
		}
		var refs []string
		for _, uid := range i.AssigneeIDs {
			if u := users[uid]; u != nil {
				refs = append(refs, "@"+u.Username)
			}
		}
		pl.in.AssigneeIDs, pl.hasUpdate = &[]int64{}, true
		pl.did("assignee_ids", []int64{}, "Removed "+plural(len(refs), "assignee")+" "+toSentence(refs)+".")
	case "milestone":
		titles := refArgs(c.Arg, '%')
		if len(titles) == 0 {
			return nil
		}
		f := store.MilestoneFilter{ProjectIDs: []int64{p.ID}, Title: &titles[0], State: "active", Limit: 1}
		if p.Namespace != nil && p.Namespace.IsGroup() {
			f.GroupIDs = []int64{p.NamespaceID}
		}
		ms, _, err := q.ListMilestones(ctx, f)
		if err != nil || len(ms) == 0 {
			return err
		}
		mid := ms[0].ID
		pl.in.MilestoneID, pl.hasUpdate = &mid, true
		pl.did("milestone_id", mid, "Set the milestone to %"+quoteRef(ms[0].Title)+".")
	case "remove_milestone":
		if i.MilestoneID == nil {
			return nil
		}
		m, err := q.MilestoneByID(ctx, *i.MilestoneID)
		if err != nil {
			return err
		}
		zero := int64(0)
		pl.in.MilestoneID, pl.hasUpdate = &zero, true
		pl.did("milestone_id", nil, "Removed %"+quoteRef(m.Title)+" milestone.")
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// labelRefs writes the labels of ids as GitLab's summaries do, by name:
// `~bug ~"needs review"`.
func labelRefs(ctx context.Context, q *store.Queries, p *model.Project, titles []string, ids []int64) (string, error) {
	found, err := q.AvailableLabels(ctx, p.ID, p.NamespaceID, titles)
	if err != nil {
		return "", err
	}
	refs := make([]string, 0, len(ids))
	for _, id := range ids {
		for _, l := range found {
			if l.ID == id {
				refs = append(refs, "~"+quoteRef(l.Title))
				break
			}
		}
	}
	return strings.Join(refs, " "), nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// quoteRef quotes a reference's name unless it is one word, as GitLab's
// label and milestone references do.
func quoteRef(name string) string {
	if simpleRefName.MatchString(name) {
		return name
	}
	return `"` + name + `"`
}

var simpleRefName = regexp.MustCompile(`^[A-Za-z0-9_\-?.&]+$`)

// quickActionsOnCreate folds a new issue's description commands into its
// create input. Commands on what does not exist yet (state, title,
// subscription, awards) are dropped, as GitLab's persisted? conditions do;
// time tracking is returned to run once the issue exists.
func (s *Service) quickActionsOnCreate(ctx context.Context, id *auth.Identity, p *model.Project, level access.Level, in IssueInput) (IssueInput, []IssueTimeAction, error) {
	text, cmds := splitQuickActions(*in.Description)
	in.Description = &text
	if len(cmds) == 0 {
		return in, nil, nil
	}
	var keep []QuickAction
	for _, c := range cmds {
		switch c.Name {
		case "close", "reopen", "title", "subscribe", "unsubscribe", "award", "lock", "unlock", "remove_estimate":
		default:
			keep = append(keep, c)
		}
	}
	uid := id.User.ID
	draft := &IssueInProject{Project: p, Level: level, Issue: &model.Issue{ProjectID: p.ID, AuthorID: &uid, State: "opened"}}
	if in.AssigneeIDs != nil {
		draft.Issue.AssigneeIDs = *in.AssigneeIDs
	}
	pl, err := s.planQuickActions(ctx, id, draft, keep)
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
