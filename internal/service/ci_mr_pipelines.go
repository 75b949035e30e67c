package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// Merge request pipelines (GitLab's detached merge request pipelines): a
// pipeline of source merge_request_event, in the merge request's target
// project, on refs/merge-requests/:iid/head at the merge request's head.
// They are created when a merge request is opened, when its source
// branch gets new commits, and by POST …/merge_requests/:iid/pipelines.

// mergeRequestRefPrefix starts the refs merge request pipelines run on.
const mergeRequestRefPrefix = "refs/merge-requests/"

// errCannotCreateMRPipeline is MergeRequests::CreatePipelineService's
// refusal (no commits), which the API answers with not_allowed!.
var errCannotCreateMRPipeline = &Error{Kind: KindMethodNotAllowed, Message: "405 Method Not Allowed"}

// MergeRequestPipelines is GET /projects/:id/merge_requests/:iid/pipelines:
// GitLab's MergeRequest#all_pipelines (the merge request's own and its
// source branch's at its commits), newest first, each with its project.
func (s *Service) MergeRequestPipelines(ctx context.Context, id *auth.Identity, ref string, iid int64, limit, offset int) ([]PipelineView, int64, error) {
	if _, _, err := s.ciProject(ctx, id, ref, access.ReadPipeline); err != nil {
		return nil, 0, err
	}
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, 0, err
	}
	list, total, err := s.db.Queries().MergeRequestPipelines(ctx, mp.MR, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	views := make([]PipelineView, len(list))
	for i, pl := range list {
		views[i] = PipelineView{Project: mp.Project, Pipeline: pl}
		if pl.ProjectID != mp.Project.ID { // a fork's branch pipeline
			if views[i].Project, err = s.db.Queries().ProjectByID(ctx, pl.ProjectID); err != nil {
				return nil, 0, err
			}
		}
	}
	return views, total, nil
}

// MergeRequestHeadPipeline is the merge request's head_pipeline for a
// caller who may read its project's pipelines (nil otherwise, and when
// there is none): the newest of its pipelines at its head commit.
func (s *Service) MergeRequestHeadPipeline(ctx context.Context, id *auth.Identity, mp *MergeRequestInProject) (*PipelineView, error) {
	if !ProjectCan(id, mp.Project, mp.Level, access.ReadPipeline) {
		return nil, nil
	}
	pl, err := s.db.Queries().MergeRequestHeadPipeline(ctx, mp.MR)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p := mp.Project
	if pl.ProjectID != p.ID {
		if p, err = s.db.Queries().ProjectByID(ctx, pl.ProjectID); err != nil {
			return nil, err
		}
	}
	return s.pipelineView(ctx, p, pl)
}

// CreateMergeRequestPipeline is POST /projects/:id/merge_requests/:iid/pipelines
// (MergeRequests::CreatePipelineService with allow_duplicate): a caller
// who may run pipelines (create_pipeline, 403) gets a new merge request
// pipeline; a merge request without commits is 405, a configuration that
// gives no jobs GitLab's 400 (*PipelineConfigError).
func (s *Service) CreateMergeRequestPipeline(ctx context.Context, id *auth.Identity, ref string, iid int64, baseURL string) (*PipelineView, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	if !ProjectCan(id, mp.Project, mp.Level, access.CreatePipeline) {
		return nil, Forbidden("")
	}
	if !hasCommits(mp.MR) {
		return nil, errCannotCreateMRPipeline
	}
	pl, err := s.createPipeline(ctx, mp.Project, id.User, PipelineInput{Source: SourceMR, MergeRequest: mp.MR, BaseURL: baseURL})
	if err != nil {
		return nil, err
	}
	return s.pipelineView(ctx, mp.Project, pl)
}

// hasCommits is the opposite of GitLab's has_no_commits?: the source head
// is not already the merge base.
func hasCommits(m *model.MergeRequest) bool {
	return m.HeadSHA != nil && (m.BaseSHA == nil || *m.BaseSHA != *m.HeadSHA)
}

