package service

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// IssuesParticipants is IssueParticipants for a page of issues of project
// ref at once (GraphQL's Issue.participants): the same rule (author,
// assignees, authors of user notes, each once) in a fixed number of
// statements. Issues the caller may not read are left out of the map.
func (s *Service) IssuesParticipants(ctx context.Context, id *auth.Identity, ref string, issues []*model.Issue) (map[int64][]*model.User, error) {
	ids, _, err := s.readableIssueIDs(ctx, id, ref, issues)
	if err != nil {
		return nil, err
	}
	q := s.db.Queries()
	authors, err := q.NoteAuthorIDsOf(ctx, model.NoteableIssue, ids)
	if err != nil {
		return nil, err
	}
	perIssue := map[int64][]int64{}
	var all []int64
	for _, i := range issues {
		if !slices.Contains(ids, i.ID) {
			continue
		}
		var list []int64
		add := func(v int64) {
			if !slices.Contains(list, v) {
				list = append(list, v)
			}
		}
		if i.AuthorID != nil {
			add(*i.AuthorID)
		}
		for _, a := range i.AssigneeIDs {
			add(a)
		}
		for _, a := range authors[i.ID] {
			add(a)
		}
		perIssue[i.ID] = list
		all = append(all, list...)
	}
	slices.Sort(all)
	users, err := q.UsersByIDs(ctx, slices.Compact(all))
	if err != nil {
		return nil, fmt.Errorf("service: participants: %w", err)
	}
	out := map[int64][]*model.User{}
	for iid, list := range perIssue {
		out[iid] = []*model.User{}
		for _, uid := range list {
			if u := users[uid]; u != nil {
				out[iid] = append(out[iid], u)
			}
		}
	}
	return out, nil
}

// DeploymentByIID is Deployment (GET /projects/:id/deployments/:id, the
// same read_deployment answer) found by the deployment's iid, as
// GraphQL's Project.deployment(iid:) asks.
func (s *Service) DeploymentByIID(ctx context.Context, id *auth.Identity, ref string, iid int64) (*DeploymentView, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.ReadDeployment)
	if err != nil {
		return nil, err
	}
	d, err := s.db.Queries().DeploymentByIID(ctx, p.ID, iid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("")
	}
	if err != nil {
		return nil, err
	}
	return s.deploymentView(ctx, p, d)
}
