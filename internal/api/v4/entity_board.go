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
	Project         *basicProject     `json:"project"`
	Lists           []boardListEntity `json:"lists"`
	Group           *basicGroupEntity `json:"group"`
}

// boardListEntity is GitLab's Entities::List of a label list; the work in
// progress limits (max_issue_count …) are Premium's.
type boardListEntity struct {
	ID       int64            `json:"id"`
	Label    labelBasicEntity `json:"label"`
	Position int64            `json:"position"`
}

func boardListJSON(l *model.BoardList) boardListEntity {
	return boardListEntity{ID: l.ID, Label: labelBasicOf(l.Label), Position: l.Position}
}

func boardListsJSON(lists []*model.BoardList) []boardListEntity {
	out := make([]boardListEntity, len(lists))
	for i, l := range lists {
		out[i] = boardListJSON(l)
	}
	return out
}

// boardJSON renders v; pb is the request's projectBase.
func (a *API) boardJSON(r *http.Request, pb projectBase, v *service.BoardView) boardEntity {
	b := v.Board
	e := boardEntity{ID: b.ID, Name: b.Name, HideBacklogList: b.HideBacklogList, HideClosedList: b.HideClosedList,
		Lists: boardListsJSON(b.Lists)}
	if v.Project != nil {
		p := basicProjectAt(pb, v.Project)
		e.Project = &p
	} else {
		e.Group = a.basicGroup(r, v.Group)
	}
	return e
}
