-- External users may create neither top-level groups nor personal
-- projects: GitLab clears can_create_group and projects_limit whenever a
-- user is made external. Users made external before lablet did the same
-- get what they would have had.
UPDATE users SET can_create_group = FALSE, projects_limit = 0 WHERE external = TRUE;
