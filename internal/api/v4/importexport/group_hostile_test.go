package importexport_test

import (
	"archive/tar"
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

// validGroup is a minimal group archive, a root and one subgroup with a
// label, which the hostile cases spoil one way each.
func validGroup(extra ...entry) []entry {
	return append([]entry{{name: "VERSION", body: "0.2.4"}, {name: "tree/groups/_all.ndjson", body: "1\n2\n"},
		{name: "tree/groups/1.json", body: `{"id":1,"name":"r","path":"r"}`},
		{name: "tree/groups/2.json", body: `{"id":2,"name":"Child","path":"child","parent_id":1}`},
		{name: "tree/groups/2/labels.ndjson", body: `{"title":"l","color":"#00ff00"}` + "\n"}}, extra...)
}

// withAll is validGroup with _all.ndjson listing all, and extra.
func withAll(all string, extra ...entry) []entry {
	es := validGroup(extra...)
	es[1].body = all
	return es
}

// TestGroupImportHostileArchives: each damaged or hostile archive is
// refused with 400 and its reason, no group is left at the path (the
// root and subgroups go in one transaction), and nothing lands outside
// the import's directory.
func TestGroupImportHostileArchives(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	good := tarGz(t, validGroup()...)
	escape := fmt.Sprintf("lablet-gescape-%d", time.Now().UnixNano())
	escaped := filepath.Join(os.TempDir(), escape)
	head := []entry{{name: "VERSION", body: "0.2.4"}, {name: "tree/groups/_all.ndjson", body: "1\n"},
		{name: "tree/groups/1.json", body: `{"id":1}`}}
	cases := []struct {
		name, want string
		archive    []byte
	}{
		{"truncated gzip", "damaged", good[:len(good)/2]},
		{"not gzip", "gzip", []byte("plain text")},
		{"dot dot", "unsafe entry", tarGz(t, validGroup(entry{name: "../" + escape, body: "x"})...)},
		{"absolute", "unsafe entry", tarGz(t, validGroup(entry{name: escaped + "-abs", body: "x"})...)},
		{"symlink", "not a file", tarGz(t, validGroup(entry{name: "tree/groups/3", typ: tar.TypeSymlink, link: "/etc"})...)},
		{"hard link", "not a file", tarGz(t, validGroup(entry{name: "x", typ: tar.TypeLink, link: "/etc/passwd"})...)},
		{"bomb", "larger than allowed", bomb(t)},
		{"huge line", "longer than", tarGz(t, append(head, entry{name: "tree/groups/1/labels.ndjson",
			body: `{"title":"` + strings.Repeat("a", 17<<20) + `"}`})...)},
		{"version", "Import version mismatch", tarGz(t, entry{name: "VERSION", body: "0.2.5"})},
		{"no version", "no VERSION", tarGz(t, entry{name: "tree/groups/_all.ndjson", body: "1\n"})},
		{"no tree", "_all.ndjson", tarGz(t, entry{name: "VERSION", body: "0.2.4"})},
		{"bad ids", "_all.ndjson line 1", tarGz(t, entry{name: "VERSION", body: "0.2.4"}, entry{name: "tree/groups/_all.ndjson", body: "\"x\"\n"})},
		{"id mismatch", "Invalid group_id", tarGz(t, entry{name: "VERSION", body: "0.2.4"},
			entry{name: "tree/groups/_all.ndjson", body: "1\n"}, entry{name: "tree/groups/1.json", body: `{"id":5}`})},
		{"orphan", "Parent group not found", tarGz(t, withAll("1\n2\n3\n",
			entry{name: "tree/groups/3.json", body: `{"id":3,"name":"o","path":"o","parent_id":9}`})...)},
		{"bad subgroup path", "path", tarGz(t, withAll("1\n2\n4\n",
			entry{name: "tree/groups/4.json", body: `{"id":4,"name":"Bad","path":"bad path!","parent_id":2}`})...)},
		{"duplicate subgroup", "has already been taken", tarGz(t, withAll("1\n2\n5\n",
			entry{name: "tree/groups/5.json", body: `{"id":5,"name":"Child","path":"child","parent_id":1}`})...)},
	}
	for i, tc := range cases {
		path := "hostile" + strconv.Itoa(i)
		file := filepath.Join(t.TempDir(), "a.tar.gz")
		if err := os.WriteFile(file, tc.archive, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := root.GroupImportExport.ImportFile(&gitlab.GroupImportFileOptions{Name: gitlab.Ptr(path), Path: gitlab.Ptr(path),
			File: gitlab.Ptr(file)})
		var er *gitlab.ErrorResponse
		if !errors.As(err, &er) || er.Response.StatusCode != http.StatusBadRequest || !strings.Contains(er.Message, tc.want) {
			t.Errorf("%s: import = %v, want 400 with %q", tc.name, err, tc.want)
		}
		if _, resp, _ := root.Groups.GetGroup(path, nil); resp == nil || resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: a group is left at %s", tc.name, path)
		}
	}
	for _, name := range []string{escaped, escaped + "-abs"} {
		if _, err := os.Lstat(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s written outside the import's directory (%v)", name, err)
		}
	}
	// The well-formed archive imports, the subgroup with its label.
	file := filepath.Join(t.TempDir(), "good.tar.gz")
	if err := os.WriteFile(file, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := root.GroupImportExport.ImportFile(&gitlab.GroupImportFileOptions{Name: gitlab.Ptr("Fine"),
		Path: gitlab.Ptr("fine"), File: gitlab.Ptr(file)}); err != nil {
		t.Fatal(err)
	}
	labels, _, err := root.GroupLabels.ListGroupLabels("fine/child", nil)
	if err != nil || len(labels) != 1 || labels[0].Name != "l" {
		t.Fatalf("fine/child labels = %v, %v", labels, err)
	}
}
