package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// mergeRequestPipelineIDs selects the ids of a merge request's pipelines,
// as GitLab's MergeRequest#all_pipelines: its own (merge_request_id) and
// the pipelines of its source branch, in its source project, at one of
// its commits. Arguments: merge request id, source project id, source
// branch, merge request id.
const mergeRequestPipelineIDs = `SELECT id FROM ci_pipelines WHERE merge_request_id = ?
	UNION SELECT id FROM ci_pipelines WHERE project_id = ? AND ref = ? AND NOT tag
	AND sha IN (SELECT sha FROM merge_request_commits WHERE merge_request_id = ?)`

func mergeRequestPipelineArgs(m *model.MergeRequest) []any {
	src := m.TargetProjectID
	if m.SourceProjectID != nil {
		src = *m.SourceProjectID
	}
	return []any{m.ID, src, m.SourceBranch, m.ID}
}

// MergeRequestPipelines lists a page of merge request m's pipelines,
// newest first, with their total count.
func (q *Queries) MergeRequestPipelines(ctx context.Context, m *model.MergeRequest, limit, offset int) ([]*model.Pipeline, int64, error) {
	args := mergeRequestPipelineArgs(m)
	var total int64
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM ("+mergeRequestPipelineIDs+") mrp", args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count merge request pipelines: %w", err)
	}
	rows, err := q.query(ctx, "SELECT "+pipelineColumns+" FROM ci_pipelines WHERE id IN ("+mergeRequestPipelineIDs+
		") ORDER BY id DESC LIMIT ? OFFSET ?", append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list merge request pipelines: %w", err)
	}
	ps, err := collect(rows, scanPipeline)
	return ps, total, err
}

// MergeRequestHeadPipeline is GitLab's MergeRequest#head_pipeline: the
// newest of m's pipelines at its head commit; ErrNotFound when none.
func (q *Queries) MergeRequestHeadPipeline(ctx context.Context, m *model.MergeRequest) (*model.Pipeline, error) {
	if m.HeadSHA == nil {
		return nil, ErrNotFound
	}
	args := mergeRequestPipelineArgs(m)
	return scanPipeline(q.queryRow(ctx, "SELECT "+pipelineColumns+" FROM ci_pipelines WHERE sha = ? AND id IN ("+
		mergeRequestPipelineIDs+") ORDER BY id DESC LIMIT 1", append([]any{*m.HeadSHA}, args...)...))
}

// HasMergeRequestPipelineAt reports whether merge request mrID has a
// pipeline of its own at commit sha.
func (q *Queries) HasMergeRequestPipelineAt(ctx context.Context, mrID int64, sha string) (bool, error) {
	var n int64
	err := q.queryRow(ctx, "SELECT COUNT(*) FROM ci_pipelines WHERE merge_request_id = ? AND sha = ?", mrID, sha).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: merge request pipeline at: %w", err)
	}
	return n > 0, nil
}

// MergeRequestByID returns a merge request with its relations (a merge
// request pipeline's, for its variables).
func (q *Queries) MergeRequestByID(ctx context.Context, id int64) (*model.MergeRequest, error) {
	m, err := scanMergeRequest(q.queryRow(ctx, "SELECT "+mergeRequestColumns+" FROM merge_requests WHERE id = ?", id))
	if err != nil {
		return nil, err
	}
	return m, q.LoadMergeRequestRelations(ctx, []*model.MergeRequest{m})
}
