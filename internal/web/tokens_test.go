package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
)

// tokPassword gives user a password so it can sign in on the pages.
func tokPassword(t *testing.T, s *labtest.Server, u *model.User, password string) {
	t.Helper()
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	u.PasswordHash = hash
	if err := s.Srv.DB.Queries().UpdateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
}

// tokCreateOnPage fills the create form on the page at path and returns
// the token shown once afterwards.
func tokCreateOnPage(t *testing.T, ctx context.Context, s *labtest.Server, path, name string, extra ...chromedp.Action[chromedp.Void]) string {
	t.Helper()
	actions := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(s.URL + path),
		chromedp.WaitVisible(chromedp.ID("token_name")),
		chromedp.SendKeys(chromedp.ID("token_name"), name),
		chromedp.Click(chromedp.ID("scope_api")),
	}
	actions = append(actions, extra...)
	actions = append(actions, chromedp.Click(chromedp.CSS(`[data-testid="create-token-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="new-token"]`)))
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("create token on %s: %v", path, err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="new-token"]`)))
	if err != nil || text == "" {
		t.Fatalf("new token = %q, %v", text, err)
	}
	return strings.TrimSpace(text)
}

// tokRevokeOnPage clicks the revoke button of token id and waits for the
// reloaded list without it.
func tokRevokeOnPage(t *testing.T, ctx context.Context, id int64) {
	t.Helper()
	button := chromedp.CSS(`[data-testid="revoke-token-` + strconv.FormatInt(id, 10) + `"]`)
	err := chromedp.Do(ctx, chromedp.Click(button), chromedp.WaitNotPresent(button))
	if err != nil {
		t.Fatalf("revoke on page: %v", err)
	}
}

func tokStatus(t *testing.T, s *labtest.Server, path, token string) int {
	t.Helper()
	return s.Do(t, labtest.Request{Path: path, Token: token}).Status
}

// TestPersonalAccessTokenPageBrowser creates, uses and revokes a personal
// access token on its page in real Chromium.
func TestPersonalAccessTokenPageBrowser(t *testing.T) {
	s := labtest.Start(t)
	ctx := labtest.Browser(t)
	s.SignIn(t, ctx, "root", s.Config.RootPassword)
	text := tokCreateOnPage(t, ctx, s, "/-/user_settings/personal_access_tokens", "laptop")
	if got := tokStatus(t, s, "/user", text); got != http.StatusOK {
		t.Fatalf("GET /user with the new token = %d", got)
	}
	name, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="token-name"]`)))
	if err != nil || name != "laptop" {
		t.Fatalf("listed = %q, %v", name, err)
	}
	self := s.Do(t, labtest.Request{Path: "/personal_access_tokens/self", Token: text}).Map(t)
	tokRevokeOnPage(t, ctx, int64(self["id"].(float64)))
	if got := tokStatus(t, s, "/user", text); got != http.StatusUnauthorized {
		t.Fatalf("GET /user with the revoked token = %d", got)
	}
}

