package keys_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"
	"golang.org/x/crypto/ssh"

	"github.com/lablet/lablet/internal/labtest"
)

// ed25519Key is a fresh public key in authorized_keys form.
func ed25519Key(t *testing.T, comment string) (string, ssh.PublicKey) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " " + comment, sp
}

// wireKey writes an authorized_keys line from raw wire fields, for key
// types and sizes no generator makes any more.
func wireKey(algo string, fields ...*big.Int) string {
	b := ssh.Marshal(struct{ Name string }{algo})
	for _, f := range fields {
		b = append(b, ssh.Marshal(struct{ N *big.Int }{f})...)
	}
	return algo + " " + base64.StdEncoding.EncodeToString(b)
}

func randomOdd(bits int) *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), uint(bits-1)))
	n.SetBit(n, bits-1, 1)
	return n.SetBit(n, 0, 1)
}

// TestUserKeys: a user adds, lists, reads and deletes their SSH keys;
// anyone lists a user's keys; what GitLab's Key model refuses is refused
// with its messages.
func TestUserKeys(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	bob := s.NewUser(t, "bob")
	ac := s.Client(t, alice.Token)
	text, pub := ed25519Key(t, "alice@laptop")
	expires := gitlab.ISOTime(time.Now().UTC().AddDate(1, 0, 0))
	k, resp, err := ac.Users.AddSSHKey(&gitlab.AddSSHKeyOptions{Title: gitlab.Ptr("laptop"), Key: gitlab.Ptr(text + "\n"),
		ExpiresAt: &expires, UsageType: gitlab.Ptr("auth")})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("add key: %v", err)
	}
	if k.Title != "laptop" || k.Key != text || k.UsageType != "auth" || k.ExpiresAt == nil || k.CreatedAt == nil {
		t.Fatalf("key = %+v", k)
	}
	list, _, err := ac.Users.ListSSHKeys(nil)
	if err != nil || len(list) != 1 || list[0].ID != k.ID {
		t.Fatalf("own keys = %v, %v", list, err)
	}
	anon := s.Client(t, "")
	pubList, _, err := anon.Users.ListSSHKeysForUser(alice.ID, nil)
	if err != nil || len(pubList) != 1 || pubList[0].Key != text {
		t.Fatalf("public keys = %v, %v", pubList, err)
	}
	if got, _, err := anon.Users.GetSSHKeyForUser(alice.ID, k.ID); err != nil || got.ID != k.ID {
		t.Fatalf("public key = %v, %v", got, err)
	}
	if r := s.Do(t, labtest.Request{Path: "/users/alice/keys"}); r.Status != http.StatusOK {
		t.Fatalf("keys by username: %d %s", r.Status, r.Body)
	}
	s.Do(t, labtest.Request{Path: "/users/999999/keys"}).ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)

	// Another user sees nothing of it under /user/keys, and may not add it.
	s.Do(t, labtest.Request{Path: "/user/keys/" + itoa(k.ID), Token: bob.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Key Not Found"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: "/user/keys", Token: bob.Token, JSON: map[string]any{"title": "x", "key": text}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"fingerprint_sha256":["has already been taken"]}}`)

	// Validation, as GitLab's Key model words it.
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub, _ := ssh.NewPublicKey(&rsa1024.PublicKey)
	for _, c := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"missing", map[string]any{}, `{"error":"key is missing, title is missing"}`},
		{"usage", map[string]any{"title": "t", "key": text, "usage_type": "both"}, `{"error":"usage_type does not have a valid value"}`},
		{"garbage", map[string]any{"title": "t", "key": "not a key"},
			`{"message":{"key":["is invalid","type is forbidden. Must be RSA, ECDSA, ED25519, ECDSA_SK, or ED25519_SK"],"fingerprint_sha256":["cannot be generated"]}}`},
		{"weak rsa", map[string]any{"title": "t", "key": wireKey("ssh-rsa", big.NewInt(65537), randomOdd(768))},
			`{"message":{"key":["must be at least 1024 bits"]}}`},
		{"dsa", map[string]any{"title": "t", "key": wireKey("ssh-dss", randomOdd(1024), randomOdd(160), big.NewInt(2), randomOdd(1000))},
			`{"message":{"key":["type is forbidden. Must be RSA, ECDSA, ED25519, ECDSA_SK, or ED25519_SK"]}}`},
		{"blank title", map[string]any{"title": " ", "key": string(ssh.MarshalAuthorizedKey(rsaPub))},
			`{"message":{"title":["can't be blank"]}}`},
		{"expired", map[string]any{"title": "t", "key": string(ssh.MarshalAuthorizedKey(rsaPub)), "expires_at": "2001-01-01T00:00:00Z"},
			`{"message":{"key":["has expired"]}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s.Do(t, labtest.Request{Method: "POST", Path: "/user/keys", Token: bob.Token, JSON: c.body}).
				ExpectError(t, http.StatusBadRequest, c.want)
		})
	}
	// 1024-bit RSA is GitLab's default minimum: accepted.
	if _, _, err := s.Client(t, bob.Token).Users.AddSSHKey(&gitlab.AddSSHKeyOptions{Title: gitlab.Ptr("rsa"),
		Key: gitlab.Ptr(string(ssh.MarshalAuthorizedKey(rsaPub)))}); err != nil {
		t.Fatalf("rsa 1024: %v", err)
	}

	// Administrators: keys by id and fingerprint, and other users' keys.
	root := s.Client(t, s.RootToken)
	byID, _, err := root.Keys.GetKeyWithUser(k.ID)
	if err != nil || byID.User.Username != "alice" {
		t.Fatalf("key by id = %+v, %v", byID, err)
	}
	for _, fp := range []string{ssh.FingerprintSHA256(pub), ssh.FingerprintLegacyMD5(pub)} {
		got, _, err := root.Keys.GetKeyByFingerprint(&gitlab.GetKeyByFingerprintOptions{Fingerprint: fp})
		if err != nil || got.ID != k.ID {
			t.Fatalf("key by %s = %+v, %v", fp, got, err)
		}
	}
	s.Do(t, labtest.Request{Path: "/keys?fingerprint=SHA256:nope", Token: s.RootToken}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Key Not Found"}`)
	s.Do(t, labtest.Request{Path: "/keys/" + itoa(k.ID), Token: alice.Token}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	other, _ := ed25519Key(t, "")
	s.Do(t, labtest.Request{Method: "POST", Path: "/users/" + itoa(alice.ID) + "/keys", Token: bob.Token,
		JSON: map[string]any{"title": "x", "key": other}}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	made, _, err := root.Users.AddSSHKeyForUser(alice.ID, &gitlab.AddSSHKeyOptions{Title: gitlab.Ptr("by admin"), Key: gitlab.Ptr(other)})
	if err != nil {
		t.Fatal(err)
	}
	// User id 0 is no user: it never means the calling administrator.
	third, _ := ed25519Key(t, "")
	s.Do(t, labtest.Request{Method: "POST", Path: "/users/0/keys", Token: s.RootToken,
		JSON: map[string]any{"title": "x", "key": third}}).ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
	s.Do(t, labtest.Request{Method: "DELETE", Path: "/users/0/keys/" + itoa(made.ID), Token: s.RootToken}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
	if rootKeys, _, err := root.Users.ListSSHKeys(nil); err != nil || len(rootKeys) != 0 {
		t.Fatalf("root's keys after POST /users/0/keys = %v, %v", rootKeys, err)
	}
	if _, err := root.Users.DeleteSSHKeyForUser(bob.ID, made.ID); err == nil {
		t.Fatal("deleted alice's key as bob's")
	}
	if _, err := root.Users.DeleteSSHKeyForUser(alice.ID, made.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ac.Users.DeleteSSHKey(k.ID); err != nil {
		t.Fatal(err)
	}
	if list, _, _ := ac.Users.ListSSHKeys(nil); len(list) != 0 {
		t.Fatalf("keys after delete = %v", list)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
