package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/blob/s3test"
)

// TestServeOnObjectStore runs the binary with its blobs in a real
// S3-compatible server named by the environment: an upload lands in the
// bucket, the secret key is in no log line, and backup create refuses
// to make a backup without the blobs unless told the bucket is backed up
// on its own.
func TestServeOnObjectStore(t *testing.T) {
	s3 := s3test.Start(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	env, _ := instanceEnv(t, dataDir)
	// The keys from their own variables, the URL without them.
	env = append(env, "LABLET_OBJECT_STORE_URL=s3://"+s3.Options.Endpoint+"/"+s3.Options.Bucket+"?secure=false&region=us-east-1",
		"LABLET_OBJECT_STORE_ACCESS_KEY="+s3test.AccessKey, "LABLET_OBJECT_STORE_SECRET_KEY="+s3test.SecretKey)
	p := startServe(t, t.TempDir(), env)
	token := createToken(t, t.TempDir(), env, "api")
	createProject(t, p.base, token, "kept")
	upload := uploadFile(t, p.base, token, "root%2Fkept", "notes.txt", "uploaded bytes\n")
	secret := filepath.Base(filepath.Dir(upload)) // full_path is /-/project/ID/uploads/SECRET/notes.txt
	uploadPath := "/api/v4/projects/root%2Fkept/uploads/" + secret + "/notes.txt"
	if code, body := get(t, p.base+uploadPath, token); code != 200 || body != "uploaded bytes\n" {
		t.Fatalf("download = %d %q", code, body)
	}
	if keys := s3.Keys(t, "uploads/"); len(keys) != 1 {
		t.Fatalf("bucket's uploads = %v", keys)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "blobs")); err == nil {
		entries, _ := os.ReadDir(filepath.Join(dataDir, "blobs"))
		if len(entries) != 0 {
			t.Fatalf("data/blobs holds %v", entries)
		}
	}

	file := filepath.Join(t.TempDir(), "b.tar")
	r := runLablet(t, t.TempDir(), env, "backup", "create", "--to", file)
	if r.code == 0 || !strings.Contains(r.stderr, "object storage") || !strings.Contains(r.stderr, "--without-object-store") ||
		!strings.Contains(r.stderr, s3.Options.Endpoint+"/"+s3.Options.Bucket) {
		t.Fatalf("backup create with an object store: status %d, stderr %s", r.code, r.stderr)
	}
	if _, err := os.Stat(file); err == nil {
		t.Fatal("a refused backup left a file")
	}
	r = runLablet(t, t.TempDir(), env, "backup", "create", "--to", file, "--without-object-store")
	if r.code != 0 {
		t.Fatalf("backup create --without-object-store: status %d, stderr %s", r.code, r.stderr)
	}
	p.stop(t, os.Interrupt)

	// Restored beside the same bucket, the instance serves its blobs.
	restored := filepath.Join(t.TempDir(), "restored")
	renv, _ := instanceEnv(t, restored)
	renv = append(renv, env[len(env)-3:]...)
	if r := runLablet(t, t.TempDir(), renv, "backup", "restore", file); r.code != 0 || strings.Contains(r.stderr, "note:") {
		t.Fatalf("backup restore = %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	q := startServe(t, t.TempDir(), renv)
	if code, body := get(t, q.base+uploadPath, token); code != 200 || body != "uploaded bytes\n" {
		t.Fatalf("download from the restored instance = %d %q", code, body)
	}
	if out := p.output() + r.stderr; strings.Contains(out, s3test.SecretKey) || !strings.Contains(out, "object storage") {
		t.Fatalf("the secret key is logged, or the store is not: %s", out)
	}
}
