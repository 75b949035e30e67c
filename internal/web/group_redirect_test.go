package web_test

import (
	"net/http"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestMovedGroupPageRedirects: a group's page by the group's path before a
// rename redirects to its path now (GitLab's find_routable!), for those
// who may see the group; to others the old path is a 404 as any unknown
// one.
func TestMovedGroupPageRedirects(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	stranger := s.NewUser(t, "stranger")
	tokPassword(t, s, stranger.User, "stranger-password-1234")
	g, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Team"), Path: gitlab.Ptr("team"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Sub"), Path: gitlab.Ptr("sub"),
		ParentID: gitlab.Ptr(g.ID)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.Groups.UpdateGroup(g.ID, &gitlab.UpdateGroupOptions{Path: gitlab.Ptr("crew")}); err != nil {
		t.Fatal(err)
	}
	const suffix = "/-/settings/access_tokens"
	rc, _ := tokSession(t, s, "root", s.Config.RootPassword, "/groups/crew"+suffix)
	for old, now := range map[string]string{"/groups/team": "/groups/crew", "/groups/team/sub": "/groups/crew/sub"} {
		resp, err := rc.Get(s.URL + old + suffix)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != now+suffix {
			t.Fatalf("GET %s = %d to %q", old+suffix, resp.StatusCode, resp.Header.Get("Location"))
		}
		if code := tokGet(t, rc, s.URL+now+suffix); code != http.StatusOK {
			t.Fatalf("GET %s = %d", now+suffix, code)
		}
	}
	sc, _ := tokSession(t, s, "stranger", "stranger-password-1234", "/-/user_settings/personal_access_tokens")
	if code := tokGet(t, sc, s.URL+"/groups/team"+suffix); code != http.StatusNotFound {
		t.Fatalf("a stranger's GET of the old path = %d", code)
	}
}
