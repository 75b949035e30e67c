package service

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Issue boards, as GitLab CE's boards and group boards APIs
// (lib/api/boards.rb, group_boards.rb, boards_responses.rb): a project or
// group has any number of boards (GitLab keeps creating, deleting and
// having several group boards for Premium); a board's lists are one per
// label of the labels its parent may use, in positions 0, 1, …. The
// Premium scopes (assignee, milestone, labels, weight of a board;
// assignee, milestone and iteration lists) are not CE's: their parameters
// are not declared, so they are ignored, and CE's entities do not show
// them.

// BoardView is a board with the parent its entity shows: a project
// board's project, or a group board's group.
type BoardView struct {
	Board   *model.Board
	Project *model.Project
	Group   *model.Namespace
}

// BoardInput is a board's update parameters (GitLab's update_params_ce);
// nil fields are absent.
type BoardInput struct {
	Name            *string
	HideBacklogList *bool
	HideClosedList  *bool
}

// boardCan is an issue board ability on lp. GitLab's ProjectPolicy prevents
// every board ability of a project whose issues feature is off.
func boardCan(id *auth.Identity, lp *planningParent, a access.Ability) bool {
	if lp.project != nil {
		return lp.project.IssuesEnabled && ProjectCan(id, lp.project, lp.level, a)
	}
	return GroupCan(lp.level, a)
}

// boardOwner names lp as the store's board queries do.
func boardOwner(lp *planningParent) (projectID, groupID int64) {
	if lp.project != nil {
		return lp.project.ID, 0
	}
	return 0, lp.group.ID
}

func boardViewOf(lp *planningParent, b *model.Board) *BoardView {
	if lp.project != nil {
		return &BoardView{Board: b, Project: lp.project}
	}
	return &BoardView{Board: b, Group: lp.group}
}

// findBoard is GitLab's board_parent.boards.find: "404 Not found" for a
// board of another parent or none.
func (s *Service) findBoard(ctx context.Context, lp *planningParent, boardID int64) (*model.Board, error) {
	pid, gid := boardOwner(lp)
	b, err := s.db.Queries().Board(ctx, pid, gid, boardID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errRecordNotFound
	}
	return b, err
}

// boardFor loads the parent, checks the ability a on it and finds the
// board, in GitLab's order: 404 for a hidden parent, 403 without the
// ability, then 404 for an unknown board.
func (s *Service) boardFor(ctx context.Context, id *auth.Identity, ref string, group bool, boardID int64, a access.Ability) (*planningParent, *model.Board, error) {
	lp, err := s.planningParent(ctx, id, ref, group)
	if err != nil {
		return nil, nil, err
	}
	if !boardCan(id, lp, a) {
		return nil, nil, Forbidden("")
	}
	b, err := s.findBoard(ctx, lp, boardID)
	if err != nil {
		return nil, nil, err
	}
	return lp, b, nil
}

// ListBoards lists the boards of a project or group in id order. GitLab's
// API lists what exists: it creates no default board (the web page does).
func (s *Service) ListBoards(ctx context.Context, id *auth.Identity, ref string, group bool) ([]*BoardView, error) {
	lp, err := s.planningParent(ctx, id, ref, group)
	if err != nil {
		return nil, err
	}
	if !boardCan(id, lp, access.ReadIssueBoard) {
		return nil, Forbidden("")
	}
	pid, gid := boardOwner(lp)
	boards, err := s.db.Queries().Boards(ctx, pid, gid)
	if err != nil {
		return nil, err
	}
	out := make([]*BoardView, len(boards))
	for i, b := range boards {
		out[i] = boardViewOf(lp, b)
	}
	return out, nil
}

// GetBoard returns one board of a project or group.
func (s *Service) GetBoard(ctx context.Context, id *auth.Identity, ref string, group bool, boardID int64) (*BoardView, error) {
	lp, b, err := s.boardFor(ctx, id, ref, group, boardID, access.ReadIssueBoard)
	if err != nil {
		return nil, err
	}
	return boardViewOf(lp, b), nil
}

