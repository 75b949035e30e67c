package graphql

import (
	"context"
	"strconv"

	"github.com/lablet/lablet/internal/service"
)

// The current user's merge requests (GitLab's CurrentUser.authored-,
// assigned- and reviewRequestedMergeRequests): REST's GET /merge_requests
// with scope created_by_me, assigned_to_me, or reviewer_id of the caller,
// over every project the caller may read.

type userMergeRequests int

const (
	authoredMRs userMergeRequests = iota
	assignedMRs
	reviewMRs
)

func (r *Resolver) currentUserMergeRequests(ctx context.Context, which userMergeRequests, iids []string,
	state *MergeRequestState, search *string, sourceBranches, targetBranches, labels []string, draft *bool,
	authorUsername *string, after, before *string, first, last *int) (*MergeRequestConnection, error) {
	id := callerOf(ctx)
	if !id.Authenticated() {
		return nil, nil
	}
	qy, err := mergeRequestQueryOf(iids, state, search, sourceBranches, targetBranches, labels, authorUsername, draft)
	if err != nil {
		return nil, err
	}
	switch which {
	case authoredMRs:
		qy.Scope = "created_by_me"
	case assignedMRs:
		qy.Scope = "assigned_to_me"
	case reviewMRs:
		qy.Scope, qy.ReviewerID = "all", ptr(strconv.FormatInt(id.UserID(), 10))
	}
	return r.mergeRequestsList(ctx, qy, after, before, first, last, func(q service.MergeRequestQuery) (*service.MergeRequestPage, error) {
		return r.svc.ListAllMergeRequests(ctx, id, q)
	})
}

// humanDuration is GitLab's human time of seconds (REST's
// human_time_estimate): nil for none.
func humanDuration(seconds int64) *string {
	if seconds == 0 {
		return nil
	}
	return ptr(service.FormatDuration(seconds))
}
