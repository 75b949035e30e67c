package service

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/ssh"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// SSH keys (GitLab's Key model, API::Users' key routes and API::Keys).
// Keys are parsed with golang.org/x/crypto/ssh; the restrictions are
// GitLab's defaults: RSA of at least 1024 bits, ECDSA, ED25519 and their
// security-key (sk-) forms; DSA is forbidden.

const (
	maxKeyTitle  = 255
	maxKeyLength = 5000
	minRSABits   = 1024
)

// keyTypeNames are GitLab's names of the allowed key technologies, in the
// order its "type is forbidden" message lists them.
const keyTypesForbidden = "type is forbidden. Must be RSA, ECDSA, ED25519, ECDSA_SK, or ED25519_SK"

// errKeyNotFound is not_found!('Key').
var errKeyNotFound = NotFound("Key")

// KeyInput is a new key's attributes.
type KeyInput struct {
	Title     string
	Key       string
	ExpiresAt *time.Time
	UsageType string // empty: auth_and_signing
}

// parsedKey is a public key with what validation and storage need.
type parsedKey struct {
	text        string
	md5, sha256 string
	pub         ssh.PublicKey
}

// NormalizeSSHKey drops line breaks and surrounding blanks, as GitLab's
// Key#key= does.
func NormalizeSSHKey(text string) string {
	return strings.TrimSpace(strings.NewReplacer("\n", "", "\r", "").Replace(text))
}

// keyAllowed checks a parsed key against the type and size restrictions,
// returning the message GitLab adds to key ("" when allowed).
func keyAllowed(pub ssh.PublicKey) string {
	switch pub.Type() {
	case ssh.KeyAlgoED25519, ssh.KeyAlgoSKED25519, ssh.KeyAlgoSKECDSA256:
		return ""
	case ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521:
		if ck, ok := pub.(ssh.CryptoPublicKey); ok {
			if _, ok := ck.CryptoPublicKey().(*ecdsa.PublicKey); ok {
				return ""
			}
		}
	case ssh.KeyAlgoRSA:
		if ck, ok := pub.(ssh.CryptoPublicKey); ok {
			if rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey); ok {
				if rk.N.BitLen() < minRSABits {
					return fmt.Sprintf("must be at least %d bits", minRSABits)
				}
				return ""
			}
		}
	}
	return keyTypesForbidden
}

// validateKey checks a key's title and text the way GitLab's Key model
// validates, adding the messages to v; the parsed key is nil when invalid.
func validateKey(v Validation, title, text string) *parsedKey {
	switch n := utf8.RuneCountInString(title); {
	case strings.TrimSpace(title) == "":
		v.Add("title", "can't be blank")
	case n > maxKeyTitle:
		v.Add("title", fmt.Sprintf("is too long (maximum is %d characters)", maxKeyTitle))
	}
	switch {
	case text == "":
		v.Add("key", "can't be blank")
	case len(text) > maxKeyLength:
		v.Add("key", fmt.Sprintf("is too long (maximum is %d characters)", maxKeyLength))
	}
	if text == "" || len(text) > maxKeyLength {
		v.Add("fingerprint_sha256", "cannot be generated")
		return nil
	}
	pub, _, _, rest, err := ssh.ParseAuthorizedKey([]byte(text))
	if err != nil || len(strings.TrimSpace(string(rest))) > 0 || strings.HasPrefix(text, "#") {
		if !strings.HasPrefix(text, "ssh-") && !strings.HasPrefix(text, "ecdsa-") && !strings.HasPrefix(text, "sk-") {
			v.Add("key", "is invalid")
		}
		v.Add("key", keyTypesForbidden)
		v.Add("fingerprint_sha256", "cannot be generated")
		return nil
	}
	if msg := keyAllowed(pub); msg != "" {
		v.Add("key", msg)
		return nil
	}
	return &parsedKey{text: text, pub: pub, md5: ssh.FingerprintLegacyMD5(pub), sha256: ssh.FingerprintSHA256(pub)}
}

// newKey validates in into a key record (not yet stored).
func (s *Service) newKey(in KeyInput, userID int64, deploy bool) (*model.Key, error) {
	v := Validation{}
	pk := validateKey(v, in.Title, NormalizeSSHKey(in.Key))
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.Now()) {
		v.Add("key", "has expired")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	usage := in.UsageType
	if usage == "" || deploy {
		usage = model.KeyUsageAuthAndSigning
	}
	return &model.Key{UserID: userID, Deploy: deploy, Title: in.Title, Text: pk.text, FingerprintMD5: pk.md5,
		FingerprintSHA256: pk.sha256, UsageType: usage, ExpiresAt: in.ExpiresAt}, nil
}

// storeKey inserts k; a fingerprint already known is GitLab's uniqueness
// error.
func storeKey(ctx context.Context, q *store.Queries, k *model.Key) error {
	err := q.CreateKey(ctx, k)
	if errors.Is(err, store.ErrConflict) {
		return Validation{"fingerprint_sha256": {"has already been taken"}}.Err()
	}
	return err
}

