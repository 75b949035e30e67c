package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/model"
)

const oauthAppColumns = `a.id, a.uid, a.name, a.secret_digest, a.redirect_uri, a.scopes, a.confidential,
	a.owner_id, a.dynamic, a.created_at, a.updated_at`

func scanOAuthApp(s scanner) (*model.OAuthApplication, error) {
	var a model.OAuthApplication
	var redirect, scopes string
	var owner sql.NullInt64
	var created, updated int64
	if err := s.Scan(&a.ID, &a.UID, &a.Name, &a.SecretDigest, &redirect, &scopes, &a.Confidential,
		&owner, &a.Dynamic, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	a.RedirectURIs = splitNonEmpty(redirect, "\n")
	a.Scopes = splitNonEmpty(scopes, " ")
	if owner.Valid {
		v := owner.Int64
		a.OwnerID = &v
	}
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	return &a, nil
}

func splitNonEmpty(s, sep string) []string {
	var out []string
	for _, v := range strings.Split(s, sep) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// CreateOAuthApplication inserts a, filling in ID and timestamps.
func (q *Queries) CreateOAuthApplication(ctx context.Context, a *model.OAuthApplication) error {
	now := q.Now()
	a.CreatedAt, a.UpdatedAt = now, now
	id, err := q.insert(ctx, `INSERT INTO oauth_applications (uid, name, secret_digest, redirect_uri, scopes,
		confidential, owner_id, dynamic, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.UID, a.Name, a.SecretDigest, strings.Join(a.RedirectURIs, "\n"), strings.Join(a.Scopes, " "),
		a.Confidential, a.OwnerID, a.Dynamic, ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create oauth application: %w", err)
	}
	a.ID = id
	return nil
}

// OAuthApplicationByID returns an application by its numeric id.
func (q *Queries) OAuthApplicationByID(ctx context.Context, id int64) (*model.OAuthApplication, error) {
	return scanOAuthApp(q.queryRow(ctx, "SELECT "+oauthAppColumns+" FROM oauth_applications a WHERE a.id = ?", id))
}

// OAuthApplicationByUID returns an application by its Application ID.
func (q *Queries) OAuthApplicationByUID(ctx context.Context, uid string) (*model.OAuthApplication, error) {
	return scanOAuthApp(q.queryRow(ctx, "SELECT "+oauthAppColumns+" FROM oauth_applications a WHERE a.uid = ?", uid))
}

// ListOAuthApplications returns the applications owned by ownerID, or the
// instance-wide ones (no owner) when ownerID is nil and instance is true,
// or every application when both are unset.
func (q *Queries) ListOAuthApplications(ctx context.Context, ownerID *int64, instance bool) ([]*model.OAuthApplication, error) {
	cond, args := " WHERE a.uid <> ?", []any{model.PasswordGrantClientUID}
	switch {
	case ownerID != nil:
		cond, args = cond+" AND a.owner_id = ?", append(args, *ownerID)
	case instance:
		cond += " AND a.owner_id IS NULL"
	}
	rows, err := q.query(ctx, "SELECT "+oauthAppColumns+" FROM oauth_applications a"+cond+" ORDER BY a.id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: list oauth applications: %w", err)
	}
	return collect(rows, scanOAuthApp)
}

// SetOAuthApplicationSecret replaces an application's secret digest.
func (q *Queries) SetOAuthApplicationSecret(ctx context.Context, id int64, digest string) error {
	res, err := q.exec(ctx, "UPDATE oauth_applications SET secret_digest = ?, updated_at = ? WHERE id = ?",
		digest, ms(q.Now()), id)
	if err != nil {
		return fmt.Errorf("store: renew oauth secret: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteOAuthApplication removes an application and, by cascade, every
// grant and token issued to it.
func (q *Queries) DeleteOAuthApplication(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, "DELETE FROM oauth_applications WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("store: delete oauth application: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

const oauthGrantColumns = `g.id, g.kind, g.signature, g.request_id, g.application_id, g.user_id, g.scopes,
	g.request, g.active, g.expires_at, g.created_at`

type oauthGrantRow struct {
	g       model.OAuthGrant
	user    sql.NullInt64
	scopes  string
	expires sql.NullInt64
	created int64
}

func (r *oauthGrantRow) dest() []any {
	g := &r.g
	return []any{&g.ID, &g.Kind, &g.Signature, &g.RequestID, &g.ApplicationID, &r.user, &r.scopes,
		&g.Request, &g.Active, &r.expires, &r.created}
}

func (r *oauthGrantRow) grant() *model.OAuthGrant {
	g := r.g
	if r.user.Valid {
		v := r.user.Int64
		g.UserID = &v
	}
	g.Scopes = splitNonEmpty(r.scopes, " ")
	g.ExpiresAt = fromNullMS(r.expires)
	g.CreatedAt = fromMS(r.created)
	return &g
}

func scanOAuthGrant(s scanner) (*model.OAuthGrant, error) {
	var r oauthGrantRow
	if err := s.Scan(r.dest()...); err != nil {
		return nil, wrapErr(err)
	}
	return r.grant(), nil
}

// CreateOAuthGrant inserts g, filling in ID and CreatedAt.
func (q *Queries) CreateOAuthGrant(ctx context.Context, g *model.OAuthGrant) error {
	g.CreatedAt = q.Now()
	id, err := q.insert(ctx, `INSERT INTO oauth_grants (kind, signature, request_id, application_id, user_id,
		scopes, request, active, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.Kind, g.Signature, g.RequestID, g.ApplicationID, g.UserID, strings.Join(g.Scopes, " "), g.Request,
		g.Active, nullMS(g.ExpiresAt), ms(g.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create oauth %s: %w", g.Kind, err)
	}
	g.ID = id
	return nil
}

// OAuthGrantBySignature finds a grant of kind by its digest.
func (q *Queries) OAuthGrantBySignature(ctx context.Context, kind, signature string) (*model.OAuthGrant, error) {
	return scanOAuthGrant(q.queryRow(ctx, "SELECT "+oauthGrantColumns+
		" FROM oauth_grants g WHERE g.kind = ? AND g.signature = ?", kind, signature))
}

// DeleteOAuthGrant removes a grant of kind by its digest.
func (q *Queries) DeleteOAuthGrant(ctx context.Context, kind, signature string) error {
	if _, err := q.exec(ctx, "DELETE FROM oauth_grants WHERE kind = ? AND signature = ?", kind, signature); err != nil {
		return fmt.Errorf("store: delete oauth %s: %w", kind, err)
	}
	return nil
}

// DeactivateOAuthGrant marks one active grant used. It reports ErrNotFound
// when no active grant had that digest, so of two racing uses one loses.
func (q *Queries) DeactivateOAuthGrant(ctx context.Context, kind, signature string) error {
	res, err := q.exec(ctx, "UPDATE oauth_grants SET active = FALSE WHERE kind = ? AND signature = ? AND active = TRUE",
		kind, signature)
	if err != nil {
		return fmt.Errorf("store: deactivate oauth %s: %w", kind, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeactivateOAuthGrantsByRequest marks every grant of kind from one
// authorization used.
func (q *Queries) DeactivateOAuthGrantsByRequest(ctx context.Context, kind, requestID string) error {
	if _, err := q.exec(ctx, "UPDATE oauth_grants SET active = FALSE WHERE kind = ? AND request_id = ?",
		kind, requestID); err != nil {
		return fmt.Errorf("store: deactivate oauth %s: %w", kind, err)
	}
	return nil
}

// DeleteOAuthGrantsByRequest removes every grant of kind from one
// authorization.
func (q *Queries) DeleteOAuthGrantsByRequest(ctx context.Context, kind, requestID string) error {
	if _, err := q.exec(ctx, "DELETE FROM oauth_grants WHERE kind = ? AND request_id = ?", kind, requestID); err != nil {
		return fmt.Errorf("store: delete oauth %s: %w", kind, err)
	}
	return nil
}

// OAuthAccessTokenByDigest finds an access token with its user and
// application in one query.
func (q *Queries) OAuthAccessTokenByDigest(ctx context.Context, digest string) (*model.OAuthAccessToken, error) {
	row := q.queryRow(ctx, "SELECT "+oauthGrantColumns+", "+oauthAppColumns+", "+userColumns+
		` FROM oauth_grants g JOIN oauth_applications a ON a.id = g.application_id
		JOIN users u ON u.id = g.user_id WHERE g.kind = 'access' AND g.signature = ?`, digest)
	var r oauthGrantRow
	var a model.OAuthApplication
	var redirect, scopes string
	var owner sql.NullInt64
	var created, updated int64
	appDest := []any{&a.ID, &a.UID, &a.Name, &a.SecretDigest, &redirect, &scopes, &a.Confidential,
		&owner, &a.Dynamic, &created, &updated}
	u, err := scanUser(prefixScanner{row, append(r.dest(), appDest...)})
	if err != nil {
		return nil, err
	}
	a.RedirectURIs, a.Scopes = splitNonEmpty(redirect, "\n"), splitNonEmpty(scopes, " ")
	if owner.Valid {
		v := owner.Int64
		a.OwnerID = &v
	}
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	return &model.OAuthAccessToken{Grant: r.grant(), User: u, Application: &a}, nil
}

// AuthorizedOAuthApplications lists the applications userID has granted
// access that is still usable (an active refresh token or an unexpired
// access token), with the scopes of the latest grant.
func (q *Queries) AuthorizedOAuthApplications(ctx context.Context, userID int64, now time.Time) ([]*model.AuthorizedApplication, error) {
	rows, err := q.query(ctx, "SELECT "+oauthGrantColumns+
		` FROM oauth_grants g WHERE g.user_id = ? AND g.active = TRUE AND
		(g.kind = 'refresh' OR (g.kind = 'access' AND (g.expires_at IS NULL OR g.expires_at > ?)))
		ORDER BY g.created_at DESC, g.id DESC`, userID, ms(now))
	if err != nil {
		return nil, fmt.Errorf("store: authorized applications: %w", err)
	}
	grants, err := collect(rows, scanOAuthGrant)
	if err != nil {
		return nil, err
	}
	seen := map[int64]*model.AuthorizedApplication{}
	var out []*model.AuthorizedApplication
	for _, g := range grants {
		if aa, ok := seen[g.ApplicationID]; ok {
			if g.CreatedAt.Before(aa.AuthorizedAt) {
				aa.AuthorizedAt = g.CreatedAt
			}
			continue
		}
		app, err := q.OAuthApplicationByID(ctx, g.ApplicationID)
		if err != nil {
			return nil, err
		}
		aa := &model.AuthorizedApplication{Application: app, Scopes: g.Scopes, AuthorizedAt: g.CreatedAt}
		seen[g.ApplicationID] = aa
		out = append(out, aa)
	}
	return out, nil
}

// RevokeOAuthAuthorization deletes every code and token userID holds for
// applicationID.
func (q *Queries) RevokeOAuthAuthorization(ctx context.Context, userID, applicationID int64) error {
	if _, err := q.exec(ctx, "DELETE FROM oauth_grants WHERE user_id = ? AND application_id = ?", userID, applicationID); err != nil {
		return fmt.Errorf("store: revoke oauth authorization: %w", err)
	}
	if _, err := q.exec(ctx, "DELETE FROM oauth_device_grants WHERE user_id = ? AND application_id = ?", userID, applicationID); err != nil {
		return fmt.Errorf("store: revoke oauth authorization: %w", err)
	}
	return nil
}

const oauthDeviceColumns = `d.id, d.device_code_digest, d.user_code_digest, d.application_id, d.scopes,
	d.status, d.user_id, d.poll_interval, d.last_polled_at, d.expires_at, d.created_at`

func scanOAuthDevice(s scanner) (*model.OAuthDeviceGrant, error) {
	var d model.OAuthDeviceGrant
	var scopes string
	var user, polled sql.NullInt64
	var expires, created int64
	if err := s.Scan(&d.ID, &d.DeviceCodeDigest, &d.UserCodeDigest, &d.ApplicationID, &scopes, &d.Status,
		&user, &d.Interval, &polled, &expires, &created); err != nil {
		return nil, wrapErr(err)
	}
	d.Scopes = splitNonEmpty(scopes, " ")
	if user.Valid {
		v := user.Int64
		d.UserID = &v
	}
	d.LastPolledAt = fromNullMS(polled)
	d.ExpiresAt, d.CreatedAt = fromMS(expires), fromMS(created)
	return &d, nil
}

// CreateOAuthDeviceGrant inserts d, filling in ID and CreatedAt.
func (q *Queries) CreateOAuthDeviceGrant(ctx context.Context, d *model.OAuthDeviceGrant) error {
	d.CreatedAt = q.Now()
	if d.Status == "" {
		d.Status = model.DevicePending
	}
	id, err := q.insert(ctx, `INSERT INTO oauth_device_grants (device_code_digest, user_code_digest,
		application_id, scopes, status, user_id, poll_interval, last_polled_at, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.DeviceCodeDigest, d.UserCodeDigest, d.ApplicationID,
		strings.Join(d.Scopes, " "), d.Status, d.UserID, d.Interval, nullMS(d.LastPolledAt), ms(d.ExpiresAt),
		ms(d.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create device grant: %w", err)
	}
	d.ID = id
	return nil
}

// OAuthDeviceGrantByDeviceCode finds a device grant by its device code's
// digest.
func (q *Queries) OAuthDeviceGrantByDeviceCode(ctx context.Context, digest string) (*model.OAuthDeviceGrant, error) {
	return scanOAuthDevice(q.queryRow(ctx, "SELECT "+oauthDeviceColumns+
		" FROM oauth_device_grants d WHERE d.device_code_digest = ?", digest))
}

// OAuthDeviceGrantByUserCode finds a device grant by its user code's
// digest.
func (q *Queries) OAuthDeviceGrantByUserCode(ctx context.Context, digest string) (*model.OAuthDeviceGrant, error) {
	return scanOAuthDevice(q.queryRow(ctx, "SELECT "+oauthDeviceColumns+
		" FROM oauth_device_grants d WHERE d.user_code_digest = ?", digest))
}

// DecideOAuthDeviceGrant approves or denies a pending device grant for
// userID. It reports ErrNotFound when the grant is no longer pending.
func (q *Queries) DecideOAuthDeviceGrant(ctx context.Context, id, userID int64, status string) error {
	res, err := q.exec(ctx, "UPDATE oauth_device_grants SET status = ?, user_id = ? WHERE id = ? AND status = 'pending'",
		status, userID, id)
	if err != nil {
		return fmt.Errorf("store: decide device grant: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// PollOAuthDeviceGrant records a poll at now.
func (q *Queries) PollOAuthDeviceGrant(ctx context.Context, id int64, now time.Time, interval int) error {
	if _, err := q.exec(ctx, "UPDATE oauth_device_grants SET last_polled_at = ?, poll_interval = ? WHERE id = ?",
		ms(now), interval, id); err != nil {
		return fmt.Errorf("store: poll device grant: %w", err)
	}
	return nil
}

// DeleteOAuthDeviceGrant removes a device grant; it reports ErrNotFound
// when it was already gone, so a device code is redeemed at most once.
func (q *Queries) DeleteOAuthDeviceGrant(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, "DELETE FROM oauth_device_grants WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("store: delete device grant: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteExpiredOAuthGrants removes codes, access tokens and device
// authorizations that expired before cutoff. Refresh tokens do not expire
// (they rotate), so they stay.
func (q *Queries) DeleteExpiredOAuthGrants(ctx context.Context, cutoff time.Time) error {
	for _, stmt := range []string{
		"DELETE FROM oauth_grants WHERE expires_at IS NOT NULL AND expires_at < ?",
		"DELETE FROM oauth_device_grants WHERE expires_at < ?",
	} {
		if _, err := q.exec(ctx, stmt, ms(cutoff)); err != nil {
			return fmt.Errorf("store: delete expired oauth grants: %w", err)
		}
	}
	return nil
}
