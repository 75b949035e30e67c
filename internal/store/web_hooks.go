package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lablet/lablet/internal/model"
)

const webHookColumns = `id, kind, project_id, group_id, url, name, description, token, events,
	push_events_branch_filter, branch_filter_strategy, enable_ssl_verification, custom_headers,
	custom_webhook_template, recent_failures, backoff_count, disabled_until, created_at, updated_at`

func scanWebHook(s scanner) (*model.WebHook, error) {
	var h model.WebHook
	var project, group, disabled sql.NullInt64
	var events, headers string
	var created, updated int64
	if err := s.Scan(&h.ID, &h.Kind, &project, &group, &h.URL, &h.Name, &h.Description, &h.Token, &events,
		&h.PushEventsBranchFilter, &h.BranchFilterStrategy, &h.EnableSSLVerification, &headers,
		&h.CustomWebhookTemplate, &h.RecentFailures, &h.BackoffCount, &disabled, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	if err := json.Unmarshal([]byte(events), &h.Events); err != nil {
		return nil, fmt.Errorf("store: web hook %d events: %w", h.ID, err)
	}
	if err := json.Unmarshal([]byte(headers), &h.CustomHeaders); err != nil {
		return nil, fmt.Errorf("store: web hook %d headers: %w", h.ID, err)
	}
	h.ProjectID, h.GroupID, h.DisabledUntil = fromNullInt(project), fromNullInt(group), fromNullMS(disabled)
	h.CreatedAt, h.UpdatedAt = fromMS(created), fromMS(updated)
	return &h, nil
}

// WebHooksOf lists the hooks of one owner in creation order: a project's
// (kind ProjectHook), a group's (GroupHook) or the system's (ownerID 0).
func (q *Queries) WebHooksOf(ctx context.Context, kind string, ownerID int64) ([]*model.WebHook, error) {
	where, args := "kind = ?", []any{kind}
	switch kind {
	case model.HookOfProject:
		where, args = where+" AND project_id = ?", append(args, ownerID)
	case model.HookOfGroup:
		where, args = where+" AND group_id = ?", append(args, ownerID)
	}
	rows, err := q.query(ctx, "SELECT "+webHookColumns+" FROM web_hooks WHERE "+where+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: list web hooks: %w", err)
	}
	return collect(rows, scanWebHook)
}

// WebHookOf returns one hook of an owner (ErrNotFound otherwise).
func (q *Queries) WebHookOf(ctx context.Context, kind string, ownerID, id int64) (*model.WebHook, error) {
	h, err := q.WebHookByID(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case h.Kind != kind,
		kind == model.HookOfProject && (h.ProjectID == nil || *h.ProjectID != ownerID),
		kind == model.HookOfGroup && (h.GroupID == nil || *h.GroupID != ownerID):
		return nil, ErrNotFound
	}
	return h, nil
}

// WebHookByID returns a hook by id.
func (q *Queries) WebHookByID(ctx context.Context, id int64) (*model.WebHook, error) {
	return scanWebHook(q.queryRow(ctx, "SELECT "+webHookColumns+" FROM web_hooks WHERE id = ?", id))
}

// WebHooksForProject lists, in one query, the hooks an event of a project
// goes to: its own, those of every group above it, and the system's.
func (q *Queries) WebHooksForProject(ctx context.Context, projectID, namespaceID int64) ([]*model.WebHook, error) {
	rows, err := q.query(ctx, "SELECT "+webHookColumns+` FROM web_hooks WHERE project_id = ?
		OR group_id IN (SELECT ancestor_id FROM namespace_closure WHERE descendant_id = ?)
		OR kind = ? ORDER BY id`, projectID, namespaceID, model.HookOfSystem)
	if err != nil {
		return nil, fmt.Errorf("store: project's web hooks: %w", err)
	}
	return collect(rows, scanWebHook)
}

func hookJSON(h *model.WebHook) (events, headers string, err error) {
	e, err := json.Marshal(h.Events)
	if err != nil {
		return "", "", err
	}
	if h.CustomHeaders == nil {
		h.CustomHeaders = []model.HookHeader{}
	}
	c, err := json.Marshal(h.CustomHeaders)
	if err != nil {
		return "", "", err
	}
	return string(e), string(c), nil
}

// CreateWebHook inserts h, filling in its ID and times.
func (q *Queries) CreateWebHook(ctx context.Context, h *model.WebHook) error {
	events, headers, err := hookJSON(h)
	if err != nil {
		return fmt.Errorf("store: create web hook: %w", err)
	}
	now := q.Now()
	h.CreatedAt, h.UpdatedAt = now, now
	id, err := q.insert(ctx, `INSERT INTO web_hooks (kind, project_id, group_id, url, name, description, token, events,
		push_events_branch_filter, branch_filter_strategy, enable_ssl_verification, custom_headers,
		custom_webhook_template, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		h.Kind, nullInt(h.ProjectID), nullInt(h.GroupID), h.URL, h.Name, h.Description, h.Token, events,
		h.PushEventsBranchFilter, h.BranchFilterStrategy, h.EnableSSLVerification, headers,
		h.CustomWebhookTemplate, ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create web hook: %w", err)
	}
	h.ID = id
	return nil
}

// UpdateWebHook writes h's settings. As GitLab's update does, it also
// enables a disabled hook again (its failure counts cleared).
func (q *Queries) UpdateWebHook(ctx context.Context, h *model.WebHook) error {
	events, headers, err := hookJSON(h)
	if err != nil {
		return fmt.Errorf("store: update web hook: %w", err)
	}
	h.UpdatedAt = q.Now()
	h.RecentFailures, h.BackoffCount, h.DisabledUntil = 0, 0, nil
	if _, err := q.exec(ctx, `UPDATE web_hooks SET url = ?, name = ?, description = ?, token = ?, events = ?,
		push_events_branch_filter = ?, branch_filter_strategy = ?, enable_ssl_verification = ?, custom_headers = ?,
		custom_webhook_template = ?, recent_failures = 0, backoff_count = 0, disabled_until = NULL, updated_at = ?
		WHERE id = ?`,
		h.URL, h.Name, h.Description, h.Token, events, h.PushEventsBranchFilter, h.BranchFilterStrategy,
		h.EnableSSLVerification, headers, h.CustomWebhookTemplate, ms(h.UpdatedAt), h.ID); err != nil {
		return fmt.Errorf("store: update web hook: %w", err)
	}
	return nil
}

// DeleteWebHook removes a hook and its logs.
func (q *Queries) DeleteWebHook(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM web_hooks WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete web hook: %w", err)
	}
	return nil
}

// WebHookSucceeded clears a hook's failure state
// (WebHooks::AutoDisabling#enable!).
func (q *Queries) WebHookSucceeded(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, `UPDATE web_hooks SET recent_failures = 0, backoff_count = 0, disabled_until = NULL
		WHERE id = ? AND (recent_failures <> 0 OR backoff_count <> 0 OR disabled_until IS NOT NULL)`, id); err != nil {
		return fmt.Errorf("store: web hook succeeded: %w", err)
	}
	return nil
}

// WebHookFailed counts one failed delivery in one statement, so parallel
// deliveries each count (WebHooks::AutoDisabling#backoff!): from the
// failuresBeforeBackoff-th consecutive failure on, each failure that
// finds the hook not already backing off disables it until
// now + backoff(backoff_count), the backoff count growing. It returns
// the hook's counts after the update.
func (q *Queries) WebHookFailed(ctx context.Context, id int64, failuresBeforeBackoff int, backoff func(count int) time.Duration) (failures, backoffs int, err error) {
	now := q.Now()
	err = q.returning(ctx, `UPDATE web_hooks SET recent_failures = recent_failures + 1 WHERE id = ?
		RETURNING recent_failures, backoff_count`, []any{id}, &failures, &backoffs)
	if err != nil {
		return 0, 0, fmt.Errorf("store: web hook failed: %w", err)
	}
	if failures < failuresBeforeBackoff {
		return failures, backoffs, nil
	}
	until := now.Add(backoff(backoffs + 1))
	err = q.returning(ctx, `UPDATE web_hooks SET backoff_count = backoff_count + 1, disabled_until = ?
		WHERE id = ? AND backoff_count = ? AND (disabled_until IS NULL OR disabled_until <= ?)
		RETURNING backoff_count`, []any{ms(until), id, backoffs, ms(now)}, &backoffs)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return 0, 0, fmt.Errorf("store: web hook backoff: %w", err)
	}
	return failures, backoffs, nil
}

// InsertWebHookLog records one delivery attempt.
func (q *Queries) InsertWebHookLog(ctx context.Context, l *model.WebHookLog) error {
	reqHeaders, err := json.Marshal(l.RequestHeaders)
	if err != nil {
		return fmt.Errorf("store: web hook log: %w", err)
	}
	respHeaders, err := json.Marshal(l.ResponseHeaders)
	if err != nil {
		return fmt.Errorf("store: web hook log: %w", err)
	}
	l.CreatedAt = q.Now()
	id, err := q.insert(ctx, `INSERT INTO web_hook_logs (web_hook_id, trigger_name, url, request_headers, request_data,
		response_headers, response_body, response_status, execution_duration, internal_error_message, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.WebHookID, l.Trigger, l.URL, string(reqHeaders), l.RequestData,
		string(respHeaders), l.ResponseBody, l.ResponseStatus, l.ExecutionDuration, l.InternalErrorMessage, ms(l.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: web hook log: %w", err)
	}
	l.ID = id
	return nil
}

const webHookLogColumns = `id, web_hook_id, trigger_name, url, request_headers, request_data, response_headers,
	response_body, response_status, execution_duration, internal_error_message, created_at`

func scanWebHookLog(s scanner) (*model.WebHookLog, error) {
	var l model.WebHookLog
	var reqHeaders, respHeaders string
	var created int64
	if err := s.Scan(&l.ID, &l.WebHookID, &l.Trigger, &l.URL, &reqHeaders, &l.RequestData, &respHeaders,
		&l.ResponseBody, &l.ResponseStatus, &l.ExecutionDuration, &l.InternalErrorMessage, &created); err != nil {
		return nil, wrapErr(err)
	}
	_ = json.Unmarshal([]byte(reqHeaders), &l.RequestHeaders)
	_ = json.Unmarshal([]byte(respHeaders), &l.ResponseHeaders)
	l.CreatedAt = fromMS(created)
	return &l, nil
}

// WebHookLogs lists a hook's delivery attempts since a time, newest first.
func (q *Queries) WebHookLogs(ctx context.Context, hookID int64, since time.Time) ([]*model.WebHookLog, error) {
	rows, err := q.query(ctx, "SELECT "+webHookLogColumns+` FROM web_hook_logs WHERE web_hook_id = ? AND created_at >= ?
		ORDER BY id DESC`, hookID, ms(since))
	if err != nil {
		return nil, fmt.Errorf("store: web hook logs: %w", err)
	}
	return collect(rows, scanWebHookLog)
}

// WebHookLog returns one delivery attempt of a hook.
func (q *Queries) WebHookLog(ctx context.Context, hookID, id int64) (*model.WebHookLog, error) {
	return scanWebHookLog(q.queryRow(ctx, "SELECT "+webHookLogColumns+" FROM web_hook_logs WHERE web_hook_id = ? AND id = ?",
		hookID, id))
}

// DeleteWebHookLogsBefore purges delivery logs older than before.
func (q *Queries) DeleteWebHookLogsBefore(ctx context.Context, before time.Time) error {
	if _, err := q.exec(ctx, "DELETE FROM web_hook_logs WHERE created_at < ?", ms(before)); err != nil {
		return fmt.Errorf("store: purge web hook logs: %w", err)
	}
	return nil
}

// SQLTx is the transaction q runs in (nil outside one), for work that must
// commit or roll back with it: the job queue's inserts.
func (q *Queries) SQLTx() *sql.Tx { return q.tx }

// LatestProjectRows returns the ids of a project's newest issue, merge
// request and note (0 for none): the data a hook test builds its sample
// from, as GitLab's TestHooks::ProjectService takes the last of each.
func (q *Queries) LatestProjectRows(ctx context.Context, projectID int64) (issue, mergeRequest, note int64, err error) {
	err = q.queryRow(ctx, `SELECT
		COALESCE((SELECT MAX(id) FROM issues WHERE project_id = ?), 0),
		COALESCE((SELECT MAX(id) FROM merge_requests WHERE target_project_id = ?), 0),
		COALESCE((SELECT MAX(id) FROM notes WHERE project_id = ? AND NOT system), 0)`,
		projectID, projectID, projectID).Scan(&issue, &mergeRequest, &note)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("store: latest project rows: %w", wrapErr(err))
	}
	return issue, mergeRequest, note, nil
}

// GroupProjectIDs lists the ids of the projects in a group and its
// subgroups, oldest first.
func (q *Queries) GroupProjectIDs(ctx context.Context, groupID int64) ([]int64, error) {
	return q.int64s(ctx, `SELECT p.id FROM projects p JOIN namespace_closure c ON c.descendant_id = p.namespace_id
		WHERE c.ancestor_id = ? ORDER BY p.id LIMIT 100`, groupID)
}

// LatestProjectCI returns the ids of a project's newest pipeline and job
// (0 for none), the samples of the pipeline and job event tests.
func (q *Queries) LatestProjectCI(ctx context.Context, projectID int64) (pipeline, job int64, err error) {
	err = q.queryRow(ctx, `SELECT
		COALESCE((SELECT MAX(id) FROM ci_pipelines WHERE project_id = ?), 0),
		COALESCE((SELECT MAX(id) FROM ci_builds WHERE project_id = ? AND job_type = 'build'), 0)`,
		projectID, projectID).Scan(&pipeline, &job)
	if err != nil {
		return 0, 0, fmt.Errorf("store: latest project ci: %w", wrapErr(err))
	}
	return pipeline, job, nil
}

// WebHooksForGroup lists the hooks a group's event goes to: those of the
// group and every group above it, and the system's.
func (q *Queries) WebHooksForGroup(ctx context.Context, groupID int64) ([]*model.WebHook, error) {
	rows, err := q.query(ctx, "SELECT "+webHookColumns+` FROM web_hooks
		WHERE group_id IN (SELECT ancestor_id FROM namespace_closure WHERE descendant_id = ?)
		OR kind = ? ORDER BY id`, groupID, model.HookOfSystem)
	if err != nil {
		return nil, fmt.Errorf("store: group's web hooks: %w", err)
	}
	return collect(rows, scanWebHook)
}
