-- Housekeeping removes expired OAuth grants by expiry.
CREATE INDEX oauth_grants_expires ON oauth_grants (expires_at);
CREATE INDEX oauth_device_grants_expires ON oauth_device_grants (expires_at);
