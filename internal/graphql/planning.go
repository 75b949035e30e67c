package graphql

import (
	"context"
	"strconv"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Labels and milestones: a project's or group's, through the service
// calls REST's label and milestone routes make (a caller who may not see
// the project or group gets null), and an issue's or merge request's,
// loaded for its whole page.

func (v view) label(l *model.Label) *Label {
	kind := "ProjectLabel"
	if l.GroupID != nil {
		kind = "GroupLabel"
	}
	return &Label{ID: gid(kind, l.ID), Title: l.Title, Color: l.Color, TextColor: service.LabelTextColor(l.Color),
		Description: ptr(l.Description), CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
}

func labelConnection(v view, all []*model.Label, after, before *string, first, last *int) (*LabelConnection, error) {
	list, pg, err := inMemory(all, after, before, first, last)
	if err != nil {
		return nil, err
	}
	c := &LabelConnection{Count: len(all), PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < len(all))}
	for i, l := range list {
		node := v.label(l)
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &LabelEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}

func date(s *string) *time.Time {
	if s == nil {
		return nil
	}
	d, err := time.Parse(time.DateOnly, *s)
	if err != nil {
		return nil
	}
	return &d
}

func (v view) milestoneView(mv *service.MilestoneView) *Milestone {
	m := mv.Milestone
	return &Milestone{ID: gid("Milestone", m.ID), Iid: strconv.FormatInt(m.IID, 10), Title: m.Title,
		Description: ptr(m.Description), State: MilestoneStateEnum(m.State), DueDate: date(m.DueDate),
		StartDate: date(m.StartDate), CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, WebPath: mv.WebPath,
		Expired: mv.Expired, ProjectMilestone: m.ProjectID != nil, GroupMilestone: m.GroupID != nil}
}

// milestone renders a milestone an issuable of project p shows.
func (v view) milestone(m *model.Milestone, groups map[int64]*model.Namespace, p *model.Project) *Milestone {
	groupPath, projectPath := "", ""
	if m.GroupID != nil && groups[*m.GroupID] != nil {
		groupPath = groups[*m.GroupID].FullPath
	}
	if m.ProjectID != nil && *m.ProjectID == p.ID {
		projectPath = p.FullPath()
	}
	return v.milestoneView(&service.MilestoneView{Milestone: m, WebPath: service.MilestoneWebPath(m, projectPath, groupPath),
		Expired: service.MilestoneExpired(m, v.r.svc.Today())})
}

func labelOptions(searchTerm, title *string, ancestors, descendants, onlyGroup *bool) service.LabelListOptions {
	o := service.LabelListOptions{}
	if ancestors != nil {
		o.IncludeAncestorGroups = *ancestors
	}
	if descendants != nil {
		o.IncludeDescendantGroups = *descendants
	}
	if onlyGroup != nil {
		o.OnlyGroupLabels = *onlyGroup
	}
	if searchTerm != nil {
		o.Search = *searchTerm
	}
	if title != nil {
		o.Search = *title
	}
	return o
}

func (r *Resolver) planningLabels(ctx context.Context, list []*service.LabelView, err error, title *string,
	after, before *string, first, last *int) (*LabelConnection, error) {
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var all []*model.Label
	for _, lv := range list {
		if title == nil || lv.Label.Title == *title {
			all = append(all, lv.Label)
		}
	}
	return labelConnection(r.at(ctx), all, after, before, first, last)
}

func (r *Resolver) projectLabels(ctx context.Context, obj *Project, searchTerm, title *string, ancestors *bool,
	after, before *string, first, last *int) (*LabelConnection, error) {
	list, err := r.svc.ListProjectLabels(ctx, callerOf(ctx), service.ProjectRef(obj.p),
		labelOptions(searchTerm, title, ancestors, nil, nil))
	return r.planningLabels(ctx, list, err, title, after, before, first, last)
}

func (r *Resolver) groupLabels(ctx context.Context, obj *Group, searchTerm, title *string, ancestors, descendants,
	onlyGroup *bool, after, before *string, first, last *int) (*LabelConnection, error) {
	list, err := r.svc.ListGroupLabels(ctx, callerOf(ctx), strconv.FormatInt(obj.g.ID, 10),
		labelOptions(searchTerm, title, ancestors, descendants, onlyGroup))
	return r.planningLabels(ctx, list, err, title, after, before, first, last)
}

// oneLabel answers label(title:): the label, or null when there is none
// or the caller may not see it.
func (r *Resolver) oneLabel(ctx context.Context, lv *service.LabelView, err error, title string) (*Label, error) {
	if hidden(err) || err == nil && lv.Label.Title != title {
		return nil, nil // not a title: findLabel also takes ids
	}
	if err != nil {
		return nil, err
	}
	return r.at(ctx).label(lv.Label), nil
}

func (r *Resolver) projectLabel(ctx context.Context, obj *Project, title string) (*Label, error) {
	lv, err := r.svc.ProjectLabel(ctx, callerOf(ctx), service.ProjectRef(obj.p), title,
		service.LabelListOptions{IncludeAncestorGroups: true})
	return r.oneLabel(ctx, lv, err, title)
}

func (r *Resolver) groupLabel(ctx context.Context, obj *Group, title string) (*Label, error) {
	lv, err := r.svc.GroupLabel(ctx, callerOf(ctx), strconv.FormatInt(obj.g.ID, 10), title,
		service.LabelListOptions{IncludeAncestorGroups: true})
	return r.oneLabel(ctx, lv, err, title)
}

func (r *Resolver) milestones(ctx context.Context, ref string, group bool, state *MilestoneStateEnum, title,
	searchTitle *string, iids []string, ancestors, descendants *bool, after, before *string, first,
	last *int) (*MilestoneConnection, error) {
	o := service.MilestoneListOptions{Title: title}
	if state != nil {
		o.State = string(*state)
	}
	if searchTitle != nil {
		o.Search = *searchTitle
	}
	for _, s := range iids {
		n, err := parseIID(s)
		if err != nil {
			return nil, err
		}
		o.IIDs = append(o.IIDs, n)
	}
	o.IncludeAncestors = ancestors != nil && *ancestors
	o.IncludeDescendants = descendants != nil && *descendants
	list, pg, total, err := pageOf(after, before, first, last, func(offset, limit int) ([]*service.MilestoneView, int, error) {
		q := o
		q.Offset, q.Limit = offset, limit
		return r.svc.ListMilestones(ctx, callerOf(ctx), ref, group, q)
	})
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	c := &MilestoneConnection{Count: total, PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < total)}
	for i, mv := range list {
		node := v.milestoneView(mv)
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &MilestoneEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}
