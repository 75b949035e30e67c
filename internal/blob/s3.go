package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Options name a bucket of an S3-compatible object store.
type S3Options struct {
	// Endpoint is host:port of the server.
	Endpoint string
	// Secure speaks HTTPS to it.
	Secure bool
	// Region is the bucket's region; empty lets the client ask.
	Region string
	// Bucket holds the blobs, under Prefix ("" or a clean key).
	Bucket, Prefix string
	// AccessKey and SecretKey sign requests; both empty: anonymous.
	AccessKey, SecretKey string
	// Transport, when set, carries the requests (tests).
	Transport http.RoundTripper
}

// String names the store for messages, without credentials.
func (o S3Options) String() string {
	scheme := "https"
	if !o.Secure {
		scheme = "http"
	}
	s := scheme + "://" + o.Endpoint + "/" + o.Bucket
	if o.Prefix != "" {
		s += "/" + o.Prefix
	}
	return s
}

// S3 is a Store in a bucket of an S3-compatible object store: a blob is
// the object Prefix/key. Puts of unknown length stream: a blob up to
// s3SmallSize is sent in one request, a larger one as a multipart upload
// of s3PartSize parts, so memory per upload stays bounded; either way the
// object appears only when complete (a failed multipart upload is
// aborted), as Store promises.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // "" or ending in "/"
	name   string
}

var (
	_ Store     = (*S3)(nil)
	_ Presigner = (*S3)(nil)
)

const (
	// s3SmallSize is the largest blob sent in one PUT.
	s3SmallSize = 1 << 20
	// s3PartSize is the part size of multipart uploads: the memory one
	// upload holds, and 1/10000 of the largest blob (80 GiB).
	s3PartSize = 8 << 20
)

// NewS3 connects to the bucket o names and checks that it exists, so a
// wrong setting stops the start with a clear error.
func NewS3(ctx context.Context, o S3Options) (*S3, error) {
	if o.Prefix != "" && !ValidKey(o.Prefix) {
		return nil, fmt.Errorf("blob: object store prefix %q is not a clean relative path", o.Prefix)
	}
	mo := &minio.Options{Secure: o.Secure, Region: o.Region, Transport: o.Transport}
	if o.AccessKey != "" || o.SecretKey != "" {
		mo.Creds = credentials.NewStaticV4(o.AccessKey, o.SecretKey, "")
	}
	client, err := minio.New(o.Endpoint, mo)
	if err != nil {
		return nil, fmt.Errorf("blob: object store %s: %w", o, err)
	}
	s := &S3{client: client, bucket: o.Bucket, name: o.String()}
	if o.Prefix != "" {
		s.prefix = o.Prefix + "/"
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ok, err := client.BucketExists(ctx, o.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: object store %s: %w", o, err)
	}
	if !ok {
		return nil, fmt.Errorf("blob: object store %s: bucket %q does not exist (create it first)", o, o.Bucket)
	}
	return s, nil
}

// String names the store (no credentials).
func (s *S3) String() string { return s.name }

func (s *S3) object(key string) (string, error) {
	if !ValidKey(key) {
		return "", ErrInvalidKey
	}
	return s.prefix + key, nil
}

// Put implements Store.
func (s *S3) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	name, err := s.object(key)
	if err != nil {
		return 0, err
	}
	r = ctxReader{ctx, r}
	// A small blob (most are) is read whole and sent in one request.
	var head bytes.Buffer
	n, err := io.Copy(&head, io.LimitReader(r, s3SmallSize+1))
	if err != nil {
		return 0, err
	}
	// No streaming (aws-chunked) signature: over plain HTTP minio-go
	// would send one, with chunked transfer encoding for an empty blob,
	// which S3 refuses; this way requests are as over HTTPS (unsigned
	// payload, a Content-Length, minio-go's CRC32C checksums).
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream", DisableContentSha256: true}
	if n <= s3SmallSize {
		info, err := s.client.PutObject(ctx, s.bucket, name, bytes.NewReader(head.Bytes()), n, opts)
		if err != nil {
			return 0, s.fail("put", key, err)
		}
		return info.Size, nil
	}
	// Unknown length: a multipart upload, aborted on any error.
	opts.PartSize = s3PartSize
	info, err := s.client.PutObject(ctx, s.bucket, name, io.MultiReader(&head, r), -1, opts)
	if err != nil {
		return 0, s.fail("put", key, err)
	}
	return info.Size, nil
}

// Open implements Store. The object is read lazily; seeking re-requests
// from the new offset (minio's Object does so with a Range request).
func (s *S3) Open(ctx context.Context, key string) (io.ReadSeekCloser, Info, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, Info{}, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, s.fail("open", key, err)
	}
	st, err := obj.Stat()
	if err != nil {
		_ = obj.Close()
		return nil, Info{}, s.fail("open", key, err)
	}
	return obj, Info{Size: st.Size, ModTime: st.LastModified}, nil
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil {
		if err := s.fail("delete", key, err); !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

// DeleteAll implements Store: the objects under prefix/ are listed and
// removed in batches.
func (s *S3) DeleteAll(ctx context.Context, prefix string) error {
	name, err := s.object(prefix)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var listErr error
	objects := make(chan minio.ObjectInfo)
	go func() {
		defer close(objects)
		for o := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: name + "/", Recursive: true}) {
			if o.Err != nil {
				listErr = o.Err
				return
			}
			select {
			case objects <- o:
			case <-ctx.Done():
				return
			}
		}
	}()
	var firstErr error
	for e := range s.client.RemoveObjectsWithResult(ctx, s.bucket, objects, minio.RemoveObjectsOptions{}) {
		if e.Err != nil && firstErr == nil && minio.ToErrorResponse(e.Err).Code != "NoSuchKey" {
			firstErr = e.Err
		}
	}
	// The channel is closed once the lister returned: listErr is set.
	if listErr != nil {
		return s.fail("list", prefix, listErr)
	}
	if firstErr != nil {
		return s.fail("delete", prefix, firstErr)
	}
	return ctx.Err()
}

// PresignGet implements Presigner: the object is checked to exist (one
// HEAD), then a presigned GET URL is made locally; it answers with h
// (by default as an attachment of type application/octet-stream).
func (s *S3) PresignGet(ctx context.Context, key string, expiry time.Duration, h ResponseHeaders) (string, error) {
	name, err := s.object(key)
	if err != nil {
		return "", err
	}
	if _, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{}); err != nil {
		return "", s.fail("stat", key, err)
	}
	ct, cd := h.ContentType, h.ContentDisposition
	if ct == "" {
		ct = "application/octet-stream"
	}
	if cd == "" {
		cd = "attachment"
	}
	params := url.Values{"response-content-type": {ct}, "response-content-disposition": {cd}}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, name, expiry, params)
	if err != nil {
		return "", s.fail("presign", key, err)
	}
	return u.String(), nil
}

// fail maps the object store's "no such key" to ErrNotFound and names
// the store and key in other errors.
func (s *S3) fail(op, key string, err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound && !strings.Contains(resp.Code, "Bucket") {
		return ErrNotFound
	}
	return fmt.Errorf("blob: %s %s in %s: %w", op, key, s.name, err)
}
