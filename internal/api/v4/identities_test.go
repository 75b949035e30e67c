package v4_test

import (
	"fmt"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestUserIdentities: administrators set a user's identity with
// extern_uid and provider on create and update, see it in the user's
// identities, find the user by it and delete it.
func TestUserIdentities(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	u, _, err := root.Users.CreateUser(&gitlab.CreateUserOptions{Email: gitlab.Ptr("carol@example.com"),
		Username: gitlab.Ptr("carol"), Name: gitlab.Ptr("Carol"), Password: gitlab.Ptr("correct horse battery"),
		Provider: gitlab.Ptr("ldapmain"), ExternUID: gitlab.Ptr("uid=carol,dc=example")})
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Identities) != 1 || u.Identities[0].Provider != "ldapmain" || u.Identities[0].ExternUID != "uid=carol,dc=example" {
		t.Fatalf("identities = %+v", u.Identities)
	}
	if u, _, err = root.Users.ModifyUser(u.ID, &gitlab.ModifyUserOptions{Provider: gitlab.Ptr("github"), ExternUID: gitlab.Ptr("4242")}); err != nil {
		t.Fatal(err)
	}
	if len(u.Identities) != 2 {
		t.Fatalf("identities after update = %+v", u.Identities)
	}
	list, _, err := root.Users.ListUsers(&gitlab.ListUsersOptions{Provider: gitlab.Ptr("ldapmain"), ExternalUID: gitlab.Ptr("UID=carol,dc=example")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != u.ID || len(list[0].Identities) != 2 {
		t.Fatalf("users by identity = %+v", list)
	}
	// An extern_uid names one user per provider.
	bob := s.NewUser(t, "bob")
	_, resp, err := root.Users.ModifyUser(bob.ID, &gitlab.ModifyUserOptions{Provider: gitlab.Ptr("github"), ExternUID: gitlab.Ptr("4242")})
	if err == nil || resp.StatusCode != 400 || !strings.Contains(err.Error(), "has already been taken") {
		t.Fatalf("taken extern_uid: %v", err)
	}
	// One without the other is refused.
	if r := s.Do(t, labtest.Request{Method: "PUT", Path: fmt.Sprintf("/users/%d", bob.ID), Token: s.RootToken,
		JSON: map[string]any{"provider": "github"}}); r.Status != 400 {
		t.Fatalf("provider alone = %d %s", r.Status, r.Body)
	}
	// Only administrators filter by identity.
	if r := s.Do(t, labtest.Request{Path: "/users?provider=github&extern_uid=4242", Token: bob.Token}); r.Status != 403 {
		t.Fatalf("non-admin identity filter = %d", r.Status)
	}
	if _, err := root.Users.DeleteUserIdentity(u.ID, "github"); err != nil {
		t.Fatal(err)
	}
	if resp, err := root.Users.DeleteUserIdentity(u.ID, "github"); err == nil || resp.StatusCode != 404 {
		t.Fatalf("second delete: %v", err)
	}
	if got, _, _ := root.Users.GetUser(u.ID, gitlab.GetUsersOptions{}); len(got.Identities) != 1 || got.Identities[0].Provider != "ldapmain" {
		t.Fatalf("identities after delete = %+v", got.Identities)
	}
}

// TestUserAssociationsCount: the user themself and administrators see the
// counts of groups, projects, issues and merge requests; others get 403.
func TestUserAssociationsCount(t *testing.T) {
	t.Parallel()
	f := newAvatarFixture(t)
	c := f.s.Client(t, f.alice.Token)
	if _, _, err := c.Issues.CreateIssue(int(f.pid), &gitlab.CreateIssueOptions{Title: gitlab.Ptr("one")}); err != nil {
		t.Fatal(err)
	}
	n, _, err := c.Users.GetUserAssociationsCount(f.alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	// alice: the group, her personal project, the one issue.
	if n.GroupsCount != 1 || n.ProjectsCount != 1 || n.IssuesCount != 1 || n.MergeRequestsCount != 0 {
		t.Fatalf("alice's counts = %+v", n)
	}
	if n, _, err = f.s.Client(t, f.s.RootToken).Users.GetUserAssociationsCount(f.bob.ID); err != nil || n.GroupsCount != 1 || n.ProjectsCount != 0 {
		t.Fatalf("bob's counts as admin = %+v, %v", n, err)
	}
	if _, resp, err := f.s.Client(t, f.bob.Token).Users.GetUserAssociationsCount(f.alice.ID); err == nil || resp.StatusCode != 403 {
		t.Fatalf("bob asks for alice's: %v", err)
	}
	if _, resp, err := c.Users.GetUserAssociationsCount(999999); err == nil || resp.StatusCode != 404 {
		t.Fatalf("unknown user: %v", err)
	}
}

// TestUserIdentityTakenAtOnce: users created at once with the same
// identity: one gets it, the others GitLab's 400, none a 500.
func TestUserIdentityTakenAtOnce(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	const n = 6
	status := make([]int, n)
	labtest.AtOnce(n, func(k int) error {
		name := fmt.Sprint("twin", k)
		_, resp, err := root.Users.CreateUser(&gitlab.CreateUserOptions{Email: gitlab.Ptr(name + "@example.com"),
			Username: gitlab.Ptr(name), Name: gitlab.Ptr(name), Password: gitlab.Ptr("correct horse battery"),
			Provider: gitlab.Ptr("ldapmain"), ExternUID: gitlab.Ptr("uid=twin,dc=example")})
		if resp != nil {
			status[k] = resp.StatusCode
		}
		return err
	})
	created, refused := 0, 0
	for _, st := range status {
		switch st {
		case 201:
			created++
		case 400:
			refused++
		}
	}
	if created != 1 || refused != n-1 {
		t.Fatalf("statuses %v, want one 201 and 400s", status)
	}
}
