package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// RequestStatisticsRefresh counts a refresh of a project's statistics as
// asked for (a background job then does it).
func (q *Queries) RequestStatisticsRefresh(ctx context.Context, projectID int64) error {
	if _, err := q.exec(ctx, `INSERT INTO project_statistics (project_id, requested) VALUES (?, 1)
		ON CONFLICT (project_id) DO UPDATE SET requested = project_statistics.requested + 1`, projectID); err != nil {
		return fmt.Errorf("store: request statistics refresh: %w", wrapErr(err))
	}
	return nil
}

// StatisticsRefreshDue returns the count of refreshes asked for when the
// stored figures answer fewer of them; ok is false when they answer all.
func (q *Queries) StatisticsRefreshDue(ctx context.Context, projectID int64) (requested int64, ok bool, err error) {
	var refreshed int64
	err = q.queryRow(ctx, "SELECT requested, refreshed FROM project_statistics WHERE project_id = ?", projectID).
		Scan(&requested, &refreshed)
	if err != nil {
		return 0, false, wrapErr(err)
	}
	return requested, refreshed < requested, nil
}

// ProjectStorageSums sums what the database knows the size of: a
// project's LFS objects, job artifacts, package files and uploads.
func (q *Queries) ProjectStorageSums(ctx context.Context, projectID int64) (*model.ProjectStatistics, error) {
	var st model.ProjectStatistics
	err := q.queryRow(ctx, `SELECT
		(SELECT COALESCE(SUM(o.size), 0) FROM lfs_objects_projects l JOIN lfs_objects o ON o.oid = l.oid WHERE l.project_id = ?),
		(SELECT COALESCE(SUM(size), 0) FROM ci_job_artifacts WHERE project_id = ?),
		(SELECT COALESCE(SUM(size), 0) FROM package_files WHERE project_id = ?),
		(SELECT COALESCE(SUM(size), 0) FROM uploads WHERE project_id = ?)`,
		projectID, projectID, projectID, projectID).
		Scan(&st.LFSObjectsSize, &st.BuildArtifactsSize, &st.PackagesSize, &st.UploadsSize)
	if err != nil {
		return nil, fmt.Errorf("store: project storage sums: %w", wrapErr(err))
	}
	return &st, nil
}

// SaveProjectStatistics stores the figures of refresh number refreshed,
// unless a later refresh stored its figures first.
func (q *Queries) SaveProjectStatistics(ctx context.Context, projectID, refreshed int64, st *model.ProjectStatistics) error {
	_, err := q.exec(ctx, `UPDATE project_statistics SET commit_count = ?, repository_size = ?, wiki_size = ?,
		lfs_objects_size = ?, build_artifacts_size = ?, pipeline_artifacts_size = ?, packages_size = ?, snippets_size = ?,
		uploads_size = ?, container_registry_size = ?, refreshed = ?, updated_at = ?
		WHERE project_id = ? AND refreshed < ?`,
		st.CommitCount, st.RepositorySize, st.WikiSize, st.LFSObjectsSize, st.BuildArtifactsSize, st.PipelineArtifactsSize,
		st.PackagesSize, st.SnippetsSize, st.UploadsSize, st.ContainerRegistrySize, refreshed, ms(q.Now()),
		projectID, refreshed)
	if err != nil {
		return fmt.Errorf("store: save project statistics: %w", wrapErr(err))
	}
	return nil
}

// ProjectStatisticsOf returns the stored statistics of projects, in one
// statement; a project without a row has none yet (all zero to GitLab's
// callers, who see a row created with the project).
func (q *Queries) ProjectStatisticsOf(ctx context.Context, projectIDs []int64) (map[int64]*model.ProjectStatistics, error) {
	out := make(map[int64]*model.ProjectStatistics, len(projectIDs))
	if len(projectIDs) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, `SELECT project_id, commit_count, repository_size, wiki_size, lfs_objects_size,
		build_artifacts_size, pipeline_artifacts_size, packages_size, snippets_size, uploads_size, container_registry_size
		FROM project_statistics WHERE project_id IN (`+placeholders(len(projectIDs))+`)`, int64Args(projectIDs)...)
	if err != nil {
		return nil, fmt.Errorf("store: project statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var st model.ProjectStatistics
		if err := rows.Scan(&id, &st.CommitCount, &st.RepositorySize, &st.WikiSize, &st.LFSObjectsSize,
			&st.BuildArtifactsSize, &st.PipelineArtifactsSize, &st.PackagesSize, &st.SnippetsSize, &st.UploadsSize,
			&st.ContainerRegistrySize); err != nil {
			return nil, wrapErr(err)
		}
		out[id] = &st
	}
	return out, wrapErr(rows.Err())
}

// ProjectSnippetIDs returns the ids of a project's snippets, whose
// repositories count towards its snippets_size.
func (q *Queries) ProjectSnippetIDs(ctx context.Context, projectID int64) ([]int64, error) {
	rows, err := q.query(ctx, "SELECT id FROM snippets WHERE project_id = ?", projectID)
	if err != nil {
		return nil, fmt.Errorf("store: project snippet ids: %w", err)
	}
	ids, err := collect(rows, func(s scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("store: project snippet ids: %w", err)
	}
	return ids, nil
}
