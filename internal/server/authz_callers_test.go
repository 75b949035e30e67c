package server_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/store"
)

// callerKind is how a caller authenticates.
type callerKind int

const (
	anonymousKind callerKind = iota
	tokenCaller              // a personal, project or group access token
	oauthCaller              // an OAuth access token (Bearer)
	sessionCaller            // the _gitlab_session cookie
)

// caller is one kind of caller of the matrix.
type caller struct {
	name string
	kind callerKind
	user *model.User
	// scopes are the token's (token and OAuth callers).
	scopes []string
	// token is the credential, per visibility for the bots (each is the
	// bot of that visibility's project or group).
	token map[visibility]string
	// botUser is the bot user behind token, per visibility.
	botUser map[visibility]int64
	cookie  string
	csrf    bool   // a session caller that sends the CSRF token
	csrfTok string // the session's CSRF token
	// role is the caller's level in every fixture group (and so in their
	// projects); projectBot and groupBot narrow it.
	role       access.Level
	projectBot bool // a member of the main project only
	groupBot   bool // a member of the main group (and its projects)
	external   bool
	bot        bool
	// admin: the caller holds admin powers as GitLab decides them (Admin
	// Mode on: an admin token needs the admin_mode scope, an admin's
	// session must have entered Admin Mode, which no session here has).
	admin bool
	// adminUser: the user is an administrator, whatever the credential.
	adminUser bool
	// tokenOwner: the user owns the fixtures' personal token target.
	tokenOwner bool
}

// anonymousCaller is how git and pages see callers whose credentials they
// don't read.
var anonymousCaller = &caller{name: "anonymous"}

func (c *caller) authenticated() bool { return c.kind != anonymousKind }

func (c *caller) hasToken() bool { return c.kind == tokenCaller || c.kind == oauthCaller }

func (c *caller) hasAnyScope(scopes []string) bool {
	if !c.hasToken() {
		return true
	}
	return slices.ContainsFunc(scopes, func(s string) bool { return slices.Contains(c.scopes, s) })
}

// level is the caller's membership level on t.
func (c *caller) level(t target) access.Level {
	switch {
	case c.projectBot:
		if t.kind == mainProject {
			return c.role
		}
		return access.NoAccess
	case c.groupBot:
		return c.role // the main group, its projects and its subgroups
	}
	return c.role
}

// hasProjectIn reports whether the caller is a member of a project in the
// group t (GitLab then lets them read the group).
func (c *caller) hasProjectIn(t target) bool { return c.projectBot && t.kind == mainGroup }

// botOf reports whether the caller is the bot of resource t.
func (c *caller) botOf(t target) bool {
	return c.projectBot && t.kind == mainProject || c.groupBot && t.kind == mainGroup
}

func (c *caller) ownsTokenTarget() bool { return c.tokenOwner }

// credentials sets the caller's credentials on hr as the surface reads
// them; override replaces the token (fixtures that consume it).
func (c *caller) credentials(hr *http.Request, s surface, v visibility, req request) {
	tok := c.token[v]
	if req.token != "" {
		tok = req.token
	}
	switch c.kind {
	case tokenCaller, oauthCaller:
		switch s {
		case gitSurface:
			user := "matrix"
			if c.kind == oauthCaller {
				user = "oauth2"
			}
			hr.SetBasicAuth(user, tok)
		case apiSurface:
			if c.kind == oauthCaller {
				hr.Header.Set("Authorization", "Bearer "+tok)
			} else {
				hr.Header.Set("PRIVATE-TOKEN", tok)
			}
		default:
			hr.Header.Set("Authorization", "Bearer "+tok)
		}
	case sessionCaller:
		hr.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: c.cookie})
		if c.csrf && hr.Method != http.MethodGet && hr.Method != http.MethodHead {
			hr.Header.Set("X-CSRF-Token", c.csrfTok)
		}
	}
}

// matrix holds the server, the callers and the fixtures' shared targets.
type matrix struct {
	t       *testing.T
	s       *labtest.Server
	http    *http.Client
	callers []*caller
	seq     atomic.Int64

	users    map[string]*model.User
	groups   map[visibility]*groupFixture
	projects map[visibility]*projectFixture
	// ownerToken is the Owner user's token the {id} routes of
	// /personal_access_tokens address.
	ownerToken int64
	// impersonation is an impersonation token of the Owner user.
	impersonation int64
	oauthClient   struct{ id, secret string }
}

