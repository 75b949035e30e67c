package v4

import (
	"net/http"
	"strconv"

	"github.com/lablet/lablet/internal/service"
)

// Issue boards of projects (group false) and groups: GitLab's boards.rb
// and group_boards.rb, which share BoardsResponses.

// maxBoardName bounds a board's name parameter (GitLab sets no limit).
const maxBoardName = 1 << 16

// boardID reads {board_id} of the board routes, where GitLab declares no
// type: what is not a number finds no board, "404 Not found".
func boardID(r *http.Request) int64 {
	n, _ := strconv.ParseInt(r.PathValue("board_id"), 10, 64)
	return n
}

// boardAndListIDs reads the ids of the list routes, declared as integers:
// a malformed one is "board_id is invalid" (or list_id).
func boardAndListIDs(r *http.Request, withList bool) (board, list int64, err error) {
	if board, err = PathID(r, "board_id", "board_id"); err != nil || !withList {
		return board, 0, err
	}
	list, err = PathID(r, "list_id", "list_id")
	return board, list, err
}

func listBoards(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		all, err := a.svc.ListBoards(r.Context(), c.id, r.PathValue("id"), group)
		if err != nil {
			return err
		}
		pb := a.ProjectBase(r)
		out := []boardEntity{}
		for _, v := range PaginateSlice(a, w, r, c, all) {
			e, err := a.boardJSON(r, c, pb, v)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return WriteOK(w, out)
	}
}

func getBoard(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		v, err := a.svc.GetBoard(r.Context(), c.id, r.PathValue("id"), group, boardID(r))
		if err != nil {
			return err
		}
		return a.writeBoard(w, r, c, http.StatusOK, v)
	}
}

// createBoard is POST …/boards with name (required). GitLab's group route
// is Premium's (CE has none); lablet serves it as for projects.
func createBoard(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		name, ok, err := c.params.Text("name", maxBoardName)
		if err != nil {
			return err
		}
		if !ok {
			return service.ParamError("name is missing")
		}
		v, err := a.svc.CreateBoard(r.Context(), c.id, r.PathValue("id"), group, name)
		if err != nil {
			return err
		}
		return a.writeBoard(w, r, c, http.StatusCreated, v)
	}
}

// updateBoard is PUT …/boards/{board_id}: name, hide_backlog_list and
// hide_closed_list. CE declares nothing else, so the Premium scope
// parameters (assignee_id, milestone_id, labels, weight) are ignored.
func updateBoard(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		var in service.BoardInput
		if name, ok, err := c.params.Text("name", maxBoardName); err != nil {
			return err
		} else if ok {
			in.Name = &name
		}
		for _, f := range []struct {
			name string
			dst  **bool
		}{{"hide_backlog_list", &in.HideBacklogList}, {"hide_closed_list", &in.HideClosedList}} {
			v, ok, err := c.params.Bool(f.name)
			if err != nil {
				return err
			}
			if ok {
				*f.dst = &v
			}
		}
		v, err := a.svc.UpdateBoard(r.Context(), c.id, r.PathValue("id"), group, boardID(r), in)
		if err != nil {
			return err
		}
		return a.writeBoard(w, r, c, http.StatusOK, v)
	}
}

func deleteBoard(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		if err := a.svc.DeleteBoard(r.Context(), c.id, r.PathValue("id"), group, boardID(r)); err != nil {
			return err
		}
		return WriteNoContent(w)
	}
}

// listBoardLists is GET …/lists: the label lists, without the backlog and
// closed ones.
func listBoardLists(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		bid, _, err := boardAndListIDs(r, false)
		if err != nil {
			return err
		}
		all, err := a.svc.BoardLists(r.Context(), c.id, r.PathValue("id"), group, bid)
		if err != nil {
			return err
		}
		out, err := a.boardListsJSON(r, c, PaginateSlice(a, w, r, c, all)...)
		if err != nil {
			return err
		}
		return WriteOK(w, out)
	}
}

func getBoardList(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		bid, lid, err := boardAndListIDs(r, true)
		if err != nil {
			return err
		}
		l, err := a.svc.BoardList(r.Context(), c.id, r.PathValue("id"), group, bid, lid)
		if err != nil {
			return err
		}
		return a.writeBoardList(w, r, c, http.StatusOK, l)
	}
}

// createBoardList is POST …/lists with label_id. CE declares label_id
// only: the Premium list kinds' assignee_id, milestone_id and
// iteration_id are ignored, and label_id stays required.
func createBoardList(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		bid, _, err := boardAndListIDs(r, false)
		if err != nil {
			return err
		}
		label, err := c.params.RequiredInt("label_id")
		if err != nil {
			return err
		}
		l, err := a.svc.CreateBoardList(r.Context(), c.id, r.PathValue("id"), group, bid, label)
		if err != nil {
			return err
		}
		return a.writeBoardList(w, r, c, http.StatusCreated, l)
	}
}

// updateBoardList is PUT …/lists/{list_id} with position: the list moves
// there.
func updateBoardList(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		bid, lid, err := boardAndListIDs(r, true)
		if err != nil {
			return err
		}
		pos, err := c.params.RequiredInt("position")
		if err != nil {
			return err
		}
		l, err := a.svc.MoveBoardList(r.Context(), c.id, r.PathValue("id"), group, bid, lid, pos)
		if err != nil {
			return err
		}
		return a.writeBoardList(w, r, c, http.StatusOK, l)
	}
}

func deleteBoardList(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		bid, lid, err := boardAndListIDs(r, true)
		if err != nil {
			return err
		}
		if err := a.svc.DeleteBoardList(r.Context(), c.id, r.PathValue("id"), group, bid, lid); err != nil {
			return err
		}
		return WriteNoContent(w)
	}
}

// writeBoard writes one board with status.
func (a *API) writeBoard(w http.ResponseWriter, r *http.Request, c *Call, status int, v *service.BoardView) error {
	e, err := a.boardJSON(r, c, a.ProjectBase(r), v)
	if err != nil {
		return err
	}
	WriteJSON(w, status, e)
	return nil
}
