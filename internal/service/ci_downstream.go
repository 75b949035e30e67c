package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/ci/config"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Downstream pipelines (GitLab's Ci::Bridge and
// Ci::CreateDownstreamPipelineService): a trigger job whose turn comes
// creates a child pipeline (trigger:include, same project and commit) or
// a multi-project pipeline (trigger:project) as its user.

// maxNestedChildren is how deep child pipelines nest (GitLab's
// MAX_NESTED_CHILDREN): a pipeline with this many same-project ancestors
// and itself creates no further child.
const maxNestedChildren = 2

// triggerDownstream runs a bridge that just became pending: it starts
// running, creates its downstream pipeline and ends as GitLab's bridge
// does (success once created unless it has a strategy; failed with the
// reason the pipeline could not be created).
func (s *Service) triggerDownstream(ctx context.Context, bridge *model.Job) error {
	q := s.db.Queries()
	now := s.Now()
	bridge.Status, bridge.StartedAt = model.CIStatusRunning, &now
	if ok, err := s.setJobStatus(ctx, q, bridge, model.CIStatusPending); err != nil || !ok {
		return err
	}
	spec, err := specOf(bridge)
	if err != nil {
		return err
	}
	reason, err := s.createDownstream(ctx, bridge, spec)
	if err != nil {
		s.log.ErrorContext(ctx, "create downstream pipeline", "job_id", bridge.ID, "err", err)
		reason = "data_integrity_failure"
	}
	// A strategy's bridge may already have its downstream status.
	cur, err := q.JobByID(ctx, bridge.ID)
	if err != nil {
		return err
	}
	if cur.Status == model.CIStatusRunning && (reason != "" || spec.Trigger.Strategy == "") {
		end := s.Now()
		cur.Status, cur.FinishedAt = model.CIStatusSuccess, &end
		if reason != "" {
			cur.Status, cur.FailureReason = model.CIStatusFailed, &reason
		}
		if _, err := s.setJobStatus(ctx, q, cur, model.CIStatusRunning); err != nil {
			return err
		}
	}
	return s.processPipeline(ctx, bridge.PipelineID)
}

// createDownstream creates a bridge's downstream pipeline; a non-empty
// reason is GitLab's failure reason of a bridge that could not.
func (s *Service) createDownstream(ctx context.Context, bridge *model.Job, spec *jobSpec) (string, error) {
	q := s.db.Queries()
	t := spec.Trigger
	if t == nil {
		return "", fmt.Errorf("service: bridge %d has no trigger", bridge.ID)
	}
	up, err := q.PipelineByID(ctx, bridge.PipelineID)
	if err != nil {
		return "", err
	}
	id := &auth.Identity{}
	if bridge.UserID != nil {
		if id.User, err = q.UserByID(ctx, *bridge.UserID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
	}
	upProject, upLevel, err := s.VisibleProject(ctx, id, strconv.FormatInt(bridge.ProjectID, 10))
	if err != nil {
		return "downstream_bridge_project_not_found", nil
	}
	child := len(t.Include) > 0
	downRef := strconv.FormatInt(bridge.ProjectID, 10)
	if !child {
		downRef = expandBridgeValue(t.Project, spec)
	}
	down, downLevel, err := s.VisibleProject(ctx, id, downRef)
	if err != nil {
		return "downstream_bridge_project_not_found", nil
	}
	if down.ID == upProject.ID && !child {
		return "invalid_bridge_trigger", nil
	}
	in := PipelineInput{Upstream: &model.SourcePipeline{SourceProjectID: &up.ProjectID, SourcePipelineID: &up.ID,
		SourceJobID: &bridge.ID}}
	if child {
		depth, err := s.pipelineDepth(ctx, up)
		if err != nil {
			return "", err
		}
		if depth > maxNestedChildren {
			return "reached_max_descendant_pipelines_depth", nil
		}
		in.Ref, in.SHA, in.Tag, in.BeforeSHA, in.Source = up.Ref, up.SHA, up.Tag, up.BeforeSHA, SourceParentPipeline
		in.Config = childConfig(t.Include)
	} else {
		in.Ref, in.Source = expandBridgeValue(t.Branch, spec), SourcePipeline
		if in.Ref == "" && down.DefaultBranch != nil {
			in.Ref = *down.DefaultBranch
		}
	}
	if !child {
		loop, err := s.pipelineLoop(ctx, up)
		if err != nil {
			return "", err
		}
		if loop {
			return "pipeline_loop_detected", nil
		}
	}
	allowed, err := s.canCreateDownstream(ctx, id, upProject, upLevel, down, downLevel, in.Ref)
	if err != nil {
		return "", err
	}
	if !allowed {
		return "insufficient_bridge_permissions", nil
	}
	if in.Variables, err = s.downstreamVariables(ctx, up, spec); err != nil {
		return "", err
	}
	pl, err := s.createPipeline(ctx, down, id.User, in)
	var cfgErr *PipelineConfigError
	if errors.As(err, &cfgErr) {
		return "downstream_pipeline_creation_failed", nil
	}
	if err != nil {
		return "", err
	}
	if pl.FailureReason != nil {
		return "downstream_pipeline_creation_failed", nil
	}
	return "", nil
}

// canCreateDownstream is GitLab's can_create_downstream_pipeline?: the
// user may update the upstream project's pipelines, create pipelines in
// the downstream project and update its ref.
func (s *Service) canCreateDownstream(ctx context.Context, id *auth.Identity, up *model.Project, upLevel access.Level,
	down *model.Project, downLevel access.Level, ref string) (bool, error) {
	if !ProjectCan(id, up, upLevel, access.UpdatePipeline) || !ProjectCan(id, down, downLevel, access.CreatePipeline) {
		return false, nil
	}
	rules, err := s.BranchRules(ctx, down)
	if err != nil {
		return false, err
	}
	return !rules.Protected(ref) || rules.CanPush(downLevel, ref) || rules.CanMerge(downLevel, ref), nil
}

// pipelineDepth counts a pipeline and its same-project ancestors
// (GitLab's self_and_project_ancestors).
func (s *Service) pipelineDepth(ctx context.Context, pl *model.Pipeline) (int, error) {
	n := 1
	for pl.ParentPipelineID != nil && n <= maxNestedChildren {
		parent, err := s.db.Queries().PipelineByID(ctx, *pl.ParentPipelineID)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			return 0, err
		}
		pl, n = parent, n+1
	}
	return n, nil
}

