package importexport_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/labtest"
	gitlab "gitlab.com/gitlab-org/api/client-go"
)

type entry struct {
	name, body string
	typ        byte
	link       string
}

func tarGz(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: e.name, Typeflag: typ, Mode: 0o600, Linkname: e.link}
		if typ == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil && typ == tar.TypeReg {
			t.Fatal(err)
		}
	}
	tw.Close()
	gz.Close()
	return b.Bytes()
}

// valid is a minimal archive with one issue, which the hostile cases
// spoil one way each.
func valid(extra ...entry) []entry {
	return append([]entry{{name: "VERSION", body: "0.2.4"}, {name: "tree/project.json", body: "{}"},
		{name: "tree/project/issues.ndjson", body: `{"iid":1,"title":"x","state":"opened","notes":[]}` + "\n"}}, extra...)
}

// bomb is a gzip of many zeros: small compressed, huge unpacked.
func bomb(t *testing.T) []byte {
	var b bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	const size = 1 << 40 // the header claims it; the check needs no more
	if err := tw.WriteHeader(&tar.Header{Name: "big", Typeflag: tar.TypeReg, Mode: 0o600, Size: size}); err != nil {
		t.Fatal(err)
	}
	tw.Write(make([]byte, 1<<20))
	tw.Flush()
	gz.Close()
	return b.Bytes()
}

// TestImportHostileArchives: each archive fails the import with an
// import_error; the project stays, in import_status failed, with no
// issue, and nothing lands outside the import's directory.
func TestImportHostileArchives(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	good := tarGz(t, valid()...)
	// Names an escape would write: beside the import's temporary
	// directory, and at an absolute path.
	escape := fmt.Sprintf("lablet-escape-%d", time.Now().UnixNano())
	escaped := []string{filepath.Join(os.TempDir(), escape), filepath.Join(os.TempDir(), escape+"-abs")}
	many := make([]entry, 0, 100_002)
	for i := 0; i < 100_001; i++ {
		many = append(many, entry{name: "./", typ: tar.TypeDir})
	}
	cases := []struct {
		name, want string
		archive    []byte
	}{
		{"truncated gzip", "damaged", good[:len(good)/2]},
		{"not gzip", "gzip", []byte("plain text")},
		{"dot dot", "unsafe entry", tarGz(t, valid(entry{name: "../" + escape, body: "x"})...)},
		{"nested dot dot", "unsafe entry", tarGz(t, valid(entry{name: "uploads/../../" + escape, body: "x"})...)},
		{"absolute", "unsafe entry", tarGz(t, valid(entry{name: escaped[1], body: "x"})...)},
		{"link then write through it", "not a file", tarGz(t, valid(entry{name: "uploads", typ: tar.TypeSymlink, link: os.TempDir()},
			entry{name: "uploads/" + escape, body: "x"})...)},
		{"symlink", "not a file", tarGz(t, valid(entry{name: "uploads", typ: tar.TypeSymlink, link: "/etc"})...)},
		{"hard link", "not a file", tarGz(t, valid(entry{name: "x", typ: tar.TypeLink, link: "/etc/passwd"})...)},
		{"bomb", "larger than allowed", bomb(t)},
		{"entries", "more than", tarGz(t, many...)},
		{"huge line", "longer than", tarGz(t, entry{name: "VERSION", body: "0.2.4"}, entry{name: "tree/project.json", body: "{}"},
			entry{name: "tree/project/issues.ndjson", body: `{"title":"` + strings.Repeat("a", 17<<20) + `"}`})},
		{"version", "Import version mismatch", tarGz(t, entry{name: "VERSION", body: "0.3.0"})},
		{"bad json", "issues.ndjson line 1", tarGz(t, entry{name: "VERSION", body: "0.2.4"}, entry{name: "tree/project.json", body: "{}"},
			entry{name: "tree/project/issues.ndjson", body: "{not json"})},
		{"duplicate iid after issues", "issue 1", tarGz(t, entry{name: "VERSION", body: "0.2.4"}, entry{name: "tree/project.json", body: "{}"},
			entry{name: "tree/project/issues.ndjson", body: `{"iid":1,"title":"a","notes":[]}` + "\n" + `{"iid":1,"title":"b","notes":[]}` + "\n"})},
	}
	for i, tc := range cases {
		imp, resp, err := root.ProjectImportExport.ImportFromFile(bytes.NewReader(tc.archive), &gitlab.ImportFileOptions{
			Path: gitlab.Ptr("hostile" + strconv.Itoa(i))})
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("%s: import = %v", tc.name, err)
		}
		st := waitImport(t, root, imp.ID)
		if st.ImportStatus != "failed" || !strings.Contains(st.ImportError, tc.want) {
			t.Errorf("%s: status %q error %q, want failed with %q", tc.name, st.ImportStatus, st.ImportError, tc.want)
		}
		if list, _, err := root.Issues.ListProjectIssues(imp.ID, nil); err != nil || len(list) != 0 {
			t.Errorf("%s: %d issues left (%v)", tc.name, len(list), err)
		}
	}
	for _, name := range escaped {
		if _, err := os.Lstat(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s written outside the import's directory (%v)", name, err)
		}
	}
	// The well-formed archive imports.
	imp, _, err := root.ProjectImportExport.ImportFromFile(bytes.NewReader(good), &gitlab.ImportFileOptions{Path: gitlab.Ptr("fine")})
	if err != nil {
		t.Fatal(err)
	}
	if st := waitImport(t, root, imp.ID); st.ImportStatus != "finished" {
		t.Fatalf("good archive: %+v", st)
	}
	// Bad requests: no file, no path; anonymous 401.
	if r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects/import", Token: s.RootToken, RawBody: "--x--\r\n",
		ContentType: "multipart/form-data; boundary=x"}); r.Status != http.StatusBadRequest {
		t.Fatalf("no file = %d %s", r.Status, r.Body)
	}
	if _, resp, err := root.ProjectImportExport.ImportFromFile(bytes.NewReader(good), &gitlab.ImportFileOptions{}); err == nil ||
		resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("no path = %v", err)
	}
}
