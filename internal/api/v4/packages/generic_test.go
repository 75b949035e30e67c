package packages_test

import (
	"bytes"
	"context"
	"crypto/md5"  //nolint:gosec // GitLab's recorded checksum
	"crypto/sha1" //nolint:gosec // GitLab's recorded checksum
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

func hexSum(h interface{ Sum([]byte) []byte }) string { return hex.EncodeToString(h.Sum(nil)) }

// TestGenericPackagesLifecycle: a Developer publishes generic package
// files through the official client (GitLab's default answer, then the
// package file with select=package_file); a repeated file name is allowed
// and downloads take the newest; checksums are recorded; the packages
// API lists, filters, pages and shows them in the project and its group;
// a Maintainer deletes a file and then the package, and their blobs go.
func TestGenericPackagesLifecycle(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	pid := f.Project.ID
	dc := s.Client(t, f.Developer.Token)
	mc := s.Client(t, f.Maintainer.Token)

	first, resp, err := dc.GenericPackages.PublishPackageFile(pid, "tool", "1.0.0", "tool.bin", strings.NewReader("v1 bytes"), nil)
	if err != nil || resp.StatusCode != http.StatusCreated || first.ID != 0 {
		t.Fatalf("publish: %+v %v", first, err)
	}
	raw := s.Do(t, labtest.Request{Method: "PUT", Path: genericPath(pid, "tool", "1.0.0", "notes.txt"),
		Token: f.Developer.Token, RawBody: "notes", ContentType: "text/plain"})
	if raw.Status != http.StatusCreated || strings.TrimSpace(string(raw.Body)) != `{"message":"201 Created"}` {
		t.Fatalf("publish answer = %d %s", raw.Status, raw.Body)
	}
	content := []byte("v2 bytes, newer")
	pf, resp, err := dc.GenericPackages.PublishPackageFile(pid, "tool", "1.0.0", "tool.bin", bytes.NewReader(content),
		&gitlab.PublishPackageFileOptions{Select: gitlab.Ptr(gitlab.SelectPackageFile)})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("publish again: %v", err)
	}
	m5, s1, s256 := md5.Sum(content), sha1.Sum(content), sha256.Sum256(content) //nolint:gosec
	if pf.ID == 0 || pf.PackageID == 0 || pf.FileName != "tool.bin" || pf.Size != int64(len(content)) ||
		pf.FileMD5 != hex.EncodeToString(m5[:]) || pf.FileSHA1 != hex.EncodeToString(s1[:]) ||
		pf.FileSHA256 != hex.EncodeToString(s256[:]) || pf.CreatedAt == nil {
		t.Fatalf("package file = %+v", pf)
	}
	got, resp, err := dc.GenericPackages.DownloadPackageFile(pid, "tool", "1.0.0", "tool.bin")
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("download = %q %v, want the newest file", got, err)
	}
	if resp.Header.Get("X-Checksum-SHA256") != pf.FileSHA256 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download headers = %v", resp.Header)
	}
	// A hidden package stays out of lists unless asked for; downloads find it.
	if _, _, err := dc.GenericPackages.PublishPackageFile(pid, "secret", "2.0", "s.bin", strings.NewReader("s"),
		&gitlab.PublishPackageFileOptions{Status: gitlab.Ptr(gitlab.PackageHidden)}); err != nil {
		t.Fatal(err)
	}
	if b, _, err := dc.GenericPackages.DownloadPackageFile(pid, "secret", "2.0", "s.bin"); err != nil || string(b) != "s" {
		t.Fatalf("hidden download = %q %v", b, err)
	}
	if _, _, err := dc.GenericPackages.PublishPackageFile(pid, "alpha", "0.1", "a.bin", strings.NewReader("a"), nil); err != nil {
		t.Fatal(err)
	}

	list, resp, err := dc.Packages.ListProjectPackages(pid, nil)
	if err != nil || len(list) != 2 || list[0].Name != "tool" || list[1].Name != "alpha" || resp.TotalItems != 2 {
		t.Fatalf("list = %+v %v", list, err)
	}
	tool := list[0]
	if tool.ID != pf.PackageID || tool.Version != "1.0.0" || tool.PackageType != "generic" || tool.Status != "default" ||
		tool.Links == nil || tool.Links.WebPath != "/team/app/-/packages/"+itoa(tool.ID) || tool.Links.DeleteAPIPath != "" ||
		tool.CreatedAt == nil || tool.Tags == nil {
		t.Errorf("package = %+v %+v (a Developer may not delete: no delete_api_path)", tool, tool.Links)
	}
	mlist, _, err := mc.Packages.ListProjectPackages(pid, &gitlab.ListProjectPackagesOptions{OrderBy: gitlab.Ptr("name"),
		Sort: gitlab.Ptr("desc"), ListOptions: gitlab.ListOptions{PerPage: 1}})
	if err != nil || len(mlist) != 1 || mlist[0].Name != "tool" ||
		mlist[0].Links.DeleteAPIPath != s.URL+"/api/v4/projects/"+itoa(pid)+"/packages/"+itoa(tool.ID) {
		t.Fatalf("ordered page = %+v %v", mlist, err)
	}
	for _, c := range []struct {
		opt  gitlab.ListProjectPackagesOptions
		want string
	}{
		{gitlab.ListProjectPackagesOptions{PackageName: gitlab.Ptr("LPH")}, "alpha"},
		{gitlab.ListProjectPackagesOptions{PackageVersion: gitlab.Ptr("1.0.0")}, "tool"},
		{gitlab.ListProjectPackagesOptions{Status: gitlab.Ptr("hidden")}, "secret"},
		{gitlab.ListProjectPackagesOptions{PackageType: gitlab.Ptr("npm")}, ""},
	} {
		l, _, err := dc.Packages.ListProjectPackages(pid, &c.opt)
		names := []string{}
		for _, p := range l {
			names = append(names, p.Name)
		}
		if err != nil || strings.Join(names, ",") != c.want {
			t.Errorf("filter %+v = %v %v, want %q", c.opt, names, err, c.want)
		}
	}
	s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/packages?order_by=size", Token: f.Developer.Token}).
		ExpectError(t, 400, `{"error":"order_by does not have a valid value"}`)

	var one gitlab.Package
	s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/packages/" + itoa(tool.ID), Token: f.Developer.Token}).JSON(t, &one)
	if one.Name != "tool" || one.ID != tool.ID {
		t.Fatalf("get = %+v", one)
	}
	files, _, err := dc.Packages.ListPackageFiles(pid, tool.ID, nil)
	if err != nil || len(files) != 3 || files[0].FileName != "tool.bin" || files[2].ID != pf.ID || files[2].FileSHA256 != pf.FileSHA256 {
		t.Fatalf("files = %+v %v", files, err)
	}
	groupList, _, err := dc.Packages.ListGroupPackages(f.Group.ID, nil)
	if err != nil || len(groupList) != 2 || groupList[0].ProjectID != pid || groupList[0].ProjectPath != "team/app" {
		t.Fatalf("group list = %+v %v", groupList, err)
	}

	if resp, err := dc.Packages.DeletePackageFile(pid, tool.ID, pf.ID); resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("Developer deletes a file: %v", err)
	}
	before := len(packageBlobs(t, s, pid))
	if resp, err := mc.Packages.DeletePackageFile(pid, tool.ID, pf.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete file: %v", err)
	}
	if n := len(packageBlobs(t, s, pid)); n != before-1 {
		t.Errorf("blobs after deleting a file: %d, want %d", n, before-1)
	}
	// The older file of that name is the download now.
	if b, _, err := dc.GenericPackages.DownloadPackageFile(pid, "tool", "1.0.0", "tool.bin"); err != nil || string(b) != "v1 bytes" {
		t.Errorf("download after delete = %q %v", b, err)
	}
	if resp, err := mc.Packages.DeletePackageFile(pid, tool.ID, pf.ID); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("delete a deleted file: %v", err)
	}
	if resp, err := mc.Packages.DeleteProjectPackage(pid, tool.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete package: %v", err)
	}
	if n := len(packageBlobs(t, s, pid)); n != before-3 {
		t.Errorf("blobs after deleting the package: %d, want %d", n, before-3)
	}
	if _, resp, _ := dc.GenericPackages.DownloadPackageFile(pid, "tool", "1.0.0", "tool.bin"); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("download of a deleted package: %v", resp)
	}
	for _, path := range []string{"/packages/" + itoa(tool.ID), "/packages/" + itoa(tool.ID) + "/package_files", "/packages/99999"} {
		s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + path, Token: f.Developer.Token}).
			ExpectError(t, 404, `{"message":"404 Not Found"}`)
	}

	// The project's deletion takes its packages' blobs.
	if _, err := s.Client(t, s.RootToken).Projects.DeleteProject(pid, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Srv.Service.PurgeDeletedProjects(context.Background()); err != nil {
		t.Fatal(err)
	}
	if left := packageBlobs(t, s, pid); len(left) != 0 {
		t.Errorf("package blobs left after the project's deletion: %v", left)
	}
}

