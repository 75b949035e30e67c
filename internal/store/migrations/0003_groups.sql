-- Groups: scheduled deletions are found by the background purge, and
-- group lists filter and order on kind, parent and name.
CREATE INDEX namespaces_marked ON namespaces (marked_for_deletion_on);
CREATE INDEX namespaces_kind_name ON namespaces (kind, name, id);
CREATE INDEX members_source_level ON members (source_type, source_id, access_level);
