package packages_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGenericPackageFileDirectories: a file published under a directory
// (GitLab's "(*path/):file_name") is recorded as the URI-encoded
// "<path>/<file name>", downloads by the same path (or through the
// official client, which escapes the slashes), and stays apart from a
// file of the same name elsewhere. Traversal and absolute directories
// are refused before any write: those the router sees ("..", "%2e%2e",
// an escaped leading "/") route nowhere (404, as every lablet route);
// those hidden from it (double-encoded, backslashes, control characters)
// are GitLab's 400 "path should be a valid file path".
func TestGenericPackageFileDirectories(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	pid := f.Project.ID
	dc := s.Client(t, f.Developer.Token)
	put := func(path, body string) *labtest.Response {
		return s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: f.Developer.Token, RawBody: body,
			ContentType: "application/octet-stream"})
	}
	if r := put(genericPath(pid, "dirs", "1.0", "linux/amd64/tool"), "amd64 bytes"); r.Status != http.StatusCreated {
		t.Fatalf("publish = %d %s", r.Status, r.Body)
	}
	pf, _, err := dc.GenericPackages.PublishPackageFile(pid, "dirs", "1.0", "linux/arm64/tool", strings.NewReader("arm64 bytes"),
		&gitlab.PublishPackageFileOptions{Select: gitlab.Ptr(gitlab.SelectPackageFile)})
	if err != nil || pf.FileName != "linux%2Farm64%2Ftool" {
		t.Fatalf("publish through the client = %+v %v", pf, err)
	}
	if r := put(genericPath(pid, "dirs", "1.0", "tool"), "plain bytes"); r.Status != http.StatusCreated {
		t.Fatalf("publish = %d %s", r.Status, r.Body)
	}
	for path, want := range map[string]string{"linux/amd64/tool": "amd64 bytes", "linux/arm64/tool": "arm64 bytes", "tool": "plain bytes"} {
		r := s.Do(t, labtest.Request{Path: genericPath(pid, "dirs", "1.0", path), Token: f.Developer.Token})
		if r.Status != http.StatusOK || string(r.Body) != want {
			t.Fatalf("download %s = %d %q", path, r.Status, r.Body)
		}
		got, _, err := dc.GenericPackages.DownloadPackageFile(pid, "dirs", "1.0", path)
		if err != nil || !bytes.Equal(got, []byte(want)) {
			t.Fatalf("client download %s = %q %v", path, got, err)
		}
	}
	s.Do(t, labtest.Request{Path: genericPath(pid, "dirs", "1.0", "linux/tool"), Token: f.Developer.Token}).
		ExpectError(t, 404, `{"message":"404 Not Found"}`)
	pkgs, _, err := dc.Packages.ListProjectPackages(pid, &gitlab.ListProjectPackagesOptions{PackageName: gitlab.Ptr("dirs")})
	if err != nil || len(pkgs) != 1 {
		t.Fatalf("packages = %v %v", pkgs, err)
	}
	files, _, err := dc.Packages.ListPackageFiles(pid, pkgs[0].ID, nil)
	if err != nil || len(files) != 3 || files[0].FileName != "linux%2Famd64%2Ftool" || files[2].FileName != "tool" {
		t.Fatalf("package files = %+v %v", files, err)
	}

	const invalidPath = `{"error":"path should be a valid file path"}`
	for _, p := range []string{"a/%2e%2e/tool", "%2e%2e/tool", "a/..%2F..%2Fetc/tool", "%2Fetc/tool", "a/../tool"} {
		put(genericPath(pid, "hostile", "1.0", p), "x").ExpectError(t, 404, `{"error":"404 Not Found"}`)
	}
	for _, p := range []string{"%252e%252e/tool", "a/%252E%252E%252Fb/tool", "a/..%5C..%5Cetc/tool", "%252Fetc/tool", "a/%250A/tool"} {
		put(genericPath(pid, "hostile", "1.0", p), "x").ExpectError(t, 400, invalidPath)
		s.Do(t, labtest.Request{Path: genericPath(pid, "hostile", "1.0", p), Token: f.Developer.Token}).ExpectError(t, 400, invalidPath)
	}
	put(genericPath(pid, "hostile", "1.0", "dir/f%3Fx"), "x").ExpectError(t, 400, `{"error":"file_name is invalid"}`)
	put(genericPath(pid, "hostile", "1.0", strings.Repeat("directory/", 25)+"tool"), "x").ExpectError(t, 400, `{"error":"file_name is invalid"}`)
	if got, _, _ := dc.Packages.ListProjectPackages(pid, &gitlab.ListProjectPackagesOptions{PackageName: gitlab.Ptr("hostile")}); len(got) != 0 {
		t.Fatalf("a refused file left a package: %+v", got)
	}
	if n := len(packageBlobs(t, s, pid)); n != 3 {
		t.Fatalf("%d package blobs, want 3", n)
	}
}

// TestPackageLastDownloadedAt: a package's last_downloaded_at is null
// until a generic download, then the download's time (within the
// minute: a later download within a minute does not write it again).
func TestPackageLastDownloadedAt(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	pid := f.Project.ID
	dc := s.Client(t, f.Developer.Token)
	pf, _, err := dc.GenericPackages.PublishPackageFile(pid, "dl", "1.0", "a.bin", strings.NewReader("x"),
		&gitlab.PublishPackageFileOptions{Select: gitlab.Ptr(gitlab.SelectPackageFile)})
	if err != nil {
		t.Fatal(err)
	}
	one := func() (*gitlab.Package, error) {
		l, _, err := dc.Packages.ListProjectPackages(pid, nil)
		if err != nil || len(l) != 1 || l[0].ID != pf.PackageID {
			t.Fatalf("packages = %+v %v", l, err)
		}
		return l[0], err
	}
	pkg, err := one()
	if err != nil || pkg.LastDownloadedAt != nil {
		t.Fatalf("before any download: %+v %v", pkg, err)
	}
	if _, _, err := dc.GenericPackages.DownloadPackageFile(pid, "dl", "1.0", "a.bin"); err != nil {
		t.Fatal(err)
	}
	pkg, err = one()
	if err != nil || pkg.LastDownloadedAt == nil || time.Since(*pkg.LastDownloadedAt) > time.Minute {
		t.Fatalf("after a download: %+v %v", pkg, err)
	}
	first := *pkg.LastDownloadedAt
	if _, _, err := dc.GenericPackages.DownloadPackageFile(pid, "dl", "1.0", "a.bin"); err != nil {
		t.Fatal(err)
	}
	list, _, err := dc.Packages.ListProjectPackages(pid, nil)
	if err != nil || len(list) != 1 || list[0].LastDownloadedAt == nil || !list[0].LastDownloadedAt.Equal(first) {
		t.Fatalf("list after a second download: %+v %v", list, err)
	}
}
