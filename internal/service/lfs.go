package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/blob"
	"github.com/lablet/lablet/internal/store"
)

// Git LFS (GitLab's LfsRequest, Lfs*Controller and lfs_objects): objects
// are stored once per oid in blob storage and linked to the projects that
// may download them; locks are kept per project and path.

// LFS messages, GitLab's.
const (
	MsgLFSNotFound      = "Not found."
	MsgLFSObjectMissing = "Object does not exist on the server or you don't have permissions to access it"
	MsgLFSInvalidOid    = "Invalid oid"
	MsgLFSInvalidSize   = "Invalid size"
	MsgLFSMismatch      = "Unprocessable entity"
)

// ValidLFSOid reports whether oid is a sha256 in lower-case hex, as LFS
// pointers name objects.
func ValidLFSOid(oid string) bool {
	if len(oid) != 64 {
		return false
	}
	for i := 0; i < len(oid); i++ {
		c := oid[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// lfsKey is where the object oid lives in blob storage.
func lfsKey(oid string) string { return "lfs/" + oid[0:2] + "/" + oid[2:4] + "/" + oid }

// LFSRepo is GitRepo for an LFS request (write: an upload or a lock), on a
// project with LFS enabled (404 otherwise, as GitLab's lfs_check_access!).
func (s *Service) LFSRepo(ctx context.Context, id *auth.Identity, fullPath string, write bool) (*GitRepo, error) {
	gr, err := s.GitRepo(ctx, id, fullPath, write)
	if err != nil {
		return nil, err
	}
	if !gr.Project.LFSEnabled || s.blobs == nil {
		return nil, &Error{Kind: KindNotFound, Message: MsgLFSNotFound}
	}
	return gr, nil
}

// LFSPointer is an object of a batch request.
type LFSPointer struct {
	Oid  string
	Size int64
}

// LFSBatchResult is the answer for one object of a batch: Present for an
// object the project has (download: downloadable; upload: nothing to
// send), else Error set for a refused one (Code 404 or 422), else the
// object is to be uploaded.
type LFSBatchResult struct {
	LFSPointer
	Present bool
	Code    int
	Error   string
}

// LFSBatch decides each object of a batch request: downloads take objects
// linked to the project (404 for others, including objects other
// projects have); uploads skip objects the project already has.
func (s *Service) LFSBatch(ctx context.Context, gr *GitRepo, upload bool, objects []LFSPointer) ([]LFSBatchResult, error) {
	var oids []string
	for _, o := range objects {
		if ValidLFSOid(o.Oid) && o.Size >= 0 {
			oids = append(oids, o.Oid)
		}
	}
	linked, err := s.db.Queries().LinkedLFSObjects(ctx, gr.Project.ID, oids)
	if err != nil {
		return nil, err
	}
	out := make([]LFSBatchResult, len(objects))
	for i, o := range objects {
		r := LFSBatchResult{LFSPointer: o}
		size, ok := linked[o.Oid]
		switch {
		case !ValidLFSOid(o.Oid):
			r.Code, r.Error = 422, MsgLFSInvalidOid
		case o.Size < 0:
			r.Code, r.Error = 422, MsgLFSInvalidSize
		case ok && (upload || size == o.Size):
			r.Present = true
			r.Size = size
		case !upload:
			r.Code, r.Error = 404, MsgLFSObjectMissing
		}
		out[i] = r
	}
	return out, nil
}

// errLFSMismatch ends an upload whose bytes are not the object it names.
var errLFSMismatch = errors.New("lfs: size or sha256 mismatch")

// lfsVerifier passes r through while hashing it, and turns its end into
// errLFSMismatch unless exactly size bytes with sha256 oid went by, so
// that blob storage keeps nothing of a wrong upload.
type lfsVerifier struct {
	r    io.Reader
	h    hash.Hash
	n    int64
	size int64
	oid  string
}

func (v *lfsVerifier) Read(p []byte) (int, error) {
	if rest := v.size + 1 - v.n; int64(len(p)) > rest {
		p = p[:rest] // one byte past size is enough to know it is too long
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if v.n > v.size {
		return n, errLFSMismatch
	}
	if err == io.EOF && (v.n != v.size || hex.EncodeToString(v.h.Sum(nil)) != v.oid) {
		return n, errLFSMismatch
	}
	return n, err
}

// PutLFSObject stores an uploaded object and links it to the project. The
// body is streamed to blob storage while its size and sha256 are checked;
// a mismatch is 422 and keeps nothing. An object stored before (by any
// project) is checked the same way but not written again.
func (s *Service) PutLFSObject(ctx context.Context, gr *GitRepo, oid string, size int64, body io.Reader) error {
	if !ValidLFSOid(oid) || size < 0 {
		return &Error{Kind: KindUnprocessable, Message: MsgLFSMismatch}
	}
	v := &lfsVerifier{r: body, h: sha256.New(), size: size, oid: oid}
	q := s.db.Queries()
	_, err := q.LFSObjectSize(ctx, oid)
	stored := err == nil
	if stored {
		if rc, _, oerr := s.blobs.Open(ctx, lfsKey(oid)); oerr == nil {
			_ = rc.Close()
		} else {
			stored = false // the row outlived its file: store it again
		}
	}
	switch {
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return err
	case stored:
		_, err = io.Copy(io.Discard, v)
	default:
		_, err = s.blobs.Put(ctx, lfsKey(oid), v)
	}
	if err != nil {
		return lfsBodyError(err)
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error { return q.LinkLFSObject(ctx, gr.Project.ID, oid, size) })
	if err == nil {
		s.statisticsChanged(ctx, gr.Project.ID)
	}
	return err
}

// lfsBodyError words a failed upload body.
func lfsBodyError(err error) error {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.Is(err, errLFSMismatch):
		return &Error{Kind: KindUnprocessable, Message: MsgLFSMismatch}
	case errors.As(err, &tooLarge):
		return TooLarge()
	case errors.Is(err, context.Canceled), errors.Is(err, io.ErrUnexpectedEOF):
		return Invalid("upload interrupted")
	}
	return fmt.Errorf("service: store lfs object: %w", err)
}

// linkedLFSObject checks that oid names an object linked to the project.
func (s *Service) linkedLFSObject(ctx context.Context, gr *GitRepo, oid string) error {
	if !ValidLFSOid(oid) {
		return &Error{Kind: KindNotFound, Message: MsgLFSNotFound}
	}
	linked, err := s.db.Queries().LinkedLFSObjects(ctx, gr.Project.ID, []string{oid})
	if err != nil {
		return err
	}
	if _, ok := linked[oid]; !ok {
		return &Error{Kind: KindNotFound, Message: MsgLFSNotFound}
	}
	return nil
}

// LFSObjectURL returns a presigned URL of the object store serving an
// object linked to the project, when LFS downloads redirect there
// (--object-store-proxy-download=false); "" means stream it with
// OpenLFSObject.
func (s *Service) LFSObjectURL(ctx context.Context, gr *GitRepo, oid string) (string, error) {
	if !s.redirectsDownloads() {
		return "", nil
	}
	if err := s.linkedLFSObject(ctx, gr, oid); err != nil {
		return "", err
	}
	u, err := s.downloadURL(ctx, lfsKey(oid), blob.ResponseHeaders{})
	if errors.Is(err, blob.ErrNotFound) {
		return "", &Error{Kind: KindNotFound, Message: MsgLFSNotFound}
	}
	return u, err
}

// OpenLFSObject opens an object linked to the project for download.
func (s *Service) OpenLFSObject(ctx context.Context, gr *GitRepo, oid string) (io.ReadSeekCloser, blob.Info, error) {
	if err := s.linkedLFSObject(ctx, gr, oid); err != nil {
		return nil, blob.Info{}, err
	}
	rc, info, err := s.blobs.Open(ctx, lfsKey(oid))
	if errors.Is(err, blob.ErrNotFound) {
		return nil, blob.Info{}, &Error{Kind: KindNotFound, Message: MsgLFSNotFound}
	}
	return rc, info, err
}
