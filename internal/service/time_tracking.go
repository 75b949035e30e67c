package service

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Time tracking is one tracker for issues and merge requests alike, as
// GitLab's TimeTrackable: the same endpoints, durations, time logs and
// system notes.

// TimeAction is one of the time tracking endpoints' changes.
type TimeAction struct {
	Estimate      *string // time_estimate's duration
	ResetEstimate bool
	Spent         *string // add_spent_time's duration
	Summary       string
	ResetSpent    bool
}

// TimeStats are a noteable's time estimate and total time spent, in
// seconds.
type TimeStats struct {
	Estimate, Spent int64
}

// timeTracked is the issue or merge request a time tracking change is
// about: the caller reads it; admin is whether they may track its time
// (admin_issue, admin_merge_request).
type timeTracked struct {
	typ           string
	id, projectID int64
	stats         TimeStats
	admin         bool
}

// visibleTimeTracked loads the issue or merge request ref names for a
// caller who reads it, with the errors its own endpoints give.
func (s *Service) visibleTimeTracked(ctx context.Context, id *auth.Identity, ref NoteableRef) (*timeTracked, error) {
	switch ref.Type {
	case model.NoteableIssue:
		ip, err := s.VisibleIssue(ctx, id, ref.Project, ref.IID)
		if err != nil {
			return nil, err
		}
		i := ip.Issue
		return &timeTracked{typ: ref.Type, id: i.ID, projectID: i.ProjectID, stats: TimeStats{i.TimeEstimate, i.TotalTimeSpent},
			admin: ProjectCan(id, ip.Project, ip.Level, access.AdminIssue)}, nil
	case model.NoteableMergeRequest:
		mp, err := s.VisibleMergeRequest(ctx, id, ref.Project, ref.IID)
		if err != nil {
			return nil, err
		}
		m := mp.MR
		return &timeTracked{typ: ref.Type, id: m.ID, projectID: m.TargetProjectID, stats: TimeStats{m.TimeEstimate, m.TotalTimeSpent},
			admin: ProjectCan(id, mp.Project, mp.Level, access.AdminMergeRequest)}, nil
	}
	return nil, errRecordNotFound
}

// TimeStatsOf is GET …/time_stats of an issue or merge request the caller
// reads.
func (s *Service) TimeStatsOf(ctx context.Context, id *auth.Identity, ref NoteableRef) (TimeStats, error) {
	t, err := s.visibleTimeTracked(ctx, id, ref)
	if err != nil {
		return TimeStats{}, err
	}
	return t.stats, nil
}

// TrackTime applies a time tracking change to an issue or merge request:
// admin_issue or admin_merge_request, as GitLab's TimeTrackingEndpoints
// authorize. A system note records it; a change to nothing records none.
func (s *Service) TrackTime(ctx context.Context, id *auth.Identity, ref NoteableRef, a TimeAction) (TimeStats, error) {
	t, err := s.visibleTimeTracked(ctx, id, ref)
	if err != nil {
		return TimeStats{}, err
	}
	if !t.admin {
		return TimeStats{}, Forbidden("")
	}
	var seconds int64
	for _, d := range []*string{a.Estimate, a.Spent} {
		if d != nil {
			n, ok := ParseDuration(*d)
			if !ok || d == a.Estimate && n < 0 {
				return TimeStats{}, ParamError("duration is invalid")
			}
			seconds = n
		}
	}
	var out TimeStats
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		est, spent, err := q.LockTimeTracking(ctx, t.typ, t.id)
		if errors.Is(err, store.ErrNotFound) {
			return errRecordNotFound // deleted meanwhile
		}
		if err != nil {
			return err
		}
		out = TimeStats{est, spent}
		note := ""
		switch {
		case a.Estimate != nil || a.ResetEstimate:
			if a.ResetEstimate {
				seconds = 0
			}
			if seconds == est {
				return nil
			}
			out.Estimate = seconds
			note = "removed time estimate"
			if seconds != 0 {
				note = "changed time estimate to " + FormatDuration(seconds)
			}
		case a.Spent != nil:
			if seconds == 0 {
				return nil
			}
			if err := q.InsertTimelog(ctx, t.typ, t.id, t.projectID, id.User.ID, seconds, a.Summary); err != nil {
				return err
			}
			out.Spent += seconds
			note = "added " + FormatDuration(seconds) + " of time spent"
			if seconds < 0 {
				note = "subtracted " + FormatDuration(-seconds) + " of time spent"
			}
		case a.ResetSpent:
			if err := q.DeleteTimelogs(ctx, t.typ, t.id); err != nil {
				return err
			}
			if spent == 0 {
				return nil
			}
			out.Spent = 0
			note = "removed time spent"
		}
		if err := q.SetTimeTracking(ctx, t.typ, t.id, out.Estimate, out.Spent); err != nil {
			return err
		}
		ev := noteableEvents{ctx: ctx, q: q, typ: t.typ, id: t.id, projectID: t.projectID, userID: id.User.ID}
		return ev.note(note)
	})
	if err != nil {
		return TimeStats{}, err
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