// validateBoard is the Board model's validation: a name that is not blank.
func validateBoard(b *model.Board) error {
	v := Validation{}
	if strings.TrimSpace(b.Name) == "" {
		v.Add("name", "can't be blank")
	}
	return v.Err()
}

// CreateBoard creates a board named name, with its backlog and closed
// lists (Boards::CreateService); the API shows neither.
func (s *Service) CreateBoard(ctx context.Context, id *auth.Identity, ref string, group bool, name string) (*BoardView, error) {
	lp, err := s.planningParent(ctx, id, ref, group)
	if err != nil {
		return nil, err
	}
	if !boardCan(id, lp, access.AdminIssueBoard) {
		return nil, Forbidden("")
	}
	b := &model.Board{Name: name}
	if lp.project != nil {
		b.ProjectID = &lp.project.ID
	} else {
		b.GroupID = &lp.group.ID
	}
	if err := validateBoard(b); err != nil {
		return nil, err
	}
	if err := s.db.WithTx(ctx, func(q *store.Queries) error { return q.InsertBoard(ctx, b) }); err != nil {
		return nil, err
	}
	return boardViewOf(lp, b), nil
}

// UpdateBoard changes a board's name and hide flags (Boards::UpdateService's
// permitted params).
func (s *Service) UpdateBoard(ctx context.Context, id *auth.Identity, ref string, group bool, boardID int64, in BoardInput) (*BoardView, error) {
	lp, b, err := s.boardFor(ctx, id, ref, group, boardID, access.AdminIssueBoard)
	if err != nil {
		return nil, err
	}
	if in.Name != nil {
		b.Name = *in.Name
	}
	if in.HideBacklogList != nil {
		b.HideBacklogList = *in.HideBacklogList
	}
	if in.HideClosedList != nil {
		b.HideClosedList = *in.HideClosedList
	}
	if err := validateBoard(b); err != nil {
		return nil, err
	}
	if err := s.db.WithTx(ctx, func(q *store.Queries) error { return q.UpdateBoard(ctx, b) }); err != nil {
		return nil, err
	}
	return boardViewOf(lp, b), nil
}

// DeleteBoard deletes a board with its lists.
func (s *Service) DeleteBoard(ctx context.Context, id *auth.Identity, ref string, group bool, boardID int64) error {
	_, b, err := s.boardFor(ctx, id, ref, group, boardID, access.AdminIssueBoard)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error { return q.DeleteBoard(ctx, b.ID) })
}

// listOf finds list listID among a board's label lists: "404 Not found"
// for a backlog or closed list, another board's list or none
// (board.destroyable_lists.find).
func listOf(b *model.Board, listID int64) (int, error) {
	i := slices.IndexFunc(b.Lists, func(l *model.BoardList) bool { return l.ID == listID })
	if i < 0 {
		return 0, errRecordNotFound
	}
	return i, nil
}

// BoardLists returns a board's label lists in position order.
func (s *Service) BoardLists(ctx context.Context, id *auth.Identity, ref string, group bool, boardID int64) ([]*model.BoardList, error) {
	_, b, err := s.boardFor(ctx, id, ref, group, boardID, access.ReadIssueBoard)
	if err != nil {
		return nil, err
	}
	return b.Lists, nil
}

// BoardList returns one label list of a board.
func (s *Service) BoardList(ctx context.Context, id *auth.Identity, ref string, group bool, boardID, listID int64) (*model.BoardList, error) {
	_, b, err := s.boardFor(ctx, id, ref, group, boardID, access.ReadIssueBoard)
	if err != nil {
		return nil, err
	}
	i, err := listOf(b, listID)
	if err != nil {
		return nil, err
	}
	return b.Lists[i], nil
}

// errLabelNotFound is Boards::Lists::BaseCreateService's answer to a label
// the board's parent may not use: render_api_error!, 400.
var errLabelNotFound = ParamError("Label not found")

