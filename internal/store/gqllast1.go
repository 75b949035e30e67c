package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// NoteAuthorIDsOf is NoteAuthorIDs for many noteables of one type in one
// statement: each noteable's user-note authors, by first note.
func (q *Queries) NoteAuthorIDsOf(ctx context.Context, noteableType string, ids []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, `SELECT noteable_id, author_id FROM notes WHERE noteable_type = ? AND noteable_id IN (`+
		placeholders(len(ids))+`) AND author_id IS NOT NULL AND system = ? GROUP BY noteable_id, author_id
		ORDER BY min(id)`, append(append([]any{noteableType}, int64Args(ids)...), false)...)
	if err != nil {
		return nil, fmt.Errorf("store: note authors: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var nid, uid int64
		if err := rows.Scan(&nid, &uid); err != nil {
			return nil, fmt.Errorf("store: note authors: %w", err)
		}
		out[nid] = append(out[nid], uid)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: note authors: %w", err)
	}
	return out, nil
}

// DeploymentByIID returns a project's deployment by iid.
func (q *Queries) DeploymentByIID(ctx context.Context, projectID, iid int64) (*model.Deployment, error) {
	return scanDeployment(q.queryRow(ctx, "SELECT "+deploymentColumns+
		" FROM deployments WHERE project_id = ? AND iid = ?", projectID, iid))
}
