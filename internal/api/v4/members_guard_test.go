package v4_test

import (
	"sync"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// owners lists the direct Owners of a group.
func owners(t *testing.T, s *labtest.Server, gid int64) []string {
	t.Helper()
	ms, _, err := s.Client(t, s.RootToken).Groups.ListGroupMembers(gid, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		if m.AccessLevel == gitlab.OwnerPermissions {
			out = append(out, m.Username)
		}
	}
	return out
}

// setLevel changes a group membership as an administrator.
func setLevel(t *testing.T, s *labtest.Server, g *gitlab.Group, u *labtest.User, level gitlab.AccessLevelValue) {
	t.Helper()
	if _, _, err := s.Client(t, s.RootToken).GroupMembers.EditGroupMember(g.ID, u.ID, &gitlab.EditGroupMemberOptions{
		AccessLevel: gitlab.Ptr(level)}); err != nil {
		t.Fatalf("set %s: %v", u.Username, err)
	}
}

// TestMemberMultiAddKeepsLastOwner: the comma-separated form of POST
// /groups/:id/members treats each user as GitLab's Members::CreateService
// does: the last Owner is refused ("not authorized to update member", the
// service's result with http_status unauthorized, still 201) while the
// other users are written.
func TestMemberMultiAddKeepsLastOwner(t *testing.T) {
	t.Parallel()
	r := grpSetupRoles(t)
	s := r.s
	base := "/groups/" + grpID(r.top.ID) + "/members"
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.owner.Token,
		JSON: map[string]any{"user_id": grpID(r.owner.ID) + "," + grpID(r.guest.ID), "access_level": 30}}).
		ExpectError(t, 201, `{"status":"error","message":"owner: not authorized to update member","http_status":"unauthorized"}`)
	if got := owners(t, s, r.top.ID); len(got) != 1 || got[0] != "owner" {
		t.Fatalf("owners = %v", got)
	}
	m, _, err := s.Client(t, r.owner.Token).GroupMembers.GetGroupMember(r.top.ID, r.guest.ID)
	if err != nil || m.AccessLevel != gitlab.DeveloperPermissions {
		t.Fatalf("guest = %+v, %v", m, err)
	}

	// With two Owners, demoting both at once demotes the first and keeps
	// the second, whose turn comes when it is the last.
	setLevel(t, s, r.top, r.maint, gitlab.OwnerPermissions)
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.owner.Token,
		JSON: map[string]any{"user_id": grpID(r.owner.ID) + "," + grpID(r.maint.ID), "access_level": 40}}).
		ExpectError(t, 201, `{"status":"error","message":"maint: not authorized to update member","http_status":"unauthorized"}`)
	if got := owners(t, s, r.top.ID); len(got) != 1 || got[0] != "maint" {
		t.Fatalf("owners = %v", got)
	}
	// A subgroup's last direct Owner may go while the parent has one.
	subBase := "/groups/" + grpID(r.sub.ID) + "/members"
	s.Do(t, labtest.Request{Method: "POST", Path: subBase, Token: r.maint.Token,
		JSON: map[string]any{"user_id": grpID(r.owner.ID) + "," + grpID(r.sub2.ID), "access_level": 30}}).
		ExpectError(t, 201, `{"status":"success"}`)
}

// TestMemberConcurrentDemotionsKeepAnOwner: two Owners demoting each other
// at the same moment leave one of them Owner: the owner check and the
// write are one step (on PostgreSQL the group's row is locked).
func TestMemberConcurrentDemotionsKeepAnOwner(t *testing.T) {
	t.Parallel()
	r := grpSetupRoles(t)
	s := r.s
	base := "/groups/" + grpID(r.top.ID) + "/members/"
	for round := range 8 {
		setLevel(t, s, r.top, r.maint, gitlab.OwnerPermissions)
		setLevel(t, s, r.top, r.owner, gitlab.OwnerPermissions)
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, pair := range [][2]*labtest.User{{r.owner, r.maint}, {r.maint, r.owner}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = s.Do(t, labtest.Request{Method: "PUT", Path: base + grpID(pair[1].ID), Token: pair[0].Token,
					JSON: map[string]any{"access_level": 40}}).Status
			}()
		}
		wg.Wait()
		if got := owners(t, s, r.top.ID); len(got) != 1 {
			t.Fatalf("round %d: statuses %v, owners %v", round, statuses, got)
		}
	}
}

// TestMemberResourceBotStaysWithItsResource: a project access token's bot
// can't be made a member of another project or group, alone (400, the
// member's validation error) or among others (the service's result names
// it; the others are added), as GitLab's Member validation refuses.
func TestMemberResourceBotStaysWithItsResource(t *testing.T) {
	t.Parallel()
	f := atkSetup(t)
	s := f.s
	tok, _, err := s.Client(t, f.maint.Token).ProjectAccessTokens.CreateProjectAccessToken(f.project.ID,
		&gitlab.CreateProjectAccessTokenOptions{Name: gitlab.Ptr("ci"), Scopes: &[]string{"api"}, ExpiresAt: atkDate(30)})
	if err != nil {
		t.Fatal(err)
	}
	bot, _, err := s.Client(t, s.RootToken).Users.GetUser(tok.UserID, gitlab.GetUsersOptions{})
	if err != nil {
		t.Fatal(err)
	}
	owner := s.NewUser(t, "elsewhere")
	other := s.NewUser(t, "other")
	oc := s.Client(t, owner.Token)
	proj, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Other")})
	if err != nil {
		t.Fatal(err)
	}
	grp, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Else"), Path: gitlab.Ptr("else")})
	if err != nil {
		t.Fatal(err)
	}
	refused := `{"message":{"user_id":["project bots cannot be added to other groups / projects"]}}`
	for _, base := range []string{"/projects/" + grpID(proj.ID) + "/members", "/groups/" + grpID(grp.ID) + "/members",
		"/groups/" + grpID(f.group.ID) + "/members"} {
		for _, tk := range []string{owner.Token, s.RootToken} {
			if base == "/groups/"+grpID(f.group.ID)+"/members" && tk == owner.Token {
				tk = f.owner.Token
			}
			s.Do(t, labtest.Request{Method: "POST", Path: base, Token: tk, JSON: map[string]any{"user_id": tok.UserID, "access_level": 30}}).
				ExpectError(t, 400, refused)
			s.Do(t, labtest.Request{Method: "POST", Path: base, Token: tk, JSON: map[string]any{"username": bot.Username, "access_level": 30}}).
				ExpectError(t, 400, refused)
		}
	}
	base := "/projects/" + grpID(proj.ID) + "/members"
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: owner.Token,
		JSON: map[string]any{"user_id": grpID(tok.UserID) + "," + grpID(other.ID), "access_level": 30}}).
		ExpectError(t, 201, `{"status":"error","message":"`+bot.Username+`: User project bots cannot be added to other groups / projects"}`)
	if _, _, err := oc.ProjectMembers.GetProjectMember(proj.ID, other.ID); err != nil {
		t.Fatalf("other was not added: %v", err)
	}
	s.Do(t, labtest.Request{Path: base + "/" + grpID(tok.UserID), Token: owner.Token}).ExpectError(t, 404, `{"message":"404 Not found"}`)
	// On its own project the bot is a member already.
	s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + grpID(f.project.ID) + "/members", Token: f.maint.Token,
		JSON: map[string]any{"user_id": tok.UserID, "access_level": 30}}).ExpectError(t, 409, `{"message":"Member already exists"}`)
}
