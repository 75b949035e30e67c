package service

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// planMetadata plans the label, assignee, reviewer and milestone
// commands (admin). Labels, users and milestones must exist, as GitLab's
// finders have them; unknown ones are ignored.
func (s *Service) planMetadata(ctx context.Context, q *store.Queries, id *auth.Identity, t *quickTarget, pl *quickPlan, c QuickAction) error {
	p := t.project
	switch c.Name {
	case "label", "relabel", "unlabel":
		if c.Name == "unlabel" && c.Arg == "" {
			if len(t.labelIDs) > 0 {
				pl.in.Labels, pl.hasUpdate = &[]string{}, true
				pl.did("label_ids", []int64{}, "Removed all labels.")
			}
			return nil
		}
		if c.Name != "label" && len(t.labelIDs) == 0 {
			return nil
		}
		titles := refArgs(c.Arg, '~')
		ids, err := resolveLabels(ctx, q, p, titles, false)
		if err != nil || len(ids) == 0 {
			return err
		}
		refs, err := labelRefs(ctx, q, p, titles, ids)
		if err != nil {
			return err
		}
		switch c.Name {
		case "label":
			pl.in.AddLabels = append(pl.in.AddLabels, titles...)
			pl.did("add_label_ids", ids, "Added "+refs+" "+plural(len(ids), "label")+".")
		case "relabel":
			pl.in.Labels = &titles
			pl.did("label_ids", ids, "Replaced all labels with "+refs+" "+plural(len(ids), "label")+".")
		default:
			pl.in.RemoveLabels = append(pl.in.RemoveLabels, titles...)
			pl.did("remove_label_ids", ids, "Removed "+refs+" "+plural(len(ids), "label")+".")
		}
		pl.hasUpdate = true
	case "assign", "reviewer":
		u, err := s.firstQuickUser(ctx, q, id, c.Arg)
		if err != nil || u == nil {
			return err
		}
		// CE has one assignee and one reviewer: the first named wins.
		ids := []int64{u.ID}
		if c.Name == "reviewer" {
			pl.reviewers, pl.hasUpdate = &ids, true
			pl.did("reviewer_ids", ids, "Assigned @"+u.Username+" as reviewer.")
			return nil
		}
		pl.in.AssigneeIDs, pl.hasUpdate = &ids, true
		pl.did("assignee_ids", ids, "Assigned @"+u.Username+".")
	case "unassign", "unassign_reviewer":
		cur, word := t.assigneeIDs, "assignee"
		if c.Name == "unassign_reviewer" {
			cur, word = t.reviewerIDs, "reviewer"
		}
		if len(cur) == 0 {
			return nil
		}
		users, err := q.UsersByIDs(ctx, cur)
		if err != nil {
			return err
		}
		var refs []string
		for _, uid := range cur {
			if u := users[uid]; u != nil {
				refs = append(refs, "@"+u.Username)
			}
		}
		msg := "Removed " + plural(len(refs), word) + " " + toSentence(refs) + "."
		if word == "reviewer" {
			pl.reviewers, pl.hasUpdate = &[]int64{}, true
			pl.did("reviewer_ids", []int64{}, msg)
			return nil
		}
		pl.in.AssigneeIDs, pl.hasUpdate = &[]int64{}, true
		pl.did("assignee_ids", []int64{}, msg)
	case "milestone":
		titles := refArgs(c.Arg, '%')
		if len(titles) == 0 {
			return nil
		}
		f := store.MilestoneFilter{ProjectIDs: []int64{p.ID}, Title: &titles[0], State: "active", Limit: 1}
		if p.Namespace != nil && p.Namespace.IsGroup() {
			f.GroupIDs = []int64{p.NamespaceID}
		}
		ms, _, err := q.ListMilestones(ctx, f)
		if err != nil || len(ms) == 0 {
			return err
		}
		mid := ms[0].ID
		pl.in.MilestoneID, pl.hasUpdate = &mid, true
		pl.did("milestone_id", mid, "Set the milestone to %"+quoteRef(ms[0].Title)+".")
	case "remove_milestone":
		if t.milestoneID == nil {
			return nil
		}
		m, err := q.MilestoneByID(ctx, *t.milestoneID)
		if err != nil {
			return err
		}
		zero := int64(0)
		pl.in.MilestoneID, pl.hasUpdate = &zero, true
		pl.did("milestone_id", nil, "Removed %"+quoteRef(m.Title)+" milestone.")
	}
	return nil
}

// firstQuickUser is the first existing user of an /assign or /reviewer
// argument ("me" the caller), nil for none.
func (s *Service) firstQuickUser(ctx context.Context, q *store.Queries, id *auth.Identity, arg string) (*model.User, error) {
	for _, name := range refArgs(arg, '@') {
		if name == "me" {
			return id.User, nil
		}
		u, err := q.UserByUsername(ctx, name)
		if isNotFound(err) {
			continue
		}
		return u, err
	}
	return nil, nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// labelRefs writes the labels of ids as GitLab's summaries do, by name:
// `~bug ~"needs review"`.
func labelRefs(ctx context.Context, q *store.Queries, p *model.Project, titles []string, ids []int64) (string, error) {
	found, err := q.AvailableLabels(ctx, p.ID, p.NamespaceID, titles)
	if err != nil {
		return "", err
	}
	refs := make([]string, 0, len(ids))
	for _, id := range ids {
		for _, l := range found {
			if l.ID == id {
				refs = append(refs, "~"+quoteRef(l.Title))
				break
			}
		}
	}
	return strings.Join(refs, " "), nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// quoteRef quotes a reference's name unless it is one word, as GitLab's
// label and milestone references do.
func quoteRef(name string) string {
	if simpleRefName.MatchString(name) {
		return name
	}
	return `"` + name + `"`
}

var simpleRefName = regexp.MustCompile(`^[A-Za-z0-9_\-?.&]+$`)
