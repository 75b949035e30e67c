package hooks_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

var csrfField = regexp.MustCompile(`name="authenticity_token" value="([^"]+)"`)

// webSignIn posts the sign-in form as a browser would and returns the
// status it answered.
func webSignIn(t *testing.T, s *labtest.Server, login, password string) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(s.URL + "/users/sign_in")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		t.Fatal("no authenticity_token on the sign-in page")
	}
	resp, err = c.PostForm(s.URL+"/users/sign_in", url.Values{"authenticity_token": {string(m[1])},
		"user[login]": {login}, "user[password]": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestSystemHookFailedLoginOwnersAndPush: a blocked user's sign-in is a
// user_failed_login (a wrong password of an active user is not); a group
// project's create, update, rename and transfer events name the group and
// list the owners of the group and its ancestors; a push and a tag push
// reach a system hook with their commit list and count.
func TestSystemHookFailedLoginOwnersAndPush(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	setLocalHooks(t, s, true)
	recv := newHookReceiver(t, http.StatusOK)
	rc := s.Client(t, s.RootToken)
	if _, _, err := rc.SystemHooks.AddHook(&gitlab.AddHookOptions{URL: gitlab.Ptr(recv.URL),
		PushEvents: gitlab.Ptr(true), TagPushEvents: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	event := func(name string) func(receivedHook) bool {
		return func(r receivedHook) bool { return r.body["event_name"] == name }
	}

	t.Run("user_failed_login", func(t *testing.T) {
		const pass = "a-long-pass-phrase-1"
		active, _, err := rc.Users.CreateUser(&gitlab.CreateUserOptions{Username: gitlab.Ptr("ann"), Name: gitlab.Ptr("Ann"),
			Email: gitlab.Ptr("ann@example.com"), Password: gitlab.Ptr(pass), SkipConfirmation: gitlab.Ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		blocked, _, err := rc.Users.CreateUser(&gitlab.CreateUserOptions{Username: gitlab.Ptr("bob"), Name: gitlab.Ptr("Bob"),
			Email: gitlab.Ptr("bob@example.com"), Password: gitlab.Ptr(pass), SkipConfirmation: gitlab.Ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		if err := rc.Users.BlockUser(blocked.ID); err != nil {
			t.Fatal(err)
		}
		// Refusals that are no blocked user's: a wrong password, an
		// unknown login.
		if st := webSignIn(t, s, active.Username, "wrong-password-1"); st != http.StatusUnauthorized {
			t.Fatalf("wrong password = %d", st)
		}
		if st := webSignIn(t, s, "nobody", pass); st != http.StatusUnauthorized {
			t.Fatalf("unknown login = %d", st)
		}
		if st := webSignIn(t, s, blocked.Username, pass); st != http.StatusUnauthorized {
			t.Fatalf("blocked sign-in = %d", st)
		}
		b := recv.wait(t, "System Hook", event("user_failed_login")).body
		if b["user_id"] != float64(blocked.ID) || b["username"] != "bob" || b["name"] != "Bob" ||
			b["email"] != "bob@example.com" || b["state"] != "blocked" || b["created_at"] == nil || b["updated_at"] == nil {
			t.Fatalf("user_failed_login = %v", b)
		}
		// The events queue in order: the user_create of a later user
		// arriving means no earlier failed login is still on its way.
		if _, _, err := rc.Users.CreateUser(&gitlab.CreateUserOptions{Username: gitlab.Ptr("cid"), Name: gitlab.Ptr("Cid"),
			Email: gitlab.Ptr("cid@example.com"), Password: gitlab.Ptr(pass)}); err != nil {
			t.Fatal(err)
		}
		recv.wait(t, "System Hook", func(r receivedHook) bool { return r.body["event_name"] == "user_create" && r.body["username"] == "cid" })
		n := 0
		recv.mu.Lock()
		for _, r := range recv.got {
			if r.body["event_name"] == "user_failed_login" {
				n++
			}
		}
		recv.mu.Unlock()
		if n != 1 {
			t.Fatalf("%d user_failed_login events, want the blocked user's one", n)
		}
	})

	t.Run("project owners", func(t *testing.T) {
		oc := s.Client(t, f.Owner.Token)
		sub, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Sub"), Path: gitlab.Ptr("sub"),
			ParentID: gitlab.Ptr(f.Group.ID)})
		if err != nil {
			t.Fatal(err)
		}
		// The expected owners: the subgroup's members, direct or
		// inherited, at Owner level.
		all, _, err := rc.Groups.ListAllGroupMembers(sub.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, m := range all {
			if m.AccessLevel == gitlab.OwnerPermissions {
				want = append(want, m.Name)
			}
		}
		sort.Strings(want)
		if len(want) == 0 {
			t.Fatal("the subgroup has no owners")
		}
		names := func(b map[string]any) []string {
			var got []string
			for _, o := range b["owners"].([]any) {
				om := o.(map[string]any)
				if om["email"] != "[REDACTED]" {
					t.Fatalf("owner without a public email shows %v", om["email"])
				}
				got = append(got, om["name"].(string))
			}
			sort.Strings(got)
			return got
		}
		check := func(b map[string]any) {
			t.Helper()
			if b["owner_name"] != "Sub" || b["owner_email"] != "" || !equal(names(b), want) {
				t.Fatalf("%s: owner_name %v, owner_email %q, owners %v; want Sub, \"\", %v", b["event_name"],
					b["owner_name"], b["owner_email"], b["owners"], want)
			}
		}
		p, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Deep"), NamespaceID: gitlab.Ptr(sub.ID)})
		if err != nil {
			t.Fatal(err)
		}
		check(recv.wait(t, "System Hook", event("project_create")).body)
		if _, _, err := oc.Projects.EditProject(p.ID, &gitlab.EditProjectOptions{Description: gitlab.Ptr("d")}); err != nil {
			t.Fatal(err)
		}
		check(recv.wait(t, "System Hook", event("project_update")).body)
		if _, _, err := oc.Projects.EditProject(p.ID, &gitlab.EditProjectOptions{Path: gitlab.Ptr("deeper")}); err != nil {
			t.Fatal(err)
		}
		check(recv.wait(t, "System Hook", event("project_rename")).body)

		// A personal project names its user, with the webhook email.
		mine, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Mine")})
		if err != nil {
			t.Fatal(err)
		}
		pb := recv.wait(t, "System Hook", func(r receivedHook) bool {
			return r.body["event_name"] == "project_create" && r.body["project_id"] == float64(mine.ID)
		}).body
		if pb["owner_name"] != f.Owner.Name || pb["owner_email"] != "[REDACTED]" || !equal(names(pb), []string{f.Owner.Name}) {
			t.Fatalf("personal project_create = %v", pb)
		}
		// Transferred into the subgroup, it names the group.
		if _, _, err := oc.Projects.TransferProject(mine.ID, &gitlab.TransferProjectOptions{Namespace: sub.ID}); err != nil {
			t.Fatal(err)
		}
		check(recv.wait(t, "System Hook", event("project_transfer")).body)
	})

	t.Run("push and tag push", func(t *testing.T) {
		mc := s.Client(t, f.Maintainer.Token)
		var shas []string
		for _, name := range []string{"a.txt", "b.txt"} {
			c, _, err := mc.Commits.CreateCommit(f.Project.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
				CommitMessage: gitlab.Ptr("add " + name), Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate),
					FilePath: gitlab.Ptr(name), Content: gitlab.Ptr(name)}}})
			if err != nil {
				t.Fatal(err)
			}
			shas = append(shas, c.ID)
		}
		// The second commit's push.
		b := recv.wait(t, "System Hook", func(r receivedHook) bool {
			return r.body["event_name"] == "push" && r.body["after"] == shas[1]
		}).body
		commits, _ := b["commits"].([]any)
		if b["before"] != shas[0] || b["ref"] != "refs/heads/main" || b["checkout_sha"] != shas[1] ||
			b["user_id"] != float64(f.Maintainer.ID) || b["project_id"] != float64(f.Project.ID) ||
			b["total_commits_count"] != float64(1) || len(commits) != 1 {
			t.Fatalf("system push = %v", b)
		}
		c := commits[0].(map[string]any)
		author, _ := c["author"].(map[string]any)
		if c["id"] != shas[1] || strings.TrimSpace(c["message"].(string)) != "add b.txt" || c["timestamp"] == nil || c["url"] == nil || author["name"] == nil {
			t.Fatalf("system push commit = %v", c)
		}
		proj, _ := b["project"].(map[string]any)
		repo, _ := b["repository"].(map[string]any)
		if proj["path_with_namespace"] != f.Project.PathWithNamespace || repo["git_http_url"] == nil {
			t.Fatalf("system push project/repository = %v %v", proj, repo)
		}

		if _, _, err := mc.Tags.CreateTag(f.Project.ID, &gitlab.CreateTagOptions{TagName: gitlab.Ptr("v1"), Ref: gitlab.Ptr("main")}); err != nil {
			t.Fatal(err)
		}
		tb := recv.wait(t, "System Hook", event("tag_push")).body
		tc, ok := tb["commits"].([]any)
		if tb["ref"] != "refs/tags/v1" || tb["checkout_sha"] != shas[1] || !ok || len(tc) != 0 || tb["total_commits_count"] != float64(0) {
			t.Fatalf("system tag_push = %v", tb)
		}
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
