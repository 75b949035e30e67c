package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// LabelInput is a label's create or update parameters; nil fields are
// absent. Priority applies to project labels only; ClearPriority asks to
// remove it (priority given as null or empty).
type LabelInput struct {
	Name          *string
	Color         *string
	Description   *string
	Priority      *int64
	ClearPriority bool
}

// maxLabelTitle is GitLab's label title length limit.
const maxLabelTitle = 255

// validateLabel checks a label as GitLab's Label model does, in its
// render_validation_error! shape: {"message": {"title": [...]}}.
func validateLabel(l *model.Label) error {
	v := Validation{}
	switch {
	case l.Title == "":
		v.Add("title", "can't be blank")
	case strings.Contains(l.Title, ","):
		v.Add("title", "is invalid")
	}
	if utf8.RuneCountInString(l.Title) > maxLabelTitle {
		v.Add("title", fmt.Sprintf("is too long (maximum is %d characters)", maxLabelTitle))
	}
	if _, ok := NormalizeLabelColor(l.Color); !ok {
		v.Add("color", "must be a valid color code")
	}
	return v.Err()
}

func labelTitleTaken() error {
	return &Error{Kind: KindInvalid, Fields: map[string][]string{"title": {"has already been taken"}}}
}

// applyLabelInput sets in's fields on l. As GitLab's Label#title= and
// #description=, blank values leave the field as it is, and given ones are
// sanitized (HTML removed) and the title trimmed.
func applyLabelInput(l *model.Label, in LabelInput) {
	if in.Name != nil && strings.TrimSpace(*in.Name) != "" {
		l.Title = strings.TrimSpace(SanitizeLabelText(*in.Name))
	}
	if in.Color != nil {
		c, ok := NormalizeLabelColor(*in.Color)
		if !ok {
			c = *in.Color
		}
		l.Color = c
	}
	if in.Description != nil && strings.TrimSpace(*in.Description) != "" {
		l.Description = SanitizeLabelText(*in.Description)
	}
}

