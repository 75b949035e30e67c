package runner

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// entry is one member of a test archive.
type entry struct {
	name, body string
	mode       fs.FileMode
}

func makeZip(t *testing.T, entries ...entry) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "a.zip")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, e.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return file
}

func TestExtractZipRefusesHostileArchives(t *testing.T) {
	cases := map[string][]entry{
		"absolute path":           {{name: "/tmp/evil", body: "x"}},
		"parent path":             {{name: "../evil", body: "x"}},
		"parent inside":           {{name: "a/../../evil", body: "x"}},
		"absolute link":           {{name: "l", body: "/etc", mode: fs.ModeSymlink | 0o777}},
		"link climbing out":       {{name: "d/l", body: "../../etc", mode: fs.ModeSymlink | 0o777}},
		"link descending then up": {{name: "l", body: "b/..", mode: fs.ModeSymlink | 0o777}},
		"write through link": {
			{name: "l", body: ".", mode: fs.ModeSymlink | 0o777},
			{name: "l/../evil", body: "x"},
		},
		"link under a link": {
			{name: "d", body: ".", mode: fs.ModeSymlink | 0o777},
			{name: "d/l", body: "../escape", mode: fs.ModeSymlink | 0o777},
		},
	}
	for name, entries := range cases {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "build")
			os.Mkdir(dir, 0o700)
			err := extractZip(makeZip(t, entries...), dir)
			if err == nil {
				t.Fatal("extracted a hostile archive")
			}
			// Nothing landed next to the build directory.
			list, _ := os.ReadDir(parent)
			if len(list) != 1 {
				t.Errorf("files outside the directory: %v", list)
			}
		})
	}
}

// A link the project already has that points outside is not written
// through: the os.Root refuses to follow it.
func TestExtractZipDoesNotWriteThroughExistingLinks(t *testing.T) {
	outside := t.TempDir()
	dir := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	err := extractZip(makeZip(t, entry{name: "out/passwd", body: "x"}), dir)
	if err == nil {
		t.Error("wrote through a link to outside")
	}
	if _, err := os.Stat(filepath.Join(outside, "passwd")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("file written outside: %v", err)
	}
}

func TestExtractZipSizeLimit(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("z", 10_000) // compresses to almost nothing
	err := extractZipLimit(makeZip(t, entry{name: "a", body: big}, entry{name: "b", body: big}), dir, 15_000)
	if err == nil || !strings.Contains(err.Error(), "more than 15000 bytes") {
		t.Errorf("err = %v, want the size limit", err)
	}
}

func TestZipRoundTrip(t *testing.T) {
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "bin", "sub"), 0o755)
	os.WriteFile(filepath.Join(src, "bin", "sub", "tool"), []byte("#!/bin/sh\n"), 0o755)
	os.WriteFile(filepath.Join(src, "bin", "a.txt"), []byte("a"), 0o644)
	os.Symlink("sub/tool", filepath.Join(src, "bin", "link"))
	os.Symlink("/etc/passwd", filepath.Join(src, "bin", "abs")) // stored as a link, refused on the way in
	var buf bytes.Buffer
	if err := writeZip(&buf, src, []string{"bin", "bin/a.txt", "bin/link", "bin/sub", "bin/sub/tool"}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "x.zip")
	os.WriteFile(file, buf.Bytes(), 0o600)
	dst := t.TempDir()
	if err := extractZip(file, dst); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dst, "bin", "sub", "tool"))
	if err != nil || info.Mode().Perm()&0o100 == 0 {
		t.Errorf("tool: %v, %v", info, err)
	}
	if target, err := os.Readlink(filepath.Join(dst, "bin", "link")); err != nil || target != "sub/tool" {
		t.Errorf("link: %q, %v", target, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "bin", "a.txt")); string(b) != "a" {
		t.Errorf("a.txt = %q", b)
	}
}

func TestWriteGzipOneMemberPerFile(t *testing.T) {
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "a.xml"), []byte("<a/>"), 0o644)
	os.WriteFile(filepath.Join(src, "b.xml"), []byte("<b/>"), 0o644)
	var buf bytes.Buffer
	if err := writeGzip(&buf, src, []string{"a.xml", "b.xml"}); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false)
	var names, bodies []string
	for {
		b, _ := io.ReadAll(zr)
		names, bodies = append(names, zr.Name), append(bodies, string(b))
		if err := zr.Reset(&buf); err == io.EOF {
			break
		}
		zr.Multistream(false)
	}
	if strings.Join(names, ",") != "a.xml,b.xml" || strings.Join(bodies, "") != "<a/><b/>" {
		t.Errorf("members %v %v", names, bodies)
	}
}
