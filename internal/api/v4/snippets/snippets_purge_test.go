package snippets_test

import (
	"context"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestSnippetsGoWithTheirProjects: purging a project, a group or a user
// removes their projects' snippets with their notes and repositories,
// and leaves other projects' snippets alone.
func TestSnippetsGoWithTheirProjects(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	ctx := context.Background()
	g, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("G"), Path: gitlab.Ptr("g")})
	if err != nil {
		t.Fatal(err)
	}
	u := s.NewUser(t, "alice", "api")
	alice := s.Client(t, u.Token)
	personal, _, err := alice.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Mine")})
	if err != nil {
		t.Fatal(err)
	}
	snippetOf := func(c *gitlab.Client, pid int64) int64 {
		t.Helper()
		sn, _, err := c.ProjectSnippets.CreateSnippet(pid, &gitlab.CreateProjectSnippetOptions{Title: gitlab.Ptr("s"),
			Visibility: gitlab.Ptr(gitlab.PrivateVisibility),
			Files:      &[]*gitlab.CreateSnippetFileOptions{{FilePath: gitlab.Ptr("a.txt"), Content: gitlab.Ptr("a\n")}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.Notes.CreateSnippetNote(pid, sn.ID, &gitlab.CreateSnippetNoteOptions{Body: gitlab.Ptr("note")}); err != nil {
			t.Fatal(err)
		}
		return sn.ID
	}
	var projects, snippets []int64
	for _, name := range []string{"One", "Two"} {
		p, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(name), NamespaceID: gitlab.Ptr(g.ID)})
		if err != nil {
			t.Fatal(err)
		}
		projects = append(projects, p.ID)
		snippets = append(snippets, snippetOf(root, p.ID))
	}
	mine := snippetOf(alice, personal.ID)
	// gone: the snippet's repository and notes are both gone.
	gone := func(id int64) bool {
		t.Helper()
		var notes int
		if err := s.Srv.DB.SQL().QueryRowContext(ctx,
			"SELECT count(*) FROM notes WHERE noteable_type = 'Snippet' AND noteable_id = "+itoa(id)).Scan(&notes); err != nil {
			t.Fatal(err)
		}
		exists := s.Srv.Repos.OpenSnippet(id).Exists()
		if exists != (notes > 0) {
			t.Fatalf("snippet %d: repository %v but %d notes", id, exists, notes)
		}
		return !exists
	}
	if gone(snippets[0]) || gone(snippets[1]) || gone(mine) {
		t.Fatal("snippets not created")
	}

	if _, err := root.Projects.DeleteProject(projects[0], nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Srv.Service.PurgeDeletedProjects(ctx); err != nil {
		t.Fatal(err)
	}
	if !gone(snippets[0]) || gone(snippets[1]) {
		t.Fatal("project purge: wrong snippets removed")
	}
	if _, err := root.Groups.DeleteGroup(g.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Srv.Service.PurgeDeletedGroups(ctx); err != nil {
		t.Fatal(err)
	}
	if !gone(snippets[1]) || gone(mine) {
		t.Fatal("group purge: wrong snippets removed")
	}
	if _, err := root.Users.DeleteUser(u.ID); err != nil {
		t.Fatal(err)
	}
	if !gone(mine) {
		t.Fatal("user deletion left the snippets of the user's projects")
	}
}
