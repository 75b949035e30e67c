package server_test

import (
	"os"
	"path/filepath"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// TestSSHWiki: a project's wiki clones and takes pushes over SSH through
// the same service path as HTTP; a guest's push is refused in GitLab's
// words.
func TestSSHWiki(t *testing.T) {
	f := newSSHFixture(t)
	dc := f.s.Client(t, f.dev.Token)
	if _, _, err := dc.Wikis.CreateWikiPage(f.project.ID, &gitlab.CreateWikiPageOptions{Title: gitlab.Ptr("Home"),
		Content: gitlab.Ptr("hi")}); err != nil {
		t.Fatal(err)
	}
	url := "ssh://git@127.0.0.1:" + f.port + "/team/app.wiki.git"
	dev := f.as(f.userKey(f.dev, nil))
	w := dev.clone(url)
	if b, err := os.ReadFile(filepath.Join(w, "Home.md")); err != nil || string(b) != "hi" {
		t.Fatalf("wiki clone: %q, %v", b, err)
	}
	dev.commit(w, "Over-ssh.md", "pushed\n")
	dev.mustGit(w, "push", "-q", "origin", "HEAD")
	pg, _, err := dc.Wikis.GetWikiPage(f.project.ID, "Over-ssh", nil)
	if err != nil || pg.Title != "Over ssh" || pg.Content != "pushed\n" {
		t.Fatalf("pushed page = %+v, %v", pg, err)
	}
	reporter := f.as(f.userKey(f.reporter, nil))
	rw := reporter.clone(url)
	reporter.commit(rw, "r.md", "r\n")
	reporter.failGit("You are not allowed to write to this project's wiki.", rw, "push", "origin", "HEAD")
}
