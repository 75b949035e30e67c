package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const sourcePipelineColumns = "project_id, pipeline_id, source_project_id, source_pipeline_id, source_job_id"

func scanSourcePipeline(s scanner) (*model.SourcePipeline, error) {
	var sp model.SourcePipeline
	if err := s.Scan(&sp.ProjectID, &sp.PipelineID, &sp.SourceProjectID, &sp.SourcePipelineID, &sp.SourceJobID); err != nil {
		return nil, wrapErr(err)
	}
	return &sp, nil
}

// InsertSourcePipeline records which bridge created a downstream pipeline.
func (q *Queries) InsertSourcePipeline(ctx context.Context, sp *model.SourcePipeline) error {
	_, err := q.exec(ctx, `INSERT INTO ci_sources_pipelines (`+sourcePipelineColumns+`) VALUES (?, ?, ?, ?, ?)`,
		sp.ProjectID, sp.PipelineID, sp.SourceProjectID, sp.SourcePipelineID, sp.SourceJobID)
	if err != nil {
		return fmt.Errorf("store: insert source pipeline: %w", wrapErr(err))
	}
	return nil
}

// SourceOfPipeline returns what created a downstream pipeline;
// ErrNotFound for a pipeline no bridge created.
func (q *Queries) SourceOfPipeline(ctx context.Context, pipelineID int64) (*model.SourcePipeline, error) {
	return scanSourcePipeline(q.queryRow(ctx, "SELECT "+sourcePipelineColumns+
		" FROM ci_sources_pipelines WHERE pipeline_id = ?", pipelineID))
}

// DownstreamOfJobs maps bridge job ids to the pipelines they created.
func (q *Queries) DownstreamOfJobs(ctx context.Context, jobIDs []int64) (map[int64]int64, error) {
	out := make(map[int64]int64, len(jobIDs))
	if len(jobIDs) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, "SELECT "+sourcePipelineColumns+" FROM ci_sources_pipelines WHERE source_job_id IN ("+
		placeholders(len(jobIDs))+")", int64Args(jobIDs)...)
	if err != nil {
		return nil, fmt.Errorf("store: downstream pipelines: %w", err)
	}
	list, err := collect(rows, scanSourcePipeline)
	for _, sp := range list {
		out[*sp.SourceJobID] = sp.PipelineID
	}
	return out, err
}

// ChildPipelines lists the pipelines created by bridges of a pipeline in
// the same project (its child pipelines), by id.
func (q *Queries) ChildPipelines(ctx context.Context, pipelineID int64) ([]int64, error) {
	rows, err := q.query(ctx, `SELECT id FROM ci_pipelines WHERE parent_pipeline_id = ? ORDER BY id`, pipelineID)
	if err != nil {
		return nil, fmt.Errorf("store: child pipelines: %w", err)
	}
	return collect(rows, func(s scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	})
}
