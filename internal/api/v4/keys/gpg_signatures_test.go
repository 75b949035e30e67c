package keys_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"
	"golang.org/x/crypto/ssh"

	"github.com/lablet/lablet/internal/labtest"
)

// TestCommitSignatures: commits signed in the repository verify as
// Gitlab::Gpg::Commit decides, and the verdict follows key changes.
func TestCommitSignatures(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	ac := s.Client(t, alice.Token)
	p, _, err := ac.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("signed"),
		InitializeWithReadme: gitlab.Ptr(true), DefaultBranch: gitlab.Ptr("main"), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	head, _, err := ac.Commits.GetCommit(p.ID, "main", nil)
	if err != nil {
		t.Fatal(err)
	}
	commit := func(name, email string, key, extra *labtest.GPGKey) string {
		return s.WriteCommit(t, int64(p.ID), labtest.Commit{Parent: head.ID, Name: name, Email: email,
			Message: "signed by " + email, Key: key, ExtraSignature: extra})
	}
	addKey := func(token string, k *labtest.GPGKey) *gitlab.GPGKey {
		t.Helper()
		gk, _, err := s.Client(t, token).Users.AddGPGKey(&gitlab.AddGPGKeyOptions{Key: gitlab.Ptr(k.Public(t))})
		if err != nil {
			t.Fatalf("add key: %v", err)
		}
		return gk
	}
	signature := func(sha string) *gitlab.GPGSignature {
		t.Helper()
		sig, _, err := ac.Commits.GetGPGSignature(p.ID, sha)
		if err != nil {
			t.Fatalf("signature of %s: %v", sha, err)
		}
		return sig
	}
	keyID := func(k *labtest.GPGKey) string { return k.Entity.PrimaryKey.KeyIdString() }

	key := labtest.NewGPGKey(t, "Alice Liddell", "alice@example.com", time.Time{}, 0)
	signed := commit("Alice", "alice@example.com", key, nil)
	// Not yet added: the key is unknown.
	if sig := signature(signed); sig.VerificationStatus != "unknown_key" || sig.KeyID != 0 || sig.KeyUserEmail != "" {
		t.Fatalf("before the key is added: %+v", sig)
	}
	gk := addKey(alice.Token, key)
	want := gitlab.GPGSignature{KeyID: gk.ID, KeyPrimaryKeyID: strings.ToUpper(keyID(key)), KeyUserName: "Alice Liddell",
		KeyUserEmail: "alice@example.com", VerificationStatus: "verified"}
	if sig := signature(signed); *sig != want {
		t.Fatalf("verified signature = %+v, want %+v", sig, want)
	}
	r := s.Do(t, labtest.Request{Path: "/projects/" + itoa(int64(p.ID)) + "/repository/commits/" + signed + "/signature", Token: alice.Token})
	body := r.Map(t)
	if body["signature_type"] != "PGP" || body["commit_source"] != "gitaly" || body["gpg_key_subkey_id"] != nil {
		t.Fatalf("signature body = %s", r.Body)
	}
	if sig := signature(commit("Alice", "someone@example.com", key, nil)); sig.VerificationStatus != "other_user" {
		t.Fatalf("another committer: %+v", sig)
	}
	if sig := signature(commit("Alice", "alice@example.com", key, labtest.NewGPGKey(t, "X", "x@example.com", time.Time{}, 0))); sig.VerificationStatus != "multiple_signatures" {
		t.Fatalf("two signatures: %+v", sig)
	}

	// A key whose user ids name none of alice's emails is stored, but
	// unverified.
	stranger := labtest.NewGPGKey(t, "Alice", "alice@elsewhere.example", time.Time{}, 0)
	addKey(alice.Token, stranger)
	if sig := signature(commit("Alice", "alice@elsewhere.example", stranger, nil)); sig.VerificationStatus != "unverified_key" || sig.KeyUserEmail != "alice@elsewhere.example" {
		t.Fatalf("key of another email: %+v", sig)
	}

	// An expired key's signature is not valid.
	expired := labtest.NewGPGKey(t, "Alice", "alice@example.com", time.Now().AddDate(-1, 0, 0), time.Hour)
	addKey(alice.Token, expired)
	if sig := signature(commit("Alice", "alice@example.com", expired, nil)); sig.VerificationStatus != "unverified" {
		t.Fatalf("expired key: %+v", sig)
	}

	// A signing subkey is found by its own key id.
	withSub := labtest.NewGPGKey(t, "Alice", "alice@example.com", time.Time{}, 0)
	withSub.AddSigningSubkey(t)
	addKey(alice.Token, withSub)
	subSigned := commit("Alice", "alice@example.com", withSub, nil)
	sig := signature(subSigned)
	if sig.VerificationStatus != "verified" || sig.KeyID != 0 || sig.KeySubkeyID == 0 ||
		sig.KeyPrimaryKeyID != strings.ToUpper(withSub.Entity.Subkeys[len(withSub.Entity.Subkeys)-1].PublicKey.KeyIdString()) {
		t.Fatalf("subkey signature = %+v", sig)
	}

	// Deleting the key makes its signatures unknown again (the cached
	// verdict does not outlive the change).
	if _, err := ac.Users.DeleteGPGKey(gk.ID); err != nil {
		t.Fatal(err)
	}
	if sig := signature(signed); sig.VerificationStatus != "unknown_key" || sig.KeyPrimaryKeyID == "" {
		t.Fatalf("after deletion: %+v", sig)
	}

	// Unsigned commits, unknown revisions, other callers.
	path := "/projects/" + itoa(int64(p.ID)) + "/repository/commits/"
	s.Do(t, labtest.Request{Path: path + head.ID + "/signature", Token: alice.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Signature Not Found"}`)
	s.Do(t, labtest.Request{Path: path + "main/signature", Token: alice.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Signature Not Found"}`)
	s.Do(t, labtest.Request{Path: path + "0123456789012345678901234567890123456789/signature", Token: alice.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Commit Not Found"}`)
	s.Do(t, labtest.Request{Path: path + "no-such-branch/signature", Token: alice.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Commit Not Found"}`)
	s.Do(t, labtest.Request{Path: path + signed + "/signature"}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
}

// TestSSHCommitSignatures: commits signed in git's SSH format verify
// against the committer's signing SSH keys, as Gitlab::Ssh::Signature.
func TestSSHCommitSignatures(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	ac := s.Client(t, alice.Token)
	p, _, err := ac.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("ssh-signed"),
		InitializeWithReadme: gitlab.Ptr(true), DefaultBranch: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	head, _, err := ac.Commits.GetCommit(p.ID, "main", nil)
	if err != nil {
		t.Fatal(err)
	}
	newSigner := func() (ssh.Signer, string) {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		signer, err := ssh.NewSignerFromKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		return signer, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
	}
	commit := func(email string, signer ssh.Signer) string {
		return s.WriteCommit(t, int64(p.ID), labtest.Commit{Parent: head.ID, Name: "Alice", Email: email,
			Message: "ssh signed", SSHSigner: signer})
	}
	type sshSig struct {
		SignatureType      string         `json:"signature_type"`
		VerificationStatus string         `json:"verification_status"`
		Key                *gitlab.SSHKey `json:"key"`
		CommitSource       string         `json:"commit_source"`
	}
	signature := func(sha string) sshSig {
		t.Helper()
		var sig sshSig
		r := s.Do(t, labtest.Request{Path: "/projects/" + itoa(int64(p.ID)) + "/repository/commits/" + sha + "/signature", Token: alice.Token})
		if r.Status != http.StatusOK {
			t.Fatalf("signature: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &sig)
		return sig
	}

	signer, pub := newSigner()
	signed := commit("alice@example.com", signer)
	if sig := signature(signed); sig.SignatureType != "SSH" || sig.VerificationStatus != "unknown_key" || sig.Key != nil || sig.CommitSource != "gitaly" {
		t.Fatalf("before the key is added: %+v", sig)
	}
	k, _, err := ac.Users.AddSSHKey(&gitlab.AddSSHKeyOptions{Title: gitlab.Ptr("signing"), Key: gitlab.Ptr(pub),
		UsageType: gitlab.Ptr("signing")})
	if err != nil {
		t.Fatal(err)
	}
	if sig := signature(signed); sig.VerificationStatus != "verified" || sig.Key == nil || sig.Key.ID != k.ID || sig.Key.UsageType != "signing" {
		t.Fatalf("verified: %+v", sig)
	}
	if sig := signature(commit("someone@example.com", signer)); sig.VerificationStatus != "other_user" {
		t.Fatalf("another committer: %+v", sig)
	}
	// An authentication-only key does not sign.
	authOnly, authPub := newSigner()
	if _, _, err := ac.Users.AddSSHKey(&gitlab.AddSSHKeyOptions{Title: gitlab.Ptr("auth"), Key: gitlab.Ptr(authPub),
		UsageType: gitlab.Ptr("auth")}); err != nil {
		t.Fatal(err)
	}
	if sig := signature(commit("alice@example.com", authOnly)); sig.VerificationStatus != "unknown_key" {
		t.Fatalf("auth-only key: %+v", sig)
	}
}
