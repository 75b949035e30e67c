package model

import "time"

// Board list types, GitLab's List#list_type.
const (
	BoardListBacklog = "backlog"
	BoardListLabel   = "label"
	BoardListClosed  = "closed"
)

// Board is an issue board of a project (ProjectID set) or of a group
// (GroupID set), with its label lists when they are read with it.
type Board struct {
	ID              int64
	ProjectID       *int64
	GroupID         *int64
	Name            string
	HideBacklogList bool
	HideClosedList  bool
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// Lists are the board's label lists in position order.
	Lists []*BoardList
}

// BoardList is a label list of a board with its label: the lists the
// boards API shows. Positions run 0, 1, … without gaps.
type BoardList struct {
	ID        int64
	BoardID   int64
	Position  int64
	Label     *Label
	CreatedAt time.Time
	UpdatedAt time.Time
}
