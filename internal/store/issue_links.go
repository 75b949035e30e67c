package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lablet/lablet/internal/model"
)

// IssueLink is a link between two issues; LinkType as GitLab stores it
// (source relates_to / blocks target).
type IssueLink struct {
	ID        int64
	SourceID  int64
	TargetID  int64
	LinkType  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

const issueLinkColumns = "id, source_id, target_id, link_type, created_at, updated_at"

func scanIssueLink(s scanner) (*IssueLink, error) {
	var l IssueLink
	var created, updated int64
	if err := s.Scan(&l.ID, &l.SourceID, &l.TargetID, &l.LinkType, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	l.CreatedAt, l.UpdatedAt = fromMS(created), fromMS(updated)
	return &l, nil
}

// InsertIssueLink links source to target; a link between the two in
// either direction is ErrConflict. On PostgreSQL the two issues' rows are
// held first, in id order (FOR NO KEY UPDATE: rows referring to them are
// still written), so that A to B and B to A asked at once queue: the
// second sees the first's link. SQLite has one writer.
func (q *Queries) InsertIssueLink(ctx context.Context, l *IssueLink) error {
	if err := q.holdRows(ctx, "issues to link", "SELECT id FROM issues WHERE id IN (?, ?) ORDER BY id FOR NO KEY UPDATE",
		l.SourceID, l.TargetID); err != nil {
		return err
	}
	var n int
	if err := q.queryRow(ctx, `SELECT count(*) FROM issue_links WHERE (source_id = ? AND target_id = ?)
		OR (source_id = ? AND target_id = ?)`, l.SourceID, l.TargetID, l.TargetID, l.SourceID).Scan(&n); err != nil {
		return fmt.Errorf("store: link issues: %w", wrapErr(err))
	}
	if n > 0 {
		return fmt.Errorf("store: link issues: %w", ErrConflict)
	}
	now := q.Now()
	l.CreatedAt, l.UpdatedAt = now, now
	id, err := q.insert(ctx, `INSERT INTO issue_links (source_id, target_id, link_type, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)`, l.SourceID, l.TargetID, l.LinkType, ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: link issues: %w", err)
	}
	l.ID = id
	return nil
}

// IssueLinkByID returns the link with this id.
func (q *Queries) IssueLinkByID(ctx context.Context, id int64) (*IssueLink, error) {
	return scanIssueLink(q.queryRow(ctx, "SELECT "+issueLinkColumns+" FROM issue_links WHERE id = ?", id))
}

// IssueLinksOf returns the links from or to an issue, in id order.
func (q *Queries) IssueLinksOf(ctx context.Context, issueID int64) ([]*IssueLink, error) {
	rows, err := q.query(ctx, "SELECT "+issueLinkColumns+" FROM issue_links WHERE source_id = ? OR target_id = ? ORDER BY id",
		issueID, issueID)
	if err != nil {
		return nil, fmt.Errorf("store: issue links: %w", err)
	}
	return collect(rows, scanIssueLink)
}

// DeleteIssueLink removes a link.
func (q *Queries) DeleteIssueLink(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM issue_links WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: unlink issues: %w", err)
	}
	return nil
}

// IssuesByIDs returns the issues with these ids (with relations), in id
// order.
func (q *Queries) IssuesByIDs(ctx context.Context, ids []int64) ([]*model.Issue, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var c conds
	c.in("issues.id", false, ids)
	rows, err := q.query(ctx, "SELECT "+issueColumns+" FROM issues"+c.where()+" ORDER BY issues.id", c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: issues: %w", err)
	}
	return q.collectIssues(ctx, rows)
}
