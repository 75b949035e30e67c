package packages_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/blob/s3test"
	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// noRedirect is an HTTP client that reports redirects instead of
// following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestGenericPackageDownloadRedirects: with
// --object-store-proxy-download=false a generic package download answers
// 302 to a presigned URL of the object store, after the same checks (a
// caller who may not see the project gets 404, no URL); following it
// gives the bytes published, as an attachment under the file's name; the
// official client follows it too.
func TestGenericPackageDownloadRedirects(t *testing.T) {
	t.Parallel()
	s3 := s3test.Start(t)
	s := labtest.Start(t, labtest.WithObjectStore(s3.URL()), func(c *config.Config) { c.ObjectStoreProxyDownload = false })
	f := s.NewTeam(t)
	pid := f.Project.ID
	content := bytes.Repeat([]byte("package bytes "), 1000)
	dc := s.Client(t, f.Developer.Token)
	if _, _, err := dc.GenericPackages.PublishPackageFile(pid, "tool", "1.0", "bin/tool", bytes.NewReader(content), nil); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v4"+genericPath(pid, "tool", "1.0", "bin/tool"), nil)
	req.Header.Set("PRIVATE-TOKEN", f.Developer.Token)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.Contains(loc, "/"+s3.Options.Bucket+"/packages/") {
		t.Fatalf("download = %d to %q, want 302 to the object store", resp.StatusCode, loc)
	}
	if u, _ := url.Parse(loc); u.Query().Get("X-Amz-Signature") == "" {
		t.Fatalf("location %q is not presigned", loc)
	}
	got, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if got.StatusCode != http.StatusOK || !bytes.Equal(body, content) {
		t.Fatalf("object store answered %d with %d bytes", got.StatusCode, len(body))
	}
	viaClient, _, err := dc.GenericPackages.DownloadPackageFile(pid, "tool", "1.0", "bin/tool")
	if err != nil || !bytes.Equal(viaClient, content) {
		t.Fatalf("client download: %d bytes, %v", len(viaClient), err)
	}
	// An outsider gets no URL; a missing file neither.
	out := s.NewUser(t, "outsider-redirect")
	s.Do(t, labtest.Request{Path: genericPath(pid, "tool", "1.0", "bin/tool"), Token: out.Token}).
		ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	s.Do(t, labtest.Request{Path: genericPath(pid, "tool", "1.0", "bin/none"), Token: f.Developer.Token}).
		ExpectError(t, 404, `{"message":"404 Not Found"}`)
}
