package v4_test

import (
	"fmt"
	"sync"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestProjectCreateBotNamespace: a project or group access token's bot
// creates no project in its own namespace (GitLab's UserNamespacePolicy
// prevents create_projects in a bot_user_namespace, for administrators
// too), public or not, whichever way the namespace is named. In the group
// its token is for, a group bot creates projects like any member of its
// role, as in GitLab.
func TestProjectCreateBotNamespace(t *testing.T) {
	t.Parallel()
	f := atkSetup(t)
	s := f.s
	invalid := `{"message":{"namespace":["is not valid"]}}`
	ptok, _, err := s.Client(t, f.maint.Token).ProjectAccessTokens.CreateProjectAccessToken(f.project.ID,
		&gitlab.CreateProjectAccessTokenOptions{Name: gitlab.Ptr("ci"), Scopes: &[]string{"api"}, ExpiresAt: atkDate(30),
			AccessLevel: gitlab.Ptr(gitlab.MaintainerPermissions)})
	if err != nil {
		t.Fatal(err)
	}
	gtok, _, err := s.Client(t, f.owner.Token).GroupAccessTokens.CreateGroupAccessToken(f.group.ID,
		&gitlab.CreateGroupAccessTokenOptions{Name: gitlab.Ptr("gci"), Scopes: &[]string{"api"}, ExpiresAt: atkDate(30),
			AccessLevel: gitlab.Ptr(gitlab.OwnerPermissions)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []*struct {
		userID int64
		text   string
	}{{ptok.UserID, ptok.Token}, {gtok.UserID, gtok.Token}} {
		bot, _, err := s.Client(t, s.RootToken).Users.GetUser(tok.userID, gitlab.GetUsersOptions{})
		if err != nil || bot.NamespaceID == 0 {
			t.Fatalf("bot = %+v, %v", bot, err)
		}
		for _, body := range []map[string]any{
			{"name": "escape"},
			{"name": "escape", "visibility": "public"},
			{"name": "escape", "namespace_id": bot.Username},
			{"name": "escape", "namespace_id": bot.NamespaceID},
		} {
			s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: tok.text, JSON: body}).ExpectError(t, 400, invalid)
		}
		// Nor may an administrator put one there.
		s.Do(t, labtest.Request{Method: "POST", Path: fmt.Sprintf("/projects/user/%d", tok.userID), Token: s.RootToken,
			JSON: map[string]any{"name": "gift"}}).ExpectError(t, 400, invalid)
		s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: s.RootToken,
			JSON: map[string]any{"name": "gift", "namespace_id": bot.NamespaceID}}).ExpectError(t, 400, invalid)
		ps, _, err := s.Client(t, s.RootToken).Projects.ListUserProjects(tok.userID, nil)
		if err != nil || len(ps) != 0 {
			t.Fatalf("bot projects = %d, %v", len(ps), err)
		}
	}
	// The group bot works in its group.
	p, _, err := s.Client(t, gtok.Token).Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("built"),
		NamespaceID: gitlab.Ptr(f.group.ID)})
	if err != nil || p.PathWithNamespace != "team/built" {
		t.Fatalf("group bot in its group = %+v, %v", p, err)
	}
}

// TestProjectsLimit: projects_limit bounds the projects of a user's
// personal namespace (GitLab's check_personal_projects_limit, with its
// messages: 403 with a list on POST /projects, a validation error on POST
// /projects/user/:user_id); group projects don't count.
func TestProjectsLimit(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	alice := s.NewUser(t, "alice")
	setLimit := func(n int) {
		t.Helper()
		if _, _, err := root.Users.ModifyUser(alice.ID, &gitlab.ModifyUserOptions{ProjectsLimit: gitlab.Ptr(int64(n))}); err != nil {
			t.Fatal(err)
		}
	}
	setLimit(2)
	c := s.Client(t, alice.Token)
	for _, name := range []string{"one", "two"} {
		projMustCreate(t, c, &gitlab.CreateProjectOptions{Name: gitlab.Ptr(name)})
	}
	reached := `You've reached your limit of 2 projects created. Contact your GitLab administrator.`
	s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: alice.Token, JSON: map[string]any{"name": "three"}}).
		ExpectError(t, 403, `{"message":["`+reached+`"]}`)
	s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: alice.Token, JSON: map[string]any{"name": "three", "namespace_id": "alice"}}).
		ExpectError(t, 403, `{"message":["`+reached+`"]}`)
	s.Do(t, labtest.Request{Method: "POST", Path: fmt.Sprintf("/projects/user/%d", alice.ID), Token: s.RootToken,
		JSON: map[string]any{"name": "three"}}).ExpectError(t, 400, `{"message":{"limit_reached":["`+reached+`"]}}`)
	// Group projects are not personal.
	g, _, err := c.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Crew"), Path: gitlab.Ptr("crew")})
	if err != nil {
		t.Fatal(err)
	}
	projMustCreate(t, c, &gitlab.CreateProjectOptions{Name: gitlab.Ptr("three"), NamespaceID: gitlab.Ptr(g.ID)})
	setLimit(0)
	s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: alice.Token, JSON: map[string]any{"name": "four"}}).
		ExpectError(t, 403, `{"message":["You cannot create projects in your personal namespace. Contact your GitLab administrator."]}`)
	setLimit(3)
	projMustCreate(t, c, &gitlab.CreateProjectOptions{Name: gitlab.Ptr("four")})
}

// TestProjectsLimitConcurrent: creations racing for the last places of a
// limit never exceed it: the count is taken inside the creating
// transaction, which holds the creator's namespace row on PostgreSQL.
func TestProjectsLimitConcurrent(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	bob := s.NewUser(t, "bob")
	if _, _, err := s.Client(t, s.RootToken).Users.ModifyUser(bob.ID, &gitlab.ModifyUserOptions{ProjectsLimit: gitlab.Ptr(int64(3))}); err != nil {
		t.Fatal(err)
	}
	const n = 8
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: bob.Token,
				JSON: map[string]any{"name": fmt.Sprintf("p%d", i)}}).Status
		}()
	}
	wg.Wait()
	created := 0
	for _, st := range statuses {
		switch st {
		case 201:
			created++
		case 403:
		default:
			t.Fatalf("statuses %v", statuses)
		}
	}
	ps, _, err := s.Client(t, s.RootToken).Projects.ListUserProjects(bob.ID, nil)
	if err != nil || created != 3 || len(ps) != 3 {
		t.Fatalf("created %d (%v), bob has %d projects, %v", created, statuses, len(ps), err)
	}
}
