// Package s3test starts a real S3-compatible server for tests:
// gofakes3 (an implementation of the S3 protocol) with its memory backend,
// on a loopback TCP listener, spoken to over HTTP as any object store.
package s3test

import (
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/lablet/lablet/internal/blob"
)

// Bucket is the bucket Start creates.
const Bucket = "lablet-test"

// Credentials the server is given (gofakes3 does not check signatures;
// they are passed so the requests are signed as in production).
const (
	AccessKey = "lablet-access"
	SecretKey = "lablet-secret-key"
)

// Server is a running S3-compatible server with one bucket.
type Server struct {
	// Options reach the bucket.
	Options blob.S3Options
	backend *s3mem.Backend
}

// Start runs a server for t, stopped when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(Bucket); err != nil {
		t.Fatalf("s3test: create bucket: %v", err)
	}
	faker := gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog()))
	ts := httptest.NewServer(faker.Server())
	t.Cleanup(ts.Close)
	u, err := url.Parse(ts.URL)
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	return &Server{backend: backend, Options: blob.S3Options{Endpoint: u.Host, Region: "us-east-1",
		Bucket: Bucket, AccessKey: AccessKey, SecretKey: SecretKey}}
}

// URL is the server as lablet's --object-store-url names it.
func (s *Server) URL() string {
	return "s3://" + AccessKey + ":" + SecretKey + "@" + s.Options.Endpoint + "/" + Bucket + "?region=us-east-1&secure=false"
}

// Keys lists the bucket's object keys under prefix, sorted.
func (s *Server) Keys(t testing.TB, prefix string) []string {
	t.Helper()
	p := gofakes3.Prefix{HasPrefix: true, Prefix: prefix}
	list, err := s.backend.ListBucket(Bucket, &p, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatalf("s3test: list: %v", err)
	}
	var keys []string
	for _, c := range list.Contents {
		keys = append(keys, c.Key)
	}
	sort.Strings(keys)
	return keys
}

// HasPrefix reports whether some key starts with prefix.
func HasPrefix(keys []string, prefix string) bool {
	for _, k := range keys {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}
