package service

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// LabelView is a label with what its entity shows to one caller.
type LabelView struct {
	Label *model.Label
	// Priority is the priority the listing project gives it (projects only).
	Priority   *int64
	Subscribed bool
	// WithCounts says whether the issue counts were asked for.
	WithCounts   bool
	OpenIssues   int64
	ClosedIssues int64
}

// IsProjectLabel reports whether the label belongs to a project.
func (v *LabelView) IsProjectLabel() bool { return v.Label.ProjectID != nil }

// LabelListOptions are the list and lookup parameters of the label APIs.
type LabelListOptions struct {
	IncludeAncestorGroups   bool
	IncludeDescendantGroups bool
	// OnlyGroupLabels: a group's list leaves its projects' labels out.
	OnlyGroupLabels bool
	Search          string
	WithCounts      bool
}

// DefaultLabelListOptions are GitLab's defaults: ancestors included,
// descendants not, group labels only.
func DefaultLabelListOptions() LabelListOptions {
	return LabelListOptions{IncludeAncestorGroups: true, OnlyGroupLabels: true}
}

func (lp *planningParent) projectID() int64 {
	if lp.project == nil {
		return 0
	}
	return lp.project.ID
}

// planningFeatureOn reports whether a project has labels and milestones
// at all: GitLab's ProjectPolicy prevents every label and milestone
// ability when both issues and merge requests are disabled (403, as the
// issues feature gate in VisibleIssue).
func planningFeatureOn(p *model.Project) bool { return p.IssuesEnabled || p.MergeRequestsEnabled }

// projectLabelParent loads a project the caller sees, with its group.
func (s *Service) projectLabelParent(ctx context.Context, id *auth.Identity, ref string) (*planningParent, error) {
	return s.planningParent(ctx, id, ref, false)
}

func (s *Service) groupLabelParent(ctx context.Context, id *auth.Identity, ref string) (*planningParent, error) {
	return s.planningParent(ctx, id, ref, true)
}

// labelScope is GitLab's LabelsFinder for a parent: a project's labels
// and its group's (with the group's ancestors), or a group's labels (with
// its ancestors, its descendants the caller sees, and their projects'
// labels when not only group labels).
func (s *Service) labelScope(ctx context.Context, id *auth.Identity, lp *planningParent, o LabelListOptions) (store.LabelScope, error) {
	q := s.db.Queries()
	var sc store.LabelScope
	sc.Search = o.Search
	if lp.project != nil {
		sc.ProjectIDs = []int64{lp.project.ID}
	}
	if lp.group == nil {
		return sc, nil
	}
	sc.GroupIDs = []int64{lp.group.ID}
	if o.IncludeAncestorGroups {
		anc, err := q.AncestorIDs(ctx, lp.group.ID)
		if err != nil {
			return sc, err
		}
		sc.GroupIDs = append(sc.GroupIDs, anc...)
	}
	if lp.project != nil {
		return sc, nil
	}
	if o.IncludeDescendantGroups {
		desc, err := s.visibleDescendants(ctx, id, lp.group.ID)
		if err != nil {
			return sc, err
		}
		sc.GroupIDs = append(sc.GroupIDs, desc...)
	}
	if !o.OnlyGroupLabels {
		list, err := s.listProjects(ctx, id, ProjectListOptions{IncludeSubgroups: o.IncludeDescendantGroups, Limit: maxScopeProjects}, lp.group.ID)
		if err != nil {
			return sc, err
		}
		for _, p := range list.Projects {
			sc.ProjectIDs = append(sc.ProjectIDs, p.ID)
		}
	}
	return sc, nil
}

// maxScopeProjects bounds the projects a group's label or milestone list
// looks into.
const maxScopeProjects = 10000

// visibleDescendants returns the ids of the groups below groupID the
// caller sees.
func (s *Service) visibleDescendants(ctx context.Context, id *auth.Identity, groupID int64) ([]int64, error) {
	q := s.db.Queries()
	ids, err := q.DescendantIDs(ctx, groupID)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	byID, err := q.NamespacesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, nid := range ids {
		ns := byID[nid]
		if ns == nil || ns.MarkedForDeletionOn != nil && !id.IsAdmin() {
			continue
		}
		level, err := s.NamespaceLevel(ctx, id, ns)
		if err != nil {
			return nil, err
		}
		if viewer(id).CanSee(ns.VisibilityLevel, level) {
			out = append(out, nid)
		}
	}
	slices.Sort(out)
	return out, nil
}

// sortLabels orders labels as GitLab lists them: by title, then id.
func sortLabels(list []*model.Label) {
	slices.SortFunc(list, func(a, b *model.Label) int {
		return cmp.Or(cmp.Compare(a.Title, b.Title), cmp.Compare(a.ID, b.ID))
	})
}

// findLabel is GitLab's find_label: among the parent's labels, the one
// with id ref, else the one titled ref; "404 Label Not Found".
func (s *Service) findLabel(ctx context.Context, id *auth.Identity, lp *planningParent, ref string, o LabelListOptions) (*model.Label, error) {
	sc, err := s.labelScope(ctx, id, lp, o)
	if err != nil {
		return nil, err
	}
	sc.Search = ""
	list, err := s.db.Queries().ScopeLabels(ctx, sc)
	if err != nil {
		return nil, err
	}
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
		for _, l := range list {
			if l.ID == n {
				return l, nil
			}
		}
	}
	sortLabels(list)
	for _, l := range list {
		if l.Title == ref {
			return l, nil
		}
	}
	return nil, NotFound("Label")
}

