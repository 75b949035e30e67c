package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lablet/lablet/internal/model"
)

// docRowID is the one row of a document table.
const docRowID = 1

// ApplicationSettings reads the instance's settings: the defaults with
// every stored value over them.
func (q *Queries) ApplicationSettings(ctx context.Context) (*model.ApplicationSettings, error) {
	return q.applicationSettings(ctx, "")
}

func (q *Queries) applicationSettings(ctx context.Context, lock string) (*model.ApplicationSettings, error) {
	settings := model.DefaultApplicationSettings()
	created, updated, err := q.readDoc(ctx, "application_settings", lock, &settings)
	if err != nil {
		return nil, err
	}
	settings.CreatedAt, settings.UpdatedAt = created, updated
	return &settings, nil
}

// UpdateApplicationSettings applies change to the instance's settings in
// one transaction (updateDoc), so concurrent administrators never lose
// each other's changes. change returning an error writes nothing.
func (db *DB) UpdateApplicationSettings(ctx context.Context, change func(*model.ApplicationSettings) error) (*model.ApplicationSettings, error) {
	return updateDoc(ctx, db, "application_settings", func(q *Queries, lock string) (*model.ApplicationSettings, error) {
		return q.applicationSettings(ctx, lock)
	}, change, func(as *model.ApplicationSettings, t time.Time) { as.UpdatedAt = t })
}

// Appearance reads the instance's appearance: the defaults with every
// stored value over them.
func (q *Queries) Appearance(ctx context.Context) (*model.Appearance, error) {
	return q.appearance(ctx, "")
}

func (q *Queries) appearance(ctx context.Context, lock string) (*model.Appearance, error) {
	a := model.DefaultAppearance()
	created, updated, err := q.readDoc(ctx, "appearances", lock, &a)
	if err != nil {
		return nil, err
	}
	a.CreatedAt, a.UpdatedAt = created, updated
	return &a, nil
}

// UpdateAppearance applies change to the instance's appearance in one
// transaction, as UpdateApplicationSettings.
func (db *DB) UpdateAppearance(ctx context.Context, change func(*model.Appearance) error) (*model.Appearance, error) {
	return updateDoc(ctx, db, "appearances", func(q *Queries, lock string) (*model.Appearance, error) {
		return q.appearance(ctx, lock)
	}, change, func(a *model.Appearance, t time.Time) { a.UpdatedAt = t })
}

// readDoc decodes the one row of a document table (application_settings,
// appearances) over doc, which holds the defaults; zero times when the
// row does not exist yet. Unknown keys (a newer lablet's) are left alone.
func (q *Queries) readDoc(ctx context.Context, table, lock string, doc any) (created, updated time.Time, err error) {
	var text string
	var c, u int64
	err = q.queryRow(ctx, "SELECT settings, created_at, updated_at FROM "+table+" WHERE id = ?"+lock,
		docRowID).Scan(&text, &c, &u)
	if err != nil {
		if err = wrapErr(err); errors.Is(err, ErrNotFound) {
			return time.Time{}, time.Time{}, nil
		}
		return time.Time{}, time.Time{}, fmt.Errorf("store: read %s: %w", table, err)
	}
	if err := json.Unmarshal([]byte(text), doc); err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("store: decode %s: %w", table, err)
	}
	return fromMS(c), fromMS(u), nil
}

// updateDoc reads, changes and writes a document table's one row in one
// transaction, the row locked on PostgreSQL (SQLite's transactions
// serialise).
func updateDoc[T any](ctx context.Context, db *DB, table string, read func(q *Queries, lock string) (*T, error),
	change func(*T) error, touched func(*T, time.Time)) (*T, error) {
	var out *T
	err := db.WithTx(ctx, func(q *Queries) error {
		// The row exists before it is locked, so that two first writes
		// queue on it rather than both inserting.
		now := q.Now()
		if _, err := q.exec(ctx, "INSERT INTO "+table+` (id, settings, created_at, updated_at)
			VALUES (?, '{}', ?, ?) ON CONFLICT (id) DO NOTHING`, docRowID, ms(now), ms(now)); err != nil {
			return fmt.Errorf("store: create %s: %w", table, err)
		}
		lock := ""
		if q.dialect == Postgres {
			lock = " FOR UPDATE"
		}
		doc, err := read(q, lock)
		if err != nil {
			return err
		}
		if err := change(doc); err != nil {
			return err
		}
		text, err := json.Marshal(doc)
		if err != nil {
			return fmt.Errorf("store: encode %s: %w", table, err)
		}
		if _, err := q.exec(ctx, "UPDATE "+table+" SET settings = ?, updated_at = ? WHERE id = ?",
			string(text), ms(now), docRowID); err != nil {
			return fmt.Errorf("store: write %s: %w", table, err)
		}
		touched(doc, now)
		out = doc
		return nil
	})
	return out, err
}
