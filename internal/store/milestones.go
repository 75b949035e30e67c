package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/model"
)

const milestoneColumns = `milestones.id, milestones.project_id, milestones.group_id, milestones.iid,
	milestones.title, milestones.description, milestones.state, milestones.due_date,
	milestones.start_date, milestones.created_at, milestones.updated_at`

func scanMilestone(s scanner) (*model.Milestone, error) {
	var m model.Milestone
	var project, group sql.NullInt64
	var due, start sql.NullString
	var created, updated int64
	if err := s.Scan(&m.ID, &project, &group, &m.IID, &m.Title, &m.Description, &m.State, &due, &start,
		&created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	m.ProjectID, m.GroupID = fromNullInt(project), fromNullInt(group)
	m.DueDate, m.StartDate = fromNullStr(due), fromNullStr(start)
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	return &m, nil
}

// MilestoneByID returns the milestone with this id.
func (q *Queries) MilestoneByID(ctx context.Context, id int64) (*model.Milestone, error) {
	return scanMilestone(q.queryRow(ctx, "SELECT "+milestoneColumns+" FROM milestones WHERE id = ?", id))
}

// MilestonesByIDs returns the milestones with these ids, in id order.
func (q *Queries) MilestonesByIDs(ctx context.Context, ids []int64) ([]*model.Milestone, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	byID, err := readManyThrough(q, q.caches().milestones, TopicLabels, slices.Compact(slices.Sorted(slices.Values(ids))),
		func(m *model.Milestone) int64 { return m.ID }, copyMilestone,
		func(missing []int64) ([]*model.Milestone, error) {
			rows, err := q.query(ctx, "SELECT "+milestoneColumns+" FROM milestones WHERE id IN ("+placeholders(len(missing))+")", toAny(missing)...)
			if err != nil {
				return nil, fmt.Errorf("store: milestones: %w", err)
			}
			return collect(rows, scanMilestone)
		})
	return sortedByID(byID, func(m *model.Milestone) int64 { return m.ID }), err
}

func copyMilestone(m *model.Milestone) *model.Milestone { c := *m; return &c }

// InsertMilestone inserts m with the next iid of its project or group,
// filling in ID, IID and timestamps; a title taken in the same project or
// group is ErrConflict.
func (q *Queries) InsertMilestone(ctx context.Context, m *model.Milestone) error {
	usage, scope := IIDProjectMilestones, int64(0)
	switch {
	case m.ProjectID != nil:
		scope = *m.ProjectID
	case m.GroupID != nil:
		usage, scope = IIDGroupMilestones, *m.GroupID
	default:
		return fmt.Errorf("store: create milestone: neither project nor group")
	}
	iid, err := q.NextIID(ctx, usage, scope)
	if err != nil {
		return err
	}
	now := q.Now()
	m.CreatedAt, m.UpdatedAt = now, now
	if m.State == "" {
		m.State = "active"
	}
	id, err := q.insert(ctx, `INSERT INTO milestones (project_id, group_id, iid, title, description, state,
		due_date, start_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullInt(m.ProjectID), nullInt(m.GroupID), iid, m.Title, m.Description, m.State,
		nullStr(m.DueDate), nullStr(m.StartDate), ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create milestone: %w", err)
	}
	m.ID, m.IID = id, iid
	return nil
}
