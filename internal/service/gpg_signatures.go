package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/cache"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// Commit signatures (GitLab's Gitlab::Gpg::Commit and the commits API's
// signature route). lablet keeps no signature records: the verdict is
// derived from the commit object, the GPG keys and their users each time,
// and kept in memory under the versions of those tables.

// Verification statuses (GitLab's CommitSignatures verification_status).
const (
	SignatureVerified               = "verified"
	SignatureUnverified             = "unverified"
	SignatureUnverifiedKey          = "unverified_key"
	SignatureUnknownKey             = "unknown_key"
	SignatureOtherUser              = "other_user"
	SignatureSameUserDifferentEmail = "same_user_different_email"
	SignatureMultipleSignatures     = "multiple_signatures"
	signatureTypePGP                = "PGP"
	pgpSignaturePrefix              = "-----BEGIN PGP SIGNATURE-----"
	maxSignatureBytes               = 1 << 20
)

// CommitSignature is a commit's GPG or SSH signature as GitLab shows it.
type CommitSignature struct {
	Type               string // "PGP"
	VerificationStatus string
	GPGKeyID           int64 // 0 for none (unknown key, or made by a subkey)
	GPGKeyPrimaryKeyID string
	GPGKeyUserName     string
	GPGKeyUserEmail    string
	GPGKeySubkeyID     int64 // 0 for none
	// SSHKey is the key of an SSH signature ("SSH"), nil when unknown.
	SSHKey *model.Key
}

// signatureKey names a verdict: a commit of a project.
type signatureKey struct {
	project int64
	commit  string
}

// CommitSignatureOf is GET /projects/:id/repository/commits/:sha/signature:
// 404 Commit Not Found for an unknown revision, 404 Signature Not Found
// for a commit without a signature lablet reads.
func (s *Service) CommitSignatureOf(ctx context.Context, id *auth.Identity, projectRef, rev string) (*CommitSignature, error) {
	pr, err := s.RepoForRead(ctx, id, projectRef)
	if err != nil {
		return nil, err
	}
	if rev == "" {
		return nil, NotFound("Commit")
	}
	sha, err := pr.Repo.ResolveRef(ctx, rev)
	if errors.Is(err, repo.ErrNotFound) || errors.Is(err, repo.ErrInvalidRef) || errors.Is(err, repo.ErrInvalid) {
		return nil, NotFound("Commit")
	}
	if err != nil {
		return nil, fmt.Errorf("service: resolve commit: %w", err)
	}
	// The verdict depends on the keys and on their users' emails: read
	// both versions before deriving it, and trust them only when caches
	// may (PostgreSQL's listener connected).
	gpgV, ok1 := s.db.Version(store.TopicGPG)
	authV, ok2 := s.db.Version(store.TopicAuth)
	stamp, cacheable := cache.Stamp{gpgV, authV}, ok1 && ok2
	key := signatureKey{project: pr.Project.ID, commit: sha}
	if cacheable {
		if sig, ok := s.signatures.GetAt(key, stamp); ok {
			return orSignatureNotFound(sig)
		}
	}
	_, raw, err := pr.Repo.RawCommit(ctx, sha)
	if errors.Is(err, repo.ErrNotFound) {
		return nil, NotFound("Commit")
	}
	if err != nil {
		return nil, fmt.Errorf("service: read commit: %w", err)
	}
	sig, err := s.verifyCommit(ctx, raw)
	if err != nil {
		return nil, err
	}
	if cacheable {
		s.signatures.PutAt(key, stamp, sig)
	}
	return orSignatureNotFound(sig)
}

func orSignatureNotFound(sig *CommitSignature) (*CommitSignature, error) {
	if sig == nil {
		return nil, NotFound("Signature")
	}
	return sig, nil
}

// splitSignedCommit separates a raw commit into its signature (the gpgsig
// header's value) and the payload it signs (the commit without its
// signature headers), and returns the committer's email. No signature
// gives an empty one.
func splitSignedCommit(raw []byte) (signature string, payload []byte, committerEmail string) {
	head, body, found := bytes.Cut(raw, []byte("\n\n"))
	if !found {
		head, body = bytes.TrimSuffix(raw, []byte("\n")), nil
	}
	var sig, out strings.Builder
	inSig := false
	for _, line := range strings.Split(string(head), "\n") {
		if inSig && strings.HasPrefix(line, " ") {
			sig.WriteString("\n" + line[1:])
			continue
		}
		inSig = false
		name, value, _ := strings.Cut(line, " ")
		switch name {
		case "gpgsig", "gpgsig-sha256":
			// The SHA-1 signature is the one a SHA-1 repository's
			// tools check; both headers are left out of the payload.
			inSig = true
			if name == "gpgsig" {
				sig.Reset()
				sig.WriteString(value)
			} else if sig.Len() == 0 {
				sig.WriteString(value)
			}
			continue
		case "committer":
			if i, j := strings.LastIndexByte(value, '<'), strings.LastIndexByte(value, '>'); i >= 0 && j > i {
				committerEmail = value[i+1 : j]
			}
		}
		out.WriteString(line + "\n")
	}
	if found {
		out.WriteString("\n")
		out.Write(body)
	}
	return sig.String(), []byte(out.String()), committerEmail
}

