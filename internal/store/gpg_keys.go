package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const gpgKeyColumns = `id, user_id, key_text, fingerprint, primary_keyid, created_at, updated_at`

func scanGPGKey(s scanner) (*model.GPGKey, error) {
	var k model.GPGKey
	var created, updated int64
	if err := s.Scan(&k.ID, &k.UserID, &k.Key, &k.Fingerprint, &k.PrimaryKeyID, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	k.CreatedAt, k.UpdatedAt = fromMS(created), fromMS(updated)
	return &k, nil
}

// CreateGPGKey inserts k and its subkeys, filling in IDs and times; call
// it in a transaction. A fingerprint or key id already known (the key's or
// a subkey's) is ErrConflict.
func (q *Queries) CreateGPGKey(ctx context.Context, k *model.GPGKey) error {
	now := q.Now()
	k.CreatedAt, k.UpdatedAt = now, now
	id, err := q.insert(ctx, `INSERT INTO gpg_keys (user_id, key_text, fingerprint, primary_keyid, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`, k.UserID, k.Key, k.Fingerprint, k.PrimaryKeyID, ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create gpg key: %w", err)
	}
	k.ID = id
	for i := range k.Subkeys {
		sk := &k.Subkeys[i]
		sk.GPGKeyID = id
		if sk.ID, err = q.insert(ctx, `INSERT INTO gpg_key_subkeys (gpg_key_id, keyid, fingerprint) VALUES (?, ?, ?)`,
			id, sk.KeyID, sk.Fingerprint); err != nil {
			return fmt.Errorf("store: create gpg key subkey: %w", err)
		}
	}
	return nil
}

// GPGKeyByID returns a GPG key (without its subkeys).
func (q *Queries) GPGKeyByID(ctx context.Context, id int64) (*model.GPGKey, error) {
	return scanGPGKey(q.queryRow(ctx, "SELECT "+gpgKeyColumns+" FROM gpg_keys WHERE id = ?", id))
}

// GPGKeyByFingerprint returns the GPG key with that primary fingerprint.
func (q *Queries) GPGKeyByFingerprint(ctx context.Context, fp string) (*model.GPGKey, error) {
	return scanGPGKey(q.queryRow(ctx, "SELECT "+gpgKeyColumns+" FROM gpg_keys WHERE fingerprint = ?", fp))
}

// GPGKeyByKeyID finds the key a signature's issuer key id names: a primary
// key (subkeyID 0) or, failing that, the key one of whose subkeys it is.
// Both probes are indexed lookups of a unique column.
func (q *Queries) GPGKeyByKeyID(ctx context.Context, keyID string) (k *model.GPGKey, subkeyID int64, err error) {
	k, err = scanGPGKey(q.queryRow(ctx, "SELECT "+gpgKeyColumns+" FROM gpg_keys WHERE primary_keyid = ?", keyID))
	if !errors.Is(err, ErrNotFound) {
		return k, 0, err
	}
	var parent int64
	if err := q.queryRow(ctx, "SELECT id, gpg_key_id FROM gpg_key_subkeys WHERE keyid = ?", keyID).
		Scan(&subkeyID, &parent); err != nil {
		return nil, 0, wrapErr(err)
	}
	k, err = q.GPGKeyByID(ctx, parent)
	return k, subkeyID, err
}

// UserGPGKeys lists a user's GPG keys in creation order.
func (q *Queries) UserGPGKeys(ctx context.Context, userID int64) ([]*model.GPGKey, error) {
	rows, err := q.query(ctx, "SELECT "+gpgKeyColumns+" FROM gpg_keys WHERE user_id = ? ORDER BY id", userID)
	if err != nil {
		return nil, fmt.Errorf("store: list gpg keys: %w", err)
	}
	return collect(rows, scanGPGKey)
}

// DeleteGPGKey removes a GPG key and its subkeys.
func (q *Queries) DeleteGPGKey(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM gpg_key_subkeys WHERE gpg_key_id = ?", id); err != nil {
		return fmt.Errorf("store: delete gpg key subkeys: %w", err)
	}
	if _, err := q.exec(ctx, "DELETE FROM gpg_keys WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete gpg key: %w", err)
	}
	return nil
}
