package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const boardColumns = `boards.id, boards.project_id, boards.group_id, boards.name, boards.hide_backlog_list,
	boards.hide_closed_list, boards.created_at, boards.updated_at`

func scanBoard(s scanner) (*model.Board, error) {
	var b model.Board
	var project, group sql.NullInt64
	var created, updated int64
	if err := s.Scan(&b.ID, &project, &group, &b.Name, &b.HideBacklogList, &b.HideClosedList, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	b.ProjectID, b.GroupID = fromNullInt(project), fromNullInt(group)
	b.CreatedAt, b.UpdatedAt = fromMS(created), fromMS(updated)
	return &b, nil
}

// boardOwner is the WHERE condition naming a project's (projectID set) or
// a group's boards.
func boardOwner(projectID, groupID int64) (string, int64) {
	if projectID != 0 {
		return "boards.project_id = ?", projectID
	}
	return "boards.group_id = ?", groupID
}

// Boards returns the boards of a project (projectID set) or of a group, in
// id order, each with its label lists.
func (q *Queries) Boards(ctx context.Context, projectID, groupID int64) ([]*model.Board, error) {
	where, arg := boardOwner(projectID, groupID)
	rows, err := q.query(ctx, "SELECT "+boardColumns+" FROM boards WHERE "+where+" ORDER BY boards.id", arg)
	if err != nil {
		return nil, fmt.Errorf("store: boards: %w", err)
	}
	boards, err := collect(rows, scanBoard)
	if err != nil {
		return nil, fmt.Errorf("store: boards: %w", err)
	}
	return boards, q.loadBoardLists(ctx, boards)
}

// Board returns board id of a project (projectID set) or of a group, with
// its label lists; ErrNotFound when the parent has no such board.
func (q *Queries) Board(ctx context.Context, projectID, groupID, id int64) (*model.Board, error) {
	where, arg := boardOwner(projectID, groupID)
	b, err := scanBoard(q.queryRow(ctx, "SELECT "+boardColumns+" FROM boards WHERE boards.id = ? AND "+where, id, arg))
	if err != nil {
		return nil, err
	}
	return b, q.loadBoardLists(ctx, []*model.Board{b})
}

// LockBoard is Board inside a transaction, locking the board's row on
// PostgreSQL first (SQLite's transactions already serialise): every write
// to a board's lists takes it, so positions are decided one writer at a
// time.
func (q *Queries) LockBoard(ctx context.Context, projectID, groupID, id int64) (*model.Board, error) {
	if q.dialect == Postgres {
		where, arg := boardOwner(projectID, groupID)
		if _, err := scanInt64(q.queryRow(ctx, "SELECT boards.id FROM boards WHERE boards.id = ? AND "+where+" FOR UPDATE", id, arg)); err != nil {
			return nil, err
		}
	}
	return q.Board(ctx, projectID, groupID, id)
}

// loadBoardLists fills in the label lists of boards, with their labels,
// in one query.
func (q *Queries) loadBoardLists(ctx context.Context, boards []*model.Board) error {
	if len(boards) == 0 {
		return nil
	}
	byID := make(map[int64]*model.Board, len(boards))
	ids := make([]int64, len(boards))
	for i, b := range boards {
		byID[b.ID], ids[i] = b, b.ID
		b.Lists = []*model.BoardList{}
	}
	rows, err := q.query(ctx, `SELECT board_lists.id, board_lists.board_id, board_lists.position, board_lists.created_at,
		board_lists.updated_at, `+labelColumns+` FROM board_lists JOIN labels ON labels.id = board_lists.label_id
		WHERE board_lists.board_id IN (`+placeholders(len(ids))+`) AND board_lists.list_type = 'label'
		ORDER BY board_lists.board_id, board_lists.position, board_lists.id`, int64Args(ids)...)
	if err != nil {
		return fmt.Errorf("store: board lists: %w", err)
	}
	lists, err := collect(rows, scanBoardList)
	if err != nil {
		return fmt.Errorf("store: board lists: %w", err)
	}
	for _, l := range lists {
		b := byID[l.BoardID]
		b.Lists = append(b.Lists, l)
	}
	return nil
}

func scanBoardList(s scanner) (*model.BoardList, error) {
	var l model.BoardList
	var lb model.Label
	var created, updated, lcreated, lupdated int64
	var project, group sql.NullInt64
	err := s.Scan(&l.ID, &l.BoardID, &l.Position, &created, &updated,
		&lb.ID, &project, &group, &lb.Title, &lb.Color, &lb.Description, &lcreated, &lupdated)
	if err != nil {
		return nil, wrapErr(err)
	}
	l.CreatedAt, l.UpdatedAt = fromMS(created), fromMS(updated)
	lb.ProjectID, lb.GroupID = fromNullInt(project), fromNullInt(group)
	lb.CreatedAt, lb.UpdatedAt = fromMS(lcreated), fromMS(lupdated)
	l.Label = &lb
	return &l, nil
}

// InsertBoard inserts b with its backlog and closed lists, as GitLab's
// Boards::CreateService creates a board, filling in ID and timestamps.
func (q *Queries) InsertBoard(ctx context.Context, b *model.Board) error {
	now := q.Now()
	b.CreatedAt, b.UpdatedAt, b.Lists = now, now, []*model.BoardList{}
	id, err := q.insert(ctx, `INSERT INTO boards (project_id, group_id, name, hide_backlog_list, hide_closed_list,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		nullInt(b.ProjectID), nullInt(b.GroupID), b.Name, b.HideBacklogList, b.HideClosedList, ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create board: %w", err)
	}
	b.ID = id
	for _, t := range []string{model.BoardListBacklog, model.BoardListClosed} {
		if _, err := q.exec(ctx, `INSERT INTO board_lists (board_id, list_type, created_at, updated_at)
			VALUES (?, ?, ?, ?)`, id, t, ms(now), ms(now)); err != nil {
			return fmt.Errorf("store: create board list: %w", err)
		}
	}
	return nil
}

// UpdateBoard writes b's name and hide flags, moving UpdatedAt.
func (q *Queries) UpdateBoard(ctx context.Context, b *model.Board) error {
	b.UpdatedAt = q.Now()
	_, err := q.exec(ctx, "UPDATE boards SET name = ?, hide_backlog_list = ?, hide_closed_list = ?, updated_at = ? WHERE id = ?",
		b.Name, b.HideBacklogList, b.HideClosedList, ms(b.UpdatedAt), b.ID)
	if err != nil {
		return fmt.Errorf("store: update board: %w", err)
	}
	return nil
}

// DeleteBoard deletes a board; its lists go with it (foreign key).
func (q *Queries) DeleteBoard(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM boards WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete board: %w", err)
	}
	return nil
}

// LockLabelForList re-reads label id inside a transaction, holding it on
// PostgreSQL (FOR KEY SHARE) against deletion until commit, so a list
// never points at a label deleted meanwhile; ErrNotFound when it is gone.
// Take it before LockBoard: label deletions lock labels, then boards.
func (q *Queries) LockLabelForList(ctx context.Context, id int64) error {
	query := "SELECT id FROM labels WHERE id = ?"
	if q.dialect == Postgres {
		query += " FOR KEY SHARE"
	}
	_, err := scanInt64(q.queryRow(ctx, query, id))
	return err
}

// InsertBoardList adds a label list after the board's last one, filling in
// ID, Position and the timestamps. Run it after LockBoard. A label the
// board has a list of already is ErrConflict.
func (q *Queries) InsertBoardList(ctx context.Context, l *model.BoardList) error {
	next, err := scanInt64(q.queryRow(ctx, `SELECT COALESCE(MAX(position) + 1, 0) FROM board_lists
		WHERE board_id = ? AND list_type = 'label'`, l.BoardID))
	if err != nil {
		return fmt.Errorf("store: board list position: %w", err)
	}
	now := q.Now()
	l.Position, l.CreatedAt, l.UpdatedAt = next, now, now
	id, err := q.insert(ctx, `INSERT INTO board_lists (board_id, list_type, label_id, position, created_at, updated_at)
		VALUES (?, 'label', ?, ?, ?, ?)`, l.BoardID, l.Label.ID, next, ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create board list: %w", err)
	}
	l.ID = id
	return nil
}

// DeleteBoardList deletes a list; SetBoardListOrder then closes the gap.
func (q *Queries) DeleteBoardList(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM board_lists WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete board list: %w", err)
	}
	return nil
}

// SetBoardListOrder gives the label lists of one board positions 0, 1, …
// in the order of lists (all of the board's label lists, with their
// current positions), updating Position. Run it under LockBoard, which
// keeps positions whole; each row is written once at most, so no foreign
// key check (and no lock on the list's label) is taken again.
func (q *Queries) SetBoardListOrder(ctx context.Context, lists []*model.BoardList) error {
	now := q.Now()
	for i, l := range lists {
		if l.Position == int64(i) {
			continue
		}
		if _, err := q.exec(ctx, "UPDATE board_lists SET position = ?, updated_at = ? WHERE id = ?", i, ms(now), l.ID); err != nil {
			return fmt.Errorf("store: order board lists: %w", err)
		}
		l.Position = int64(i)
	}
	return nil
}

// lockLabelBoards locks labels, then the boards that have lists of them,
// on PostgreSQL (SQLite's transactions already serialise), and returns
// those boards' ids. Labels before boards is the order list creation
// takes them in, so the two never wait on each other in a cycle.
func (q *Queries) lockLabelBoards(ctx context.Context, labelIDs []int64) ([]int64, error) {
	in := " IN (" + placeholders(len(labelIDs)) + ")"
	args := int64Args(labelIDs)
	lock := ""
	if q.dialect == Postgres {
		if _, err := q.int64s(ctx, "SELECT id FROM labels WHERE id"+in+" ORDER BY id FOR UPDATE", args...); err != nil {
			return nil, fmt.Errorf("store: lock labels: %w", err)
		}
		// OF boards: the planner may turn the subquery into a join, whose
		// board_lists rows a bare FOR UPDATE would lock too.
		lock = " FOR UPDATE OF boards"
	}
	ids, err := q.int64s(ctx, "SELECT id FROM boards WHERE id IN (SELECT board_id FROM board_lists WHERE label_id"+in+
		") ORDER BY id"+lock, args...)
	if err != nil {
		return nil, fmt.Errorf("store: lock label boards: %w", err)
	}
	return ids, nil
}

// dropLabelLists deletes the board lists of labels about to be deleted and
// closes the gaps they leave (GitLab: Label has_many :lists, dependent:
// :destroy).
func (q *Queries) dropLabelLists(ctx context.Context, labelIDs []int64) error {
	boardIDs, err := q.lockLabelBoards(ctx, labelIDs)
	if err != nil || len(boardIDs) == 0 {
		return err
	}
	if _, err := q.exec(ctx, "DELETE FROM board_lists WHERE label_id IN ("+placeholders(len(labelIDs))+")", int64Args(labelIDs)...); err != nil {
		return fmt.Errorf("store: delete label lists: %w", err)
	}
	boards := make([]*model.Board, len(boardIDs))
	for i, id := range boardIDs {
		boards[i] = &model.Board{ID: id}
	}
	if err := q.loadBoardLists(ctx, boards); err != nil {
		return err
	}
	for _, b := range boards {
		if err := q.SetBoardListOrder(ctx, b.Lists); err != nil {
			return err
		}
	}
	return nil
}

// moveLabelLists points the lists of labels from at label into, where the
// board has no list of into yet (GitLab's Labels::PromoteService moves
// board lists to the promoted label); the rest go with their labels.
func (q *Queries) moveLabelLists(ctx context.Context, into int64, from []int64) error {
	if _, err := q.lockLabelBoards(ctx, from); err != nil {
		return err
	}
	args := append([]any{into}, int64Args(from)...)
	args = append(args, into)
	_, err := q.exec(ctx, `UPDATE board_lists SET label_id = ? WHERE label_id IN (`+placeholders(len(from))+`)
		AND NOT EXISTS (SELECT 1 FROM board_lists other WHERE other.board_id = board_lists.board_id AND other.label_id = ?)`, args...)
	if err != nil {
		return fmt.Errorf("store: move label lists: %w", err)
	}
	return nil
}
