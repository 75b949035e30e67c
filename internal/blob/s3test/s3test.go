// Package s3test starts a real S3-compatible server for tests.
//
// With SeaweedFS's `weed` binary — named by LABLET_TEST_WEED, or found on
// PATH — it is SeaweedFS's S3 gateway (master, volume and filer servers
// beside it), started once per test binary on loopback ports, with a
// bucket of its own for each test; `.ci/run` builds weed and sets
// LABLET_TEST_WEED, and then a weed that does not start fails the test.
// Without one it is gofakes3 (an implementation of the S3 protocol in
// Go, in memory) on a loopback listener, and the test says so in its log.
// Either way lablet speaks to it over HTTP as to any object store.
package s3test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/lablet/lablet/internal/blob"
)

// Bucket starts the name of the bucket Start creates (Options.Bucket is
// the whole name).
const Bucket = "lablet-test"

// Credentials requests are signed with. Neither server is given
// identities, so neither checks signatures; the requests are signed as in
// production.
const (
	AccessKey = "lablet-access"
	SecretKey = "lablet-secret-key"
)

// Server is a running S3-compatible server with one bucket.
type Server struct {
	// Options reach the bucket.
	Options blob.S3Options
	client  *minio.Client
}

// buckets numbers the buckets this test binary makes on a shared server.
var buckets atomic.Int64

// Start gives t a server with an empty bucket; it is gone when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	endpoint, seaweed := weedEndpoint(t)
	if !seaweed {
		endpoint = startFake(t)
	}
	o := blob.S3Options{Endpoint: endpoint, Region: "us-east-1", Bucket: Bucket, AccessKey: AccessKey, SecretKey: SecretKey}
	if seaweed {
		o.Bucket = fmt.Sprintf("%s-%d-%d", Bucket, os.Getpid(), buckets.Add(1))
	}
	client, err := minio.New(endpoint, &minio.Options{Region: o.Region, Creds: credentials.NewStaticV4(AccessKey, SecretKey, "")})
	if err != nil {
		t.Fatalf("s3test: client: %v", err)
	}
	s := &Server{Options: o, client: client}
	if seaweed {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := client.MakeBucket(ctx, o.Bucket, minio.MakeBucketOptions{Region: o.Region}); err != nil {
			t.Fatalf("s3test: make bucket on SeaweedFS: %v", err)
		}
		t.Cleanup(func() { s.removeBucket() })
	}
	return s
}

// startFake runs gofakes3 for t and returns its host:port.
func startFake(t testing.TB) string {
	t.Log("s3test: no SeaweedFS (weed) here: the S3 protocol is spoken to gofakes3")
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
	return u.Host
}

// removeBucket empties and removes the test's bucket (best effort: the
// server goes with the test binary).
func (s *Server) removeBucket() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for obj := range s.client.ListObjects(ctx, s.Options.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err == nil {
			_ = s.client.RemoveObject(ctx, s.Options.Bucket, obj.Key, minio.RemoveObjectOptions{})
		}
	}
	_ = s.client.RemoveBucket(ctx, s.Options.Bucket)
}

// URL is the server as lablet's --object-store-url names it.
func (s *Server) URL() string {
	return "s3://" + AccessKey + ":" + SecretKey + "@" + s.Options.Endpoint + "/" + s.Options.Bucket + "?region=us-east-1&secure=false"
}

// Keys lists the bucket's object keys under prefix, sorted.
func (s *Server) Keys(t testing.TB, prefix string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var keys []string
	for obj := range s.client.ListObjects(ctx, s.Options.Bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			t.Fatalf("s3test: list: %v", obj.Err)
		}
		keys = append(keys, obj.Key)
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

// weedBinary is the SeaweedFS binary to run: LABLET_TEST_WEED, or weed on
// PATH; required says LABLET_TEST_WEED named it (a failure to start is
// then the test's).
func weedBinary() (path string, required bool) {
	if p := os.Getenv("LABLET_TEST_WEED"); p != "" {
		return p, true
	}
	p, err := exec.LookPath("weed")
	if err != nil {
		return "", false
	}
	return p, false
}

// shared is the test binary's SeaweedFS, started by the first test that
// asks for one.
var shared struct {
	once     sync.Once
	endpoint string
	err      error
}

// weedEndpoint returns the shared SeaweedFS S3 gateway's host:port, and
// false when there is no weed to run.
func weedEndpoint(t testing.TB) (string, bool) {
	bin, required := weedBinary()
	if bin == "" {
		return "", false
	}
	shared.once.Do(func() { shared.endpoint, shared.err = startWeed(bin) })
	if shared.err != nil {
		if required {
			t.Fatalf("s3test: SeaweedFS: %v", shared.err)
		}
		t.Logf("s3test: SeaweedFS did not start (%v)", shared.err)
		return "", false
	}
	return shared.endpoint, true
}
