package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/model"
)

const tokenColumns = `t.id, t.user_id, t.name, t.description, t.token_digest, t.scopes, t.impersonation,
	t.revoked, t.expires_at, t.last_used_at, t.previous_token_id, t.created_at`

// tokenRow holds the scan destinations of tokenColumns.
type tokenRow struct {
	t        model.Token
	scopes   string
	expires  sql.NullString
	lastUsed sql.NullInt64
	prev     sql.NullInt64
	created  int64
}

func (r *tokenRow) dest() []any {
	t := &r.t
	return []any{&t.ID, &t.UserID, &t.Name, &t.Description, &t.Digest, &r.scopes, &t.Impersonation,
		&t.Revoked, &r.expires, &r.lastUsed, &r.prev, &r.created}
}

func (r *tokenRow) token() *model.Token {
	t := r.t
	if r.scopes != "" {
		t.Scopes = strings.Split(r.scopes, ",")
	}
	t.ExpiresAt = fromNullStr(r.expires)
	t.LastUsedAt = fromNullMS(r.lastUsed)
	if r.prev.Valid {
		v := r.prev.Int64
		t.PreviousTokenID = &v
	}
	t.CreatedAt = fromMS(r.created)
	return &t
}

func scanToken(s scanner) (*model.Token, error) {
	var r tokenRow
	if err := s.Scan(r.dest()...); err != nil {
		return nil, wrapErr(err)
	}
	return r.token(), nil
}

