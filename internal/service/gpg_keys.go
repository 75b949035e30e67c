package service

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// GPG keys (GitLab's GpgKey model, GpgKeys::CreateService and the GPG key
// routes of API::Users). Keys are parsed with ProtonMail's go-crypto, the
// maintained fork of x/crypto/openpgp. As GitLab, a key whose user ids
// name none of its user's emails is stored all the same: its signatures
// verify as unverified_key.

const (
	gpgKeyPrefix = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
	gpgKeySuffix = "-----END PGP PUBLIC KEY BLOCK-----"
)

// gpgKeyFormat is GpgKey's key format: one public key block, nothing
// around it.
var gpgKeyFormat = regexp.MustCompile(`\A` + regexp.QuoteMeta(gpgKeyPrefix) + `(?s:.)+` +
	regexp.QuoteMeta(gpgKeySuffix) + `\z`)

var errGPGKeyNotFound = NotFound("GPG Key")

// gpgUserInfo is a user id of a key: its name and lower-cased email.
type gpgUserInfo struct {
	Name, Email string
}

// parsedGPGKey is what a GPG key's text yields: its first entity (GitLab
// reads the first key of a block) and the user ids in the key's order.
type parsedGPGKey struct {
	entity    *openpgp.Entity
	userInfos []gpgUserInfo
}

// gpgKeyID is the upper-case hex key id of a public key.
func gpgKeyID(pk *packet.PublicKey) string { return strings.ToUpper(pk.KeyIdString()) }

func gpgFingerprint(pk *packet.PublicKey) string {
	return strings.ToUpper(hex.EncodeToString(pk.Fingerprint))
}

// parseGPGKey reads an armored public key block; nil when it holds no
// readable public key.
func parseGPGKey(text string) *parsedGPGKey {
	block, err := armor.Decode(strings.NewReader(text))
	if err != nil || block.Type != openpgp.PublicKeyType {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(block.Body, 4<<20))
	if err != nil {
		return nil
	}
	list, err := openpgp.ReadKeyRing(bytes.NewReader(body))
	if err != nil || len(list) == 0 || list[0].PrimaryKey == nil {
		return nil
	}
	out := &parsedGPGKey{entity: list[0]}
	// Identities is a map; the user ids' order is the packets' order.
	pr := packet.NewReader(bytes.NewReader(body))
	keys := 0
	for {
		p, err := pr.Next()
		if err != nil {
			break
		}
		switch p := p.(type) {
		case *packet.PublicKey:
			if !p.IsSubkey {
				keys++
			}
		case *packet.UserId:
			if keys == 1 {
				out.userInfos = append(out.userInfos, gpgUserInfo{Name: p.Name, Email: strings.ToLower(p.Email)})
			}
		}
		if keys > 1 {
			break
		}
	}
	return out
}

// emails are the key's user id emails.
func (k *parsedGPGKey) emails() []string {
	var out []string
	for _, ui := range k.userInfos {
		if ui.Email != "" {
			out = append(out, ui.Email)
		}
	}
	return out
}

// verifiedEmail reports whether email is one of the key's emails that u
// owns (GpgKey#verified_and_belongs_to_email?); lablet's users have one
// email, their primary one.
func (k *parsedGPGKey) verifiedEmail(u *model.User, email string) bool {
	email = strings.ToLower(email)
	for _, e := range k.emails() {
		if e == email && e == strings.ToLower(u.Email) {
			return true
		}
	}
	return false
}

// verifiedFor reports whether any email of the key is u's (GpgKey#verified?).
func (k *parsedGPGKey) verifiedFor(u *model.User) bool {
	for _, e := range k.emails() {
		if e == strings.ToLower(u.Email) {
			return true
		}
	}
	return false
}

