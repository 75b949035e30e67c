package server_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/service"
)

// newDeployToken creates a deploy token of project pid as its Maintainer.
func newDeployToken(t *testing.T, f *gitFixture, pid int64, expires *time.Time, scopes ...string) *gitlab.DeployToken {
	t.Helper()
	dt, _, err := f.s.Client(t, f.maint.Token).DeployTokens.CreateProjectDeployToken(pid, &gitlab.CreateProjectDeployTokenOptions{
		Name: gitlab.Ptr("deploy"), ExpiresAt: expires, Scopes: &scopes})
	if err != nil {
		t.Fatal(err)
	}
	return dt
}

// TestDeployTokenGit drives git over HTTP with project deploy tokens: a
// read_repository token clones its private project under its own
// username, never pushes, reaches no other project, and stops working
// once expired or revoked.
func TestDeployTokenGit(t *testing.T) {
	f := newGitFixture(t)
	const path = "team/app.git"
	dt := newDeployToken(t, f, f.project.ID, nil, "read_repository")

	dir := f.clone(f.url(dt.Username, dt.Token, path))
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Fatalf("clone has no README: %v", err)
	}
	f.mustGit(dir, "fetch", "-q", "origin")
	// Pushing takes a scope deploy tokens do not have.
	f.commit(dir, "deploy.txt", "x\n")
	f.failGit(service.MsgGitAuthUpload, dir, "push", "-q", "origin", "HEAD:from-token")
	if r := f.status(path, "git-receive-pack", dt.Username, dt.Token); r.StatusCode != http.StatusForbidden {
		t.Fatalf("push advertisement = %d", r.StatusCode)
	}

	// The username must be the token's own.
	if r := f.status(path, "git-upload-pack", "someone", dt.Token); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong username = %d", r.StatusCode)
	}
	// Another project, even one the token's creator maintains, is out of reach.
	root := f.s.Client(t, f.s.RootToken)
	other, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Other"),
		NamespaceID: gitlab.Ptr(f.project.Namespace.ID), InitializeWithReadme: gitlab.Ptr(true),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	if r := f.status(other.PathWithNamespace+".git", "git-upload-pack", dt.Username, dt.Token); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("other project = %d", r.StatusCode)
	}
	// A token without read_repository does not fetch.
	registry := newDeployToken(t, f, f.project.ID, nil, "read_registry")
	f.failGit(service.MsgGitAuthDownload, "", "clone", "-q", f.url(registry.Username, registry.Token, path), filepath.Join(t.TempDir(), "r"))
	if r := f.status(path, "git-upload-pack", "x", "gldt-unknown"); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown token = %d", r.StatusCode)
	}
	// Deploy tokens are no REST API credentials.
	if r := f.s.Do(t, labtest.Request{Path: "/projects/" + gitlabID(f.project.ID), Token: dt.Token}); r.Status != http.StatusUnauthorized {
		t.Fatalf("REST with a deploy token = %d", r.Status)
	}

	// Expired: refused.
	past := time.Now().UTC().Add(-time.Minute)
	expired := newDeployToken(t, f, f.project.ID, &past, "read_repository")
	if r := f.status(path, "git-upload-pack", expired.Username, expired.Token); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("expired token = %d", r.StatusCode)
	}
	// Revoked (the settings page's action; the API only deletes): refused.
	maint := &auth.Identity{User: f.maint.User, Owner: f.maint.User}
	if err := f.s.Srv.Service.RevokeDeployToken(context.Background(), maint,
		service.DeployTokenHolder{Ref: gitlabID(f.project.ID)}, dt.ID); err != nil {
		t.Fatal(err)
	}
	if r := f.status(path, "git-upload-pack", dt.Username, dt.Token); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked token = %d", r.StatusCode)
	}
	got, _, err := f.s.Client(t, f.maint.Token).DeployTokens.GetProjectDeployToken(f.project.ID, dt.ID)
	if err != nil || !got.Revoked {
		t.Fatalf("revoked token reads %+v, %v", got, err)
	}
	// Deleted: refused too.
	fresh := newDeployToken(t, f, f.project.ID, nil, "read_repository")
	if _, err := f.s.Client(t, f.maint.Token).DeployTokens.DeleteProjectDeployToken(f.project.ID, fresh.ID); err != nil {
		t.Fatal(err)
	}
	if r := f.status(path, "git-upload-pack", fresh.Username, fresh.Token); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("deleted token = %d", r.StatusCode)
	}
}

// TestGroupDeployTokenGit: a group's deploy token clones the private
// projects of the group and of its subgroups, and nothing outside it.
func TestGroupDeployTokenGit(t *testing.T) {
	f := newGitFixture(t)
	root := f.s.Client(t, f.s.RootToken)
	groupID := f.project.Namespace.ID
	sub, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Sub"), Path: gitlab.Ptr("sub"),
		ParentID: gitlab.Ptr(groupID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	deep, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Deep"),
		NamespaceID: gitlab.Ptr(sub.ID), InitializeWithReadme: gitlab.Ptr(true), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	outside, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Elsewhere"), Path: gitlab.Ptr("elsewhere"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	far, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Far"),
		NamespaceID: gitlab.Ptr(outside.ID), InitializeWithReadme: gitlab.Ptr(true), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	gt, _, err := root.DeployTokens.CreateGroupDeployToken(groupID, &gitlab.CreateGroupDeployTokenOptions{
		Name: gitlab.Ptr("group"), Username: gitlab.Ptr("fleet"), Scopes: &[]string{"read_repository"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"team/app.git", deep.PathWithNamespace + ".git"} {
		dir := f.clone(f.url("fleet", gt.Token, p))
		if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
			t.Fatalf("%s: clone has no README: %v", p, err)
		}
	}
	if r := f.status(far.PathWithNamespace+".git", "git-upload-pack", "fleet", gt.Token); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("project outside the group = %d", r.StatusCode)
	}
	if r := f.status(deep.PathWithNamespace+".git", "git-receive-pack", "fleet", gt.Token); r.StatusCode != http.StatusForbidden {
		t.Fatalf("group token push = %d", r.StatusCode)
	}
}
