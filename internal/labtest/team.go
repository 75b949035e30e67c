package labtest

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// Team is the fixture of tests that need every role: a private group
// "team" with a private project "App"; Owner and GroupMaintainer are
// members of the group, Maintainer and Developer of the project.
type Team struct {
	Group                                         *gitlab.Group
	Project                                       *gitlab.Project
	Owner, GroupMaintainer, Maintainer, Developer *User
}

// NewTeam makes s's Team, as root.
func (s *Server) NewTeam(t testing.TB) *Team {
	t.Helper()
	tm := &Team{Owner: s.NewUser(t, "olive"), GroupMaintainer: s.NewUser(t, "gmaint"), Maintainer: s.NewUser(t, "mia"),
		Developer: s.NewUser(t, "dev")}
	root := s.Client(t, s.RootToken)
	var err error
	tm.Group, _, err = root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Team"), Path: gitlab.Ptr("team"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	tm.Project, _, err = root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("App"),
		NamespaceID: gitlab.Ptr(tm.Group.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	for u, l := range map[*User]gitlab.AccessLevelValue{tm.Owner: gitlab.OwnerPermissions, tm.GroupMaintainer: gitlab.MaintainerPermissions} {
		if _, _, err := root.GroupMembers.AddGroupMember(tm.Group.ID, &gitlab.AddGroupMemberOptions{UserID: gitlab.Ptr(u.ID),
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
	for u, l := range map[*User]gitlab.AccessLevelValue{tm.Maintainer: gitlab.MaintainerPermissions, tm.Developer: gitlab.DeveloperPermissions} {
		if _, _, err := root.ProjectMembers.AddProjectMember(tm.Project.ID, &gitlab.AddProjectMemberOptions{UserID: u.ID,
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
	return tm
}

// Git runs the git binary in dir as a fixed author, failing the test on
// an error, and returns its output trimmed.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com",
		"GIT_COMMITTER_NAME=A", "GIT_COMMITTER_EMAIL=a@example.com", "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// GitURL is the HTTP clone URL of the project at path, with u's username
// and token in it, as git over HTTP takes them.
func (s *Server) GitURL(u *User, path string) string {
	return strings.Replace(s.URL, "http://", "http://"+u.Username+":"+u.Token+"@", 1) + "/" + path + ".git"
}
