package v4_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

func TestUserActivities(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	admin := s.Client(t, s.RootToken)
	// An authenticated request records the day, once.
	if _, _, err := s.Client(t, alice.Token).Users.CurrentUser(); err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	u, _, err := admin.Users.GetUser(alice.ID, gitlab.GetUsersOptions{})
	if err != nil || u.LastActivityOn == nil || u.LastActivityOn.String() != today {
		t.Fatalf("last_activity_on = %v, %v", u.LastActivityOn, err)
	}
	acts, _, err := admin.Users.GetUserActivities(&gitlab.GetUserActivitiesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range acts {
		found = found || a.Username == "alice" && a.LastActivityOn.String() == today
	}
	if !found {
		t.Fatalf("activities = %+v", acts)
	}
	tomorrow := gitlab.ISOTime(time.Now().UTC().AddDate(0, 0, 1))
	acts, _, err = admin.Users.GetUserActivities(&gitlab.GetUserActivitiesOptions{From: &tomorrow})
	if err != nil || len(acts) != 0 {
		t.Fatalf("activities from tomorrow = %+v, %v", acts, err)
	}
	s.Do(t, labtest.Request{Path: "/user/activities", Token: alice.Token}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Path: "/user/activities?from=yesterday", Token: s.RootToken}).
		ExpectError(t, http.StatusBadRequest, `{"error":"from is invalid"}`)
}