// keyOwnerID is the user whose keys a route names: the caller when ident
// is empty, else the user /users/:id names (an id or a username; 404 User
// Not Found).
func (s *Service) keyOwnerID(ctx context.Context, id *auth.Identity, ident string) (int64, error) {
	if ident == "" {
		return id.UserID(), nil
	}
	u, err := s.db.Queries().UserByIDOrUsername(ctx, ident)
	if errors.Is(err, store.ErrNotFound) {
		return 0, NotFound("User")
	}
	if err != nil {
		return 0, fmt.Errorf("service: load user: %w", err)
	}
	return u.ID, nil
}

// adminKeyOwnerID is the user whose keys a write names: the caller
// (userID 0), or for administrators the user of /users/:id.
func (s *Service) adminKeyOwnerID(ctx context.Context, id *auth.Identity, userID int64) (int64, error) {
	if userID == 0 {
		return id.UserID(), nil
	}
	if err := requireAdmin(id); err != nil {
		return 0, err
	}
	if _, err := s.userByID(ctx, userID); err != nil {
		return 0, err
	}
	return userID, nil
}

// ownKey is one of a user's own keys, else 404 Key Not Found.
func (s *Service) ownKey(ctx context.Context, userID, keyID int64) (*model.Key, error) {
	k, err := s.db.Queries().KeyByID(ctx, keyID)
	if errors.Is(err, store.ErrNotFound) || err == nil && (k.Deploy || k.UserID != userID) {
		return nil, errKeyNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: load key: %w", err)
	}
	return k, nil
}

// UserKeys is GET /user/keys (ident empty: the caller's) and GET
// /users/:id/keys (anyone may list a user's public keys).
func (s *Service) UserKeys(ctx context.Context, id *auth.Identity, ident string) ([]*model.Key, error) {
	userID, err := s.keyOwnerID(ctx, id, ident)
	if err != nil {
		return nil, err
	}
	keys, err := s.db.Queries().UserKeys(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("service: list keys: %w", err)
	}
	return keys, nil
}

// UserKey is GET /user/keys/:key_id (ident empty) and GET
// /users/:id/keys/:key_id.
func (s *Service) UserKey(ctx context.Context, id *auth.Identity, ident string, keyID int64) (*model.Key, error) {
	userID, err := s.keyOwnerID(ctx, id, ident)
	if err != nil {
		return nil, err
	}
	return s.ownKey(ctx, userID, keyID)
}

// CreateUserKey is POST /user/keys (userID 0: the caller) and, for
// administrators, POST /users/:id/keys.
func (s *Service) CreateUserKey(ctx context.Context, id *auth.Identity, userID int64, in KeyInput) (*model.Key, error) {
	userID, err := s.adminKeyOwnerID(ctx, id, userID)
	if err != nil {
		return nil, err
	}
	k, err := s.newKey(in, userID, false)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := storeKey(ctx, q, k); err != nil {
			return err
		}
		return s.keySystemHooks(ctx, q, k, "key_create")
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// DeleteUserKey is DELETE /user/keys/:key_id (userID 0: the caller) and,
// for administrators, DELETE /users/:id/keys/:key_id.
func (s *Service) DeleteUserKey(ctx context.Context, id *auth.Identity, userID, keyID int64) error {
	userID, err := s.adminKeyOwnerID(ctx, id, userID)
	if err != nil {
		return err
	}
	k, err := s.ownKey(ctx, userID, keyID)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := q.DeleteKey(ctx, k.ID); err != nil {
			return err
		}
		return s.keySystemHooks(ctx, q, k, "key_destroy")
	})
}

// KeyWithUser is a key and its user, as GET /keys shows it.
type KeyWithUser struct {
	Key  *model.Key
	User *model.User
}

// KeyByID is GET /keys/:id (administrators): any key with its user.
func (s *Service) KeyByID(ctx context.Context, id *auth.Identity, keyID int64) (*KeyWithUser, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	k, err := s.db.Queries().KeyByID(ctx, keyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("")
	}
	if err != nil {
		return nil, fmt.Errorf("service: load key: %w", err)
	}
	return s.keyWithUser(ctx, k)
}

// KeyByFingerprint is GET /keys?fingerprint= (administrators): the
// "SHA256:…" form or the colon-separated MD5 form.
func (s *Service) KeyByFingerprint(ctx context.Context, id *auth.Identity, fp string) (*KeyWithUser, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	q := s.db.Queries()
	var k *model.Key
	var err error
	if strings.HasPrefix(fp, "SHA256:") {
		k, err = q.KeyByFingerprintSHA256(ctx, fp)
	} else {
		k, err = q.KeyByFingerprintMD5(ctx, strings.ToLower(strings.TrimPrefix(fp, "MD5:")))
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, errKeyNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: find key: %w", err)
	}
	return s.keyWithUser(ctx, k)
}

func (s *Service) keyWithUser(ctx context.Context, k *model.Key) (*KeyWithUser, error) {
	out := &KeyWithUser{Key: k}
	if k.UserID == 0 {
		return out, nil
	}
	u, err := s.db.Queries().UserByID(ctx, k.UserID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("service: load key user: %w", err)
	}
	out.User = u
	return out, nil
}
