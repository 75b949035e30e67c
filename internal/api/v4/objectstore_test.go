package v4_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/blob/s3test"
	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/server"
)

// TestBlobsInObjectStore runs a server whose blobs live in a real
// S3-compatible server (gofakes3 over TCP): Markdown uploads, small and
// multipart-sized, and avatars land in the bucket, are served back
// (whole and by range) and deleted there; nothing is written under the
// data dir's blobs.
func TestBlobsInObjectStore(t *testing.T) {
	t.Parallel()
	s3 := s3test.Start(t)
	f := newUpFixture(t, labtest.WithObjectStore(s3.URL()))
	c := f.s.Client(t, f.dev.Token)
	mc := f.s.Client(t, f.maint.Token)

	small, _, err := c.ProjectMarkdownUploads.UploadProjectMarkdown(f.app.ID, strings.NewReader("notes"), "notes.txt")
	if err != nil {
		t.Fatal(err)
	}
	// Larger than one PUT: a multipart upload of unknown length.
	bigData := bytes.Repeat([]byte("0123456789abcdef"), 3<<20/16)
	big, _, err := c.ProjectMarkdownUploads.UploadProjectMarkdown(f.app.ID, bytes.NewReader(bigData), "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	keys := s3.Keys(t, "")
	if len(keys) != 2 || !s3test.HasPrefix(keys, fmt.Sprintf("uploads/%d/", f.app.ID)) {
		t.Fatalf("bucket holds %v, want the two uploads under uploads/%d/", keys, f.app.ID)
	}
	if left := blobFiles(t, f.s); len(left) != 0 {
		t.Fatalf("files under data/blobs: %v", left)
	}
	secret, name, _ := strings.Cut(strings.TrimPrefix(small.URL, "/uploads/"), "/")
	got, _, err := f.s.Client(t, "").ProjectMarkdownUploads.DownloadProjectMarkdownUploadBySecretAndFilename(f.app.ID, secret, name)
	if err != nil || string(got) != "notes" {
		t.Fatalf("download by secret = %q, %v", got, err)
	}
	got, _, err = mc.ProjectMarkdownUploads.DownloadProjectMarkdownUploadByID(f.app.ID, big.ID)
	if err != nil || !bytes.Equal(got, bigData) {
		t.Fatalf("download of the large upload: %d bytes, %v", len(got), err)
	}
	// A range request seeks in the object.
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v4/projects/%d/uploads/%d", f.s.URL, f.app.ID, big.ID), nil)
	req.Header.Set("PRIVATE-TOKEN", f.maint.Token)
	req.Header.Set("Range", "bytes=2097152-2097167")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || string(part) != "0123456789abcdef" {
		t.Fatalf("range = %d %q", resp.StatusCode, part)
	}

	// An avatar.
	u, _, err := c.Users.UploadAvatar(bytes.NewReader(pngAvatar(t)), "me.png")
	if err != nil {
		t.Fatal(err)
	}
	if r, body := fetchAvatar(t, u.AvatarURL, ""); r.StatusCode != 200 || !bytes.Equal(body, pngAvatar(t)) {
		t.Fatalf("avatar = %d", r.StatusCode)
	}
	if keys := s3.Keys(t, "avatars/"); len(keys) != 1 {
		t.Fatalf("avatars in the bucket: %v", keys)
	}

	// Deleting an upload deletes its object; deleting the project, the rest.
	if _, err := mc.ProjectMarkdownUploads.DeleteProjectMarkdownUploadByID(f.app.ID, big.ID); err != nil {
		t.Fatal(err)
	}
	if keys := s3.Keys(t, "uploads/"); len(keys) != 1 || !strings.Contains(keys[0], secret) {
		t.Fatalf("after deleting the large upload: %v", keys)
	}
	if _, err := f.s.Client(t, f.owner.Token).Projects.DeleteProject(f.app.ID, nil); err != nil {
		t.Fatal(err)
	}
	// Deletion is delayed; the background purge removes the project.
	if err := f.s.Srv.Service.PurgeDeletedProjects(context.Background()); err != nil {
		t.Fatal(err)
	}
	if keys := s3.Keys(t, fmt.Sprintf("uploads/%d/", f.app.ID)); len(keys) != 0 {
		t.Fatalf("after deleting the project: %v", keys)
	}
	if left := blobFiles(t, f.s); len(left) != 0 {
		t.Fatalf("files under data/blobs: %v", left)
	}
}

// TestObjectStoreCheckedAtStart: a bucket that does not exist, or a
// server that does not answer, stops the start with an error naming the
// setting, never its secret.
func TestObjectStoreCheckedAtStart(t *testing.T) {
	t.Parallel()
	s3 := s3test.Start(t)
	for name, url := range map[string]string{
		"no bucket": strings.Replace(s3.URL(), "/"+s3.Options.Bucket+"?", "/no-such-bucket?", 1),
		"no server": "s3://ak:" + s3test.SecretKey + "@127.0.0.1:1/" + s3test.Bucket + "?secure=false&region=us-east-1",
	} {
		t.Run(name, func(t *testing.T) {
			cfg := config.Default()
			cfg.DataDir = t.TempDir()
			cfg.ObjectStoreURL = url
			_, err := server.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
			if err == nil {
				t.Fatal("server started")
			}
			msg := err.Error()
			if !strings.Contains(msg, "object-store-url") || strings.Contains(msg, s3test.SecretKey) {
				t.Fatalf("error = %s", msg)
			}
			if name == "no bucket" && !strings.Contains(msg, `bucket "no-such-bucket" does not exist`) {
				t.Fatalf("error = %s", msg)
			}
		})
	}
}
