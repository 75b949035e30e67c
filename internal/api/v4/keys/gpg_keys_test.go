package keys_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

const gpgKeyInvalid = `{"message":{"key":["is invalid. A valid public GPG key begins with '-----BEGIN PGP PUBLIC KEY BLOCK-----' and ends with '-----END PGP PUBLIC KEY BLOCK-----'"]}}`

// TestUserGPGKeys: a user adds, lists, reads, revokes and deletes GPG
// keys; anyone reads a user's keys; administrators manage anyone's; bad
// keys get GpgKey's validation messages and nothing is stored.
func TestUserGPGKeys(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	bob := s.NewUser(t, "bob")
	ac := s.Client(t, alice.Token)
	key := labtest.NewGPGKey(t, "Alice", "alice@example.com", time.Time{}, 0)
	text := key.Public(t)
	k, resp, err := ac.Users.AddGPGKey(&gitlab.AddGPGKeyOptions{Key: gitlab.Ptr("\n" + text + "\n")})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("add gpg key: %v", err)
	}
	if k.ID == 0 || k.Key != strings.TrimSpace(text) || k.CreatedAt == nil {
		t.Fatalf("key = %+v", k)
	}
	if list, _, err := ac.Users.ListGPGKeys(); err != nil || len(list) != 1 || list[0].ID != k.ID {
		t.Fatalf("own keys = %v, %v", list, err)
	}
	if got, _, err := ac.Users.GetGPGKey(k.ID); err != nil || got.Key != k.Key {
		t.Fatalf("own key = %v, %v", got, err)
	}
	anon := s.Client(t, "")
	if list, _, err := anon.Users.ListGPGKeysForUser(alice.ID); err != nil || len(list) != 1 || list[0].Key != k.Key {
		t.Fatalf("public keys = %v, %v", list, err)
	}
	if got, _, err := anon.Users.GetGPGKeyForUser(alice.ID, k.ID); err != nil || got.ID != k.ID {
		t.Fatalf("public key = %v, %v", got, err)
	}
	// Another user's key is not one of bob's.
	s.Do(t, labtest.Request{Path: "/user/gpg_keys/" + itoa(k.ID), Token: bob.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 GPG Key Not Found"}`)
	s.Do(t, labtest.Request{Path: "/users/" + itoa(bob.ID) + "/gpg_keys/" + itoa(k.ID)}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 GPG Key Not Found"}`)
	s.Do(t, labtest.Request{Path: "/users/999999/gpg_keys"}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
	s.Do(t, labtest.Request{Path: "/users/alice/gpg_keys"}).ExpectError(t, http.StatusBadRequest, `{"error":"id is invalid"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: "/users/0/gpg_keys", Token: s.RootToken, JSON: map[string]any{"key": text}}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
	if r := s.Do(t, labtest.Request{Method: "DELETE", Path: "/user/gpg_keys/" + itoa(k.ID), Token: bob.Token}); r.Status != http.StatusNotFound {
		t.Fatalf("bob deletes alice's key: %d", r.Status)
	}

	// The same key again, or another block with its fingerprint.
	s.Do(t, labtest.Request{Method: "POST", Path: "/user/gpg_keys", Token: bob.Token, JSON: map[string]any{"key": text}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"key":["has already been taken"]}}`)
	key.AddSigningSubkey(t)
	s.Do(t, labtest.Request{Method: "POST", Path: "/user/gpg_keys", Token: bob.Token, JSON: map[string]any{"key": key.Public(t)}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"fingerprint":["has already been taken"],"primary_keyid":["has already been taken"]}}`)

	// Bad input.
	for name, body := range map[string]any{
		"garbage":     map[string]any{"key": "not a key"},
		"private key": map[string]any{"key": key.Private(t)},
		"two blocks":  map[string]any{"key": text + "\n" + text},
	} {
		t.Run(name, func(t *testing.T) {
			s.Do(t, labtest.Request{Method: "POST", Path: "/user/gpg_keys", Token: bob.Token, JSON: body}).
				ExpectError(t, http.StatusBadRequest, gpgKeyInvalid)
		})
	}
	garbage := "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm90IGEga2V5\n=AAAA\n-----END PGP PUBLIC KEY BLOCK-----"
	s.Do(t, labtest.Request{Method: "POST", Path: "/user/gpg_keys", Token: bob.Token, JSON: map[string]any{"key": garbage}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"fingerprint":["can't be blank"],"primary_keyid":["can't be blank"]}}`)
	s.Do(t, labtest.Request{Method: "POST", Path: "/user/gpg_keys", Token: bob.Token, JSON: map[string]any{}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"key is missing"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: "/user/gpg_keys", Token: bob.Token, JSON: map[string]any{"key": []int{1}}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"key is invalid"}`)
	s.Do(t, labtest.Request{Path: "/user/gpg_keys/abc", Token: bob.Token}).
		ExpectError(t, http.StatusBadRequest, `{"error":"key_id is invalid"}`)
	if list, _, err := s.Client(t, bob.Token).Users.ListGPGKeys(); err != nil || len(list) != 0 {
		t.Fatalf("bob's keys after refusals = %v, %v", list, err)
	}
	// An expired key is stored, as GitLab does: its signatures are
	// unverified (TestCommitSignatures).
	old := labtest.NewGPGKey(t, "Bob", "bob@example.com", time.Now().AddDate(-2, 0, 0), 24*time.Hour)
	if _, _, err := s.Client(t, bob.Token).Users.AddGPGKey(&gitlab.AddGPGKeyOptions{Key: gitlab.Ptr(old.Public(t))}); err != nil {
		t.Fatalf("add expired key: %v", err)
	}

	// Administrators add, revoke and delete others' keys; others may not.
	root := s.Client(t, s.RootToken)
	second := labtest.NewGPGKey(t, "Alice", "alice@example.com", time.Time{}, 0)
	k2, resp, err := root.Users.AddGPGKeyForUser(alice.ID, &gitlab.AddGPGKeyOptions{Key: gitlab.Ptr(second.Public(t))})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("admin adds key: %v", err)
	}
	if _, _, err := s.Client(t, bob.Token).Users.AddGPGKeyForUser(alice.ID, &gitlab.AddGPGKeyOptions{Key: gitlab.Ptr(second.Public(t))}); err == nil {
		t.Fatal("bob added a key to alice")
	}
	if r := s.Do(t, labtest.Request{Method: "POST", Path: "/users/" + itoa(alice.ID) + "/gpg_keys/" + itoa(k2.ID) + "/revoke", Token: s.RootToken}); r.Status != http.StatusAccepted {
		t.Fatalf("admin revoke: %d %s", r.Status, r.Body)
	}
	s.Do(t, labtest.Request{Method: "DELETE", Path: "/users/" + itoa(alice.ID) + "/gpg_keys/" + itoa(k2.ID), Token: s.RootToken}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 GPG Key Not Found"}`)
	if r := s.Do(t, labtest.Request{Method: "POST", Path: "/user/gpg_keys/" + itoa(k.ID) + "/revoke", Token: alice.Token}); r.Status != http.StatusAccepted {
		t.Fatalf("revoke own key: %d %s", r.Status, r.Body)
	}
	if list, _, err := ac.Users.ListGPGKeys(); err != nil || len(list) != 0 {
		t.Fatalf("keys after revocations = %v, %v", list, err)
	}
	// Deleted, the fingerprint is free again.
	k3, _, err := ac.Users.AddGPGKey(&gitlab.AddGPGKeyOptions{Key: gitlab.Ptr(text)})
	if err != nil {
		t.Fatalf("re-add: %v", err)
	}
	if resp, err := ac.Users.DeleteGPGKey(k3.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v", err)
	}
	if resp, err := root.Users.DeleteGPGKeyForUser(alice.ID, k3.ID); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("delete twice: %v", err)
	}
}
