// Package blob stores files by key: uploads now, anything large that does
// not belong in the database later. Store is the interface the service
// layer sees; FS keeps blobs under a directory of the data dir, and an
// S3-compatible backend can implement the same interface (keys are
// slash-separated relative paths, as object keys are).
package blob

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Store keeps blobs by key.
type Store interface {
	// Put writes r under key, replacing any blob there, and returns its
	// size. The blob appears whole or not at all: a reader error leaves
	// nothing behind.
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	// Open returns the blob under key and its size and modification
	// time; ErrNotFound if there is none.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, Info, error)
	// Delete removes the blob under key; a missing blob is no error.
	Delete(ctx context.Context, key string) error
	// DeleteAll removes every blob whose key starts with prefix + "/"
	// (a deleted project's uploads); none is no error.
	DeleteAll(ctx context.Context, prefix string) error
}

// Presigner is a Store that hands out URLs reading a blob without
// credentials for a while (an object store's presigned URLs), so that
// downloads can bypass lablet.
type Presigner interface {
	// PresignGet returns a URL serving the blob under key until expiry
	// passes, answering with the headers h; ErrNotFound if there is none.
	PresignGet(ctx context.Context, key string, expiry time.Duration, h ResponseHeaders) (string, error)
}

// ResponseHeaders are the headers a presigned URL answers with: zero
// values mean application/octet-stream, as an attachment.
type ResponseHeaders struct {
	ContentType        string
	ContentDisposition string
}

// Info describes a stored blob.
type Info struct {
	Size    int64
	ModTime time.Time
}

var (
	// ErrNotFound: no blob under the key.
	ErrNotFound = errors.New("blob: not found")
	// ErrInvalidKey: a key that is not a clean relative path.
	ErrInvalidKey = errors.New("blob: invalid key")
)

// MaxKeyLen bounds a key.
const MaxKeyLen = 1024

// ValidKey reports whether key is a clean relative path: segments of
// printable characters joined by "/", none empty, "." or "..", no
// backslash (a separator on Windows, and a source of confusion on S3),
// not absolute.
func ValidKey(key string) bool {
	if key == "" || len(key) > MaxKeyLen || !utf8.ValidString(key) || strings.ContainsRune(key, '\\') {
		return false
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}
