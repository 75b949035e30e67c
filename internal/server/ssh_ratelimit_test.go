package server_test

import (
	"fmt"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestSSHOperationRateLimit: git commands over SSH are limited per minute
// by gitlab_shell_operation_limit, per actor and per address, for each
// project and command, as GitLab's internal API limits gitlab-shell; 0
// turns the limit off.
func TestSSHOperationRateLimit(t *testing.T) {
	f := newSSHFixture(t)
	setLimit := func(v string) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: "PUT", Path: "/application/settings?gitlab_shell_operation_limit=" + v,
			Token: f.s.RootToken})
	}
	var settings struct {
		Limit int64 `json:"gitlab_shell_operation_limit"`
	}
	f.s.Do(t, labtest.Request{Path: "/application/settings", Token: f.s.RootToken}).JSON(t, &settings)
	if settings.Limit != 600 {
		t.Fatalf("default gitlab_shell_operation_limit = %d, want GitLab's 600", settings.Limit)
	}
	if r := setLimit("-1"); r.Status != 400 {
		t.Fatalf("a negative limit: %d %s", r.Status, r.Body)
	}
	if r := setLimit("2"); r.Status != 200 {
		t.Fatalf("set the limit: %d %s", r.Status, r.Body)
	}
	other, _, err := f.s.Client(t, f.s.RootToken).Projects.CreateProject(&gitlab.CreateProjectOptions{
		Name: gitlab.Ptr("Other"), NamespaceID: gitlab.Ptr(f.project.Namespace.ID), InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.Client(t, f.s.RootToken).ProjectMembers.AddProjectMember(other.ID, &gitlab.AddProjectMemberOptions{
		UserID: f.dev.ID, AccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)}); err != nil {
		t.Fatal(err)
	}
	dev, rita := f.as(f.userKey(f.dev, nil)), f.as(f.userKey(f.reporter, nil))
	// The counts are per minute of the clock: start early in one.
	if s := time.Now().Second(); s > 40 {
		time.Sleep(time.Duration(61-s) * time.Second)
	}

	dev.mustGit("", "ls-remote", f.sshURL)
	dev.mustGit("", "ls-remote", f.sshURL)
	const refused = "This endpoint has been requested too many times. Try again later."
	dev.failGit(refused, "", "ls-remote", f.sshURL)
	// Another user from the same address is over the address's count.
	rita.failGit(refused, "", "ls-remote", f.sshURL)
	// Another project counts apart.
	dev.mustGit("", "ls-remote", fmt.Sprintf("ssh://git@127.0.0.1:%s/%s.git", f.port, other.PathWithNamespace))

	if r := setLimit("0"); r.Status != 200 {
		t.Fatalf("turn the limit off: %d %s", r.Status, r.Body)
	}
	dev.mustGit("", "ls-remote", f.sshURL)
	rita.mustGit("", "ls-remote", f.sshURL)
}