// pgpSignatures reads the signature packets of an armored signature and
// returns them with the packets' bytes.
func pgpSignatures(armored string) ([]*packet.Signature, []byte) {
	block, err := armor.Decode(strings.NewReader(armored))
	if err != nil || block.Type != openpgp.SignatureType {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(block.Body, maxSignatureBytes))
	if err != nil {
		return nil, nil
	}
	var sigs []*packet.Signature
	pr := packet.NewReader(bytes.NewReader(body))
	for {
		p, err := pr.Next()
		if err != nil {
			return sigs, body
		}
		if sig, ok := p.(*packet.Signature); ok {
			sigs = append(sigs, sig)
		}
	}
}

// issuerKeyID is the key id a signature names, upper-case hex.
func issuerKeyID(sig *packet.Signature) string {
	switch {
	case sig.IssuerKeyId != nil:
		return fmt.Sprintf("%016X", *sig.IssuerKeyId)
	case len(sig.IssuerFingerprint) >= 8:
		return fmt.Sprintf("%X", sig.IssuerFingerprint[len(sig.IssuerFingerprint)-8:])
	}
	return ""
}

// verifyCommit derives a raw commit's signature verdict as
// Gitlab::Gpg::Commit (or Gitlab::Ssh::Signature) does; nil when the
// commit carries no PGP or SSH signature.
func (s *Service) verifyCommit(ctx context.Context, raw []byte) (*CommitSignature, error) {
	armored, payload, committerEmail := splitSignedCommit(raw)
	if strings.HasPrefix(armored, sshSignaturePrefix) && len(armored) <= maxSignatureBytes {
		return s.verifySSHCommit(ctx, armored, payload, committerEmail)
	}
	if !strings.HasPrefix(armored, pgpSignaturePrefix) || len(armored) > maxSignatureBytes {
		return nil, nil
	}
	out := &CommitSignature{Type: signatureTypePGP, VerificationStatus: SignatureUnknownKey}
	sigs, sigBytes := pgpSignatures(armored)
	if len(sigs) == 0 {
		return out, nil
	}
	keyID := issuerKeyID(sigs[0])
	// Of an unknown key GitLab shows what GPGME reports: the issuer's
	// fingerprint when the signature carries it, else its key id.
	out.GPGKeyPrimaryKeyID = keyID
	if fp := sigs[0].IssuerFingerprint; len(fp) == 20 {
		out.GPGKeyPrimaryKeyID = fmt.Sprintf("%X", fp)
	}
	if keyID == "" {
		return out, nil
	}
	q := s.db.Queries()
	k, subkeyID, err := q.GPGKeyByKeyID(ctx, keyID)
	if errors.Is(err, store.ErrNotFound) {
		if len(sigs) > 1 {
			out.VerificationStatus = SignatureMultipleSignatures
		}
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service: find gpg key: %w", err)
	}
	out.GPGKeyPrimaryKeyID = keyID
	if subkeyID != 0 {
		out.GPGKeySubkeyID = subkeyID
	} else {
		out.GPGKeyID = k.ID
		out.GPGKeyPrimaryKeyID = k.PrimaryKeyID
	}
	u, err := q.UserByID(ctx, k.UserID)
	if err != nil {
		return nil, fmt.Errorf("service: load gpg key user: %w", err)
	}
	pk := parseGPGKey(k.Key)
	if pk == nil {
		return nil, fmt.Errorf("service: stored gpg key %d does not parse", k.ID)
	}
	info := gpgUserInfoOf(pk, u)
	out.GPGKeyUserName, out.GPGKeyUserEmail = info.Name, info.Email
	out.VerificationStatus = s.gpgVerdict(pk, u, sigs, sigBytes, payload, committerEmail)
	return out, nil
}

// gpgUserInfoOf is the user id GitLab shows: the first whose email the
// user owns, else the first.
func gpgUserInfoOf(pk *parsedGPGKey, u *model.User) gpgUserInfo {
	for _, ui := range pk.userInfos {
		if ui.Email != "" && ui.Email == strings.ToLower(u.Email) {
			return ui
		}
	}
	if len(pk.userInfos) > 0 {
		return pk.userInfos[0]
	}
	return gpgUserInfo{}
}

// gpgVerdict is Gitlab::Gpg::Commit#verification_status for a known key.
func (s *Service) gpgVerdict(pk *parsedGPGKey, u *model.User, sigs []*packet.Signature, sigBytes, payload []byte, committerEmail string) string {
	switch {
	case len(sigs) > 1:
		return SignatureMultipleSignatures
	case !pk.verifiedFor(u):
		return SignatureUnverifiedKey
	}
	// An expired or revoked key, or an expired signature, is not a valid
	// signature (GPGME's valid? is false for them too).
	cfg := &packet.Config{Time: s.Now}
	if _, err := openpgp.CheckDetachedSignature(openpgp.EntityList{pk.entity}, bytes.NewReader(payload), bytes.NewReader(sigBytes), cfg); err != nil {
		return SignatureUnverified
	}
	switch {
	case pk.verifiedEmail(u, committerEmail):
		return SignatureVerified
	case strings.EqualFold(committerEmail, u.Email):
		return SignatureSameUserDifferentEmail
	}
	return SignatureOtherUser
}