// mergeRequestPipelineFor creates merge request m's pipeline after it was
// opened or its source branch moved, as user: unless its head has one of
// its pipelines already (GitLab's can_create_pipeline_for? without
// allow_duplicate), it has no commits, or user may not run pipelines in
// its project. A configuration without merge request jobs creates
// nothing; every failure is logged, never returned: the merge request or
// push that caused it has happened.
func (s *Service) mergeRequestPipelineFor(ctx context.Context, p *model.Project, user *model.User, m *model.MergeRequest, baseURL string) {
	if user == nil || m.State != "opened" || !hasCommits(m) {
		return
	}
	fail := func(err error) {
		s.log.ErrorContext(ctx, "create merge request pipeline", "project_id", p.ID, "merge_request", m.IID, "err", err)
	}
	if p.ID != m.TargetProjectID {
		var err error
		if p, err = s.db.Queries().ProjectByID(ctx, m.TargetProjectID); err != nil {
			fail(err)
			return
		}
	}
	id := &auth.Identity{User: user}
	p, level, err := s.VisibleProject(ctx, id, itoa(p.ID))
	if err != nil || !ProjectCan(id, p, level, access.CreatePipeline) {
		return // a fork's contributor without pipelines in the target
	}
	if done, err := s.db.Queries().HasMergeRequestPipelineAt(ctx, m.ID, *m.HeadSHA); err != nil || done {
		if err != nil {
			fail(err)
		}
		return
	}
	_, err = s.createPipeline(ctx, p, user, PipelineInput{Source: SourceMR, MergeRequest: m, BaseURL: baseURL, Quiet: true})
	var cfgErr *PipelineConfigError
	if err != nil && !errors.As(err, &cfgErr) {
		fail(err)
	}
}

// pushMergeRequestPipelines creates the pipelines of the open merge
// requests from branch of project p, which a push moved to head (their
// refresh has already taken the new head).
func (s *Service) pushMergeRequestPipelines(ctx context.Context, g *GitRepo, branch, head string) {
	mrs, err := s.db.Queries().OpenMergeRequestsOnBranch(ctx, g.Project.ID, branch, true)
	if err != nil {
		s.log.ErrorContext(ctx, "merge requests of a pushed branch", "project_id", g.Project.ID, "branch", branch, "err", err)
		return
	}
	for _, m := range mrs {
		if m.HeadSHA != nil && *m.HeadSHA == head {
			s.mergeRequestPipelineFor(ctx, g.Project, g.Pusher, m, g.BaseURL)
		}
	}
}

// ciMergeRequest is what a merge request pipeline's CI_MERGE_REQUEST_*
// variables are made of.
type ciMergeRequest struct {
	MR              *model.MergeRequest
	Target, Source  *model.Project
	Labels          []string // titles, sorted
	Milestone       string
	Assignees       []string // usernames
	Diff            *model.MergeRequestDiff
	TargetProtected bool
	SourceProtected bool
}

// ciMergeRequestOf reads what the variables of merge request m's
// pipelines need; target is its target project.
func (s *Service) ciMergeRequestOf(ctx context.Context, target *model.Project, m *model.MergeRequest) (*ciMergeRequest, error) {
	q := s.db.Queries()
	c := &ciMergeRequest{MR: m, Target: target, Source: target}
	if m.SourceProjectID != nil && *m.SourceProjectID != target.ID {
		src, err := q.ProjectByID(ctx, *m.SourceProjectID)
		if err != nil {
			return nil, fmt.Errorf("service: merge request source project: %w", err)
		}
		c.Source = src
	}
	labels, err := q.LabelsByIDs(ctx, m.LabelIDs)
	if err != nil {
		return nil, err
	}
	for _, l := range labels {
		c.Labels = append(c.Labels, l.Title)
	}
	slices.Sort(c.Labels)
	if m.MilestoneID != nil {
		if ms, err := q.MilestoneByID(ctx, *m.MilestoneID); err == nil {
			c.Milestone = ms.Title
		}
	}
	users, err := q.UsersByIDs(ctx, m.AssigneeIDs)
	if err != nil {
		return nil, err
	}
	for _, uid := range m.AssigneeIDs {
		if u := users[uid]; u != nil {
			c.Assignees = append(c.Assignees, u.Username)
		}
	}
	diffs, _, err := q.MergeRequestDiffs(ctx, m.ID, 1, 0)
	if err != nil {
		return nil, err
	}
	if len(diffs) > 0 {
		c.Diff = diffs[0]
	}
	rules, err := s.BranchRules(ctx, target)
	if err != nil {
		return nil, err
	}
	c.TargetProtected = rules.Protected(m.TargetBranch)
	if c.Source.ID == target.ID {
		c.SourceProtected = rules.Protected(m.SourceBranch)
	} else if srcRules, err := s.BranchRules(ctx, c.Source); err == nil {
		c.SourceProtected = srcRules.Protected(m.SourceBranch)
	}
	return c, nil
}

