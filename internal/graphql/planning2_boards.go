package graphql

import (
	"context"
	"strconv"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Issue boards: Project.boards and Group.boards through the service call
// REST's boards routes make (who may not read them gets null); a board's
// lists come with it from the same read, so a page of boards costs no
// statement a board.

// Board is a board with its lists, for Board.lists.
type Board struct {
	lists []*model.BoardList

	ID              string    `json:"id"`
	Name            *string   `json:"name,omitempty"`
	HideBacklogList *bool     `json:"hideBacklogList,omitempty"`
	HideClosedList  *bool     `json:"hideClosedList,omitempty"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
	WebPath         string    `json:"webPath"`
	WebURL          string    `json:"webUrl"`
}

func (r *Resolver) boards(ctx context.Context, ref string, group bool, boardID *string, after, before *string,
	first, last *int) (*BoardConnection, error) {
	views, err := r.svc.ListBoards(ctx, callerOf(ctx), ref, group)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if boardID != nil {
		n, err := parseGID("Board", *boardID)
		if err != nil {
			return nil, err
		}
		var kept []*service.BoardView
		for _, bv := range views {
			if bv.Board.ID == n {
				kept = append(kept, bv)
			}
		}
		views = kept
	}
	list, pg, err := inMemory(views, after, before, first, last)
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	c := &BoardConnection{Count: len(views), PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < len(views))}
	for i, bv := range list {
		b := bv.Board
		var web string
		if bv.Project != nil {
			web = "/" + bv.Project.FullPath()
		} else {
			web = "/groups/" + bv.Group.FullPath
		}
		web += "/-/boards/" + strconv.FormatInt(b.ID, 10)
		node := &Board{lists: b.Lists, ID: gid("Board", b.ID), Name: ptr(b.Name), HideBacklogList: ptr(b.HideBacklogList),
			HideClosedList: ptr(b.HideClosedList), CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, WebPath: web,
			WebURL: v.base + web}
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &BoardEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}

func (r *Resolver) boardLists(ctx context.Context, b *Board, after, before *string, first, last *int) (*BoardListConnection, error) {
	list, pg, err := inMemory(b.lists, after, before, first, last)
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	c := &BoardListConnection{Count: len(b.lists), PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < len(b.lists))}
	for i, l := range list {
		node := &BoardList{ID: gid("List", l.ID), ListType: "label", Position: ptr(int(l.Position))}
		if l.Label != nil {
			node.Title, node.Label = l.Label.Title, v.label(l.Label)
		}
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &BoardListEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}
