-- Admin Mode: until when a browser session may act with its user's admin
-- powers, once the administrator re-authenticated (NULL: not entered).
ALTER TABLE sessions ADD COLUMN admin_mode_until BIGINT;