// ListProjectLabels lists the labels a project may use.
func (s *Service) ListProjectLabels(ctx context.Context, id *auth.Identity, ref string, o LabelListOptions) ([]*LabelView, error) {
	lp, err := s.projectLabelParent(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	return s.listLabels(ctx, id, lp, o)
}

// ListGroupLabels lists a group's labels.
func (s *Service) ListGroupLabels(ctx context.Context, id *auth.Identity, ref string, o LabelListOptions) ([]*LabelView, error) {
	lp, err := s.groupLabelParent(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	return s.listLabels(ctx, id, lp, o)
}

func (s *Service) listLabels(ctx context.Context, id *auth.Identity, lp *planningParent, o LabelListOptions) ([]*LabelView, error) {
	if !lp.can(id, access.ReadLabel) {
		return nil, Forbidden("")
	}
	sc, err := s.labelScope(ctx, id, lp, o)
	if err != nil {
		return nil, err
	}
	list, err := s.db.Queries().ScopeLabels(ctx, sc)
	if err != nil {
		return nil, err
	}
	sortLabels(list)
	return s.labelViews(ctx, id, lp, list, o.WithCounts)
}

// ProjectLabel returns one label a project may use, by id or title.
func (s *Service) ProjectLabel(ctx context.Context, id *auth.Identity, ref, labelRef string, o LabelListOptions) (*LabelView, error) {
	lp, err := s.projectLabelParent(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	return s.oneLabel(ctx, id, lp, labelRef, o)
}

// GroupLabel returns one of a group's labels, by id or title.
func (s *Service) GroupLabel(ctx context.Context, id *auth.Identity, ref, labelRef string, o LabelListOptions) (*LabelView, error) {
	lp, err := s.groupLabelParent(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	return s.oneLabel(ctx, id, lp, labelRef, o)
}

func (s *Service) oneLabel(ctx context.Context, id *auth.Identity, lp *planningParent, labelRef string, o LabelListOptions) (*LabelView, error) {
	if !lp.can(id, access.ReadLabel) {
		return nil, Forbidden("")
	}
	l, err := s.findLabel(ctx, id, lp, labelRef, o)
	if err != nil {
		return nil, err
	}
	return s.labelView(ctx, id, lp, l)
}

func (s *Service) labelView(ctx context.Context, id *auth.Identity, lp *planningParent, l *model.Label) (*LabelView, error) {
	views, err := s.labelViews(ctx, id, lp, []*model.Label{l}, false)
	if err != nil {
		return nil, err
	}
	return views[0], nil
}

// labelViews adds to labels, in batch, their priorities in the listing
// project, the caller's subscriptions and (withCounts) issue counts.
func (s *Service) labelViews(ctx context.Context, id *auth.Identity, lp *planningParent, labels []*model.Label, withCounts bool) ([]*LabelView, error) {
	q := s.db.Queries()
	ids := make([]int64, len(labels))
	for i, l := range labels {
		ids[i] = l.ID
	}
	var prios map[int64]int64
	if lp.project != nil {
		var err error
		if prios, err = q.LabelPriorities(ctx, lp.project.ID, ids); err != nil {
			return nil, err
		}
	}
	subs, err := q.LabelSubscriptions(ctx, id.UserID(), ids, lp.projectID())
	if err != nil {
		return nil, err
	}
	var counts map[int64]store.LabelIssueCount
	if withCounts {
		if counts, err = s.labelIssueCounts(ctx, id, lp, ids); err != nil {
			return nil, err
		}
	}
	out := make([]*LabelView, len(labels))
	for i, l := range labels {
		v := &LabelView{Label: l, Subscribed: subs[l.ID], WithCounts: withCounts}
		if p, ok := prios[l.ID]; ok {
			v.Priority = &p
		}
		if c, ok := counts[l.ID]; ok {
			v.OpenIssues, v.ClosedIssues = c.Open, c.Closed
		}
		out[i] = v
	}
	return out, nil
}

// labelIssueCounts counts the issues the caller may read that carry each
// label, in the listing project, or in the projects of the listing group
// and its subgroups the caller sees. Confidential issues count where the
// caller is a Reporter, or their author or an assignee (IssuesFinder).
func (s *Service) labelIssueCounts(ctx context.Context, id *auth.Identity, lp *planningParent, labelIDs []int64) (map[int64]store.LabelIssueCount, error) {
	in := store.LabelIssueCountsQuery{LabelIDs: labelIDs, UserID: id.UserID()}
	if lp.project != nil {
		in.ProjectIDs = []int64{lp.project.ID}
		if lp.level >= access.Reporter {
			in.ConfidentialProjectIDs = in.ProjectIDs
		}
	} else {
		list, err := s.listProjects(ctx, id, ProjectListOptions{IncludeSubgroups: true, Limit: maxScopeProjects}, lp.group.ID)
		if err != nil {
			return nil, fmt.Errorf("service: label counts: %w", err)
		}
		for _, p := range list.Projects {
			in.ProjectIDs = append(in.ProjectIDs, p.ID)
			if id.IsAdmin() || list.Access[p.ID].Level() >= int(access.Reporter) {
				in.ConfidentialProjectIDs = append(in.ConfidentialProjectIDs, p.ID)
			}
		}
	}
	return s.db.Queries().LabelIssueCounts(ctx, in)
}
