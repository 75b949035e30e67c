package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLMemberBulkUpdate: projectMemberBulkUpdate and
// groupMemberBulkUpdate change levels as REST's member update does, with
// its permission answers, and change all the users or none.
func TestGraphQLMemberBulkUpdate(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	root := s.Client(t, s.RootToken)
	user := func(u *labtest.User) string { return fmt.Sprintf("gid://gitlab/User/%d", u.ID) }
	project := fmt.Sprintf("gid://gitlab/Project/%d", tm.Project.ID)
	pm := `mutation($p: ProjectID!, $u: [UserID!]!, $l: MemberAccessLevel!) { projectMemberBulkUpdate(input: {projectId: $p,
		userIds: $u, accessLevel: $l}) { projectMembers { user { username } accessLevel { integerValue stringValue } } errors } }`
	level := func(u *labtest.User) gitlab.AccessLevelValue {
		t.Helper()
		m, _, err := root.ProjectMembers.GetProjectMember(tm.Project.ID, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return m.AccessLevel
	}

	_, r := post(t, s, tm.Maintainer.Token, pm, map[string]any{"p": project, "u": []string{user(tm.Developer)}, "l": "REPORTER"})
	ms, _ := dig(mustData(t, r), "projectMemberBulkUpdate", "projectMembers").([]any)
	if len(ms) != 1 || dig(ms[0], "user", "username") != "dev" || dig(ms[0], "accessLevel", "integerValue") != float64(20) {
		t.Fatalf("projectMemberBulkUpdate = %v", r.Data)
	}
	if level(tm.Developer) != gitlab.ReporterPermissions {
		t.Errorf("REST level = %v", level(tm.Developer))
	}
	// A reporter may not manage members (REST: 403); a maintainer may not
	// grant Owner: top-level errors, nothing changed.
	_, r = post(t, s, tm.Developer.Token, pm, map[string]any{"p": project, "u": []string{user(tm.Maintainer)}, "l": "GUEST"})
	if len(r.Errors) != 1 || level(tm.Maintainer) != gitlab.MaintainerPermissions {
		t.Errorf("reporter's update = %v", r)
	}
	_, r = post(t, s, tm.Maintainer.Token, pm, map[string]any{"p": project, "u": []string{user(tm.Developer)}, "l": "OWNER"})
	if len(r.Errors) != 1 || level(tm.Developer) != gitlab.ReporterPermissions {
		t.Errorf("maintainer granting Owner = %v", r)
	}
	// One of the users is no member: none is changed.
	_, r = post(t, s, tm.Maintainer.Token, pm, map[string]any{"p": project, "u": []string{user(tm.Developer), user(outsider)}, "l": "DEVELOPER"})
	if len(r.Errors) != 1 || level(tm.Developer) != gitlab.ReporterPermissions {
		t.Errorf("update with a non-member = %v; dev is %v", r, level(tm.Developer))
	}
	// An outsider does not see the private project.
	_, r = post(t, s, outsider.Token, pm, map[string]any{"p": project, "u": []string{user(tm.Developer)}, "l": "GUEST"})
	if len(r.Errors) != 1 {
		t.Errorf("outsider's update = %v", r)
	}

	gm := `mutation($g: GroupID!, $u: [UserID!]!, $l: MemberAccessLevel!) { groupMemberBulkUpdate(input: {groupId: $g,
		userIds: $u, accessLevel: $l, expiresAt: "2099-01-31T00:00:00Z"}) { groupMembers { user { username } accessLevel { integerValue } expiresAt } errors } }`
	group := fmt.Sprintf("gid://gitlab/Group/%d", tm.Group.ID)
	// Group members are managed by Owners only.
	_, r = post(t, s, tm.GroupMaintainer.Token, gm, map[string]any{"g": group, "u": []string{user(tm.GroupMaintainer)}, "l": "DEVELOPER"})
	if len(r.Errors) != 1 {
		t.Errorf("group maintainer's update = %v", r)
	}
	_, r = post(t, s, tm.Owner.Token, gm, map[string]any{"g": group, "u": []string{user(tm.GroupMaintainer)}, "l": "DEVELOPER"})
	gms, _ := dig(mustData(t, r), "groupMemberBulkUpdate", "groupMembers").([]any)
	if len(gms) != 1 || dig(gms[0], "accessLevel", "integerValue") != float64(30) || dig(gms[0], "expiresAt") == nil {
		t.Fatalf("groupMemberBulkUpdate = %v", r.Data)
	}
	m, _, err := root.GroupMembers.GetGroupMember(tm.Group.ID, tm.GroupMaintainer.ID)
	if err != nil || m.AccessLevel != gitlab.DeveloperPermissions || m.ExpiresAt == nil || m.ExpiresAt.String() != "2099-01-31" {
		t.Errorf("REST group member = %+v, %v", m, err)
	}
}
