package service

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// IssueSubscribed is the issue entity's subscribed for the caller: an
// explicit (un)subscription, else whether they participate (author,
// assignee, author of a comment), as GitLab's Subscribable.
func (s *Service) IssueSubscribed(ctx context.Context, id *auth.Identity, ip *IssueInProject) (bool, error) {
	if !id.Authenticated() {
		return false, nil
	}
	return s.subscribed(ctx, s.db.Queries(), id.User.ID, ip.Issue)
}

func (s *Service) subscribed(ctx context.Context, q *store.Queries, uid int64, i *model.Issue) (bool, error) {
	explicit, err := q.Subscription(ctx, uid, model.NoteableIssue, i.ID, 0)
	if err != nil {
		return false, err
	}
	if explicit != nil {
		return *explicit, nil
	}
	ids, err := s.participantIDs(ctx, q, i)
	if err != nil {
		return false, err
	}
	return slices.Contains(ids, uid), nil
}

// SetIssueSubscription subscribes or unsubscribes the caller; changed is
// false when they already were (GitLab answers 304).
func (s *Service) SetIssueSubscription(ctx context.Context, id *auth.Identity, ref string, iid int64, subscribe bool) (*IssueInProject, bool, error) {
	ip, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return nil, false, err
	}
	changed := false
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		cur, err := s.subscribed(ctx, q, id.User.ID, ip.Issue)
		if err != nil || cur == subscribe {
			return err
		}
		changed = true
		return q.SetSubscription(ctx, id.User.ID, model.NoteableIssue, ip.Issue.ID, 0, subscribe)
	})
	return ip, changed, err
}

// participantIDs are the author, the assignees and the authors of user
// notes, in that order, each once.
func (s *Service) participantIDs(ctx context.Context, q *store.Queries, i *model.Issue) ([]int64, error) {
	return noteableParticipants(ctx, q, model.NoteableIssue, i.ID, i.AuthorID, i.AssigneeIDs)
}

// noteableParticipants are a noteable's author, the users of each of
// others (assignees, reviewers) and the authors of its user notes, in
// that order, each once.
func noteableParticipants(ctx context.Context, q *store.Queries, typ string, id int64, author *int64, others ...[]int64) ([]int64, error) {
	var ids []int64
	add := func(v int64) {
		if !slices.Contains(ids, v) {
			ids = append(ids, v)
		}
	}
	if author != nil {
		add(*author)
	}
	for _, list := range others {
		for _, a := range list {
			add(a)
		}
	}
	notes, err := q.NoteAuthorIDs(ctx, typ, id)
	if err != nil {
		return nil, err
	}
	for _, a := range notes {
		add(a)
	}
	return ids, nil
}

// usersInOrder returns the users of ids, in that order, skipping any gone.
func usersInOrder(ctx context.Context, q *store.Queries, ids []int64) ([]*model.User, error) {
	users, err := q.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("service: participants: %w", err)
	}
	out := []*model.User{}
	for _, uid := range ids {
		if u := users[uid]; u != nil {
			out = append(out, u)
		}
	}
	return out, nil
}

// IssueParticipants lists the users taking part in an issue.
func (s *Service) IssueParticipants(ctx context.Context, id *auth.Identity, ref string, iid int64) ([]*model.User, error) {
	ip, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	q := s.db.Queries()
	ids, err := s.participantIDs(ctx, q, ip.Issue)
	if err != nil {
		return nil, err
	}
	return usersInOrder(ctx, q, ids)
}

// IssueTimeAction is one of the time tracking endpoints' changes.
type IssueTimeAction struct {
	Estimate      *string // time_estimate's duration
	ResetEstimate bool
	Spent         *string // add_spent_time's duration
	Summary       string
	ResetSpent    bool
}

