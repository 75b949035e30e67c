package graphql

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Merge requests: a project's merge requests through the service's list,
// with REST's visibility answers, authors loaded once per list; creating
// and merging one through the same service calls as REST.

func (v view) mergeRequest(p *model.Project, m *model.MergeRequest, author *model.User) *MergeRequest {
	web := v.base + "/" + p.FullPath() + "/-/merge_requests/" + strconv.FormatInt(m.IID, 10)
	out := &MergeRequest{ID: gid("MergeRequest", m.ID), Iid: strconv.FormatInt(m.IID, 10), Title: m.Title,
		Description: ptr(m.Description), State: MergeRequestState(m.State), Draft: m.Draft,
		SourceBranch: m.SourceBranch, TargetBranch: m.TargetBranch, TargetProjectID: int(m.TargetProjectID),
		DiffHeadSha: m.HeadSHA, MergeCommitSha: m.MergeCommitSHA, Squash: m.Squash, CreatedAt: m.CreatedAt,
		UpdatedAt: m.UpdatedAt, MergedAt: m.MergedAt, ClosedAt: m.ClosedAt, WebURL: &web,
		WebPath: strings.TrimPrefix(web, v.base), Reference: "!" + strconv.FormatInt(m.IID, 10),
		Author: v.userCore(author), Upvotes: int(m.Upvotes), Downvotes: int(m.Downvotes),
		UserNotesCount: ptr(int(m.UserNotesCount))}
	if m.SourceProjectID != nil {
		out.SourceProjectID = ptr(int(*m.SourceProjectID))
	}
	return out
}

// mergeRequestsOf renders a list, its authors read in one query.
func (r *Resolver) mergeRequestsOf(ctx context.Context, p *model.Project, list []*model.MergeRequest) ([]*MergeRequest, error) {
	users, err := usersOf(ctx, r, list, func(m *model.MergeRequest) *int64 { return m.AuthorID })
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	pg := &issuablePage{r: r, p: p, mrs: list}
	out := make([]*MergeRequest, len(list))
	for n, m := range list {
		out[n] = v.mergeRequest(p, m, userOf(users, m.AuthorID))
		out[n].i, out[n].page = mergeRequestFields(m), pg
	}
	return out, nil
}

// oneBranch is the one branch a filter names; lablet's list filters by
// one source and one target branch, as REST's.
func oneBranch(name string, branches []string) (string, error) {
	switch len(branches) {
	case 0:
		return "", nil
	case 1:
		return branches[0], nil
	}
	return "", errors.New(name + ": lablet filters by one branch")
}

func (r *Resolver) projectMergeRequests(ctx context.Context, obj *Project, iids []string, state *MergeRequestState,
	search *string, sourceBranches, targetBranches, labels []string, authorUsername *string, draft *bool,
	after, before *string, first, last *int) (*MergeRequestConnection, error) {
	qy, err := mergeRequestQueryOf(iids, state, search, sourceBranches, targetBranches, labels, authorUsername, draft)
	if err != nil {
		return nil, err
	}
	ref := strconv.FormatInt(obj.p.ID, 10)
	id := callerOf(ctx)
	list, pg, total, err := pageOf(after, before, first, last, func(offset, limit int) ([]*model.MergeRequest, int, error) {
		q := qy
		q.Offset, q.PerPage = offset, limit
		page, err := r.svc.ListProjectMergeRequests(ctx, id, ref, q)
		if err != nil {
			return nil, 0, err
		}
		return page.MergeRequests(), page.Total, nil
	})
	if hidden(err) {
		return nil, nil // merge requests off, or the project invisible
	}
	if err != nil {
		return nil, err
	}
	nodes, err := r.mergeRequestsOf(ctx, obj.p, list)
	if err != nil {
		return nil, err
	}
	return mergeRequestConnection(nodes, pg, total), nil
}

func (r *Resolver) projectMergeRequest(ctx context.Context, obj *Project, iid string) (*MergeRequest, error) {
	n, err := parseIID(iid)
	if err != nil {
		return nil, err
	}
	mp, err := r.svc.VisibleMergeRequest(ctx, callerOf(ctx), strconv.FormatInt(obj.p.ID, 10), n)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return r.oneMergeRequest(ctx, mp)
}

func (r *Resolver) oneMergeRequest(ctx context.Context, mp *service.MergeRequestInProject) (*MergeRequest, error) {
	nodes, err := r.mergeRequestsOf(ctx, mp.Project, []*model.MergeRequest{mp.MR})
	if err != nil {
		return nil, err
	}
	return nodes[0], nil
}

func (r *Resolver) mergeRequestCreate(ctx context.Context, in MergeRequestCreateInput) (*MergeRequestCreatePayload, error) {
	si := service.MergeRequestInput{Title: &in.Title, Description: in.Description, SourceBranch: &in.SourceBranch,
		TargetBranch: &in.TargetBranch}
	if in.Labels != nil {
		si.Labels = &in.Labels
	}
	mp, err := r.svc.CreateMergeRequest(ctx, callerOf(ctx), in.ProjectPath, si)
	if err != nil {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &MergeRequestCreatePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	m, err := r.oneMergeRequest(ctx, mp)
	if err != nil {
		return nil, err
	}
	return &MergeRequestCreatePayload{ClientMutationID: in.ClientMutationID, MergeRequest: m, Errors: []string{}}, nil
}

func (r *Resolver) mergeRequestAccept(ctx context.Context, in MergeRequestAcceptInput) (*MergeRequestAcceptPayload, error) {
	n, err := parseIID(in.Iid)
	if err != nil {
		return nil, err
	}
	mi := service.MergeInput{SHA: &in.Sha, Squash: in.Squash, MergeCommitMessage: in.CommitMessage,
		SquashCommitMessage: in.SquashCommitMessage, ShouldRemoveSourceBranch: in.ShouldRemoveSourceBranch,
		BaseURL: r.at(ctx).base}
	mp, err := r.svc.MergeMergeRequest(ctx, callerOf(ctx), in.ProjectPath, n, mi)
	if err != nil {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &MergeRequestAcceptPayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	m, err := r.oneMergeRequest(ctx, mp)
	if err != nil {
		return nil, err
	}
	return &MergeRequestAcceptPayload{ClientMutationID: in.ClientMutationID, MergeRequest: m, Errors: []string{}}, nil
}
