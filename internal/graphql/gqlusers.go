package graphql

import (
	"context"
	"strconv"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Round 2 of the GraphQL coverage (docs/graphql-coverage.md): a user's
// starred projects (GET /users/:id/starred_projects), topics (GET /topics)
// and a project's users for autocompletion (GET /projects/:id/users), each
// through the service call its REST route makes.

// autocompleteLimit is GitLab's Autocomplete::UsersFinder::LIMIT.
const autocompleteLimit = 20

// starredProjects is UserCore.starredProjects and CurrentUser's: the
// projects user userID starred that the caller may see, empty when the
// caller may not see the profile (GitLab's StarredProjectsFinder).
func (r *Resolver) starredProjects(ctx context.Context, userID int64, search *string, after, before *string,
	first, last *int) (*ProjectConnection, error) {
	o := service.ProjectListOptions{OrderBy: "id", Desc: true}
	if search != nil {
		o.Search = *search
	}
	ref := strconv.FormatInt(userID, 10)
	return r.projectPage(ctx, o, after, before, first, last, func(o service.ProjectListOptions) (*service.ProjectList, error) {
		return r.svc.StarredProjects(ctx, callerOf(ctx), ref, o)
	})
}

func (r *Resolver) userCoreStarredProjects(ctx context.Context, u *UserCore, search *string, after, before *string,
	first, last *int) (*ProjectConnection, error) {
	id, err := parseGID("User", u.ID)
	if err != nil {
		return nil, err
	}
	return r.starredProjects(ctx, id, search, after, before, first, last)
}

func (r *Resolver) currentUserStarredProjects(ctx context.Context, search *string, after, before *string,
	first, last *int) (*ProjectConnection, error) {
	id := callerOf(ctx)
	if !id.Authenticated() {
		return nil, nil
	}
	return r.starredProjects(ctx, id.User.ID, search, after, before, first, last)
}

// topics is Query.topics (GET /topics): every topic, most used first, as
// GitLab's TopicsResolver; anyone may list them.
func (r *Resolver) topics(ctx context.Context, search *string, after, before *string, first, last *int) (*TopicConnection, error) {
	f := model.TopicFilter{}
	if search != nil {
		f.Search = *search
	}
	total := -1
	pg, err := window(after, before, first, last, func() (int, error) {
		c := f
		c.Limit = 1
		_, n, err := r.svc.ListTopics(ctx, c)
		total = n
		return n, err
	})
	if err != nil {
		return nil, err
	}
	f.Limit, f.Offset = pg.limit, pg.offset
	ts, n, err := r.svc.ListTopics(ctx, f)
	if err != nil {
		return nil, err
	}
	if total < 0 {
		total = n
	}
	more := pg.offset+len(ts) < total
	base := r.at(ctx).base
	c := &TopicConnection{Count: total, PageInfo: pageInfo(pg, len(ts), more)}
	for i, t := range ts {
		node := &Topic{ID: gid("Projects::Topic", t.ID), Name: t.Name, Title: t.Title, Description: t.Description,
			AvatarURL: v4.TopicAvatarURL(base, t)}
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &TopicEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}

// autocompleteUsers is Project.autocompleteUsers: the users with access to
// the project matching search (GET /projects/:id/users), at most
// autocompleteLimit; null when the caller may not see the project.
func (r *Resolver) autocompleteUsers(ctx context.Context, p *Project, search *string) ([]*AutocompletedUser, error) {
	f := model.ProjectUserFilter{Limit: autocompleteLimit}
	if search != nil {
		f.Search = *search
	}
	users, _, err := r.svc.ProjectUsers(ctx, callerOf(ctx), strconv.FormatInt(p.p.ID, 10), f)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	out := make([]*AutocompletedUser, len(users))
	for i, u := range users {
		c := v.userCore(u)
		out[i] = &AutocompletedUser{ID: c.ID, Username: c.Username, Name: c.Name, State: c.State,
			PublicEmail: c.PublicEmail, AvatarURL: c.AvatarURL, WebURL: c.WebURL, WebPath: c.WebPath, Bot: c.Bot,
			CreatedAt: c.CreatedAt}
	}
	return out, nil
}