// CreateToken inserts t, filling in ID and CreatedAt.
func (q *Queries) CreateToken(ctx context.Context, t *model.Token) error {
	t.CreatedAt = q.Now()
	id, err := q.insert(ctx, `INSERT INTO personal_access_tokens (user_id, name, description, token_digest,
		scopes, impersonation, revoked, expires_at, previous_token_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.UserID, t.Name, t.Description, t.Digest, strings.Join(t.Scopes, ","), t.Impersonation, t.Revoked,
		nullStr(t.ExpiresAt), t.PreviousTokenID, ms(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create token: %w", err)
	}
	t.ID = id
	return nil
}

// TokenByDigest finds a token and its user by the digest of its secret in
// one query, or in the auth cache: revoking, rotating or expiring a token,
// or blocking, changing or deleting a user moves the auth version, so the
// very next request sees it. Expiry dates are the caller's to check
// against the clock. Unknown digests are never kept.
func (q *Queries) TokenByDigest(ctx context.Context, digest string) (*model.TokenWithUser, error) {
	tw, err := readThrough(q, q.caches().tokens, TopicAuth, digest, copyTokenWithUser, func() (model.TokenWithUser, error) {
		row := q.queryRow(ctx, "SELECT "+tokenColumns+", "+userColumns+
			" FROM personal_access_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_digest = ?", digest)
		var r tokenRow
		u, err := scanUser(prefixScanner{row, r.dest()})
		if err != nil {
			return model.TokenWithUser{}, err
		}
		return model.TokenWithUser{Token: r.token(), User: u}, nil
	})
	if err != nil {
		return nil, err
	}
	return &tw, nil
}

// prefixScanner scans a row whose leading columns go to extra destinations.
type prefixScanner struct {
	s      scanner
	prefix []any
}

func (p prefixScanner) Scan(dest ...any) error {
	return p.s.Scan(append(p.prefix, dest...)...)
}

// TokenByID returns a token by id.
func (q *Queries) TokenByID(ctx context.Context, id int64) (*model.Token, error) {
	return scanToken(q.queryRow(ctx, "SELECT "+tokenColumns+" FROM personal_access_tokens t WHERE t.id = ?", id))
}

// tokenOrders maps GitLab's sort values to ORDER BY clauses; NULLs sort
// last ascending and first descending, as PostgreSQL does by default.
var tokenOrders = map[string]string{
	"created_asc":    "t.created_at ASC, t.id ASC",
	"created_desc":   "t.created_at DESC, t.id DESC",
	"expires_asc":    "(t.expires_at IS NULL) ASC, t.expires_at ASC, t.id ASC",
	"expires_desc":   "(t.expires_at IS NULL) DESC, t.expires_at DESC, t.id DESC",
	"last_used_asc":  "(t.last_used_at IS NULL) ASC, t.last_used_at ASC, t.id ASC",
	"last_used_desc": "(t.last_used_at IS NULL) DESC, t.last_used_at DESC, t.id DESC",
	"name_asc":       "t.name ASC, t.id ASC",
	"name_desc":      "t.name DESC, t.id DESC",
}

// ListTokens returns a page of tokens matching f and the total count.
func (q *Queries) ListTokens(ctx context.Context, f model.TokenFilter) ([]*model.Token, int, error) {
	var w conds
	if f.UserID != nil {
		w.add("t.user_id = ?", *f.UserID)
	}
	if f.Impersonation != nil {
		w.add("t.impersonation = ?", *f.Impersonation)
	}
	if f.Revoked != nil {
		w.add("t.revoked = ?", *f.Revoked)
	}
	if f.BotsOf != nil {
		w.add("t.user_id IN (SELECT b.user_id FROM resource_bots b WHERE b.source_type = ? AND b.source_id = ?)",
			f.BotsOf.Type, f.BotsOf.ID)
	}
	switch f.State {
	case "active":
		w.add("(t.revoked = FALSE AND (t.expires_at IS NULL OR t.expires_at >= ?))", f.Today)
	case "inactive":
		w.add("(t.revoked = TRUE OR (t.expires_at IS NOT NULL AND t.expires_at < ?))", f.Today)
	}
	if f.Search != "" {
		w.search(f.Search, "t.name")
	}
	if f.CreatedBefore != nil {
		w.add("t.created_at < ?", ms(*f.CreatedBefore))
	}
	if f.CreatedAfter != nil {
		w.add("t.created_at > ?", ms(*f.CreatedAfter))
	}
	if f.LastUsedBefore != nil {
		w.add("t.last_used_at < ?", ms(*f.LastUsedBefore))
	}
	if f.LastUsedAfter != nil {
		w.add("t.last_used_at > ?", ms(*f.LastUsedAfter))
	}
	if f.ExpiresBefore != nil {
		w.add("t.expires_at < ?", *f.ExpiresBefore)
	}
	if f.ExpiresAfter != nil {
		w.add("t.expires_at > ?", *f.ExpiresAfter)
	}
	cond, args := w.where(), w.args
	var total int
	if err := q.queryRow(ctx, "SELECT count(*) FROM personal_access_tokens t"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count tokens: %w", wrapErr(err))
	}
	order, okOrder := tokenOrders[f.Sort]
	if !okOrder {
		order = "t.id ASC"
	}
	rows, err := q.query(ctx, "SELECT "+tokenColumns+" FROM personal_access_tokens t"+cond+
		" ORDER BY "+order+" LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list tokens: %w", err)
	}
	out, err := collect(rows, scanToken)
	return out, total, err
}

// RevokeToken marks a token revoked. It reports ErrNotFound when no active
// token had that id.
func (q *Queries) RevokeToken(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, "UPDATE personal_access_tokens SET revoked = TRUE WHERE id = ? AND revoked = FALSE", id)
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// TouchToken records use of a token, at most once per interval, so that
// authenticated reads rarely write.
func (q *Queries) TouchToken(ctx context.Context, id int64, now time.Time, interval time.Duration) error {
	_, err := q.exec(ctx, "UPDATE personal_access_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
		ms(now), id, ms(now.Add(-interval)))
	if err != nil {
		return fmt.Errorf("store: touch token: %w", err)
	}
	return nil
}

// TokenSuccessor returns the token that replaced id by rotation, or
// ErrNotFound.
func (q *Queries) TokenSuccessor(ctx context.Context, id int64) (*model.Token, error) {
	return scanToken(q.queryRow(ctx, "SELECT "+tokenColumns+
		" FROM personal_access_tokens t WHERE t.previous_token_id = ? ORDER BY t.id LIMIT 1", id))
}