// newGPGKey validates text into a key record as GpgKey's validations do.
func newGPGKey(text string, userID int64) (*model.GPGKey, error) {
	text = strings.TrimSpace(text)
	v := Validation{}
	if text == "" {
		v.Add("key", "can't be blank")
	}
	if text != "" && (!gpgKeyFormat.MatchString(text) ||
		strings.Count(text, gpgKeyPrefix) > 1 || strings.Count(text, gpgKeySuffix) > 1) {
		v.Add("key", "is invalid. A valid public GPG key begins with '"+gpgKeyPrefix+"' and ends with '"+gpgKeySuffix+"'")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	pk := parseGPGKey(text)
	if pk == nil {
		return nil, Validation{"fingerprint": {"can't be blank"}, "primary_keyid": {"can't be blank"}}.Err()
	}
	k := &model.GPGKey{UserID: userID, Key: text, Fingerprint: gpgFingerprint(pk.entity.PrimaryKey),
		PrimaryKeyID: gpgKeyID(pk.entity.PrimaryKey)}
	for _, sk := range pk.entity.Subkeys {
		k.Subkeys = append(k.Subkeys, model.GPGKeySubkey{KeyID: gpgKeyID(sk.PublicKey), Fingerprint: gpgFingerprint(sk.PublicKey)})
	}
	return k, nil
}

// ownGPGKey is one of a user's GPG keys, else 404 GPG Key Not Found.
func (s *Service) ownGPGKey(ctx context.Context, userID, keyID int64) (*model.GPGKey, error) {
	k, err := s.db.Queries().GPGKeyByID(ctx, keyID)
	if errors.Is(err, store.ErrNotFound) || err == nil && k.UserID != userID {
		return nil, errGPGKeyNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: load gpg key: %w", err)
	}
	return k, nil
}

// gpgKeyOwnerID is the user a read names: the caller (userID 0), else the
// user of /users/:id (404 User Not Found).
func (s *Service) gpgKeyOwnerID(ctx context.Context, id *auth.Identity, userID int64) (int64, error) {
	if userID == 0 {
		return id.UserID(), nil
	}
	if _, err := s.userByID(ctx, userID); err != nil {
		return 0, err
	}
	return userID, nil
}

// UserGPGKeys is GET /user/gpg_keys (userID 0) and GET /users/:id/gpg_keys
// (anyone may list a user's public keys).
func (s *Service) UserGPGKeys(ctx context.Context, id *auth.Identity, userID int64) ([]*model.GPGKey, error) {
	userID, err := s.gpgKeyOwnerID(ctx, id, userID)
	if err != nil {
		return nil, err
	}
	keys, err := s.db.Queries().UserGPGKeys(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("service: list gpg keys: %w", err)
	}
	return keys, nil
}

// UserGPGKey is GET /user/gpg_keys/:key_id (userID 0) and GET
// /users/:id/gpg_keys/:key_id.
func (s *Service) UserGPGKey(ctx context.Context, id *auth.Identity, userID, keyID int64) (*model.GPGKey, error) {
	userID, err := s.gpgKeyOwnerID(ctx, id, userID)
	if err != nil {
		return nil, err
	}
	return s.ownGPGKey(ctx, userID, keyID)
}

// CreateGPGKey is POST /user/gpg_keys (userID 0: the caller) and, for
// administrators, POST /users/:id/gpg_keys.
func (s *Service) CreateGPGKey(ctx context.Context, id *auth.Identity, userID int64, text string) (*model.GPGKey, error) {
	userID, err := s.adminKeyOwnerID(ctx, id, userID)
	if err != nil {
		return nil, err
	}
	k, err := newGPGKey(text, userID)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		old, err := q.GPGKeyByFingerprint(ctx, k.Fingerprint)
		switch {
		case err == nil && old.Key == k.Key:
			return Validation{"key": {"has already been taken"}}.Err()
		case err == nil:
			return errGPGKeyTaken()
		case !errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("service: find gpg key: %w", err)
		}
		err = q.CreateGPGKey(ctx, k)
		if errors.Is(err, store.ErrConflict) {
			return errGPGKeyTaken()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// errGPGKeyTaken is GpgKey's uniqueness error for a key known already (or
// one of whose subkeys is another key's).
func errGPGKeyTaken() error {
	return Validation{"fingerprint": {"has already been taken"}, "primary_keyid": {"has already been taken"}}.Err()
}

// DeleteGPGKey is DELETE /user/gpg_keys/:key_id (userID 0: the caller)
// and, for administrators, DELETE /users/:id/gpg_keys/:key_id; POST
// …/revoke also lands here: lablet keeps no signature records, so a
// revoked key's signatures are, as a deleted one's, by an unknown key.
func (s *Service) DeleteGPGKey(ctx context.Context, id *auth.Identity, userID, keyID int64) error {
	userID, err := s.adminKeyOwnerID(ctx, id, userID)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		k, err := q.GPGKeyByID(ctx, keyID)
		if errors.Is(err, store.ErrNotFound) || err == nil && k.UserID != userID {
			return errGPGKeyNotFound
		}
		if err != nil {
			return fmt.Errorf("service: load gpg key: %w", err)
		}
		return q.DeleteGPGKey(ctx, k.ID)
	})
}