func TestUserMemberships(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	ac := s.Client(t, alice.Token)
	admin := s.Client(t, s.RootToken)
	g, _, err := ac.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Team"), Path: gitlab.Ptr("team")})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := admin.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("tool")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := admin.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: alice.ID,
		AccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)}); err != nil {
		t.Fatal(err)
	}
	ms, _, err := admin.Users.GetUserMemberships(alice.ID, nil)
	if err != nil || len(ms) != 2 {
		t.Fatalf("memberships = %+v, %v", ms, err)
	}
	byType := map[string]*gitlab.UserMembership{}
	for _, m := range ms {
		byType[m.SourceType] = m
	}
	if m := byType["Namespace"]; m == nil || m.SourceID != g.ID || m.SourceName != "Team" || m.AccessLevel != gitlab.OwnerPermissions {
		t.Fatalf("group membership = %+v", m)
	}
	if m := byType["Project"]; m == nil || m.SourceID != p.ID || m.SourceName != "tool" || m.AccessLevel != gitlab.DeveloperPermissions {
		t.Fatalf("project membership = %+v", m)
	}
	ms, _, err = admin.Users.GetUserMemberships(alice.ID, &gitlab.GetUserMembershipOptions{Type: gitlab.Ptr("Project")})
	if err != nil || len(ms) != 1 || ms[0].SourceType != "Project" {
		t.Fatalf("project memberships = %+v, %v", ms, err)
	}
	s.Do(t, labtest.Request{Path: "/users/" + itoa(alice.ID) + "/memberships?type=Issue", Token: s.RootToken}).
		ExpectError(t, http.StatusBadRequest, `{"error":"type does not have a valid value"}`)
	s.Do(t, labtest.Request{Path: "/users/999999/memberships", Token: s.RootToken}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
	s.Do(t, labtest.Request{Path: "/users/" + itoa(alice.ID) + "/memberships", Token: alice.Token}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
}

func TestUserBanAndApproval(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	admin := s.Client(t, s.RootToken)
	if err := admin.Users.BanUser(alice.ID); err != nil {
		t.Fatal(err)
	}
	u, _, err := admin.Users.GetUser(alice.ID, gitlab.GetUsersOptions{})
	if err != nil || u.State != "banned" {
		t.Fatalf("state = %v, %v", u, err)
	}
	// A banned user's token no longer authenticates.
	s.Do(t, labtest.Request{Path: "/user", Token: alice.Token}).ExpectError(t, http.StatusUnauthorized, unauthorized)
	s.Do(t, labtest.Request{Method: "POST", Path: "/users/" + itoa(alice.ID) + "/ban", Token: s.RootToken}).
		ExpectError(t, http.StatusForbidden, `{"message":"You cannot ban banned users."}`)
	if err := admin.Users.UnbanUser(alice.ID); err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: "/users/" + itoa(alice.ID) + "/unban", Token: s.RootToken}).
		ExpectError(t, http.StatusForbidden, `{"message":"You cannot unban active users."}`)
	if err := admin.Users.BanUser(999999); !errors.Is(err, gitlab.ErrUserNotFound) {
		t.Fatalf("ban unknown = %v", err)
	}
	// lablet has no pending approvals: GitLab's answers for a user who is
	// not pending.
	s.Do(t, labtest.Request{Method: "POST", Path: "/users/" + itoa(alice.ID) + "/approve", Token: s.RootToken}).
		ExpectError(t, http.StatusConflict, `{"message":"The user you are trying to approve is not pending approval"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: "/users/" + itoa(alice.ID) + "/reject", Token: s.RootToken}).
		ExpectError(t, http.StatusConflict, `{"message":"User does not have a pending request"}`)
}

func TestCustomAttributes(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	bob := s.NewUser(t, "bob")
	admin := s.Client(t, s.RootToken)
	ca := admin.CustomAttribute
	a, _, err := ca.SetCustomUserAttribute(alice.ID, gitlab.CustomAttribute{Key: "team", Value: "blue"})
	if err != nil || a.Key != "team" || a.Value != "blue" {
		t.Fatalf("set = %+v, %v", a, err)
	}
	if _, _, err := ca.SetCustomUserAttribute(bob.ID, gitlab.CustomAttribute{Key: "team", Value: "red"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ca.SetCustomUserAttribute(alice.ID, gitlab.CustomAttribute{Key: "team", Value: "green"}); err != nil {
		t.Fatal(err)
	}
	list, _, err := ca.ListCustomUserAttributes(alice.ID)
	if err != nil || len(list) != 1 || list[0].Value != "green" {
		t.Fatalf("list = %+v, %v", list, err)
	}
	got, _, err := ca.GetCustomUserAttribute(alice.ID, "team")
	if err != nil || got.Value != "green" {
		t.Fatalf("get = %+v, %v", got, err)
	}
	// Administrators filter users by them.
	var users []map[string]any
	s.Do(t, labtest.Request{Path: "/users?custom_attributes[team]=red", Token: s.RootToken}).JSON(t, &users)
	if len(users) != 1 || users[0]["username"] != "bob" {
		t.Fatalf("filtered users = %v", users)
	}
	// Others' filters are ignored, as GitLab's CustomAttributesFilter does.
	s.Do(t, labtest.Request{Path: "/users?custom_attributes[team]=red", Token: alice.Token}).JSON(t, &users)
	if len(users) < 3 {
		t.Fatalf("a non-administrator's filtered users = %v", users)
	}
	// Groups and projects have theirs.
	g, _, err := admin.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("G"), Path: gitlab.Ptr("g")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ca.SetCustomGroupAttribute(g.ID, gitlab.CustomAttribute{Key: "tier", Value: "gold"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := admin.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("H"), Path: gitlab.Ptr("h")}); err != nil {
		t.Fatal(err)
	}
	var groups []map[string]any
	s.Do(t, labtest.Request{Path: "/groups?custom_attributes[tier]=gold", Token: s.RootToken}).JSON(t, &groups)
	if len(groups) != 1 || groups[0]["id"] != float64(g.ID) {
		t.Fatalf("filtered groups = %v", groups)
	}
	p, _, err := admin.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("p")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ca.SetCustomProjectAttribute(p.ID, gitlab.CustomAttribute{Key: "tier", Value: "gold"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := admin.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("q")}); err != nil {
		t.Fatal(err)
	}
	var projects []map[string]any
	s.Do(t, labtest.Request{Path: "/projects?custom_attributes[tier]=gold", Token: s.RootToken}).JSON(t, &projects)
	if len(projects) != 1 || projects[0]["id"] != float64(p.ID) {
		t.Fatalf("filtered projects = %v", projects)
	}
	if l, _, err := ca.ListCustomGroupAttributes(g.ID); err != nil || len(l) != 1 {
		t.Fatalf("group attributes = %+v, %v", l, err)
	}
	if _, err := ca.DeleteCustomUserAttribute(alice.ID, "team"); err != nil {
		t.Fatal(err)
	}
	notFound := `{"message":"404 Custom Attribute Not Found"}`
	base := "/users/" + itoa(alice.ID) + "/custom_attributes/team"
	s.Do(t, labtest.Request{Path: base, Token: s.RootToken}).ExpectError(t, http.StatusNotFound, notFound)
	s.Do(t, labtest.Request{Method: "DELETE", Path: base, Token: s.RootToken}).ExpectError(t, http.StatusNotFound, notFound)
	s.Do(t, labtest.Request{Method: "PUT", Path: base, Token: s.RootToken, JSON: map[string]any{}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"value is missing"}`)
	s.Do(t, labtest.Request{Path: "/users/999999/custom_attributes", Token: s.RootToken}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
	s.Do(t, labtest.Request{Path: "/groups/999999/custom_attributes", Token: s.RootToken}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Group Not Found"}`)
	s.Do(t, labtest.Request{Path: base, Token: alice.Token}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
}
