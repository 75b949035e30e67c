package labtest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha512"
	"encoding/pem"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"golang.org/x/crypto/ssh"
)

// GPGKey is an OpenPGP key made for a test (ed25519: fast to make).
type GPGKey struct {
	Entity *openpgp.Entity
	config *packet.Config
}

// NewGPGKey makes a key with one user id. born, when not zero, is the
// key's creation time, and lifetime (when not zero) how long it lives:
// an expired key is one born long ago with a short life.
func NewGPGKey(t testing.TB, name, email string, born time.Time, lifetime time.Duration) *GPGKey {
	t.Helper()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Curve: packet.Curve25519,
		KeyLifetimeSecs: uint32(lifetime / time.Second)}
	if !born.IsZero() {
		cfg.Time = func() time.Time { return born }
	}
	e, err := openpgp.NewEntity(name, "", email, cfg)
	if err != nil {
		t.Fatalf("make gpg key: %v", err)
	}
	return &GPGKey{Entity: e, config: cfg}
}

// AddSigningSubkey gives the key a signing subkey; Sign then uses it.
func (k *GPGKey) AddSigningSubkey(t testing.TB) {
	t.Helper()
	if err := k.Entity.AddSigningSubkey(k.config); err != nil {
		t.Fatalf("add subkey: %v", err)
	}
}

func armored(t testing.TB, blockType string, write func(w *bytes.Buffer) error) string {
	t.Helper()
	var raw, out bytes.Buffer
	if err := write(&raw); err != nil {
		t.Fatalf("serialize %s: %v", blockType, err)
	}
	w, err := armor.Encode(&out, blockType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(raw.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// Public is the armored public key block.
func (k *GPGKey) Public(t testing.TB) string {
	return armored(t, openpgp.PublicKeyType, func(w *bytes.Buffer) error { return k.Entity.Serialize(w) })
}

// Private is the armored private key block.
func (k *GPGKey) Private(t testing.TB) string {
	return armored(t, openpgp.PrivateKeyType, func(w *bytes.Buffer) error { return k.Entity.SerializePrivate(w, nil) })
}

// Sign is an armored detached signature of payload, as git keeps in a
// commit's gpgsig header.
func (k *GPGKey) Sign(t testing.TB, payload []byte) string {
	t.Helper()
	var out bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&out, k.Entity, bytes.NewReader(payload), k.config); err != nil {
		t.Fatalf("sign: %v", err)
	}
	return out.String()
}

// Commit describes a commit object WriteCommit stores.
type Commit struct {
	Parent         string // a commit of the repository; its tree is reused
	Name, Email    string // author and committer
	Message        string
	Key            *GPGKey    // nil: unsigned
	ExtraSignature *GPGKey    // a second signature in the same block
	SSHSigner      ssh.Signer // signs in git's SSH format instead of Key
}

// sshSign is git's SSH signature of payload (PROTOCOL.sshsig, namespace
// "git", SHA-512), armored.
func sshSign(t testing.TB, signer ssh.Signer, payload []byte) string {
	t.Helper()
	digest := sha512.Sum512(payload)
	signed := append([]byte("SSHSIG"), ssh.Marshal(struct {
		Namespace, Reserved, HashAlgorithm string
		Hash                               []byte
	}{"git", "", "sha512", digest[:]})...)
	sig, err := signer.Sign(rand.Reader, signed)
	if err != nil {
		t.Fatalf("ssh sign: %v", err)
	}
	blob := append([]byte("SSHSIG"), ssh.Marshal(struct {
		Version                            uint32
		PublicKey                          []byte
		Namespace, Reserved, HashAlgorithm string
		Signature                          []byte
	}{1, signer.PublicKey().Marshal(), "git", "", "sha512", ssh.Marshal(sig)})...)
	return string(pem.EncodeToMemory(&pem.Block{Type: "SSH SIGNATURE", Bytes: blob}))
}

// WriteCommit stores a commit object (signed with c.Key, if any) in the
// project's repository as git would (git hash-object -t commit -w) and
// returns its id. No ref moves: the commit is reached by its id.
func (s *Server) WriteCommit(t testing.TB, projectID int64, c Commit) string {
	t.Helper()
	dir := s.Srv.Repos.Path(projectID)
	git := func(stdin string, args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	tree := git("", "rev-parse", c.Parent+"^{tree}")
	ident := c.Name + " <" + c.Email + "> 1700000000 +0000"
	headers := "tree " + tree + "\nparent " + c.Parent + "\nauthor " + ident + "\ncommitter " + ident + "\n"
	body := "\n" + c.Message + "\n"
	obj := headers + body
	var sig string
	if c.SSHSigner != nil {
		sig = sshSign(t, c.SSHSigner, []byte(obj))
	}
	if c.Key != nil {
		sig = c.Key.Sign(t, []byte(obj))
		if c.ExtraSignature != nil {
			// Two signature packets in one armor block.
			var raw bytes.Buffer
			for _, k := range []*GPGKey{c.Key, c.ExtraSignature} {
				if err := openpgp.DetachSign(&raw, k.Entity, strings.NewReader(obj), k.config); err != nil {
					t.Fatalf("sign: %v", err)
				}
			}
			sig = armored(t, openpgp.SignatureType, func(w *bytes.Buffer) error { _, err := w.Write(raw.Bytes()); return err })
		}
	}
	if sig != "" {
		sig = strings.TrimRight(sig, "\n")
		obj = headers + "gpgsig " + strings.ReplaceAll(sig, "\n", "\n ") + "\n" + body
	}
	return git(obj, "hash-object", "-t", "commit", "-w", "--stdin")
}
