package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Project is a project row joined with the namespace it lives in.
type Project struct {
	ID                   int64
	NamespaceID          int64
	Name                 string
	Path                 string
	Description          string
	VisibilityLevel      int
	DefaultBranch        *string
	Archived             bool
	EmptyRepo            bool
	InitializeWithReadme bool
	CreatorID            *int64
	IssuesEnabled        bool
	MergeRequestsEnabled bool
	WikiEnabled          bool
	JobsEnabled          bool
	SnippetsEnabled      bool
	LFSEnabled           bool
	RequestAccessEnabled bool
	Topics               []string
	MarkedForDeletionOn  *string
	CreatedAt            time.Time
	UpdatedAt            time.Time
	LastActivityAt       time.Time

	// Namespace is the owning namespace, loaded with the project.
	Namespace *Namespace
}

// FullPath is the project's path with its namespace.
func (p *Project) FullPath() string { return p.Namespace.FullPath + "/" + p.Path }

// FullName is the project's name with its namespace's.
func (p *Project) FullName() string { return p.Namespace.FullName + " / " + p.Name }

const projectColumns = `p.id, p.namespace_id, p.name, p.path, p.description, p.visibility_level, p.default_branch,
	p.archived, p.empty_repo, p.initialize_with_readme, p.creator_id, p.issues_enabled,
	p.merge_requests_enabled, p.wiki_enabled, p.jobs_enabled, p.snippets_enabled, p.lfs_enabled,
	p.request_access_enabled, p.topics, p.marked_for_deletion_on, p.created_at, p.updated_at,
	p.last_activity_at`

// projectFrom is the FROM clause every project query uses, so that each
// project arrives with its namespace in one round trip.
const projectFrom = " FROM projects p JOIN namespaces n ON n.id = p.namespace_id"

func scanProject(s scanner) (*Project, error) {
	var p Project
	var defBranch, marked sql.NullString
	var creator sql.NullInt64
	var topics string
	var created, updated, activity int64
	ns, err := scanNamespace(prefixScanner{s, []any{&p.ID, &p.NamespaceID, &p.Name, &p.Path, &p.Description,
		&p.VisibilityLevel, &defBranch, &p.Archived, &p.EmptyRepo, &p.InitializeWithReadme, &creator,
		&p.IssuesEnabled, &p.MergeRequestsEnabled, &p.WikiEnabled, &p.JobsEnabled, &p.SnippetsEnabled,
		&p.LFSEnabled, &p.RequestAccessEnabled, &topics, &marked, &created, &updated, &activity}})
	if err != nil {
		return nil, err
	}
	p.Namespace = ns
	p.DefaultBranch = fromNullStr(defBranch)
	if creator.Valid {
		v := creator.Int64
		p.CreatorID = &v
	}
	if topics != "" {
		p.Topics = strings.Split(topics, ",")
	}
	p.MarkedForDeletionOn = fromNullStr(marked)
	p.CreatedAt, p.UpdatedAt, p.LastActivityAt = fromMS(created), fromMS(updated), fromMS(activity)
	return &p, nil
}

const projectSelect = "SELECT " + projectColumns + ", " + namespaceColumns + projectFrom

// ProjectByID returns a project with its namespace.
func (q *Q) ProjectByID(ctx context.Context, id int64) (*Project, error) {
	return scanProject(q.queryRow(ctx, projectSelect+" WHERE p.id = ?", id))
}

// ProjectByFullPath returns a project by "namespace/path", case-insensitively.
func (q *Q) ProjectByFullPath(ctx context.Context, fullPath string) (*Project, error) {
	i := strings.LastIndexByte(fullPath, '/')
	if i <= 0 {
		return nil, ErrNotFound
	}
	return scanProject(q.queryRow(ctx, projectSelect+" WHERE lower(n.full_path) = lower(?) AND lower(p.path) = lower(?)",
		fullPath[:i], fullPath[i+1:]))
}

// queryProjects runs a full project SELECT built by the caller and scans all rows.
func (q *Q) queryProjects(ctx context.Context, where string, args ...any) ([]*Project, error) {
	rows, err := q.query(ctx, projectSelect+" "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list projects: %w", err)
	}
	defer rows.Close()
	var out []*Project
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, wrapErr(rows.Err())
}

// CreateProject inserts p, filling in ID and timestamps. p.Namespace is
// loaded afterwards.
func (q *Q) CreateProject(ctx context.Context, p *Project) error {
	now := q.Now()
	p.CreatedAt, p.UpdatedAt, p.LastActivityAt = now, now, now
	id, err := q.insert(ctx, `INSERT INTO projects (namespace_id, name, path, description, visibility_level,
		default_branch, archived, empty_repo, initialize_with_readme, creator_id, issues_enabled,
		merge_requests_enabled, wiki_enabled, jobs_enabled, snippets_enabled, lfs_enabled,
		request_access_enabled, topics, created_at, updated_at, last_activity_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.NamespaceID, p.Name, p.Path, p.Description, p.VisibilityLevel, nullStr(p.DefaultBranch), p.Archived,
		p.EmptyRepo, p.InitializeWithReadme, p.CreatorID, p.IssuesEnabled, p.MergeRequestsEnabled,
		p.WikiEnabled, p.JobsEnabled, p.SnippetsEnabled, p.LFSEnabled, p.RequestAccessEnabled,
		strings.Join(p.Topics, ","), ms(now), ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create project: %w", err)
	}
	p.ID = id
	ns, err := q.NamespaceByID(ctx, p.NamespaceID)
	if err != nil {
		return err
	}
	p.Namespace = ns
	return nil
}

// UpdateProject writes every mutable field of p.
func (q *Q) UpdateProject(ctx context.Context, p *Project) error {
	p.UpdatedAt = q.Now()
	_, err := q.exec(ctx, `UPDATE projects SET name = ?, path = ?, description = ?, visibility_level = ?,
		default_branch = ?, archived = ?, empty_repo = ?, issues_enabled = ?, merge_requests_enabled = ?,
		wiki_enabled = ?, jobs_enabled = ?, snippets_enabled = ?, lfs_enabled = ?, request_access_enabled = ?,
		topics = ?, marked_for_deletion_on = ?, updated_at = ?, last_activity_at = ? WHERE id = ?`,
		p.Name, p.Path, p.Description, p.VisibilityLevel, nullStr(p.DefaultBranch), p.Archived, p.EmptyRepo,
		p.IssuesEnabled, p.MergeRequestsEnabled, p.WikiEnabled, p.JobsEnabled, p.SnippetsEnabled,
		p.LFSEnabled, p.RequestAccessEnabled, strings.Join(p.Topics, ","), nullStr(p.MarkedForDeletionOn),
		ms(p.UpdatedAt), ms(p.LastActivityAt), p.ID)
	if err != nil {
		return fmt.Errorf("store: update project: %w", err)
	}
	return nil
}

// DeleteProject removes a project and its memberships.
func (q *Q) DeleteProject(ctx context.Context, id int64) error {
	for _, stmt := range []string{
		"DELETE FROM members WHERE source_type = 'Project' AND source_id = ?",
		"DELETE FROM projects WHERE id = ?",
	} {
		if _, err := q.exec(ctx, stmt, id); err != nil {
			return fmt.Errorf("store: delete project: %w", err)
		}
	}
	return nil
}
