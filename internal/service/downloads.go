package service

import (
	"context"
	"time"

	"github.com/lablet/lablet/internal/blob"
)

// downloadURLExpiry is how long a presigned download URL works.
const downloadURLExpiry = 10 * time.Minute

// redirectsDownloads reports whether blob downloads redirect to the
// object store (--object-store-proxy-download=false with a blob store
// that presigns URLs), as GitLab's proxy_download: false does.
func (s *Service) redirectsDownloads() bool {
	_, ok := s.blobs.(blob.Presigner)
	return s.redirectDownloads && ok
}

// downloadURL returns a presigned URL of the object store serving the
// blob under key with the headers h when downloads redirect there; ""
// means stream it. The caller has checked the permissions first.
func (s *Service) downloadURL(ctx context.Context, key string, h blob.ResponseHeaders) (string, error) {
	p, ok := s.blobs.(blob.Presigner)
	if !s.redirectDownloads || !ok {
		return "", nil
	}
	return p.PresignGet(ctx, key, downloadURLExpiry, h)
}