// CreateBoardList adds a list of label labelID after the board's last
// list. The label must be one the parent may use: a project's own labels
// and its groups', or a group's and its ancestors' (GitLab's
// Labels::AvailableLabelsService). A label the board has a list of is the
// List model's uniqueness error, even for concurrent requests (the board
// lock and the unique index).
func (s *Service) CreateBoardList(ctx context.Context, id *auth.Identity, ref string, group bool, boardID, labelID int64) (*model.BoardList, error) {
	lp, b, err := s.boardFor(ctx, id, ref, group, boardID, access.AdminIssueBoardList)
	if err != nil {
		return nil, err
	}
	sc, err := s.labelScope(ctx, id, lp, DefaultLabelListOptions())
	if err != nil {
		return nil, err
	}
	sc.Search, sc.ID = "", labelID
	found, err := s.db.Queries().ScopeLabels(ctx, sc)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, errLabelNotFound
	}
	l := &model.BoardList{BoardID: b.ID, Label: found[0]}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := q.LockLabelForList(ctx, labelID); errors.Is(err, store.ErrNotFound) {
			return errLabelNotFound // deleted meanwhile
		} else if err != nil {
			return err
		}
		if _, err := s.lockBoard(ctx, q, lp, b.ID); err != nil {
			return err
		}
		if err := q.InsertBoardList(ctx, l); errors.Is(err, store.ErrConflict) {
			return ParamError("Label has already been taken")
		} else if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// errListNotMoved is Boards::Lists::MoveService refusing a move: to where
// the list is, or outside 0 … lists-1.
var errListNotMoved = ParamError("List could not be moved!")

// MoveBoardList moves a list to position, shifting the lists between its
// old and new place by one, as Boards::Lists::MoveService. GitLab finds
// the list before it checks the ability.
func (s *Service) MoveBoardList(ctx context.Context, id *auth.Identity, ref string, group bool, boardID, listID, position int64) (*model.BoardList, error) {
	lp, b, err := s.boardFor(ctx, id, ref, group, boardID, access.ReadIssueBoard)
	if err != nil {
		return nil, err
	}
	if _, err := listOf(b, listID); err != nil {
		return nil, err
	}
	if !boardCan(id, lp, access.AdminIssueBoardList) {
		return nil, Forbidden("")
	}
	var moved *model.BoardList
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		b, i, err := s.lockList(ctx, q, lp, b.ID, listID)
		if err != nil {
			return err
		}
		if position == int64(i) || position < 0 || position >= int64(len(b.Lists)) {
			return errListNotMoved
		}
		moved = b.Lists[i]
		order := slices.Insert(slices.Delete(slices.Clone(b.Lists), i, i+1), int(position), moved)
		return q.SetBoardListOrder(ctx, order)
	})
	if err != nil {
		return nil, err
	}
	return moved, nil
}

// DeleteBoardList removes a list and closes the gap it leaves
// (Boards::Lists::DestroyService).
func (s *Service) DeleteBoardList(ctx context.Context, id *auth.Identity, ref string, group bool, boardID, listID int64) error {
	lp, b, err := s.boardFor(ctx, id, ref, group, boardID, access.AdminIssueBoardList)
	if err != nil {
		return err
	}
	if _, err := listOf(b, listID); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		b, i, err := s.lockList(ctx, q, lp, b.ID, listID)
		if err != nil {
			return err
		}
		if err := q.DeleteBoardList(ctx, listID); err != nil {
			return err
		}
		return q.SetBoardListOrder(ctx, slices.Delete(slices.Clone(b.Lists), i, i+1))
	})
}

// lockBoard re-reads a board with its lists under the board lock: "404
// Not found" when it was deleted meanwhile.
func (s *Service) lockBoard(ctx context.Context, q *store.Queries, lp *planningParent, boardID int64) (*model.Board, error) {
	pid, gid := boardOwner(lp)
	b, err := q.LockBoard(ctx, pid, gid, boardID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errRecordNotFound
	}
	return b, err
}

// lockList is lockBoard and listOf: the board's lists under its lock and
// the index of list listID among them.
func (s *Service) lockList(ctx context.Context, q *store.Queries, lp *planningParent, boardID, listID int64) (*model.Board, int, error) {
	b, err := s.lockBoard(ctx, q, lp, boardID)
	if err != nil {
		return nil, 0, err
	}
	i, err := listOf(b, listID)
	return b, i, err
}
