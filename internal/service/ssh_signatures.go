package service

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// SSH commit signatures (GitLab's Gitlab::Ssh::Signature): git's sshsig
// format, verified with x/crypto/ssh against the users' SSH keys whose
// usage includes signing.

const (
	signatureTypeSSH   = "SSH"
	sshSignaturePrefix = "-----BEGIN SSH SIGNATURE-----"
	sshsigMagic        = "SSHSIG"
	sshsigNamespaceGit = "git"
)

// sshsig is an SSH signature blob (PROTOCOL.sshsig) after its magic.
type sshsig struct {
	Version       uint32
	PublicKey     []byte
	Namespace     string
	Reserved      string
	HashAlgorithm string
	Signature     []byte
}

// parseSSHSignature decodes an armored SSH signature, verifies it over
// payload in git's namespace and returns the SHA256 fingerprint of the key
// that made it; ok false when it does not verify.
func parseSSHSignature(armored string, payload []byte) (fingerprint string, ok bool) {
	block, _ := pem.Decode([]byte(armored))
	if block == nil || block.Type != "SSH SIGNATURE" || !strings.HasPrefix(string(block.Bytes), sshsigMagic) {
		return "", false
	}
	var sig sshsig
	if err := ssh.Unmarshal(block.Bytes[len(sshsigMagic):], &sig); err != nil || sig.Version != 1 ||
		sig.Namespace != sshsigNamespaceGit {
		return "", false
	}
	pub, err := ssh.ParsePublicKey(sig.PublicKey)
	if err != nil {
		return "", false
	}
	var digest []byte
	switch sig.HashAlgorithm {
	case "sha512":
		h := sha512.Sum512(payload)
		digest = h[:]
	case "sha256":
		h := sha256.Sum256(payload)
		digest = h[:]
	default:
		return "", false
	}
	var s ssh.Signature
	if err := ssh.Unmarshal(sig.Signature, &s); err != nil {
		return "", false
	}
	signed := append([]byte(sshsigMagic), ssh.Marshal(struct {
		Namespace, Reserved, HashAlgorithm string
		Hash                               []byte
	}{sig.Namespace, sig.Reserved, sig.HashAlgorithm, digest})...)
	if err := pub.Verify(signed, &s); err != nil {
		return "", false
	}
	// A certificate's key is the one users add.
	if cert, isCert := pub.(*ssh.Certificate); isCert {
		pub = cert.Key
	}
	return ssh.FingerprintSHA256(pub), true
}

// verifySSHCommit is Gitlab::Ssh::Signature#verification_status.
func (s *Service) verifySSHCommit(ctx context.Context, armored string, payload []byte, committerEmail string) (*CommitSignature, error) {
	out := &CommitSignature{Type: signatureTypeSSH, VerificationStatus: SignatureUnverified}
	fp, ok := parseSSHSignature(armored, payload)
	if !ok || committerEmail == "" {
		return out, nil
	}
	q := s.db.Queries()
	k, err := q.KeyByFingerprintSHA256(ctx, fp)
	if err == nil && k.UsageType == model.KeyUsageAuth {
		err = store.ErrNotFound // Key.signing: only signing keys sign
	}
	if errors.Is(err, store.ErrNotFound) {
		out.VerificationStatus = SignatureUnknownKey
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service: find signing key: %w", err)
	}
	out.SSHKey = k
	committer, err := q.UserByEmail(ctx, committerEmail)
	switch {
	case errors.Is(err, store.ErrNotFound) || err == nil && committer.ID != k.UserID:
		out.VerificationStatus = SignatureOtherUser
	case err != nil:
		return nil, fmt.Errorf("service: find committer: %w", err)
	default:
		// The committer is the key's user by that email, which is their
		// (verified) primary one.
		out.VerificationStatus = SignatureVerified
	}
	return out, nil
}
