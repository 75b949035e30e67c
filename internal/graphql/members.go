package graphql

import (
	"context"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

func accessLevelOf(p *Project) access.Level { return access.Level(p.level) }

// members lists a source's effective members (direct and inherited, as
// GitLab's default relations) for a connection window.
func (r *Resolver) members(ctx context.Context, src *service.MemberSource, search *string, after, before *string,
	first, last *int) ([]*service.MemberView, page, int, bool, error) {
	f := model.MemberFilter{}
	if search != nil {
		f.Query = *search
	}
	total := func() (int, error) {
		f := f
		f.Limit = 1
		_, n, err := r.svc.ListMembers(ctx, src, true, f)
		return n, err
	}
	pg, err := window(after, before, first, last, total)
	if err != nil {
		return nil, pg, 0, false, err
	}
	f.Offset, f.Limit = pg.offset, pg.limit+1
	ms, n, err := r.svc.ListMembers(ctx, src, true, f)
	if err != nil {
		return nil, pg, 0, false, err
	}
	more := len(ms) > pg.limit
	if more {
		ms = ms[:pg.limit]
	}
	return ms, pg, n, more, nil
}

func (r *Resolver) projectMembers(ctx context.Context, p *Project, search *string, after, before *string,
	first, last *int) (*MemberInterfaceConnection, error) {
	src, err := r.svc.ProjectMemberSource(ctx, callerOf(ctx), strconv.FormatInt(p.p.ID, 10))
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ms, pg, n, more, err := r.members(ctx, src, search, after, before, first, last)
	if err != nil {
		return nil, err
	}
	c := &MemberInterfaceConnection{Count: n, PageInfo: pageInfo(pg, len(ms), more)}
	for i, m := range ms {
		var node MemberInterface
		if m.SourceType == model.SourceProject {
			node = r.at(ctx).projectMember(m)
		} else {
			node = r.at(ctx).groupMember(m)
		}
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &MemberInterfaceEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}

func (r *Resolver) groupMembers(ctx context.Context, g *Group, search *string, after, before *string,
	first, last *int) (*GroupMemberConnection, error) {
	src, err := r.svc.GroupMemberSource(ctx, callerOf(ctx), strconv.FormatInt(g.g.ID, 10))
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ms, pg, n, more, err := r.members(ctx, src, search, after, before, first, last)
	if err != nil {
		return nil, err
	}
	c := &GroupMemberConnection{Count: n, PageInfo: pageInfo(pg, len(ms), more)}
	for i, m := range ms {
		node := r.at(ctx).groupMember(m)
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &GroupMemberEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}
