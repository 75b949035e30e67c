-- Downstream pipelines (GitLab's ci_sources_pipelines): the bridge job
-- (ci_builds of job_type 'bridge') of an upstream pipeline that created
-- a child (same project, source parent_pipeline) or multi-project
-- (source pipeline) pipeline. A bridge creates at most one pipeline, a
-- pipeline has at most one source.
CREATE TABLE ci_sources_pipelines (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  pipeline_id BIGINT NOT NULL REFERENCES ci_pipelines (id) ON DELETE CASCADE,
  source_project_id BIGINT REFERENCES projects (id) ON DELETE SET NULL,
  source_pipeline_id BIGINT REFERENCES ci_pipelines (id) ON DELETE SET NULL,
  source_job_id BIGINT REFERENCES ci_builds (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX ci_sources_pipelines_pipeline ON ci_sources_pipelines (pipeline_id);
CREATE UNIQUE INDEX ci_sources_pipelines_job ON ci_sources_pipelines (source_job_id) WHERE source_job_id IS NOT NULL;
CREATE INDEX ci_sources_pipelines_source ON ci_sources_pipelines (source_pipeline_id) WHERE source_pipeline_id IS NOT NULL;
-- A parent's child pipelines, for cancel's cascade.
CREATE INDEX ci_pipelines_parent ON ci_pipelines (parent_pipeline_id) WHERE parent_pipeline_id IS NOT NULL;
