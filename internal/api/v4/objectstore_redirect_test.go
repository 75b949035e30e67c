package v4_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/blob/s3test"
	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// redirectTo GETs url (with token, when not "") without following a
// redirect: it must be a 302 to a presigned URL of the bucket, whose
// answer (fetched without credentials) it returns.
func redirectTo(t *testing.T, s3 *s3test.Server, url, token string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("PRIVATE-TOKEN", token)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.Contains(loc, "/"+s3.Options.Bucket+"/") || !strings.Contains(loc, "X-Amz-Signature=") {
		t.Fatalf("GET %s = %d to %q, want 302 to a presigned URL", url, resp.StatusCode, loc)
	}
	return fetchAvatar(t, loc, "")
}

// TestUploadsRedirectToObjectStore: with
// --object-store-proxy-download=false, Markdown uploads (API by secret
// and by id, and the web path) and avatars answer 302 to a presigned URL
// of the object store serving the same bytes, after the same checks: a
// private project's upload stays 404 to an outsider, with no URL.
func TestUploadsRedirectToObjectStore(t *testing.T) {
	t.Parallel()
	s3 := s3test.Start(t)
	f := newUpFixture(t, labtest.WithObjectStore(s3.URL()), func(c *config.Config) { c.ObjectStoreProxyDownload = false })
	c := f.s.Client(t, f.dev.Token)
	content := bytes.Repeat([]byte("notes "), 500)
	up, _, err := c.ProjectMarkdownUploads.UploadProjectMarkdown(f.app.ID, bytes.NewReader(content), "notes.txt")
	if err != nil {
		t.Fatal(err)
	}
	secret, name, _ := strings.Cut(strings.TrimPrefix(up.URL, "/uploads/"), "/")
	for _, u := range []struct{ url, token string }{
		{f.s.URL + "/api/v4/projects/" + itoa(f.app.ID) + "/uploads/" + secret + "/" + name, ""},
		{f.s.URL + "/api/v4/projects/" + itoa(f.app.ID) + "/uploads/" + itoa(up.ID), f.maint.Token},
		{f.s.URL + "/grp/app/uploads/" + secret + "/" + name, ""},
	} {
		resp, body := redirectTo(t, s3, u.url, u.token)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, content) ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s through the object store = %d, %d bytes, %q", u.url, resp.StatusCode, len(body),
				resp.Header.Get("Content-Disposition"))
		}
	}
	// The official client follows the redirect.
	got, _, err := f.s.Client(t, "").ProjectMarkdownUploads.DownloadProjectMarkdownUploadBySecretAndFilename(f.app.ID, secret, name)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("client download: %d bytes, %v", len(got), err)
	}
	// A private project's upload: 404 for an outsider, no URL.
	priv, _, err := c.ProjectMarkdownUploads.UploadProjectMarkdown(f.secret.ID, strings.NewReader("hidden"), "h.txt")
	if err != nil {
		t.Fatal(err)
	}
	psecret, pname, _ := strings.Cut(strings.TrimPrefix(priv.URL, "/uploads/"), "/")
	f.s.Do(t, labtest.Request{Path: "/projects/" + itoa(f.secret.ID) + "/uploads/" + psecret + "/" + pname,
		Token: f.outsider.Token}).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)

	// An avatar.
	u, _, err := c.Users.UploadAvatar(bytes.NewReader(pngAvatar(t)), "me.png")
	if err != nil {
		t.Fatal(err)
	}
	resp, body := redirectTo(t, s3, u.AvatarURL, "")
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, pngAvatar(t)) || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("avatar through the object store = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
