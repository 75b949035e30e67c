package graphql

import (
	"context"
	"strconv"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/service"
)

// projectMemberBulkUpdate and groupMemberBulkUpdate: GitLab CE's member
// mutations, through the service's member update (REST's PUT
// /projects/:id/members/:user_id rules), all the users or none.

var memberLevels = map[MemberAccessLevel]access.Level{MemberAccessLevelGuest: access.Guest,
	MemberAccessLevelPlanner: access.Planner, MemberAccessLevelReporter: access.Reporter,
	MemberAccessLevelDeveloper: access.Developer, MemberAccessLevelMaintainer: access.Maintainer,
	MemberAccessLevelOwner: access.Owner}

func memberUpdate(level MemberAccessLevel, expiresAt *time.Time, userGIDs []string) (service.MemberInput, []int64, error) {
	in := service.MemberInput{AccessLevel: int(memberLevels[level]), ExpiresAtSet: true}
	if expiresAt != nil {
		in.ExpiresAt = ptr(expiresAt.UTC().Format(time.DateOnly))
	}
	var ids []int64
	for _, u := range userGIDs {
		n, err := parseGID("User", u)
		if err != nil {
			return in, nil, err
		}
		ids = append(ids, n)
	}
	return in, ids, nil
}

func (r *Resolver) projectMemberBulkUpdate(ctx context.Context, in ProjectMemberBulkUpdateInput) (*ProjectMemberBulkUpdatePayload, error) {
	mi, users, err := memberUpdate(in.AccessLevel, in.ExpiresAt, in.UserIds)
	if err != nil {
		return nil, err
	}
	pid, err := parseGID("Project", in.ProjectID)
	if err != nil {
		return nil, err
	}
	views, err := func() ([]*service.MemberView, error) {
		src, err := r.svc.ProjectMemberSource(ctx, callerOf(ctx), strconv.FormatInt(pid, 10))
		if err != nil {
			return nil, err
		}
		return r.svc.UpdateMembers(ctx, callerOf(ctx), src, users, mi)
	}()
	if err != nil {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &ProjectMemberBulkUpdatePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	out := &ProjectMemberBulkUpdatePayload{ClientMutationID: in.ClientMutationID, Errors: []string{}, ProjectMembers: []*ProjectMember{}}
	for _, m := range views {
		out.ProjectMembers = append(out.ProjectMembers, r.at(ctx).projectMember(m))
	}
	return out, nil
}

func (r *Resolver) groupMemberBulkUpdate(ctx context.Context, in GroupMemberBulkUpdateInput) (*GroupMemberBulkUpdatePayload, error) {
	mi, users, err := memberUpdate(in.AccessLevel, in.ExpiresAt, in.UserIds)
	if err != nil {
		return nil, err
	}
	gid, err := parseGID("Group", in.GroupID)
	if err != nil {
		return nil, err
	}
	views, err := func() ([]*service.MemberView, error) {
		src, err := r.svc.GroupMemberSource(ctx, callerOf(ctx), strconv.FormatInt(gid, 10))
		if err != nil {
			return nil, err
		}
		return r.svc.UpdateMembers(ctx, callerOf(ctx), src, users, mi)
	}()
	if err != nil {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &GroupMemberBulkUpdatePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	out := &GroupMemberBulkUpdatePayload{ClientMutationID: in.ClientMutationID, Errors: []string{}, GroupMembers: []*GroupMember{}}
	for _, m := range views {
		out.GroupMembers = append(out.GroupMembers, r.at(ctx).groupMember(m))
	}
	return out, nil
}
