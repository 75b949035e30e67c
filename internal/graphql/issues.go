package graphql

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Issues: a project's issues through the service's issue list and the
// same visibility answers as REST (confidential issues hidden from whom
// may not see them), authors loaded once per list.

func parseIID(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("iid must be a positive integer")
	}
	return n, nil
}

// issue renders i of project p with its author (nil: a deleted user,
// shown as GitLab's ghost user).
func (v view) issue(p *model.Project, i *model.Issue, author *model.User) *Issue {
	web := v.base + "/" + p.FullPath() + "/-/issues/" + strconv.FormatInt(i.IID, 10)
	out := &Issue{ID: gid("Issue", i.ID), Iid: strconv.FormatInt(i.IID, 10), Title: i.Title, Description: ptr(i.Description),
		State: IssueState(i.State), Confidential: i.Confidential, DiscussionLocked: i.DiscussionLocked != nil && *i.DiscussionLocked,
		CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt, ClosedAt: i.ClosedAt, WebURL: web,
		WebPath: strings.TrimPrefix(web, v.base), Reference: "#" + strconv.FormatInt(i.IID, 10),
		Upvotes: int(i.Upvotes), Downvotes: int(i.Downvotes), UserNotesCount: int(i.UserNotesCount)}
	if i.DueDate != nil {
		if d, err := time.Parse(time.DateOnly, *i.DueDate); err == nil {
			out.DueDate = &d
		}
	}
	out.Author = v.userCore(author)
	if out.Author == nil {
		out.Author = &UserCore{ID: gid("User", 0), Username: "ghost", Name: "Ghost User", State: UserStateActive,
			WebURL: v.base + "/ghost", WebPath: "/ghost"}
	}
	return out
}

// issuesOf renders a list, its authors read in one query.
func (r *Resolver) issuesOf(ctx context.Context, p *model.Project, list []*model.Issue) ([]*Issue, error) {
	users, err := usersOf(ctx, r, list, func(i *model.Issue) *int64 { return i.AuthorID })
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	pg := &issuablePage{r: r, p: p, issues: list}
	out := make([]*Issue, len(list))
	for n, i := range list {
		out[n] = v.issue(p, i, userOf(users, i.AuthorID))
		out[n].i, out[n].page = issueFields(i), pg
	}
	return out, nil
}

func (r *Resolver) projectIssues(ctx context.Context, obj *Project, iid *string, iids []string, state *IssuableState,
	search *string, labelName []*string, authorUsername *string, assigneeUsernames []string, confidential *bool,
	after, before *string, first, last *int) (*IssueConnection, error) {
	qy, err := issueQueryOf(iid, iids, state, search, labelName, authorUsername, assigneeUsernames, confidential)
	if err != nil {
		return nil, err
	}
	ref := strconv.FormatInt(obj.p.ID, 10)
	id := callerOf(ctx)
	list, pg, total, err := pageOf(after, before, first, last, func(offset, limit int) ([]*model.Issue, int, error) {
		q := qy
		q.Offset, q.PerPage = offset, limit
		page, err := r.svc.ListProjectIssues(ctx, id, ref, q)
		if err != nil {
			return nil, 0, err
		}
		return page.Issues, page.Total, nil
	})
	if hidden(err) {
		return nil, nil // issues off, or the project invisible
	}
	if err != nil {
		return nil, err
	}
	nodes, err := r.issuesOf(ctx, obj.p, list)
	if err != nil {
		return nil, err
	}
	return issueConnection(nodes, pg, total), nil
}

func (r *Resolver) projectIssue(ctx context.Context, obj *Project, iid string) (*Issue, error) {
	n, err := parseIID(iid)
	if err != nil {
		return nil, err
	}
	ip, err := r.svc.VisibleIssue(ctx, callerOf(ctx), strconv.FormatInt(obj.p.ID, 10), n)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	nodes, err := r.issuesOf(ctx, ip.Project, []*model.Issue{ip.Issue})
	if err != nil {
		return nil, err
	}
	return nodes[0], nil
}

func (r *Resolver) createIssue(ctx context.Context, in CreateIssueInput) (*CreateIssuePayload, error) {
	si := service.IssueInput{Title: &in.Title, Description: in.Description, Confidential: in.Confidential}
	if in.DueDate != nil {
		si.DueDateSet, si.DueDate = true, in.DueDate
	}
	if in.Labels != nil {
		si.Labels = &in.Labels
	}
	ip, err := r.svc.CreateIssue(ctx, callerOf(ctx), in.ProjectPath, si)
	if err != nil {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &CreateIssuePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	nodes, err := r.issuesOf(ctx, ip.Project, []*model.Issue{ip.Issue})
	if err != nil {
		return nil, err
	}
	return &CreateIssuePayload{ClientMutationID: in.ClientMutationID, Issue: nodes[0], Errors: []string{}}, nil
}

func (r *Resolver) updateIssue(ctx context.Context, in UpdateIssueInput) (*UpdateIssuePayload, error) {
	n, err := parseIID(in.Iid)
	if err != nil {
		return nil, err
	}
	si := service.IssueInput{Title: in.Title, Description: in.Description, Confidential: in.Confidential}
	if in.DueDate != nil {
		si.DueDateSet, si.DueDate = true, in.DueDate
	}
	if in.StateEvent != nil {
		si.StateEvent = strings.ToLower(string(*in.StateEvent))
	}
	ip, err := r.svc.UpdateIssue(ctx, callerOf(ctx), in.ProjectPath, n, si)
	if err != nil {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &UpdateIssuePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	nodes, err := r.issuesOf(ctx, ip.Project, []*model.Issue{ip.Issue})
	if err != nil {
		return nil, err
	}
	return &UpdateIssuePayload{ClientMutationID: in.ClientMutationID, Issue: nodes[0], Errors: []string{}}, nil
}
