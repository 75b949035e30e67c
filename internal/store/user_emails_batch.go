package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// UsersEmails returns the secondary addresses of users ids, by user, in
// id order: one statement per chunk for GraphQL's UserCore.emails on a
// page of users.
func (q *Queries) UsersEmails(ctx context.Context, ids []int64) (map[int64][]*model.Email, error) {
	out := make(map[int64][]*model.Email, len(ids))
	for start := 0; start < len(ids); start += userStatusChunk {
		chunk := ids[start:min(start+userStatusChunk, len(ids))]
		rows, err := q.query(ctx, "SELECT "+emailColumns+" FROM emails WHERE user_id IN ("+placeholders(len(chunk))+
			") ORDER BY id", toAny(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("store: users' emails: %w", err)
		}
		es, err := collect(rows, scanEmail)
		if err != nil {
			return nil, fmt.Errorf("store: users' emails: %w", err)
		}
		for _, e := range es {
			out[e.UserID] = append(out[e.UserID], e)
		}
	}
	return out, nil
}
