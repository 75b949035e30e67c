package store

import (
	"context"
	"fmt"
)

// SetRegistrationToken sets the digest of a source's registration token,
// replacing the one it had.
func (q *Queries) SetRegistrationToken(ctx context.Context, sourceType string, sourceID int64, digest string) error {
	if _, err := q.exec(ctx, `INSERT INTO ci_runner_registration_tokens (source_type, source_id, token_digest, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (source_type, source_id)
		DO UPDATE SET token_digest = excluded.token_digest, created_at = excluded.created_at`,
		sourceType, sourceID, digest, ms(q.Now())); err != nil {
		return fmt.Errorf("store: set registration token: %w", wrapErr(err))
	}
	return nil
}

// RegistrationTokenSource returns the source whose registration token has
// this digest (ErrNotFound if none).
func (q *Queries) RegistrationTokenSource(ctx context.Context, digest string) (sourceType string, sourceID int64, err error) {
	err = q.queryRow(ctx, "SELECT source_type, source_id FROM ci_runner_registration_tokens WHERE token_digest = ?",
		digest).Scan(&sourceType, &sourceID)
	if err != nil {
		return "", 0, wrapErr(err)
	}
	return sourceType, sourceID, nil
}