// TestProjectAccessTokenPageBrowser does the same on a project's settings
// page as its Maintainer.
func TestProjectAccessTokenPageBrowser(t *testing.T) {
	s := labtest.Start(t)
	mia := s.NewUser(t, "mia")
	tokPassword(t, s, mia.User, "mia-password-1234")
	root := s.Client(t, s.RootToken)
	g, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Team"), Path: gitlab.Ptr("team")})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("App"),
		NamespaceID: gitlab.Ptr(g.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: mia.ID,
		AccessLevel: gitlab.Ptr(gitlab.MaintainerPermissions)}); err != nil {
		t.Fatal(err)
	}
	ctx := labtest.Browser(t)
	s.SignIn(t, ctx, "mia", "mia-password-1234")
	text := tokCreateOnPage(t, ctx, s, "/team/app/-/settings/access_tokens", "deploy",
		chromedp.SetValue(chromedp.ID("token_access_level"), "30"))
	projectPath := "/projects/" + url.PathEscape("team/app")
	if got := tokStatus(t, s, projectPath, text); got != http.StatusOK {
		t.Fatalf("project with the new token = %d", got)
	}
	tokens, _, err := root.ProjectAccessTokens.ListProjectAccessTokens(p.ID, nil)
	if err != nil || len(tokens) != 1 || tokens[0].AccessLevel != gitlab.DeveloperPermissions {
		t.Fatalf("tokens = %+v, %v", tokens, err)
	}
	tokRevokeOnPage(t, ctx, tokens[0].ID)
	if _, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="no-tokens"]`))); err != nil {
		t.Fatalf("list after revoke: %v", err)
	}
	if got := tokStatus(t, s, projectPath, text); got != http.StatusUnauthorized {
		t.Fatalf("project with the revoked token = %d", got)
	}
}

// tokSession signs user in over plain HTTP and returns the client and a
// form token from page.
func tokSession(t *testing.T, s *labtest.Server, login, password, page string) (*http.Client, string) {
	t.Helper()
	jar := newClient(t)
	csrf := formToken(t, jar, s.URL+"/users/sign_in")
	resp, err := jar.PostForm(s.URL+"/users/sign_in", url.Values{"authenticity_token": {csrf},
		"user[login]": {login}, "user[password]": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("sign in as %s = %d", login, resp.StatusCode)
	}
	return jar, formToken(t, jar, s.URL+page)
}

func tokPost(t *testing.T, c *http.Client, u string, form url.Values) (int, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func tokGet(t *testing.T, c *http.Client, u string) int {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestAccessTokenPagesGuard checks CSRF on every form and that only those
// who may manage tokens reach the settings pages.
func TestAccessTokenPagesGuard(t *testing.T) {
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	dev := s.NewUser(t, "dev")
	tokPassword(t, s, dev.User, "dev-password-1234")
	g, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Team"), Path: gitlab.Ptr("team")})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("App"),
		NamespaceID: gitlab.Ptr(g.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: dev.ID,
		AccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)}); err != nil {
		t.Fatal(err)
	}
	pat := "/-/user_settings/personal_access_tokens"
	projectPage := "/team/app/-/settings/access_tokens"
	groupPage := "/groups/team/-/settings/access_tokens"

	rc, csrf := tokSession(t, s, "root", s.Config.RootPassword, pat)
	form := url.Values{"name": {"x"}, "scopes": {"api"}}
	for _, page := range []string{pat, projectPage, groupPage} {
		for _, tok := range []string{"", "forged-token"} {
			f := url.Values{"authenticity_token": {tok}}
			for k, v := range form {
				f[k] = v
			}
			if code, _ := tokPost(t, rc, s.URL+page, f); code != http.StatusUnprocessableEntity {
				t.Fatalf("POST %s with CSRF %q = %d", page, tok, code)
			}
		}
	}
	if pats, _, _ := root.PersonalAccessTokens.ListPersonalAccessTokens(&gitlab.ListPersonalAccessTokensOptions{
		Search: gitlab.Ptr("x")}); len(pats) != 0 {
		t.Fatalf("forged requests created %d tokens", len(pats))
	}
	if tokens, _, _ := root.ProjectAccessTokens.ListProjectAccessTokens(p.ID, nil); len(tokens) != 0 {
		t.Fatalf("forged requests created %d project tokens", len(tokens))
	}
	// Root's real form works, and a bad scope is refused on the page.
	f := url.Values{"authenticity_token": {csrf}, "name": {"x"}, "scopes": {"nope"}}
	if code, body := tokPost(t, rc, s.URL+projectPage, f); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "scopes does not have a valid value") {
		t.Fatalf("bad scope = %d", code)
	}
	f.Set("scopes", "read_api")
	if code, body := tokPost(t, rc, s.URL+groupPage, f); code != http.StatusOK || !strings.Contains(body, `data-testid="new-token"`) {
		t.Fatalf("group token on page = %d", code)
	}

	// A Developer may not manage the project's tokens, nor see the group's;
	// a stranger learns nothing; signed-out visitors are sent to sign in.
	dc, dcsrf := tokSession(t, s, "dev", "dev-password-1234", pat)
	for _, page := range []string{projectPage, groupPage, "/team/nope/-/settings/access_tokens", "/team/app/-/settings/other"} {
		if code := tokGet(t, dc, s.URL+page); code != http.StatusNotFound {
			t.Fatalf("developer GET %s = %d", page, code)
		}
	}
	if code, _ := tokPost(t, dc, s.URL+projectPage, url.Values{"authenticity_token": {dcsrf}, "name": {"x"},
		"scopes": {"api"}}); code != http.StatusNotFound {
		t.Fatalf("developer POST = %d", code)
	}
	if code := tokGet(t, newClient(t), s.URL+projectPage); code != http.StatusFound {
		t.Fatalf("signed-out GET = %d", code)
	}
	if code := tokGet(t, dc, s.URL+pat); code != http.StatusOK {
		t.Fatalf("developer's own token page = %d", code)
	}
}
