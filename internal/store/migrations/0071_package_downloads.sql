-- A package's last_downloaded_at (GitLab's): set by a generic package
-- download, at most once a minute (a download reads the package row
-- anyway; only a stale time costs a write).
ALTER TABLE packages ADD COLUMN last_downloaded_at BIGINT;