// pipelineMergeRequest is ciMergeRequestOf for pipeline pl of project p:
// nil for a pipeline of no merge request.
func (s *Service) pipelineMergeRequest(ctx context.Context, p *model.Project, pl *model.Pipeline) (*ciMergeRequest, error) {
	if pl.MergeRequestID == nil {
		return nil, nil
	}
	m, err := s.db.Queries().MergeRequestByID(ctx, *pl.MergeRequestID)
	if err != nil {
		return nil, fmt.Errorf("service: pipeline's merge request: %w", err)
	}
	return s.ciMergeRequestOf(ctx, p, m)
}

// maxMRDescriptionVar is where GitLab truncates CI_MERGE_REQUEST_DESCRIPTION.
const maxMRDescriptionVar = 2700

// add appends the merge request's predefined variables (GitLab's
// MergeRequest#predefined_variables and the pipeline's
// merge_request_variables; SOURCE/TARGET_BRANCH_SHA are empty in a
// detached pipeline, as documented).
func (c *ciMergeRequest) add(v *ciVars, base string) {
	m := c.MR
	v.add("CI_MERGE_REQUEST_EVENT_TYPE", "detached")
	v.add("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", "")
	v.add("CI_MERGE_REQUEST_TARGET_BRANCH_SHA", "")
	if c.Diff != nil {
		v.add("CI_MERGE_REQUEST_DIFF_ID", strconv.FormatInt(c.Diff.ID, 10))
		if c.Diff.BaseSHA != nil {
			v.add("CI_MERGE_REQUEST_DIFF_BASE_SHA", *c.Diff.BaseSHA)
		}
	}
	v.add("CI_MERGE_REQUEST_ID", strconv.FormatInt(m.ID, 10))
	v.add("CI_MERGE_REQUEST_IID", strconv.FormatInt(m.IID, 10))
	v.add("CI_MERGE_REQUEST_REF_PATH", repo.MergeRequestRef(m.IID))
	v.add("CI_MERGE_REQUEST_PROJECT_ID", strconv.FormatInt(c.Target.ID, 10))
	v.add("CI_MERGE_REQUEST_PROJECT_PATH", c.Target.FullPath())
	v.add("CI_MERGE_REQUEST_PROJECT_URL", base+"/"+c.Target.FullPath())
	v.add("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", m.TargetBranch)
	v.add("CI_MERGE_REQUEST_TARGET_BRANCH_PROTECTED", strconv.FormatBool(c.TargetProtected))
	v.add("CI_MERGE_REQUEST_TITLE", m.Title)
	v.add("CI_MERGE_REQUEST_DRAFT", strconv.FormatBool(m.Draft))
	desc, truncated := m.Description, false
	if r := []rune(desc); len(r) > maxMRDescriptionVar {
		desc, truncated = string(r[:maxMRDescriptionVar]), true
	}
	v.add("CI_MERGE_REQUEST_DESCRIPTION", desc)
	v.add("CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED", strconv.FormatBool(truncated))
	if len(c.Assignees) > 0 {
		v.add("CI_MERGE_REQUEST_ASSIGNEES", toSentence(c.Assignees)) // GitLab's assignee_username_list
	}
	if c.Milestone != "" {
		v.add("CI_MERGE_REQUEST_MILESTONE", c.Milestone)
	}
	if len(c.Labels) > 0 {
		v.add("CI_MERGE_REQUEST_LABELS", strings.Join(c.Labels, ","))
	}
	v.add("CI_MERGE_REQUEST_SQUASH_ON_MERGE", strconv.FormatBool(SquashOnMerge(c.Target, m.Squash)))
	v.add("CI_MERGE_REQUEST_SOURCE_PROJECT_ID", strconv.FormatInt(c.Source.ID, 10))
	v.add("CI_MERGE_REQUEST_SOURCE_PROJECT_PATH", c.Source.FullPath())
	v.add("CI_MERGE_REQUEST_SOURCE_PROJECT_URL", base+"/"+c.Source.FullPath())
	v.add("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", m.SourceBranch)
	v.add("CI_MERGE_REQUEST_SOURCE_BRANCH_PROTECTED", strconv.FormatBool(c.SourceProtected))
}
