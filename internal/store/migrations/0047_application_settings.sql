-- The instance's settings (GitLab's application_settings): one row whose
-- document holds every setting an administrator has changed, under
-- GitLab's names; a setting absent from it has its default.
CREATE TABLE application_settings (
    id BIGINT PRIMARY KEY,
    settings TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
