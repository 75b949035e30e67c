package graphql

import (
	"context"
	"strconv"
	"sync"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Issue.participants loads the participants of every issue of a page at
// once, through the service rule REST's participants route uses
// (TestGraphQLIssueParticipantsNoNPlusOne); Project.deployment(iid:) goes
// through REST's single-deployment answer (read_deployment).

// participantsLoad is a page's participants, loaded once.
type participantsLoad struct {
	once  sync.Once
	users map[int64][]*model.User
	err   error
}

func (pg *issuablePage) loadParticipants(ctx context.Context) (map[int64][]*model.User, error) {
	pg.mu.Lock()
	if pg.participants == nil {
		pg.participants = &participantsLoad{}
	}
	l := pg.participants
	pg.mu.Unlock()
	l.once.Do(func() {
		l.users, l.err = pg.r.svc.IssuesParticipants(ctx, callerOf(ctx), service.ProjectRef(pg.p), pg.issues)
	})
	return l.users, l.err
}

func (r *Resolver) issueParticipants(ctx context.Context, obj *Issue, after, before *string, first, last *int) (*UserCoreConnection, error) {
	if obj.page == nil || obj.page.issues == nil {
		return nil, nil
	}
	byIssue, err := obj.page.loadParticipants(ctx)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	all := byIssue[obj.i.id]
	list, w, err := inMemory(all, after, before, first, last)
	if err != nil {
		return nil, err
	}
	return r.userConnection(ctx, list, w, len(all), w.offset+len(list) < len(all)), nil
}

func (r *Resolver) projectDeployment(ctx context.Context, obj *Project, iid string) (*Deployment, error) {
	n, err := parseIID(iid)
	if err != nil {
		return nil, err
	}
	d, err := r.svc.DeploymentByIID(ctx, callerOf(ctx), strconv.FormatInt(obj.p.ID, 10), n)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return r.at(ctx).deployment(d), nil
}
