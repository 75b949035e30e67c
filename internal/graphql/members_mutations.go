package graphql

import (
	"context"
	"strconv"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
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

// bulkUpdateMembers updates the members of the project or group (kind)
// whose global ID is gid, through source; msgs are the payload's errors.
func (r *Resolver) bulkUpdateMembers(ctx context.Context, kind, gid string, level MemberAccessLevel, expiresAt *time.Time,
	userGIDs []string, source func(context.Context, *auth.Identity, string) (*service.MemberSource, error),
) (views []*service.MemberView, msgs []string, err error) {
	mi, users, err := memberUpdate(level, expiresAt, userGIDs)
	if err != nil {
		return nil, nil, err
	}
	id, err := parseGID(kind, gid)
	if err != nil {
		return nil, nil, err
	}
	src, err := source(ctx, callerOf(ctx), strconv.FormatInt(id, 10))
	if err == nil {
		views, err = r.svc.UpdateMembers(ctx, callerOf(ctx), src, users, mi)
	}
	if err != nil {
		msgs, err = payloadErrors(err)
		return nil, msgs, err
	}
	if views == nil {
		views = []*service.MemberView{} // success: the payload lists none rather than null
	}
	return views, []string{}, nil
}

func (r *Resolver) projectMemberBulkUpdate(ctx context.Context, in ProjectMemberBulkUpdateInput) (*ProjectMemberBulkUpdatePayload, error) {
	views, msgs, err := r.bulkUpdateMembers(ctx, "Project", in.ProjectID, in.AccessLevel, in.ExpiresAt, in.UserIds,
		r.svc.ProjectMemberSource)
	if err != nil {
		return nil, err
	}
	out := &ProjectMemberBulkUpdatePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}
	if views != nil {
		out.ProjectMembers = []*ProjectMember{}
	}
	for _, m := range views {
		out.ProjectMembers = append(out.ProjectMembers, r.at(ctx).projectMember(m))
	}
	return out, nil
}

func (r *Resolver) groupMemberBulkUpdate(ctx context.Context, in GroupMemberBulkUpdateInput) (*GroupMemberBulkUpdatePayload, error) {
	views, msgs, err := r.bulkUpdateMembers(ctx, "Group", in.GroupID, in.AccessLevel, in.ExpiresAt, in.UserIds,
		r.svc.GroupMemberSource)
	if err != nil {
		return nil, err
	}
	out := &GroupMemberBulkUpdatePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}
	if views != nil {
		out.GroupMembers = []*GroupMember{}
	}
	for _, m := range views {
		out.GroupMembers = append(out.GroupMembers, r.at(ctx).groupMember(m))
	}
	return out, nil
}
