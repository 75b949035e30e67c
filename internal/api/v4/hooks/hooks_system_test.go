package hooks_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
	"golang.org/x/crypto/ssh"

	"github.com/lablet/lablet/internal/labtest"
)

// TestMemberAndSystemEvents: a group hook with member_events gets the
// group's membership changes as "Member Hook"; a system hook gets users,
// groups, projects, memberships and keys as "System Hook", in the shapes
// of GitLab's system hooks doc.
func TestMemberAndSystemEvents(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	setLocalHooks(t, s, true)
	groupRecv, sysRecv := newHookReceiver(t, http.StatusOK), newHookReceiver(t, http.StatusOK)
	rc, oc := s.Client(t, s.RootToken), s.Client(t, f.Owner.Token)
	if _, _, err := oc.Groups.AddGroupHook(f.Group.ID, &gitlab.AddGroupHookOptions{URL: gitlab.Ptr(groupRecv.URL),
		PushEvents: gitlab.Ptr(false), MemberEvents: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := rc.SystemHooks.AddHook(&gitlab.AddHookOptions{URL: gitlab.Ptr(sysRecv.URL),
		RepositoryUpdateEvents: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	event := func(name string) func(receivedHook) bool {
		return func(r receivedHook) bool { return r.body["event_name"] == name }
	}

	// Users.
	u, _, err := rc.Users.CreateUser(&gitlab.CreateUserOptions{Username: gitlab.Ptr("zed"), Name: gitlab.Ptr("Zed"),
		Email: gitlab.Ptr("zed@example.com"), Password: gitlab.Ptr("a-long-pass-phrase-1")})
	if err != nil {
		t.Fatal(err)
	}
	b := sysRecv.wait(t, "System Hook", event("user_create")).body
	if b["user_id"] != float64(u.ID) || b["username"] != "zed" || b["email"] != "zed@example.com" || b["name"] != "Zed" ||
		!strings.HasSuffix(b["created_at"].(string), "Z") {
		t.Fatalf("user_create = %v", b)
	}

	// Group membership: a Member Hook to the group, a System Hook too.
	if _, _, err := oc.GroupMembers.AddGroupMember(f.Group.ID, &gitlab.AddGroupMemberOptions{UserID: gitlab.Ptr(u.ID),
		AccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)}); err != nil {
		t.Fatal(err)
	}
	m := groupRecv.wait(t, "Member Hook", event("user_add_to_group")).body
	if m["group_id"] != float64(f.Group.ID) || m["group_path"] != f.Group.Path || m["user_username"] != "zed" ||
		m["user_id"] != float64(u.ID) || m["group_access"] != "Developer" {
		t.Fatalf("user_add_to_group = %v", m)
	}
	sysRecv.wait(t, "System Hook", event("user_add_to_group"))
	if _, _, err := oc.GroupMembers.EditGroupMember(f.Group.ID, u.ID, &gitlab.EditGroupMemberOptions{
		AccessLevel: gitlab.Ptr(gitlab.MaintainerPermissions)}); err != nil {
		t.Fatal(err)
	}
	if m := groupRecv.wait(t, "Member Hook", event("user_update_for_group")).body; m["group_access"] != "Maintainer" {
		t.Fatalf("user_update_for_group = %v", m)
	}
	if _, err := oc.GroupMembers.RemoveGroupMember(f.Group.ID, u.ID, nil); err != nil {
		t.Fatal(err)
	}
	groupRecv.wait(t, "Member Hook", event("user_remove_from_group"))

	// Project membership goes to system hooks only.
	mc := s.Client(t, f.Maintainer.Token)
	if _, _, err := mc.ProjectMembers.AddProjectMember(f.Project.ID, &gitlab.AddProjectMemberOptions{UserID: gitlab.Ptr(u.ID),
		AccessLevel: gitlab.Ptr(gitlab.ReporterPermissions)}); err != nil {
		t.Fatal(err)
	}
	tm := sysRecv.wait(t, "System Hook", event("user_add_to_team")).body
	if tm["project_id"] != float64(f.Project.ID) || tm["project_path_with_namespace"] != f.Project.PathWithNamespace ||
		tm["access_level"] != "Reporter" || tm["user_email"] != "zed@example.com" || tm["project_visibility"] == nil {
		t.Fatalf("user_add_to_team = %v", tm)
	}
	if _, err := mc.ProjectMembers.DeleteProjectMember(f.Project.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	sysRecv.wait(t, "System Hook", event("user_remove_from_team"))

	// Groups and projects.
	g, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Ops"), Path: gitlab.Ptr("ops")})
	if err != nil {
		t.Fatal(err)
	}
	if b := sysRecv.wait(t, "System Hook", event("group_create")).body; b["group_id"] != float64(g.ID) || b["path"] != "ops" || b["name"] != "Ops" {
		t.Fatalf("group_create = %v", b)
	}
	if _, _, err := oc.Groups.UpdateGroup(g.ID, &gitlab.UpdateGroupOptions{Path: gitlab.Ptr("ops2")}); err != nil {
		t.Fatal(err)
	}
	if b := sysRecv.wait(t, "System Hook", event("group_rename")).body; b["old_path"] != "ops" || b["full_path"] != "ops2" {
		t.Fatalf("group_rename = %v", b)
	}
	p, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Tool"), NamespaceID: gitlab.Ptr(g.ID)})
	if err != nil {
		t.Fatal(err)
	}
	pc := sysRecv.wait(t, "System Hook", event("project_create")).body
	if pc["project_id"] != float64(p.ID) || pc["path_with_namespace"] != "ops2/tool" || pc["project_visibility"] != "private" ||
		pc["owner_name"] != "Ops" || pc["owners"] == nil {
		t.Fatalf("project_create = %v", pc)
	}
	if _, _, err := oc.Projects.EditProject(p.ID, &gitlab.EditProjectOptions{Description: gitlab.Ptr("d")}); err != nil {
		t.Fatal(err)
	}
	sysRecv.wait(t, "System Hook", event("project_update"))
	if _, _, err := oc.Projects.EditProject(p.ID, &gitlab.EditProjectOptions{Path: gitlab.Ptr("tool2")}); err != nil {
		t.Fatal(err)
	}
	if b := sysRecv.wait(t, "System Hook", event("project_rename")).body; b["old_path_with_namespace"] != "ops2/tool" ||
		b["path_with_namespace"] != "ops2/tool2" {
		t.Fatalf("project_rename = %v", b)
	}

	// A push is a repository_update.
	if _, _, err := oc.Commits.CreateCommit(p.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("seed"), Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate),
			FilePath: gitlab.Ptr("a.txt"), Content: gitlab.Ptr("a\n")}}}); err != nil {
		t.Fatal(err)
	}
	ru := sysRecv.wait(t, "System Hook", event("repository_update")).body
	if refs, _ := ru["refs"].([]any); ru["project_id"] != float64(p.ID) || len(refs) != 1 || refs[0] != "refs/heads/main" ||
		ru["user_id"] != float64(f.Owner.ID) {
		t.Fatalf("repository_update = %v", ru)
	}

	// Keys, a rename and the user's removal.
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp)))
	k, _, err := rc.Users.AddSSHKeyForUser(u.ID, &gitlab.AddSSHKeyOptions{Title: gitlab.Ptr("k"), Key: gitlab.Ptr(text)})
	if err != nil {
		t.Fatal(err)
	}
	if b := sysRecv.wait(t, "System Hook", event("key_create")).body; b["id"] != float64(k.ID) || b["username"] != "zed" || b["key"] != text {
		t.Fatalf("key_create = %v", b)
	}
	if _, err := rc.Users.DeleteSSHKeyForUser(u.ID, k.ID); err != nil {
		t.Fatal(err)
	}
	sysRecv.wait(t, "System Hook", event("key_destroy"))
	if _, _, err := rc.Users.ModifyUser(u.ID, &gitlab.ModifyUserOptions{Username: gitlab.Ptr("zed2")}); err != nil {
		t.Fatal(err)
	}
	if b := sysRecv.wait(t, "System Hook", event("user_rename")).body; b["old_username"] != "zed" || b["username"] != "zed2" {
		t.Fatalf("user_rename = %v", b)
	}
	if _, err := rc.Users.DeleteUser(u.ID); err != nil {
		t.Fatal(err)
	}
	sysRecv.wait(t, "System Hook", event("user_destroy"))
	if n := groupRecv.count("System Hook"); n != 0 {
		t.Fatalf("the group hook got %d system events", n)
	}
}
