-- Rate limiting's counters (GitLab's Rack::Attack cache): one row per
-- bucket (a throttle's name and the user or address it counts) and
-- fixed window (its start, in Unix seconds), shared by every instance on
-- the database. A failed-authentication ban is a row of window 0 whose
-- expires_at is the ban's end. Rows past expires_at are deleted by the
-- housekeeping job.
CREATE TABLE rate_limit_counters (
  bucket TEXT NOT NULL,
  window_start BIGINT NOT NULL,
  count BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (bucket, window_start)
);

CREATE INDEX rate_limit_counters_expires_at ON rate_limit_counters (expires_at);
