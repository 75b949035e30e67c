package server_test

import (
	"net/http"
	"strconv"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/service"
)

// newResourceToken creates a project access token through the API as the
// project's Maintainer and returns its text.
func newResourceToken(t *testing.T, f *gitFixture, level gitlab.AccessLevelValue, scopes ...string) string {
	t.Helper()
	tok, _, err := f.s.Client(t, f.maint.Token).ProjectAccessTokens.CreateProjectAccessToken(f.project.ID,
		&gitlab.CreateProjectAccessTokenOptions{Name: gitlab.Ptr("ci"), Scopes: &scopes, AccessLevel: gitlab.Ptr(level)})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Token
}

// TestProjectAccessTokenGit drives git with project access tokens as
// passwords: the bot's role and the token's scopes decide, as for people.
func TestProjectAccessTokenGit(t *testing.T) {
	f := newGitFixture(t)
	path := "team/app.git"

	dev := newResourceToken(t, f, gitlab.DeveloperPermissions, "api")
	dir := f.clone(f.url("bot", dev, path))
	f.mustGit(dir, "checkout", "-q", "-b", "feature")
	f.commit(dir, "feature.txt", "from a bot\n")
	f.mustGit(dir, "push", "-q", "origin", "feature")
	// The protected default branch still takes a Maintainer.
	f.commit(dir, "more.txt", "x\n")
	f.failGit(service.MsgGitPushProtectedBranch, dir, "push", "-q", "origin", "HEAD:main")
	// The same token works on its project's REST API.
	if resp := f.s.Do(t, labtest.Request{Path: "/projects/" + gitlabID(f.project.ID), Token: dev}); resp.Status != http.StatusOK {
		t.Fatalf("project with developer token = %d %s", resp.Status, resp.Body)
	}

	reporter := newResourceToken(t, f, gitlab.ReporterPermissions, "api")
	dir = f.clone(f.url("bot", reporter, path))
	f.commit(dir, "r.txt", "x\n")
	f.failGit(service.MsgGitPushNotAllowed, dir, "push", "-q", "origin", "HEAD:reporter-branch")

	readOnly := newResourceToken(t, f, gitlab.DeveloperPermissions, "read_repository")
	dir = f.clone(f.url("oauth2", readOnly, path))
	f.commit(dir, "ro.txt", "x\n")
	f.failGit(service.MsgGitPushNotAllowed, dir, "push", "-q", "origin", "HEAD:ro-branch")
	resp := f.s.Do(t, labtest.Request{Path: "/projects/" + gitlabID(f.project.ID), Token: readOnly})
	if resp.Status != http.StatusForbidden || resp.Map(t)["error"] != "insufficient_scope" {
		t.Fatalf("REST with read_repository = %d %s", resp.Status, resp.Body)
	}

	// Another private project is out of reach, over git and REST alike.
	root := f.s.Client(t, f.s.RootToken)
	other, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Other"),
		InitializeWithReadme: gitlab.Ptr(true), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	if r := f.status(other.PathWithNamespace+".git", "git-upload-pack", "bot", dev); r.StatusCode != http.StatusNotFound {
		t.Fatalf("other project over git = %d", r.StatusCode)
	}
	if r := f.s.Do(t, labtest.Request{Path: "/projects/" + gitlabID(other.ID), Token: dev}); r.Status != http.StatusNotFound {
		t.Fatalf("other project over REST = %d", r.Status)
	}

	// A revoked token no longer clones.
	tokens, _, err := f.s.Client(t, f.maint.Token).ProjectAccessTokens.ListProjectAccessTokens(f.project.ID, nil)
	if err != nil || len(tokens) != 3 {
		t.Fatalf("tokens = %d, %v", len(tokens), err)
	}
	if _, err := f.s.Client(t, f.maint.Token).ProjectAccessTokens.RevokeProjectAccessToken(f.project.ID, tokens[0].ID); err != nil {
		t.Fatal(err)
	}
	if r := f.status(path, "git-upload-pack", "bot", dev); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked token over git = %d", r.StatusCode)
	}
}

// gitlabID is a numeric id as a path segment.
func gitlabID(id int64) string { return strconv.FormatInt(id, 10) }
