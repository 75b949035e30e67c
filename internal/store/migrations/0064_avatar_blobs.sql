-- Where each avatar's file is kept in blob storage: a fresh key per
-- upload, so a failed or racing upload never overwrites the file a row
-- names; the replaced file is removed after the commit. Rows without one
-- keep the older fixed key avatars/<kind>/<id>.
CREATE TABLE avatar_blobs (
    kind TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    blob_key TEXT NOT NULL,
    PRIMARY KEY (kind, object_id)
);
