package store

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/lablet/lablet/internal/cache"
	"strconv"

	"github.com/lablet/lablet/internal/model"
)

// InsertEvent records e (and its push payload), filling in ID and
// CreatedAt. Run it in the transaction of the change it records, so that
// the feed never shows what did not happen.
func (q *Queries) InsertEvent(ctx context.Context, e *model.Event) error {
	e.CreatedAt = q.Now()
	id, err := q.insert(ctx, `INSERT INTO events (project_id, group_id, author_id, action, target_type,
		target_id, target_iid, target_title, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullInt(e.ProjectID), nullInt(e.GroupID), e.AuthorID, e.Action, nullStr(e.TargetType),
		nullInt(e.TargetID), nullInt(e.TargetIID), nullStr(e.TargetTitle), ms(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: record event: %w", err)
	}
	e.ID = id
	if p := e.Push; p != nil {
		if _, err := q.exec(ctx, `INSERT INTO push_event_payloads (event_id, commit_count, action, ref_type,
			commit_from, commit_to, ref, commit_title, ref_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, p.CommitCount, p.Action, p.RefType, nullStr(p.CommitFrom), nullStr(p.CommitTo), p.Ref,
			nullStr(p.CommitTitle), nullInt(p.RefCount)); err != nil {
			return fmt.Errorf("store: record push: %w", err)
		}
	}
	return nil
}

const eventColumns = `e.id, e.project_id, e.group_id, e.author_id, e.action, e.target_type, e.target_id,
	e.target_iid, e.target_title, e.created_at, pp.commit_count, pp.action, pp.ref_type, pp.commit_from,
	pp.commit_to, pp.ref, pp.commit_title, pp.ref_count`

func scanEvent(s scanner) (*model.Event, error) {
	var e model.Event
	var project, group, targetID, targetIID, commitCount, refCount sql.NullInt64
	var targetType, targetTitle, pushAction, refType, from, to, ref, title sql.NullString
	var created int64
	if err := s.Scan(&e.ID, &project, &group, &e.AuthorID, &e.Action, &targetType, &targetID, &targetIID,
		&targetTitle, &created, &commitCount, &pushAction, &refType, &from, &to, &ref, &title, &refCount); err != nil {
		return nil, wrapErr(err)
	}
	e.ProjectID, e.GroupID = fromNullInt(project), fromNullInt(group)
	e.TargetType, e.TargetID, e.TargetIID = fromNullStr(targetType), fromNullInt(targetID), fromNullInt(targetIID)
	e.TargetTitle, e.CreatedAt = fromNullStr(targetTitle), fromMS(created)
	if commitCount.Valid {
		e.Push = &model.PushData{CommitCount: commitCount.Int64, Action: pushAction.String, RefType: refType.String,
			CommitFrom: fromNullStr(from), CommitTo: fromNullStr(to), Ref: ref.String,
			CommitTitle: fromNullStr(title), RefCount: fromNullInt(refCount)}
	}
	return &e, nil
}

// ListEvents returns a page of the events f selects, newest first unless
// f.Asc, and how many there are. Events of projects the viewer may not
// see are left out here; the service decides on their targets.
func (q *Queries) ListEvents(ctx context.Context, f model.EventFilter) ([]*model.Event, int, error) {
	var w conds
	switch {
	case f.ProjectID != 0:
		w.add("e.project_id = ?", f.ProjectID)
	case f.AuthorID != 0:
		w.add("e.author_id = ?", f.AuthorID)
	case f.MemberID != 0:
		w.add("e.project_id IS NOT NULL")
		w.projectMember(f.MemberID, 10, f.Today)
	default:
		return nil, 0, fmt.Errorf("store: list events: no feed named")
	}
	if !f.Admin {
		// Events outside projects (none recorded yet) are shown only to
		// administrators until their groups' visibility is decided here.
		w.add("e.project_id IS NOT NULL")
	}
	w.projectVisible(viewerScope{ID: f.ViewerID, Admin: f.Admin, MinVisibility: f.MinVisibility, Today: f.Today})
	if f.Action != "" {
		w.add("e.action = ?", f.Action)
	}
	if f.TargetType != "" {
		w.add("e.target_type = ?", f.TargetType)
	}
	if f.Before != nil {
		w.add("e.created_at < ?", ms(*f.Before))
	}
	if f.After != nil {
		w.add("e.created_at > ?", ms(*f.After))
	}
	from := " FROM events e LEFT JOIN projects p ON p.id = e.project_id"
	total, err := q.countEvents(ctx, "SELECT count(*)"+from+w.where(), w.args)
	if err != nil {
		return nil, 0, err
	}
	order := " ORDER BY e.id DESC"
	if f.Asc {
		order = " ORDER BY e.id"
	}
	rows, err := q.query(ctx, "SELECT "+eventColumns+from+" LEFT JOIN push_event_payloads pp ON pp.event_id = e.id"+
		w.where()+order+" LIMIT "+strconv.Itoa(f.Limit)+" OFFSET "+strconv.Itoa(f.Offset), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list events: %w", err)
	}
	events, err := collect(rows, scanEvent)
	return events, total, err
}

// countEvents runs a feed's count, which reads every event of the feed
// with a visibility check each (a user with thousands of events makes it
// the page's dearest part), or answers it from the counts kept by
// statement and arguments under the activity, auth and listing versions:
// any new event, or any change to who sees which project, moves them.
func (q *Queries) countEvents(ctx context.Context, query string, args []any) (int, error) {
	stamp, cached := q.eventCountStamp()
	key := ""
	if cached {
		key = q.db.statementKey(query, args)
		cached = key != ""
	}
	if cached {
		if n, hit := q.db.eventCounts.GetAt(key, stamp); hit {
			return n, nil
		}
	}
	var n int
	if err := q.queryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count events: %w", wrapErr(err))
	}
	if cached {
		q.db.eventCounts.PutAtCost(key, stamp, n, len(key)+64)
	}
	return n, nil
}

func (q *Queries) eventCountStamp() (cache.Stamp, bool) {
	if q.db == nil || q.db.eventCounts == nil {
		return cache.Stamp{}, false
	}
	activity, ok1 := q.stamp(TopicActivity)
	auth, ok2 := q.stamp(TopicAuth)
	listing, ok3 := q.stamp(TopicListing)
	return cache.Stamp{activity[0] + auth[0], listing[0]}, ok1 && ok2 && ok3
}
