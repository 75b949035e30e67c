package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// AddRateLimitCounts adds each count's delta to its bucket and window,
// creating the row at need, and returns the totals in counts' order. Each
// addition is one atomic upsert, so instances sharing the database never
// lose each other's counts.
func (db *DB) AddRateLimitCounts(ctx context.Context, counts []model.RateLimitCount) ([]int64, error) {
	totals := make([]int64, len(counts))
	err := db.WithTx(ctx, func(q *Queries) error {
		for i, c := range counts {
			if err := q.queryRow(ctx, `INSERT INTO rate_limit_counters (bucket, window_start, count, expires_at)
				VALUES (?, ?, ?, ?)
				ON CONFLICT (bucket, window_start) DO UPDATE
				SET count = rate_limit_counters.count + excluded.count, expires_at = excluded.expires_at
				RETURNING count`, c.Bucket, c.WindowStart, c.Delta, c.ExpiresAt).Scan(&totals[i]); err != nil {
				return fmt.Errorf("store: add rate limit count: %w", wrapErr(err))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return totals, nil
}

// RateLimitBucketLive reports whether bucket has a row that has not
// expired at now (Unix seconds) in window (any window when window < 0).
func (q *Queries) RateLimitBucketLive(ctx context.Context, bucket string, window, now int64) (bool, error) {
	var one int
	err := q.queryRow(ctx, `SELECT 1 FROM rate_limit_counters
		WHERE bucket = ? AND (? < 0 OR window_start = ?) AND expires_at > ? LIMIT 1`,
		bucket, window, window, now).Scan(&one)
	if err != nil {
		if err = wrapErr(err); errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return false, fmt.Errorf("store: read rate limit bucket: %w", err)
	}
	return true, nil
}

// DeleteRateLimitBucket removes every window of bucket.
func (q *Queries) DeleteRateLimitBucket(ctx context.Context, bucket string) error {
	if _, err := q.exec(ctx, "DELETE FROM rate_limit_counters WHERE bucket = ?", bucket); err != nil {
		return fmt.Errorf("store: delete rate limit bucket: %w", err)
	}
	return nil
}

// DeleteExpiredRateLimitCounts removes the counters and bans that ended
// before now (Unix seconds).
func (q *Queries) DeleteExpiredRateLimitCounts(ctx context.Context, now int64) error {
	if _, err := q.exec(ctx, "DELETE FROM rate_limit_counters WHERE expires_at <= ?", now); err != nil {
		return fmt.Errorf("store: delete expired rate limit counts: %w", err)
	}
	return nil
}