// TestGenericPackagesRefused: names, versions and file names GitLab's
// regexes refuse are 400, as are bad statuses; unknown packages and files
// are 404; a file over the size limit is 400 "File is too large" and
// leaves neither row nor blob.
func TestGenericPackagesRefused(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.MaxGenericPackageSize = 1024 })
	f := s.NewTeam(t)
	pid := f.Project.ID
	put := func(path, body string) *labtest.Response {
		return s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: f.Developer.Token, RawBody: body,
			ContentType: "application/octet-stream"})
	}
	for _, c := range []struct{ name, version, file, want string }{
		{"bad%20name", "1.0", "f", `{"error":"package_name is invalid"}`},
		{"n", "1..0", "f", `{"error":"package_version is invalid"}`},
		{"n", "1.0", "f%3Fx", `{"error":"file_name is invalid"}`},
		{"n", "1.0", "%C3%A9", `{"error":"file_name is invalid"}`},
		{"n", "1%201", "f", `{"error":"package_version is invalid"}`},
	} {
		put(genericPath(pid, c.name, c.version, c.file), "x").ExpectError(t, 400, c.want)
		s.Do(t, labtest.Request{Path: genericPath(pid, c.name, c.version, c.file), Token: f.Developer.Token}).ExpectError(t, 400, c.want)
	}
	put(genericPath(pid, "n", "1.0", "f")+"?status=gone", "x").ExpectError(t, 400, `{"error":"status does not have a valid value"}`)
	put(genericPath(pid, "n", "1.0", "f")+"?select=all", "x").ExpectError(t, 400, `{"error":"select does not have a valid value"}`)
	put(genericPath(pid, "n", "1.0", "big"), strings.Repeat("x", 1025)).ExpectError(t, 400, `{"message":"400 Bad request - File is too large"}`)
	// A body of unannounced length is cut at the limit all the same.
	req, _ := http.NewRequest("PUT", s.URL+"/api/v4"+genericPath(pid, "n", "1.0", "chunked"), struct{ *strings.Reader }{strings.NewReader(strings.Repeat("y", 4096))})
	req.Header.Set("PRIVATE-TOKEN", f.Developer.Token)
	req.ContentLength = -1
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("chunked too large: %v %v", resp, err)
	}
	if left := packageBlobs(t, s, pid); len(left) != 0 {
		t.Errorf("blobs left by refused uploads: %v", left)
	}
	if l, _, err := s.Client(t, f.Developer.Token).Packages.ListProjectPackages(pid, nil); err != nil || len(l) != 0 {
		t.Errorf("packages after refused uploads: %+v %v", l, err)
	}
	put(genericPath(pid, "n", "1.0", "f"), "x")
	for _, p := range []string{genericPath(pid, "n", "1.0", "other"), genericPath(pid, "n", "2.0", "f"), genericPath(pid, "m", "1.0", "f")} {
		s.Do(t, labtest.Request{Path: p, Token: f.Developer.Token}).ExpectError(t, 404, `{"message":"404 Not Found"}`)
	}
	s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/packages/abc", Token: f.Developer.Token}).
		ExpectError(t, 400, `{"error":"package_id is invalid"}`)
}
