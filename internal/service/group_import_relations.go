package service

import (
	"context"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// importGroupRelations writes the labels, milestones, badges and boards of
// an archive's group n into the new group g. labels holds the labels g
// may use, its ancestors' made by the import, by title; g's own are added.
func importGroupRelations(ctx context.Context, q *store.Queries, g *model.Namespace, n *groupTreeNode,
	labels map[string]int64) error {
	own := map[string]bool{}
	for _, l := range n.labels {
		if l.Title == "" || own[l.Title] {
			continue
		}
		if msg := ValidText(l.Title, MaxNameLength); msg != "" {
			return fmt.Errorf("label %q: title %s", l.Title, msg)
		}
		lab := labelFromRecord(l)
		lab.GroupID = &g.ID
		if err := q.InsertLabel(ctx, lab); err != nil {
			return fmt.Errorf("label %q: %w", l.Title, err)
		}
		own[l.Title], labels[l.Title] = true, lab.ID
	}
	ms := slices.Clone(n.milestones)
	slices.SortStableFunc(ms, func(a, b exportedMilestone) int { return int(a.IID - b.IID) })
	titles := map[string]bool{}
	for _, m := range ms {
		if m.Title == "" || titles[m.Title] {
			continue
		}
		if msg := ValidText(m.Title, MaxNameLength); msg != "" {
			return fmt.Errorf("milestone %q: title %s", m.Title, msg)
		}
		titles[m.Title] = true
		if err := importMilestone(ctx, q, &model.Milestone{GroupID: &g.ID}, m); err != nil {
			return err
		}
	}
	for _, b := range n.badges {
		rec := &model.Badge{GroupID: g.ID, Name: b.Name, LinkURL: b.LinkURL, ImageURL: b.ImageURL}
		if err := validateBadge(rec); err != nil {
			return fmt.Errorf("badge %q: %w", b.LinkURL, err)
		}
		if err := q.CreateBadge(ctx, rec); err != nil {
			return err
		}
	}
	for _, b := range n.boards {
		if err := importGroupBoard(ctx, q, g, b, labels); err != nil {
			return fmt.Errorf("board %q: %w", b.Name, err)
		}
	}
	return nil
}

// importGroupBoard makes a board of g with its label lists in their
// order; a list whose label the group cannot use is left out.
func importGroupBoard(ctx context.Context, q *store.Queries, g *model.Namespace, b exportedBoard, labels map[string]int64) error {
	name := b.Name
	if name == "" {
		name = "Development"
	}
	if msg := ValidText(name, MaxNameLength); msg != "" {
		return fmt.Errorf("name %s", msg)
	}
	rec := &model.Board{GroupID: &g.ID, Name: name, HideBacklogList: b.HideBacklogList, HideClosedList: b.HideClosedList}
	if err := q.InsertBoard(ctx, rec); err != nil {
		return err
	}
	lists := slices.Clone(b.Lists)
	slices.SortStableFunc(lists, func(x, y exportedBoardList) int {
		return int(derefID(x.Position) - derefID(y.Position))
	})
	seen := map[int64]bool{}
	for _, l := range lists {
		if l.ListType != "label" || l.Label == nil {
			continue // backlog and closed lists come with every board
		}
		id, ok := labels[l.Label.Title]
		if !ok || seen[id] {
			continue
		}
		seen[id] = true
		if err := q.InsertBoardList(ctx, &model.BoardList{BoardID: rec.ID, Label: &model.Label{ID: id}}); err != nil {
			return err
		}
	}
	return nil
}
