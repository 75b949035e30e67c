package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/blob"
	"github.com/lablet/lablet/internal/blob/s3test"
)

// stores are the Store implementations every contract test runs on.
func stores() map[string]func(t testing.TB) blob.Store {
	return map[string]func(t testing.TB) blob.Store{
		"fs": func(t testing.TB) blob.Store {
			s, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"s3": func(t testing.TB) blob.Store {
			srv := s3test.Start(t)
			s, err := blob.NewS3(context.Background(), srv.Options)
			if err != nil {
				t.Fatalf("S3 store on gofakes3: %v", err)
			}
			return s
		},
		"s3-prefix": func(t testing.TB) blob.Store {
			srv := s3test.Start(t)
			o := srv.Options
			o.Prefix = "instance/one"
			s, err := blob.NewS3(context.Background(), o)
			if err != nil {
				t.Fatalf("S3 store on gofakes3: %v", err)
			}
			return s
		},
	}
}

// TestStoreContract holds every Store to what the interface promises.
func TestStoreContract(t *testing.T) {
	for name, open := range stores() {
		t.Run(name, func(t *testing.T) {
			t.Run("PutOpenDelete", func(t *testing.T) { contractPutOpenDelete(t, open(t)) })
			t.Run("DeleteAll", func(t *testing.T) { contractDeleteAll(t, open(t)) })
			t.Run("Large", func(t *testing.T) { contractLarge(t, open(t)) })
			t.Run("FailedPutLeavesNothing", func(t *testing.T) { contractFailedPut(t, open(t)) })
			t.Run("UncleanKeys", func(t *testing.T) { contractUncleanKeys(t, open(t)) })
		})
	}
}

func mustRead(t *testing.T, s blob.Store, key string) ([]byte, blob.Info) {
	t.Helper()
	r, info, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open(%s): %v", key, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return b, info
}

func contractPutOpenDelete(t *testing.T, s blob.Store) {
	ctx := context.Background()
	before := time.Now().Add(-time.Minute)
	n, err := s.Put(ctx, "uploads/1/abc", strings.NewReader("hello"))
	if err != nil || n != 5 {
		t.Fatalf("Put = %d, %v", n, err)
	}
	b, info := mustRead(t, s, "uploads/1/abc")
	if string(b) != "hello" || info.Size != 5 || info.ModTime.Before(before) || info.ModTime.After(time.Now().Add(time.Minute)) {
		t.Fatalf("Open = %q %+v", b, info)
	}
	// Seeking, as http.ServeContent does for a Range request.
	r, _, err := s.Open(ctx, "uploads/1/abc")
	if err != nil {
		t.Fatal(err)
	}
	if end, err := r.Seek(0, io.SeekEnd); err != nil || end != 5 {
		t.Fatalf("Seek end = %d, %v", end, err)
	}
	if _, err := r.Seek(1, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(r); err != nil || string(b) != "ello" {
		t.Fatalf("after Seek(1) = %q, %v", b, err)
	}
	r.Close()
	// An empty blob is a blob.
	if n, err := s.Put(ctx, "empty", strings.NewReader("")); err != nil || n != 0 {
		t.Fatalf("Put empty = %d, %v", n, err)
	}
	if b, info := mustRead(t, s, "empty"); len(b) != 0 || info.Size != 0 {
		t.Fatalf("empty = %q %+v", b, info)
	}
	// Replacing is whole.
	if _, err := s.Put(ctx, "uploads/1/abc", strings.NewReader("bye")); err != nil {
		t.Fatal(err)
	}
	if b, _ := mustRead(t, s, "uploads/1/abc"); string(b) != "bye" {
		t.Fatalf("after replace: %q", b)
	}
	if err := s.Delete(ctx, "uploads/1/abc"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(ctx, "uploads/1/abc"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open after Delete: %v", err)
	}
	if err := s.Delete(ctx, "uploads/1/abc"); err != nil {
		t.Fatalf("Delete of a missing blob: %v", err)
	}
	if _, _, err := s.Open(ctx, "never/there"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open of a missing blob: %v", err)
	}
	// A key's prefix is no blob.
	if _, err := s.Put(ctx, "dir/file", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(ctx, "dir"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open of a prefix: %v", err)
	}
}

func contractDeleteAll(t *testing.T, s blob.Store) {
	ctx := context.Background()
	keys := []string{"uploads/1/a", "uploads/1/b", "uploads/1/deep/c", "uploads/12/c", "uploads/1x"}
	for _, k := range keys {
		if _, err := s.Put(ctx, k, strings.NewReader(k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteAll(ctx, "uploads/1"); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys[:3] {
		if _, _, err := s.Open(ctx, k); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("%s after DeleteAll: %v", k, err)
		}
	}
	for _, k := range keys[3:] {
		if b, _ := mustRead(t, s, k); string(b) != k {
			t.Fatalf("DeleteAll took a sibling %s", k)
		}
	}
	if err := s.DeleteAll(ctx, "uploads/99"); err != nil {
		t.Fatalf("DeleteAll of nothing: %v", err)
	}
	if err := s.DeleteAll(ctx, "../x"); !errors.Is(err, blob.ErrInvalidKey) {
		t.Fatalf("DeleteAll(../x) = %v", err)
	}
	// More than one batch of deletions (S3 takes 1000 a request).
	for i := range 1100 {
		if _, err := s.Put(ctx, "many/"+strings.Repeat("k", 1+i%7)+"/"+itoa(i), strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteAll(ctx, "many"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(ctx, "many/k/0"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("after DeleteAll of many: %v", err)
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// contractLarge streams a blob of several multipart parts of unknown
// length and reads it back, whole and by range.
func contractLarge(t *testing.T, s blob.Store) {
	ctx := context.Background()
	data := make([]byte, 17<<20+123)
	rand.Read(data)
	// io.MultiReader hides the length (no Len, no Seek).
	n, err := s.Put(ctx, "lfs/big", io.MultiReader(bytes.NewReader(data)))
	if err != nil || n != int64(len(data)) {
		t.Fatalf("Put = %d, %v", n, err)
	}
	b, info := mustRead(t, s, "lfs/big")
	if !bytes.Equal(b, data) || info.Size != int64(len(data)) {
		t.Fatalf("read back %d bytes (info %+v), want %d", len(b), info, len(data))
	}
	r, _, err := s.Open(ctx, "lfs/big")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	off := int64(9<<20 + 7)
	if _, err := r.Seek(off, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	part := make([]byte, 1000)
	if _, err := io.ReadFull(r, part); err != nil || !bytes.Equal(part, data[off:off+1000]) {
		t.Fatalf("range read: %v", err)
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n > 0 {
		f.n--
		return copy(p, bytes.Repeat([]byte("partial!"), len(p)/8)), nil
	}
	return 0, errors.New("boom")
}

// contractFailedPut: a reader failing early or after several parts
// leaves neither a blob nor the previous one half-replaced.
func contractFailedPut(t *testing.T, s blob.Store) {
	ctx := context.Background()
	if _, err := s.Put(ctx, "a/b", &failingReader{n: 3}); err == nil {
		t.Fatal("Put of a failing reader succeeded")
	}
	if _, _, err := s.Open(ctx, "a/b"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open after a failed Put: %v", err)
	}
	if _, err := s.Put(ctx, "a/c", strings.NewReader("old")); err != nil {
		t.Fatal(err)
	}
	// Reads of 32 KiB: ~20 MiB before failing, more than two parts.
	big := &failingReader{n: 640}
	if _, err := s.Put(ctx, "a/c", bufioReader{big}); err == nil {
		t.Fatal("Put of a failing large reader succeeded")
	}
	if b, _ := mustRead(t, s, "a/c"); string(b) != "old" {
		t.Fatalf("failed Put changed the blob: %d bytes", len(b))
	}
	// A cancelled context stops the Put and leaves nothing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Put(cctx, "a/d", strings.NewReader("x")); err == nil {
		t.Fatal("Put with a cancelled context succeeded")
	}
	if _, _, err := s.Open(ctx, "a/d"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open after a cancelled Put: %v", err)
	}
}

// bufioReader reads in 32 KiB steps.
type bufioReader struct{ r io.Reader }

func (b bufioReader) Read(p []byte) (int, error) {
	if len(p) > 32<<10 {
		p = p[:32<<10]
	}
	return b.r.Read(p)
}

func contractUncleanKeys(t *testing.T, s blob.Store) {
	ctx := context.Background()
	for _, key := range []string{"", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "a/", "a\\b", "a\x00b",
		"a\nb", "..", ".", strings.Repeat("a", blob.MaxKeyLen+1)} {
		if _, err := s.Put(ctx, key, strings.NewReader("x")); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
		}
		if _, _, err := s.Open(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Open(%q) = %v, want ErrInvalidKey", key, err)
		}
		if err := s.Delete(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
		}
		if err := s.DeleteAll(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("DeleteAll(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
}

// TestS3Presign: a presigned URL serves the blob to a client without
// credentials; a missing blob is ErrNotFound.
func TestS3Presign(t *testing.T) {
	srv := s3test.Start(t)
	s, err := blob.NewS3(context.Background(), srv.Options)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.Put(ctx, "lfs/ab/cd/abcd", strings.NewReader("object bytes")); err != nil {
		t.Fatal(err)
	}
	u, err := s.PresignGet(ctx, "lfs/ab/cd/abcd", time.Minute, blob.ResponseHeaders{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(u, "X-Amz-Signature=") || strings.Contains(u, s3test.SecretKey) {
		t.Fatalf("presigned URL %s", u)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "object bytes" {
		t.Fatalf("GET presigned = %d %q", resp.StatusCode, b)
	}
	if _, err := s.PresignGet(ctx, "lfs/no/ne/none", time.Minute, blob.ResponseHeaders{}); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("PresignGet of a missing blob = %v", err)
	}
	if _, err := s.PresignGet(ctx, "../x", time.Minute, blob.ResponseHeaders{}); !errors.Is(err, blob.ErrInvalidKey) {
		t.Fatalf("PresignGet(../x) = %v", err)
	}
}
