package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// boardEntity is GitLab's Entities::Board as an instance without a
// Premium license renders it: CE's fields and EE's group (null on project
// boards, as project is on group boards). The board scope fields
// (milestone, assignee, labels, weight) are Premium's and absent.
type boardEntity struct {
	ID              int64             `json:"id"`
	Name            string            `json:"name"`
	HideBacklogList bool              `json:"hide_backlog_list"`
	HideClosedList  bool              `json:"hide_closed_list"`
	Project         *BasicProject     `json:"project"`
	Lists           []boardListEntity `json:"lists"`
	Group           *BasicGroupEntity `json:"group"`
}

// boardListEntity is GitLab's Entities::List of a label list; the work in
// progress limits (max_issue_count …) are Premium's.
type boardListEntity struct {
	ID       int64            `json:"id"`
	Label    labelBasicEntity `json:"label"`
	Position int64            `json:"position"`
}

// boardListsJSON renders lists; their labels' description_html, rendered
// for the caller, as GitLab's LabelBasic has it.
func (a *API) boardListsJSON(r *http.Request, c *Call, lists ...*model.BoardList) ([]boardListEntity, error) {
	labels := make([]*model.Label, 0, len(lists))
	for _, l := range lists {
		labels = append(labels, l.Label)
	}
	descs, err := a.labelDescriptions(r, c, labels)
	if err != nil {
		return nil, err
	}
	out := make([]boardListEntity, len(lists))
	for i, l := range lists {
		out[i] = boardListEntity{ID: l.ID, Label: labelBasicOf(l.Label, descs), Position: l.Position}
	}
	return out, nil
}

// writeBoardList writes one list with status.
func (a *API) writeBoardList(w http.ResponseWriter, r *http.Request, c *Call, status int, l *model.BoardList) error {
	out, err := a.boardListsJSON(r, c, l)
	if err != nil {
		return err
	}
	WriteJSON(w, status, out[0])
	return nil
}

// boardJSON renders v; pb is the request's ProjectBase.
func (a *API) boardJSON(r *http.Request, c *Call, pb ProjectBase, v *service.BoardView) (boardEntity, error) {
	b := v.Board
	lists, err := a.boardListsJSON(r, c, b.Lists...)
	if err != nil {
		return boardEntity{}, err
	}
	e := boardEntity{ID: b.ID, Name: b.Name, HideBacklogList: b.HideBacklogList, HideClosedList: b.HideClosedList,
		Lists: lists}
	if v.Project != nil {
		p := BasicProjectAt(pb, v.Project)
		e.Project = &p
	} else {
		e.Group = a.BasicGroup(r, v.Group)
	}
	return e, nil
}