// maxUpstreams bounds the walk up a pipeline's upstream chain.
const maxUpstreams = 100

// pipelineLoop is GitLab's has_cyclic_dependency?: among a pipeline and
// its upstream pipelines (children left out), one (project, ref, source)
// comes more than twice, so a multi-project trigger would go round
// again (A -> B -> A -> B -> A).
func (s *Service) pipelineLoop(ctx context.Context, pl *model.Pipeline) (bool, error) {
	q := s.db.Queries()
	type key struct {
		project     int64
		ref, source string
	}
	seen := map[key]int{}
	for range maxUpstreams {
		if pl.Source != SourceParentPipeline {
			k := key{pl.ProjectID, pl.Ref, pl.Source}
			if seen[k]++; seen[k] > 2 {
				return true, nil
			}
		}
		src, err := q.SourceOfPipeline(ctx, pl.ID)
		if errors.Is(err, store.ErrNotFound) || err == nil && src.SourcePipelineID == nil {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if pl, err = q.PipelineByID(ctx, *src.SourcePipelineID); errors.Is(err, store.ErrNotFound) {
			return false, nil
		} else if err != nil {
			return false, err
		}
	}
	return true, nil
}

// childConfig is a child pipeline's configuration: an include of the
// trigger's local files, as GitLab's yaml_for_downstream.
func childConfig(files []string) []byte {
	var b strings.Builder
	b.WriteString("include:\n")
	for _, f := range files {
		b.WriteString("- local: " + strconv.Quote(f) + "\n")
	}
	return []byte(b.String())
}

// expandBridgeValue expands $VAR and ${VAR} in a trigger's project or
// branch with the bridge's YAML variables.
func expandBridgeValue(v string, spec *jobSpec) string {
	vars := map[string]string{}
	for _, sv := range spec.Variables {
		vars[sv.Key] = sv.Value
	}
	return config.Expand(v, vars)
}

// downstreamVariables are the variables a bridge passes on, as GitLab's
// Downstream::Generator: its YAML variables (forward:yaml_variables,
// true by default) and its pipeline's variables
// (forward:pipeline_variables, false by default), the latter winning.
func (s *Service) downstreamVariables(ctx context.Context, up *model.Pipeline, spec *jobSpec) ([]model.PipelineVariable, error) {
	var out []model.PipelineVariable
	if spec.Trigger.ForwardYAMLVariables {
		for _, v := range spec.Variables {
			out = append(out, model.PipelineVariable{Key: v.Key, Value: v.Value, VariableType: "env_var", Raw: v.Raw})
		}
	}
	if spec.Trigger.ForwardPipelineVariables {
		given, err := s.db.Queries().PipelineVariables(ctx, up.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, given...)
	}
	return out, nil
}

// updateUpstreamBridge gives a downstream pipeline's new status to the
// bridge with a strategy that created it (GitLab's
// inherit_status_from_downstream), then processes the bridge's pipeline.
func (s *Service) updateUpstreamBridge(ctx context.Context, pl *model.Pipeline) error {
	q := s.db.Queries()
	src, err := q.SourceOfPipeline(ctx, pl.ID)
	if errors.Is(err, store.ErrNotFound) || err == nil && src.SourceJobID == nil {
		return nil
	}
	if err != nil {
		return err
	}
	bridge, err := q.JobByID(ctx, *src.SourceJobID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	spec, err := specOf(bridge)
	if err != nil || bridge.Retried || spec.Trigger == nil {
		return err
	}
	next := inheritedStatus(spec.Trigger.Strategy, pl.Status)
	if next == "" || next == bridge.Status {
		return nil
	}
	from := bridge.Status
	now := s.Now()
	bridge.Status, bridge.FinishedAt, bridge.FailureReason = next, nil, nil
	if ciCompleted(next) {
		bridge.FinishedAt = &now
	}
	if ok, err := s.setJobStatus(ctx, q, bridge, from); err != nil || !ok {
		return err
	}
	return s.processPipeline(ctx, bridge.PipelineID)
}

// inheritedStatus is the status a bridge takes from its downstream
// pipeline's: strategy depend follows the end, mirror also manual and
// skipped; "" leaves the bridge as it is.
func inheritedStatus(strategy, downstream string) string {
	switch {
	case strategy == "":
		return ""
	case downstream == model.CIStatusSuccess, downstream == model.CIStatusCanceled, downstream == model.CIStatusFailed:
		return downstream
	case downstream == model.CIStatusSkipped && strategy == "depend":
		return model.CIStatusFailed
	case strategy == "mirror" && (downstream == model.CIStatusSkipped || downstream == model.CIStatusManual):
		return downstream
	}
	return ""
}

// cancelChildPipelines cancels the child pipelines of a pipeline being
// canceled, and theirs (GitLab's cascade_to_children); multi-project
// downstream pipelines run on.
func (s *Service) cancelChildPipelines(ctx context.Context, pipelineID int64) error {
	children, err := s.db.Queries().ChildPipelines(ctx, pipelineID)
	if err != nil {
		return err
	}
	for _, id := range children {
		if err := s.cancelPipeline(ctx, id, cancelScope{children: true}); err != nil {
			return err
		}
	}
	return nil
}

// BridgeView is a bridge job with the downstream pipeline it created,
// shown when the caller may see that pipeline's project.
type BridgeView struct {
	*JobView
	Downstream        *model.Pipeline
	DownstreamProject *model.Project
}

// ListBridges is GET /projects/:id/pipelines/:pipeline_id/bridges.
func (s *Service) ListBridges(ctx context.Context, id *auth.Identity, ref string, f model.JobFilter) ([]*BridgeView, int64, error) {
	f.Type = model.JobTypeBridge
	jobs, total, err := s.ListJobs(ctx, id, ref, f)
	if err != nil {
		return nil, 0, err
	}
	views, err := s.bridgeViews(ctx, id, jobs)
	return views, total, err
}

// BridgeViewOf is a bridge the jobs API answers with (play), with its
// downstream pipeline.
func (s *Service) BridgeViewOf(ctx context.Context, id *auth.Identity, v *JobView) (*BridgeView, error) {
	views, err := s.bridgeViews(ctx, id, []*JobView{v})
	if err != nil {
		return nil, err
	}
	return views[0], nil
}

// bridgeViews loads the downstream pipelines of bridges, and their
// projects the caller may see.
func (s *Service) bridgeViews(ctx context.Context, id *auth.Identity, jobs []*JobView) ([]*BridgeView, error) {
	q := s.db.Queries()
	ids := make([]int64, len(jobs))
	for i, v := range jobs {
		ids[i] = v.Job.ID
	}
	downstream, err := q.DownstreamOfJobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	pipelineIDs := make([]int64, 0, len(downstream))
	for _, pid := range downstream {
		pipelineIDs = append(pipelineIDs, pid)
	}
	pipelines, err := q.PipelinesByIDs(ctx, pipelineIDs)
	if err != nil {
		return nil, err
	}
	projects := map[int64]*model.Project{}
	out := make([]*BridgeView, len(jobs))
	for i, v := range jobs {
		out[i] = &BridgeView{JobView: v}
		pl := pipelines[downstream[v.Job.ID]]
		if pl == nil {
			continue
		}
		p, seen := projects[pl.ProjectID]
		if !seen {
			if pl.ProjectID == v.Project.ID {
				p = v.Project
			} else if p, _, err = s.VisibleProject(ctx, id, strconv.FormatInt(pl.ProjectID, 10)); err != nil {
				p = nil
			}
			projects[pl.ProjectID] = p
		}
		if p != nil {
			out[i].Downstream, out[i].DownstreamProject = pl, p
		}
	}
	return out, nil
}
