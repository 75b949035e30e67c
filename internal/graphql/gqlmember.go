package graphql

import (
	"context"
	"sync"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// UserCore.groupMemberships and projectMemberships (issue 16) without one
// query per user: the first user's memberships of a kind asked for load
// those of every user the answer shows so far (noted by view.userCore),
// in one read (service.UsersMemberships), as emails do. Each membership is
// kept only when the caller may read its group or project, as GitLab
// authorizes GroupMember with read_group and ProjectMember with
// read_project.
type userMemberships struct {
	mu     sync.Mutex
	loaded map[string]map[int64][]*service.MemberView // by source type, then user
}

func (r *Resolver) membershipsOf(ctx context.Context, userID int64, sourceType string) ([]*service.MemberView, error) {
	l := loaderOf(ctx)
	m := &l.memberships
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.loaded == nil {
		m.loaded = map[string]map[int64][]*service.MemberView{}
	}
	loaded := m.loaded[sourceType]
	if loaded == nil {
		loaded = map[int64][]*service.MemberView{}
		m.loaded[sourceType] = loaded
	}
	if got, ok := loaded[userID]; ok {
		return got, nil
	}
	batch := []int64{userID}
	l.users.mu.Lock()
	for uid := range l.users.noted {
		if _, ok := loaded[uid]; !ok && uid != userID {
			batch = append(batch, uid)
		}
	}
	l.users.mu.Unlock()
	got, err := r.svc.UsersMemberships(ctx, callerOf(ctx), batch, sourceType)
	if err != nil {
		return nil, err
	}
	for _, uid := range batch {
		loaded[uid] = got[uid]
	}
	return got[userID], nil
}

// membershipPage windows user userGID's memberships of sourceType as
// connection nodes and edges, with their count.
func membershipPage[N, E any](ctx context.Context, r *Resolver, userGID, sourceType string, after, before *string,
	first, last *int, node func(*service.MemberView) N, edge func(string, N) E) ([]N, []E, *PageInfo, int, error) {
	id, err := parseGID("User", userGID)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	all, err := r.membershipsOf(ctx, id, sourceType)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	list, edges, pi, err := windowed(mapped(all, node), after, before, first, last, edge)
	return list, edges, pi, len(all), err
}

// userGroupMemberships is UserCore.groupMemberships and CurrentUser's.
func (r *Resolver) userGroupMemberships(ctx context.Context, userGID string, after, before *string,
	first, last *int) (*GroupMemberConnection, error) {
	list, edges, pi, n, err := membershipPage(ctx, r, userGID, model.SourceNamespace, after, before, first, last,
		r.at(ctx).groupMember, func(c string, n *GroupMember) *GroupMemberEdge { return &GroupMemberEdge{Cursor: c, Node: n} })
	if err != nil {
		return nil, err
	}
	return &GroupMemberConnection{Count: n, Nodes: list, Edges: edges, PageInfo: pi}, nil
}

// userProjectMemberships is UserCore.projectMemberships and CurrentUser's.
func (r *Resolver) userProjectMemberships(ctx context.Context, userGID string, after, before *string,
	first, last *int) (*ProjectMemberConnection, error) {
	list, edges, pi, n, err := membershipPage(ctx, r, userGID, model.SourceProject, after, before, first, last,
		r.at(ctx).projectMember, func(c string, n *ProjectMember) *ProjectMemberEdge {
			return &ProjectMemberEdge{Cursor: c, Node: n}
		})
	if err != nil {
		return nil, err
	}
	return &ProjectMemberConnection{Count: n, Nodes: list, Edges: edges, PageInfo: pi}, nil
}
