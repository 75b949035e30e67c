package v4

import (
	"strings"

	"github.com/lablet/lablet/internal/service"
)

// updateMergeRequestParams are those of which PUT needs at least one, in
// GitLab's order (its at_least_one_of message lists them so).
var updateMergeRequestParams = []string{"assignee_id", "assignee_ids", "reviewer_ids", "description", "labels",
	"add_labels", "remove_labels", "milestone_id", "remove_source_branch", "allow_collaboration",
	"allow_maintainer_to_push", "squash", "target_branch", "title", "state_event", "discussion_locked"}

// mergeRequestStates and mergeRequestOrders are what GitLab's merge
// request lists accept.
var (
	mergeRequestStates = []string{"opened", "closed", "locked", "merged", "all"}
	mergeRequestOrders = []string{"created_at", "updated_at", "title", "merged_at", "popularity"}
)

// mergeRequestInput reads the parameters of POST and PUT; create requires
// title, source_branch and target_branch, as GitLab's Grape params do.
func mergeRequestInput(p *Params, create bool) (service.MergeRequestInput, error) {
	var in service.MergeRequestInput
	if create {
		var missing []string
		for _, name := range []string{"title", "source_branch", "target_branch"} {
			if s, ok := p.Str(name); !ok || s == "" && name != "title" {
				missing = append(missing, name+" is missing")
			}
		}
		if len(missing) > 0 {
			return in, service.ParamError(strings.Join(missing, ", "))
		}
	}
	for _, f := range []struct {
		name string
		max  int
		dst  **string
	}{{"title", maxIssueParam, &in.Title}, {"description", maxIssueParam, &in.Description},
		{"source_branch", 1024, &in.SourceBranch}, {"target_branch", 1024, &in.TargetBranch}} {
		s, ok, err := p.Text(f.name, f.max)
		if err != nil {
			return in, err
		}
		if ok {
			*f.dst = &s
		}
	}
	for _, f := range []struct {
		name string
		dst  **bool
	}{{"discussion_locked", &in.DiscussionLocked}, {"remove_source_branch", &in.RemoveSourceBranch},
		{"squash", &in.Squash}, {"allow_maintainer_to_push", &in.AllowCollaboration},
		{"allow_collaboration", &in.AllowCollaboration}} {
		b, ok, err := p.Bool(f.name)
		if err != nil {
			return in, err
		}
		if ok {
			*f.dst = &b
		}
	}
	m, err := issuableMetaParams(p)
	if err != nil {
		return in, err
	}
	in.AssigneeIDs, in.MilestoneID, in.Labels, in.AddLabels, in.RemoveLabels = m.assignees, m.milestone, m.labels, m.add, m.remove
	if ids, ok, err := p.IntList("reviewer_ids"); err != nil {
		return in, err
	} else if ok {
		in.ReviewerIDs = &ids
	}
	if !create {
		if s, ok, err := p.OneOf("state_event", "close", "reopen"); err != nil {
			return in, err
		} else if ok {
			in.StateEvent = s
		}
	}
	return in, nil
}

// mergeRequestQuery reads a merge request list's filters and pagination.
func mergeRequestQuery(p *Params) (service.MergeRequestQuery, error) {
	var qy service.MergeRequestQuery
	var err error
	if qy.IssueQuery, err = issuableQuery(p, mergeRequestStates, mergeRequestOrders); err != nil {
		return qy, err
	}
	qy.MRState, qy.IssueQuery.State = qy.IssueQuery.State, ""
	if s, ok := p.Str("reviewer_id"); ok && s != "" {
		qy.ReviewerID = &s
	}
	if s, ok := p.Str("reviewer_username"); ok && s != "" {
		qy.ReviewerUsername = &s
	}
	qy.SourceBranch, _ = p.Str("source_branch")
	qy.TargetBranch, _ = p.Str("target_branch")
	// wip takes yes or no; draft also a Boolean, as the official client
	// sends it.
	for _, name := range []string{"wip", "draft"} {
		v, ok, err := p.OneOf(name, "yes", "no", "true", "false")
		if err != nil {
			return qy, err
		}
		if ok {
			d := v == "yes" || v == "true"
			qy.Draft = &d
		}
	}
	return qy, nil
}