type groupFixture struct {
	id       int64
	path     string
	member   int64 // a direct Guest member, for PUT …/members/:user_id
	tokenID  int64 // a group access token, for GET …/access_tokens/:token_id
	botUser  int64
	botToken string
}

type projectFixture struct {
	id        int64
	path      string
	member    int64
	tokenID   int64
	botUser   int64
	botToken  string
	blob      string // README.md's blob id on main
	head      string // main's commit
	feature   string // the commit of keep-feature
	protected string // a protected branch rule for GET/PATCH
}

const matrixPassword = "matrix-password-1234"

// newMatrix builds the callers and the shared fixtures: one group and one
// project in it per visibility, every role a member of each group.
func newMatrix(t *testing.T, s *labtest.Server) *matrix {
	x := &matrix{t: t, s: s, users: map[string]*model.User{},
		groups: map[visibility]*groupFixture{}, projects: map[visibility]*projectFixture{},
		http: &http.Client{Timeout: 60 * time.Second,
			Transport:     &http.Transport{MaxIdleConnsPerHost: 16},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for _, name := range []string{"guest", "reporter", "developer", "maintainer", "owner", "nonmember"} {
		x.newUser(name, false, false)
	}
	x.newUser("external", true, false)
	x.newUser("extguest", true, false)
	x.newUser("boss", false, true)

	roles := map[string]access.Level{"guest": access.Guest, "reporter": access.Reporter,
		"developer": access.Developer, "maintainer": access.Maintainer, "owner": access.Owner, "extguest": access.Guest}
	for _, v := range visibilities {
		x.groups[v] = x.newGroup(v, roles)
		x.projects[v] = x.newProject(v)
	}

	user := func(name string, scopes ...string) *caller {
		u := x.users[name]
		c := &caller{name: name, kind: tokenCaller, user: u, scopes: scopes, role: roles[name],
			external: u.External, adminUser: u.IsAdmin, tokenOwner: name == "owner"}
		_, tok := x.mintToken(u.ID, scopes...)
		c.token = map[visibility]string{public: tok, internal: tok, private: tok}
		return c
	}
	x.callers = append(x.callers, &caller{name: "anonymous"})
	for _, name := range []string{"nonmember", "external", "extguest", "guest", "reporter", "developer", "maintainer", "owner"} {
		x.callers = append(x.callers, user(name, "api"))
	}
	admin := user("boss", "api", "admin_mode")
	admin.name, admin.admin = "admin", true
	noMode := user("boss", "api")
	noMode.name = "admin_without_admin_mode"
	x.callers = append(x.callers, admin, noMode)
	// One caller per token scope other than api: the Owner's tokens, so
	// that only the scope stands between them and the route.
	for _, sc := range auth.PersonalScopes {
		if sc == auth.ScopeAPI {
			continue
		}
		c := user("owner", sc)
		c.name = "owner_token_" + sc
		x.callers = append(x.callers, c)
	}
	// Bots of the project's and the group's access tokens, Maintainers.
	pbot := &caller{name: "project_bot", kind: tokenCaller, scopes: []string{"api"}, role: access.Maintainer,
		projectBot: true, bot: true, token: map[visibility]string{}, botUser: map[visibility]int64{}}
	gbot := &caller{name: "group_bot", kind: tokenCaller, scopes: []string{"api"}, role: access.Maintainer,
		groupBot: true, bot: true, token: map[visibility]string{}, botUser: map[visibility]int64{}}
	for _, v := range visibilities {
		pbot.token[v], pbot.botUser[v] = x.projects[v].botToken, x.projects[v].botUser
		gbot.token[v], gbot.botUser[v] = x.groups[v].botToken, x.groups[v].botUser
	}
	x.callers = append(x.callers, pbot, gbot)
	x.callers = append(x.callers, x.oauthCaller("developer", roles["developer"]))
	// Sessions: a Maintainer's with and without the CSRF token, and an
	// administrator's (which has not entered Admin Mode).
	x.callers = append(x.callers, x.session("session", "maintainer", true, roles["maintainer"]),
		x.session("session_without_csrf", "maintainer", false, roles["maintainer"]),
		x.session("admin_session", "boss", true, access.NoAccess))

	x.ownerToken, _ = x.mintToken(x.users["owner"].ID)
	imp := x.root("POST", "/api/v4/users/"+itoa(x.users["owner"].ID)+"/impersonation_tokens",
		map[string]any{"name": "matrix", "scopes": []string{"api"}})
	x.impersonation = int64(imp["id"].(float64))
	return x
}

// newUser creates a user with a password directly in the store.
func (x *matrix) newUser(name string, external, admin bool) *model.User {
	ctx := context.Background()
	hash, err := auth.HashPassword(matrixPassword)
	if err != nil {
		x.t.Fatal(err)
	}
	// Made in the store directly, so as the service makes users: an
	// external one gets GitLab's can_create_group false and projects
	// limit 0 (User#ensure_user_rights_and_limits).
	u := &model.User{Username: name, Email: name + "@example.com", Name: name, External: external, IsAdmin: admin,
		CanCreateGroup: !external, ProjectsLimit: 100000, PasswordHash: hash}
	if external {
		u.ProjectsLimit = 0
	}
	if err := x.s.Srv.DB.WithTx(ctx, func(q *store.Queries) error { return q.CreateUser(ctx, u) }); err != nil {
		x.t.Fatalf("create user %s: %v", name, err)
	}
	x.users[name] = u
	return u
}

func (x *matrix) session(name, user string, csrf bool, role access.Level) *caller {
	in, err := x.s.Srv.Service.SignIn(context.Background(), service.SignInInput{Login: user, Password: matrixPassword})
	if err != nil {
		x.t.Fatalf("sign in %s: %v", user, err)
	}
	u := x.users[user]
	return &caller{name: name, kind: sessionCaller, user: u, cookie: in.Cookie, csrf: csrf,
		csrfTok: in.Session.CSRFToken, role: role, adminUser: u.IsAdmin}
}

// oauthCaller gets an OAuth access token (api, openid) for user with the
// password grant of an instance application.
func (x *matrix) oauthCaller(user string, role access.Level) *caller {
	app := x.root("POST", "/api/v4/applications", map[string]any{"name": "matrix", "redirect_uri": "http://127.0.0.1:9/cb",
		"scopes": "api openid", "confidential": true})
	x.oauthClient.id, x.oauthClient.secret = app["application_id"].(string), app["secret"].(string)
	form := url.Values{"grant_type": {"password"}, "username": {user}, "password": {matrixPassword},
		"scope": {"api openid"}, "client_id": {x.oauthClient.id}, "client_secret": {x.oauthClient.secret}}
	resp, err := x.http.PostForm(x.s.URL+"/oauth/token", form)
	if err != nil {
		x.t.Fatal(err)
	}
	defer resp.Body.Close()
	m := decode(x.t, resp)
	tok, _ := m["access_token"].(string)
	if resp.StatusCode != http.StatusOK || tok == "" {
		x.t.Fatalf("oauth password grant = %d %v", resp.StatusCode, m)
	}
	u := x.users[user]
	return &caller{name: "oauth", kind: oauthCaller, user: u, scopes: []string{"api", "openid"}, role: role,
		token: map[visibility]string{public: tok, internal: tok, private: tok}}
}

// mintToken creates a personal access token of user (scopes default to
// api) and returns its id and text; it may run on the matrix's workers.
func (x *matrix) mintToken(userID int64, scopes ...string) (int64, string) {
	if len(scopes) == 0 {
		scopes = []string{"api"}
	}
	t, text, err := x.s.Srv.Service.CreateToken(context.Background(), service.NewTokenInput{UserID: userID,
		Name: "matrix", Scopes: scopes})
	if err != nil {
		panic(fixtureFailure(err.Error()))
	}
	return t.ID, text
}

// freshToken mints another token like the caller's, for fixtures whose
// request consumes the token it is made with.
func (x *matrix) freshToken(c *caller, v visibility) string {
	var text string
	switch {
	case c.kind != tokenCaller:
	case c.bot:
		_, text = x.mintToken(c.botUser[v], c.scopes...)
	default:
		_, text = x.mintToken(c.user.ID, c.scopes...)
	}
	return text
}

func (x *matrix) next() string { return strconv.FormatInt(x.seq.Add(1), 10) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// pathEscape is GitLab's URL-encoded path id.
func pathEscape(p string) string { return strings.ReplaceAll(url.PathEscape(p), "/", "%2F") }
