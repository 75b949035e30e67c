package graphql

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/service"
)

// payloadErrors splits a service failure as GitLab's mutations do: a
// refusal the user can fix goes in the payload's errors list; an invisible
// resource or a missing permission is a top-level error.
func payloadErrors(err error) ([]string, error) {
	var se *service.Error
	if errors.As(err, &se) {
		switch se.Kind {
		case service.KindNotFound, service.KindForbidden, service.KindUnauthorized, service.KindInsufficientScope:
			return nil, errors.New(msgNoAccess)
		case service.KindInternal:
			return nil, err
		}
		return []string{se.Error()}, nil
	}
	return nil, err
}

func (r *Resolver) commit(p string, c *repo.Commit) *Commit {
	if c == nil {
		return nil
	}
	short := c.ID[:min(8, len(c.ID))]
	return &Commit{ID: "gid://gitlab/CommitPresenter/" + c.ID, Sha: c.ID, ShortID: short, Title: ptr(c.Title),
		Message: ptr(c.Message), AuthorName: ptr(c.Author.Name), AuthoredDate: ptr(c.Author.Date),
		CommittedDate: ptr(c.Committer.Date), WebPath: "/" + p + "/-/commit/" + c.ID}
}

func (r *Resolver) createBranch(ctx context.Context, in CreateBranchInput) (*CreateBranchPayload, error) {
	pr, b, err := r.svc.CreateBranch(ctx, callerOf(ctx), in.ProjectPath, in.Name, in.Ref)
	if err != nil {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &CreateBranchPayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	return &CreateBranchPayload{ClientMutationID: in.ClientMutationID, Errors: []string{},
		Branch: &Branch{Name: b.Name, Commit: r.commit(pr.Project.FullPath(), b.Commit)}}, nil
}

var commitActions = map[CommitActionMode]repo.ActionKind{CommitActionModeCreate: repo.ActionCreate,
	CommitActionModeUpdate: repo.ActionUpdate, CommitActionModeDelete: repo.ActionDelete,
	CommitActionModeMove: repo.ActionMove, CommitActionModeChmod: repo.ActionChmod}

func (r *Resolver) commitCreate(ctx context.Context, in CommitCreateInput) (*CommitCreatePayload, error) {
	ci := service.CommitInput{Branch: in.Branch, Message: in.Message}
	if in.StartBranch != nil {
		ci.StartBranch = *in.StartBranch
	}
	for i, a := range in.Actions {
		fa := service.FileAction{Kind: commitActions[a.Action], Path: a.FilePath, ExecuteFilemode: a.ExecuteFilemode}
		if a.PreviousPath != nil {
			fa.PreviousPath = *a.PreviousPath
		}
		if a.LastCommitID != nil {
			fa.LastCommitID = *a.LastCommitID
		}
		if a.Content != nil {
			fa.Content = []byte(*a.Content)
			if a.Encoding != nil && *a.Encoding == CommitEncodingBase64 {
				b, err := base64.StdEncoding.DecodeString(*a.Content)
				if err != nil {
					return &CommitCreatePayload{ClientMutationID: in.ClientMutationID,
						Errors: []string{fmt.Sprintf("actions[%d].content is not valid base64", i)}}, nil
				}
				fa.Content = b
			}
		}
		ci.Actions = append(ci.Actions, fa)
	}
	pr, c, err := r.svc.CommitFiles(ctx, callerOf(ctx), in.ProjectPath, ci)
	if err != nil {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &CommitCreatePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	return &CommitCreatePayload{ClientMutationID: in.ClientMutationID, Errors: []string{},
		Commit: r.commit(pr.Project.FullPath(), c)}, nil
}