// CreateProjectLabel creates a project label.
func (s *Service) CreateProjectLabel(ctx context.Context, id *auth.Identity, ref string, in LabelInput) (*LabelView, error) {
	lp, err := s.projectLabelParent(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	return s.createLabel(ctx, id, lp, in)
}

// CreateGroupLabel creates a group label.
func (s *Service) CreateGroupLabel(ctx context.Context, id *auth.Identity, ref string, in LabelInput) (*LabelView, error) {
	lp, err := s.groupLabelParent(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	in.Priority, in.ClearPriority = nil, false
	return s.createLabel(ctx, id, lp, in)
}

func (s *Service) createLabel(ctx context.Context, id *auth.Identity, lp *planningParent, in LabelInput) (*LabelView, error) {
	if !lp.can(id, access.AdminLabel) {
		return nil, Forbidden("")
	}
	if in.Name == nil {
		return nil, ParamError("name is missing")
	}
	// GitLab refuses a title any label of the parent (its groups'
	// included) has before validating anything.
	sc, err := s.labelScope(ctx, id, lp, DefaultLabelListOptions())
	if err != nil {
		return nil, err
	}
	sc.Search, sc.Title = "", in.Name
	if same, err := s.db.Queries().ScopeLabels(ctx, sc); err != nil {
		return nil, err
	} else if len(same) > 0 {
		return nil, Conflict("Label already exists")
	}
	l := &model.Label{Color: "#428BCA"}
	if lp.project != nil {
		l.ProjectID = &lp.project.ID
	} else {
		l.GroupID = &lp.group.ID
	}
	applyLabelInput(l, in)
	if err := validateLabel(l); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := q.InsertLabel(ctx, l); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return labelTitleTaken()
			}
			return err
		}
		if lp.project != nil && in.Priority != nil {
			return q.SetLabelPriority(ctx, lp.project.ID, l.ID, in.Priority)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.labelView(ctx, id, lp, l)
}

// UpdateProjectLabel changes a project label, or the project's priority
// of a label of its group.
func (s *Service) UpdateProjectLabel(ctx context.Context, id *auth.Identity, ref, labelRef string, in LabelInput) (*LabelView, error) {
	lp, err := s.projectLabelParent(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	return s.updateLabel(ctx, id, lp, labelRef, in)
}

// UpdateGroupLabel changes a group label.
func (s *Service) UpdateGroupLabel(ctx context.Context, id *auth.Identity, ref, labelRef string, in LabelInput) (*LabelView, error) {
	lp, err := s.groupLabelParent(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	in.Priority, in.ClearPriority = nil, false
	return s.updateLabel(ctx, id, lp, labelRef, in)
}

// canAdminLabel is GitLab's admin_label on the label itself: on its
// project, or on its group.
func (s *Service) canAdminLabel(ctx context.Context, id *auth.Identity, lp *planningParent, l *model.Label) (bool, error) {
	if l.ProjectID != nil || lp.project == nil {
		return lp.can(id, access.AdminLabel), nil
	}
	// A group label reached through a project: the caller's level on the
	// label's group decides.
	ns, err := s.db.Queries().NamespaceByID(ctx, *l.GroupID)
	if err != nil {
		return false, err
	}
	level, err := s.NamespaceLevel(ctx, id, ns)
	if err != nil {
		return false, err
	}
	return GroupCan(level, access.AdminLabel), nil
}

func (s *Service) updateLabel(ctx context.Context, id *auth.Identity, lp *planningParent, labelRef string, in LabelInput) (*LabelView, error) {
	if !lp.can(id, access.AdminLabel) {
		return nil, Forbidden("")
	}
	o := DefaultLabelListOptions()
	o.IncludeAncestorGroups = false
	l, err := s.findLabel(ctx, id, lp, labelRef, o)
	if err != nil {
		return nil, err
	}
	if in.Name != nil || in.Color != nil || in.Description != nil {
		ok, err := s.canAdminLabel(ctx, id, lp, l)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, Forbidden("")
		}
		applyLabelInput(l, in)
		if err := validateLabel(l); err != nil {
			return nil, err
		}
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if in.Name != nil || in.Color != nil || in.Description != nil {
			if err := q.UpdateLabel(ctx, l); err != nil {
				if errors.Is(err, store.ErrConflict) {
					return labelTitleTaken()
				}
				return err
			}
		}
		if lp.project != nil && (in.Priority != nil || in.ClearPriority) {
			return q.SetLabelPriority(ctx, lp.project.ID, l.ID, in.Priority)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.labelView(ctx, id, lp, l)
}

// DeleteProjectLabel deletes a label of the project (or of its group,
// for a Reporter of the group).
func (s *Service) DeleteProjectLabel(ctx context.Context, id *auth.Identity, ref, labelRef string) error {
	lp, err := s.projectLabelParent(ctx, id, ref)
	if err != nil {
		return err
	}
	return s.deleteLabel(ctx, id, lp, labelRef)
}

// DeleteGroupLabel deletes a group label.
func (s *Service) DeleteGroupLabel(ctx context.Context, id *auth.Identity, ref, labelRef string) error {
	lp, err := s.groupLabelParent(ctx, id, ref)
	if err != nil {
		return err
	}
	return s.deleteLabel(ctx, id, lp, labelRef)
}

func (s *Service) deleteLabel(ctx context.Context, id *auth.Identity, lp *planningParent, labelRef string) error {
	o := DefaultLabelListOptions()
	o.IncludeAncestorGroups = false
	l, err := s.findLabel(ctx, id, lp, labelRef, o)
	if err != nil {
		return err
	}
	ok, err := s.canAdminLabel(ctx, id, lp, l)
	if err != nil {
		return err
	}
	if !ok {
		return Forbidden("")
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error { return q.DeleteLabels(ctx, []int64{l.ID}) })
}

// PromoteLabel turns a project label into a label of the project's group:
// the labels with its title in the group and the group's projects merge
// into the new one, as GitLab's Labels::PromoteService. The project must
// be in a group, where the caller manages labels.
func (s *Service) PromoteLabel(ctx context.Context, id *auth.Identity, ref, labelRef string) (*LabelView, error) {
	lp, err := s.projectLabelParent(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if lp.group == nil {
		return nil, Invalid("Failed to promote project label to group label")
	}
	glevel, err := s.NamespaceLevel(ctx, id, lp.group)
	if err != nil {
		return nil, err
	}
	if !GroupCan(glevel, access.AdminLabel) {
		return nil, Forbidden("")
	}
	o := DefaultLabelListOptions()
	o.IncludeAncestorGroups = false
	l, err := s.findLabel(ctx, id, lp, labelRef, o)
	if err != nil {
		return nil, err
	}
	if l.ProjectID == nil {
		return nil, Invalid("Failed to promote project label to group label")
	}
	groupLabel := &model.Label{GroupID: &lp.group.ID, Title: l.Title, Color: l.Color, Description: l.Description}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		// Promotions in one group queue (PostgreSQL), so that a second one
		// of the same title merges into the first's group label.
		if err := q.LockNamespaceChain(ctx, lp.group.ID); err != nil {
			return err
		}
		projects, err := q.ProjectIDsInNamespaces(ctx, []int64{lp.group.ID})
		if err != nil {
			return err
		}
		same, err := q.ScopeLabels(ctx, store.LabelScope{ProjectIDs: projects, GroupIDs: []int64{lp.group.ID}, Title: &l.Title})
		if err != nil {
			return err
		}
		var merged []int64
		for _, m := range same {
			if m.GroupID != nil {
				// The group already has the title: it becomes the
				// promoted label, with the promoted label's color and
				// description, and the project labels merge into it.
				groupLabel.ID, groupLabel.CreatedAt = m.ID, m.CreatedAt
				continue
			}
			merged = append(merged, m.ID)
		}
		if groupLabel.ID != 0 {
			if err := q.UpdateLabel(ctx, groupLabel); err != nil {
				return err
			}
		} else if err := q.InsertLabel(ctx, groupLabel); err != nil {
			return err
		}
		return q.MergeLabels(ctx, groupLabel.ID, merged)
	})
	if err != nil {
		return nil, err
	}
	return s.labelView(ctx, id, &planningParent{group: lp.group, level: glevel}, groupLabel)
}

// SetProjectLabelSubscription subscribes the caller to a label a project
// uses (or unsubscribes). changed is false when the caller already was
// (or was not) subscribed in the project: GitLab's 304.
func (s *Service) SetProjectLabelSubscription(ctx context.Context, id *auth.Identity, ref, labelRef string, subscribe bool) (*LabelView, bool, error) {
	lp, err := s.projectLabelParent(ctx, id, ref)
	if err != nil {
		return nil, false, err
	}
	return s.setLabelSubscription(ctx, id, lp, labelRef, subscribe)
}

// SetGroupLabelSubscription is SetProjectLabelSubscription for a group's
// label.
func (s *Service) SetGroupLabelSubscription(ctx context.Context, id *auth.Identity, ref, labelRef string, subscribe bool) (*LabelView, bool, error) {
	lp, err := s.groupLabelParent(ctx, id, ref)
	if err != nil {
		return nil, false, err
	}
	return s.setLabelSubscription(ctx, id, lp, labelRef, subscribe)
}

func (s *Service) setLabelSubscription(ctx context.Context, id *auth.Identity, lp *planningParent, labelRef string, subscribe bool) (*LabelView, bool, error) {
	if !id.Authenticated() {
		return nil, false, Unauthorized("")
	}
	if !lp.can(id, access.ReadLabel) {
		return nil, false, Forbidden("")
	}
	l, err := s.findLabel(ctx, id, lp, labelRef, DefaultLabelListOptions())
	if err != nil {
		return nil, false, err
	}
	changed := false
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		was, err := q.Subscribed(ctx, id.User.ID, "Label", l.ID, lp.projectID())
		if err != nil || was == subscribe {
			return err
		}
		changed = true
		return q.SetSubscription(ctx, id.User.ID, "Label", l.ID, lp.projectID(), subscribe)
	})
	if err != nil || !changed {
		return nil, changed, err
	}
	v, err := s.labelView(ctx, id, lp, l)
	return v, true, err
}
