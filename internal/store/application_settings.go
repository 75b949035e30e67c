package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// applicationSettingsID is the one row of application_settings.
const applicationSettingsID = 1

// ApplicationSettings reads the instance's settings: the defaults with
// every stored value over them.
func (q *Queries) ApplicationSettings(ctx context.Context) (*model.ApplicationSettings, error) {
	return q.applicationSettings(ctx, "")
}

func (q *Queries) applicationSettings(ctx context.Context, lock string) (*model.ApplicationSettings, error) {
	settings := model.DefaultApplicationSettings()
	var doc string
	var created, updated int64
	err := q.queryRow(ctx, "SELECT settings, created_at, updated_at FROM application_settings WHERE id = ?"+lock,
		applicationSettingsID).Scan(&doc, &created, &updated)
	if err != nil {
		if err = wrapErr(err); errors.Is(err, ErrNotFound) {
			return &settings, nil
		}
		return nil, fmt.Errorf("store: read application settings: %w", err)
	}
	// Unknown keys (settings of a newer lablet) are left alone; the
	// known ones override the defaults.
	if err := json.Unmarshal([]byte(doc), &settings); err != nil {
		return nil, fmt.Errorf("store: decode application settings: %w", err)
	}
	settings.CreatedAt, settings.UpdatedAt = fromMS(created), fromMS(updated)
	return &settings, nil
}

// UpdateApplicationSettings applies change to the instance's settings in
// one transaction, the row locked on PostgreSQL (SQLite's transactions
// serialise), so concurrent administrators never lose each other's
// changes. change returning an error writes nothing.
func (db *DB) UpdateApplicationSettings(ctx context.Context, change func(*model.ApplicationSettings) error) (*model.ApplicationSettings, error) {
	var out *model.ApplicationSettings
	err := db.WithTx(ctx, func(q *Queries) error {
		// The row exists before it is locked, so that two first writes
		// queue on it rather than both inserting.
		now := q.Now()
		if _, err := q.exec(ctx, `INSERT INTO application_settings (id, settings, created_at, updated_at)
			VALUES (?, '{}', ?, ?) ON CONFLICT (id) DO NOTHING`, applicationSettingsID, ms(now), ms(now)); err != nil {
			return fmt.Errorf("store: create application settings: %w", err)
		}
		lock := ""
		if q.dialect == Postgres {
			lock = " FOR UPDATE"
		}
		settings, err := q.applicationSettings(ctx, lock)
		if err != nil {
			return err
		}
		if err := change(settings); err != nil {
			return err
		}
		doc, err := json.Marshal(settings)
		if err != nil {
			return fmt.Errorf("store: encode application settings: %w", err)
		}
		if _, err := q.exec(ctx, "UPDATE application_settings SET settings = ?, updated_at = ? WHERE id = ?",
			string(doc), ms(now), applicationSettingsID); err != nil {
			return fmt.Errorf("store: write application settings: %w", err)
		}
		settings.UpdatedAt = now
		out = settings
		return nil
	})
	return out, err
}
