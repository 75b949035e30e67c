package graphql

import (
	"context"
	"errors"
	"slices"
	"strconv"

	gql "github.com/99designs/gqlgen/graphql"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// hidden reports whether err means the caller may not see the resource:
// GraphQL answers null for it, as GitLab does, where REST answers 404.
func hidden(err error) bool {
	var se *service.Error
	return errors.As(err, &se) && (se.Kind == service.KindNotFound || se.Kind == service.KindForbidden)
}

func (r *Resolver) currentUserOf(ctx context.Context) (*CurrentUser, error) {
	id := callerOf(ctx)
	if !id.Authenticated() {
		return nil, nil
	}
	return r.at(ctx).currentUser(id.User), nil
}

func (r *Resolver) findUser(ctx context.Context, gidText, username *string) (*UserCore, error) {
	id := callerOf(ctx)
	switch {
	case gidText != nil && username != nil, gidText == nil && username == nil:
		return nil, errors.New("Provide either a single username or id")
	case gidText != nil:
		n, err := parseGID("User", *gidText)
		if err != nil {
			return nil, err
		}
		u, err := r.svc.GetUser(ctx, id, n)
		if hidden(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return r.at(ctx).userCore(u), nil
	}
	us, _, err := r.svc.ListUsers(ctx, id, service.UserListInput{Username: *username, Limit: 1})
	if hidden(err) || err == nil && len(us) == 0 {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return r.at(ctx).userCore(us[0]), nil
}

func (r *Resolver) listUsers(ctx context.Context, ids, usernames []string, search *string, admins *bool,
	after, before *string, first, last *int) (*UserCoreConnection, error) {
	id := callerOf(ctx)
	var users []*model.User
	if len(ids) > 0 || len(usernames) > 0 {
		// Named users: each one looked up (GitLab caps these lists too).
		if len(ids)+len(usernames) > maxPageSize {
			return nil, errors.New("Too many users requested")
		}
		for _, g := range ids {
			n, err := parseGID("User", g)
			if err != nil {
				return nil, err
			}
			if u, err := r.svc.GetUser(ctx, id, n); err == nil {
				users = append(users, u)
			} else if !hidden(err) {
				return nil, err
			}
		}
		for _, name := range usernames {
			us, _, err := r.svc.ListUsers(ctx, id, service.UserListInput{Username: name, Limit: 1})
			if err != nil && !hidden(err) {
				return nil, err
			}
			users = append(users, us...)
		}
		pg, err := window(after, before, first, last, func() (int, error) { return len(users), nil })
		if err != nil {
			return nil, err
		}
		shown := users[min(pg.offset, len(users)):min(pg.offset+pg.limit, len(users))]
		return r.userConnection(ctx, shown, pg, len(users), pg.offset+len(shown) < len(users)), nil
	}
	in := service.UserListInput{Admins: admins != nil && *admins}
	if search != nil {
		in.Search = *search
	}
	total := func() (int, error) {
		in := in
		in.Limit = 1
		_, n, err := r.svc.ListUsers(ctx, id, in)
		return n, err
	}
	pg, err := window(after, before, first, last, total)
	if err != nil {
		return nil, err
	}
	in.Offset, in.Limit = pg.offset, pg.limit+1
	us, n, err := r.svc.ListUsers(ctx, id, in)
	if err != nil {
		return nil, err
	}
	more := len(us) > pg.limit
	if more {
		us = us[:pg.limit]
	}
	if pg.limit == 0 {
		us = nil
	}
	return r.userConnection(ctx, us, pg, n, more), nil
}

func (r *Resolver) userConnection(ctx context.Context, us []*model.User, pg page, total int, more bool) *UserCoreConnection {
	c := &UserCoreConnection{Count: total, PageInfo: pageInfo(pg, len(us), more)}
	for i, u := range us {
		n := r.at(ctx).userCore(u)
		c.Nodes = append(c.Nodes, n)
		c.Edges = append(c.Edges, &UserCoreEdge{Cursor: cursor(pg.offset + i), Node: n})
	}
	return c
}

func (r *Resolver) findProject(ctx context.Context, ref string) (*Project, error) {
	p, level, err := r.svc.VisibleProject(ctx, callerOf(ctx), ref)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return r.at(ctx).project(p, int(level)), nil
}

func (r *Resolver) listProjects(ctx context.Context, membership *bool, search *string, ids []string,
	after, before *string, first, last *int) (*ProjectConnection, error) {
	id := callerOf(ctx)
	if len(ids) > 0 {
		if len(ids) > maxPageSize {
			return nil, errors.New("Too many projects requested")
		}
		var ps []*Project
		for _, g := range ids {
			n, err := parseGID("Project", g)
			if err != nil {
				return nil, err
			}
			p, err := r.findProject(ctx, strconv.FormatInt(n, 10))
			if err != nil {
				return nil, err
			}
			if p != nil && (membership == nil || !*membership || p.level > 0) {
				ps = append(ps, p)
			}
		}
		pg, err := window(after, before, first, last, func() (int, error) { return len(ps), nil })
		if err != nil {
			return nil, err
		}
		shown := ps[min(pg.offset, len(ps)):min(pg.offset+pg.limit, len(ps))]
		return projectConnection(shown, pg, len(ps), pg.offset+len(shown) < len(ps)), nil
	}
	o := service.ProjectListOptions{Membership: membership != nil && *membership, OrderBy: "id", Desc: true}
	if search != nil {
		o.Search = *search
	}
	return r.projectPage(ctx, o, after, before, first, last, func(o service.ProjectListOptions) (*service.ProjectList, error) {
		return r.svc.ListProjects(ctx, id, o)
	})
}

func (r *Resolver) namespaceProjects(ctx context.Context, nsID int64, search *string, after, before *string,
	first, last *int) (*ProjectConnection, error) {
	o := service.ProjectListOptions{OrderBy: "id", Desc: true}
	if search != nil {
		o.Search = *search
	}
	ref := strconv.FormatInt(nsID, 10)
	return r.projectPage(ctx, o, after, before, first, last, func(o service.ProjectListOptions) (*service.ProjectList, error) {
		l, err := r.svc.GroupProjects(ctx, callerOf(ctx), ref, o)
		if hidden(err) {
			// A personal namespace: its owner's projects.
			return r.svc.UserProjects(ctx, callerOf(ctx), ref, o)
		}
		return l, err
	})
}

// projectPage runs one project list for a connection window, counting
// the total in the same call.
func (r *Resolver) projectPage(ctx context.Context, o service.ProjectListOptions, after, before *string, first, last *int,
	list func(service.ProjectListOptions) (*service.ProjectList, error)) (*ProjectConnection, error) {
	total := func() (int, error) {
		o := o
		o.Limit, o.Count = 1, true
		l, err := list(o)
		if err != nil {
			return 0, err
		}
		return l.Total, nil
	}
	pg, err := window(after, before, first, last, total)
	if err != nil {
		return nil, err
	}
	// Counting is a statement of its own: only when asked for.
	o.Offset, o.Limit, o.Count = pg.offset, pg.limit+1, slices.Contains(gql.CollectAllFields(ctx), "count")
	l, err := list(o)
	if hidden(err) {
		return projectConnection(nil, pg, 0, false), nil
	}
	if err != nil {
		return nil, err
	}
	ps := make([]*Project, 0, len(l.Projects))
	for _, p := range l.Projects {
		ps = append(ps, r.at(ctx).project(p, l.Access[p.ID].Level()))
	}
	more := len(ps) > pg.limit
	if more {
		ps = ps[:pg.limit]
	}
	return projectConnection(ps, pg, l.Total, more), nil
}

func projectConnection(ps []*Project, pg page, total int, more bool) *ProjectConnection {
	c := &ProjectConnection{Count: total, PageInfo: pageInfo(pg, len(ps), more)}
	shareSet(ps)
	for i, p := range ps {
		c.Nodes = append(c.Nodes, p)
		c.Edges = append(c.Edges, &ProjectEdge{Cursor: cursor(pg.offset + i), Node: p})
	}
	return c
}

func (r *Resolver) findGroup(ctx context.Context, ref string) (*Group, error) {
	g, _, err := r.svc.VisibleGroup(ctx, callerOf(ctx), ref)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return r.at(ctx).group(g), nil
}

func (r *Resolver) groupParent(ctx context.Context, g *Group) (*Group, error) {
	if g.g.ParentID == nil {
		return nil, nil
	}
	return r.findGroup(ctx, strconv.FormatInt(*g.g.ParentID, 10))
}

func (r *Resolver) projectGroup(ctx context.Context, p *Project) *Group {
	if !p.p.Namespace.IsGroup() {
		return nil
	}
	return r.at(ctx).group(p.p.Namespace)
}

func (r *Resolver) findNamespace(ctx context.Context, ref string) (*Namespace, error) {
	ns, _, err := r.svc.GetNamespace(ctx, callerOf(ctx), ref)
	if hidden(err) {
		if g, _, gerr := r.svc.VisibleGroup(ctx, callerOf(ctx), ref); gerr == nil {
			return r.namespace(g), nil
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return r.namespace(ns), nil
}

func (r *Resolver) listGroups(ctx context.Context, search *string, after, before *string, first, last *int) (*GroupConnection, error) {
	id := callerOf(ctx)
	o := service.GroupListOptions{}
	if search != nil {
		o.Search = *search
	}
	total := func() (int, error) {
		o := o
		o.Limit = 1
		_, n, err := r.svc.ListGroups(ctx, id, o)
		return n, err
	}
	pg, err := window(after, before, first, last, total)
	if err != nil {
		return nil, err
	}
	o.Offset, o.Limit = pg.offset, pg.limit+1
	gs, n, err := r.svc.ListGroups(ctx, id, o)
	if err != nil {
		return nil, err
	}
	more := len(gs) > pg.limit
	if more {
		gs = gs[:pg.limit]
	}
	c := &GroupConnection{Count: n, PageInfo: pageInfo(pg, len(gs), more)}
	for i, g := range gs {
		node := r.at(ctx).group(g)
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &GroupEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}
