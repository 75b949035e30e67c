package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// userStatusChunk bounds one IN list, well below SQLite's variable limit.
const userStatusChunk = 500

// UserStatuses reads the statuses of users by id, in one statement per
// 500 users; users without a status are absent. GraphQL's UserCore.status
// reads a page of users' statuses at once with it.
func (q *Queries) UserStatuses(ctx context.Context, ids []int64) (map[int64]*model.UserStatus, error) {
	out := make(map[int64]*model.UserStatus, len(ids))
	for start := 0; start < len(ids); start += userStatusChunk {
		chunk := ids[start:min(start+userStatusChunk, len(ids))]
		rows, err := q.query(ctx, "SELECT user_id, emoji, message, availability, clear_status_at FROM user_statuses WHERE user_id IN ("+
			placeholders(len(chunk))+")", toAny(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("store: user statuses: %w", err)
		}
		for rows.Next() {
			var st model.UserStatus
			var clear sql.NullInt64
			if err := rows.Scan(&st.UserID, &st.Emoji, &st.Message, &st.Availability, &clear); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: user statuses: %w", err)
			}
			st.ClearStatusAt = fromNullMS(clear)
			out[st.UserID] = &st
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: user statuses: %w", err)
		}
	}
	return out, nil
}