// TrackIssueTime applies a time tracking change: admin_issue, as GitLab's
// TimeTrackingEndpoints authorize. A system note records it.
func (s *Service) TrackIssueTime(ctx context.Context, id *auth.Identity, ref string, iid int64, a IssueTimeAction) (*model.Issue, error) {
	ip, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	if !ProjectCan(id, ip.Project, ip.Level, access.AdminIssue) {
		return nil, Forbidden("")
	}
	var seconds int64
	for _, d := range []*string{a.Estimate, a.Spent} {
		if d != nil {
			n, ok := ParseDuration(*d)
			if !ok || d == a.Estimate && n < 0 {
				return nil, ParamError("duration is invalid")
			}
			seconds = n
		}
	}
	var out *model.Issue
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		i, err := q.LockIssue(ctx, ip.Issue.ID)
		if err != nil {
			return err
		}
		i.AssigneeIDs, i.LabelIDs = ip.Issue.AssigneeIDs, ip.Issue.LabelIDs
		ev := issueEvents{ctx: ctx, q: q, issue: i, userID: id.User.ID}
		note := ""
		switch {
		case a.Estimate != nil || a.ResetEstimate:
			if a.ResetEstimate {
				seconds = 0
			}
			if seconds == i.TimeEstimate {
				out = i
				return nil
			}
			i.TimeEstimate = seconds
			note = "removed time estimate"
			if seconds != 0 {
				note = "changed time estimate to " + FormatDuration(seconds)
			}
		case a.Spent != nil:
			if seconds == 0 {
				out = i
				return nil
			}
			if err := q.InsertTimelog(ctx, model.NoteableIssue, i.ID, i.ProjectID, id.User.ID, seconds, a.Summary); err != nil {
				return err
			}
			i.TotalTimeSpent += seconds
			note = "added " + FormatDuration(seconds) + " of time spent"
			if seconds < 0 {
				note = "subtracted " + FormatDuration(-seconds) + " of time spent"
			}
		case a.ResetSpent:
			if err := q.DeleteTimelogs(ctx, model.NoteableIssue, i.ID); err != nil {
				return err
			}
			if i.TotalTimeSpent == 0 {
				out = i
				return nil
			}
			i.TotalTimeSpent = 0
			note = "removed time spent"
		}
		if err := q.UpdateIssue(ctx, i); err != nil {
			return err
		}
		out = i
		return ev.note(note)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Time units as GitLab's time tracking counts them (ChronicDuration with
// 8-hour days, 5-day weeks, 4-week months).
const (
	secMinute = 60
	secHour   = 60 * secMinute
	secDay    = 8 * secHour
	secWeek   = 5 * secDay
	secMonth  = 4 * secWeek
)

var durationPart = regexp.MustCompile(`^(\d+(?:\.\d+)?)\s*(mo|months?|w|weeks?|d|days?|h|hours?|hrs?|m|mins?|minutes?|s|secs?|seconds?)?$`)

// ParseDuration reads a time tracking duration ("3h30m", "1w 2d", "-1h",
// "90" meaning hours, as Gitlab::TimeTrackingFormatter.parse).
func ParseDuration(text string) (int64, bool) {
	t := strings.TrimSpace(strings.ToLower(text))
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimSpace(strings.TrimPrefix(t, "-"))
	if t == "" {
		return 0, false
	}
	// Split between a unit and the next number: "3h30m" -> "3h 30m".
	var b strings.Builder
	for i, r := range t {
		if i > 0 && r >= '0' && r <= '9' && t[i-1] >= 'a' && t[i-1] <= 'z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	var total float64
	for _, f := range strings.Fields(b.String()) {
		m := durationPart.FindStringSubmatch(f)
		if m == nil {
			return 0, false
		}
		n, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return 0, false
		}
		unit := float64(secHour)
		switch u := m[2]; {
		case strings.HasPrefix(u, "mo"):
			unit = secMonth
		case strings.HasPrefix(u, "w"):
			unit = secWeek
		case strings.HasPrefix(u, "d"):
			unit = secDay
		case strings.HasPrefix(u, "h"):
			unit = secHour
		case strings.HasPrefix(u, "m"):
			unit = secMinute
		case strings.HasPrefix(u, "s"):
			unit = 1
		}
		total += n * unit
	}
	if total > 1<<40 {
		return 0, false
	}
	n := int64(total)
	if neg {
		n = -n
	}
	return n, true
}

// FormatDuration is ChronicDuration's short output as GitLab's time
// tracking shows it: "1mo 1w 2d 3h 30m".
func FormatDuration(seconds int64) string {
	sign := ""
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	var parts []string
	for _, u := range []struct {
		n    int64
		unit string
	}{{secMonth, "mo"}, {secWeek, "w"}, {secDay, "d"}, {secHour, "h"}, {secMinute, "m"}, {1, "s"}} {
		if v := seconds / u.n; v > 0 {
			parts = append(parts, strconv.FormatInt(v, 10)+u.unit)
			seconds -= v * u.n
		}
	}
	if len(parts) == 0 {
		return "0s"
	}
	return sign + strings.Join(parts, " ")
}
