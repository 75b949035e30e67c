-- A running job's trace, as the runner appends it: one row per PATCH at
-- its byte offset. When the job ends the rows are joined into the trace
-- artifact and deleted.
CREATE TABLE ci_build_trace_chunks (
  id @ID@,
  build_id BIGINT NOT NULL REFERENCES ci_builds (id) ON DELETE CASCADE,
  byte_offset BIGINT NOT NULL,
  data BLOB NOT NULL
);
CREATE UNIQUE INDEX ci_build_trace_chunks_build ON ci_build_trace_chunks (build_id, byte_offset);
