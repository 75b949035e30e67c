package graphql_test

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLProjectCountersAndBranchRules reads Project.forksCount,
// starCount, topics and branchRules against REST's answers, with REST's
// permission on protected branches (Maintainers) and a bad page size.
func TestGraphQLProjectCountersAndBranchRules(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	mc := s.Client(t, tm.Maintainer.Token)
	if _, _, err := mc.RepositoryFiles.CreateFile(tm.Project.ID, "README.md", &gitlab.CreateFileOptions{
		Branch: gitlab.Ptr("main"), Content: gitlab.Ptr("hi"), CommitMessage: gitlab.Ptr("init")}); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"release/1", "release/2", "feature"} {
		if _, _, err := mc.Branches.CreateBranch(tm.Project.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr(b),
			Ref: gitlab.Ptr("main")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := mc.ProtectedBranches.ProtectRepositoryBranches(tm.Project.ID, &gitlab.ProtectRepositoryBranchesOptions{
		Name: gitlab.Ptr("release/*"), PushAccessLevel: gitlab.Ptr(gitlab.MaintainerPermissions),
		MergeAccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions), AllowForcePush: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := mc.Projects.EditProject(tm.Project.ID, &gitlab.EditProjectOptions{Topics: &[]string{"go", "forge"}}); err != nil {
		t.Fatal(err)
	}
	dc := s.Client(t, tm.Developer.Token)
	if _, _, err := dc.Projects.StarProject(tm.Project.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := dc.Projects.ForkProject(tm.Project.ID, &gitlab.ForkProjectOptions{}); err != nil {
		t.Fatal(err)
	}
	rest, _, err := mc.Projects.GetProject(tm.Project.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	rules, _, err := mc.ProtectedBranches.ListProtectedBranches(tm.Project.ID, nil)
	if err != nil {
		t.Fatal(err)
	}

	const q = `query($p: ID!) { project(fullPath: $p) { forksCount starCount topics lastActivityAt
		branchRules(first: 10) { count nodes { id name isDefault isProtected matchingBranchesCount createdAt
			branchProtection { allowForcePush codeOwnerApprovalRequired
				mergeAccessLevels(first: 1) { nodes { accessLevel accessLevelDescription } }
				pushAccessLevels(first: 1) { count nodes { accessLevel accessLevelDescription } } } } } } }`
	read := func(token string) map[string]any {
		t.Helper()
		_, r := post(t, s, token, q, map[string]any{"p": tm.Project.PathWithNamespace})
		return mustData(t, r)
	}
	d := read(tm.Maintainer.Token)
	p := dig(d, "project")
	topics, _ := dig(p, "topics").([]any)
	if dig(p, "forksCount") != float64(rest.ForksCount) || rest.ForksCount != 1 || dig(p, "starCount") != float64(1) ||
		len(topics) != len(rest.Topics) || !slices.Contains(topics, any("go")) || dig(p, "lastActivityAt") == nil {
		t.Fatalf("counters = %v, REST forks %d stars %d topics %v", p, rest.ForksCount, rest.StarCount, rest.Topics)
	}
	nodes, _ := dig(p, "branchRules", "nodes").([]any)
	if len(nodes) != len(rules) || dig(p, "branchRules", "count") != float64(len(rules)) {
		t.Fatalf("branchRules = %v, REST %v", nodes, rules)
	}
	var release any
	for i, n := range nodes {
		if dig(n, "name") != rules[i].Name || dig(n, "id") != fmt.Sprintf("gid://gitlab/Projects::BranchRule/%d", rules[i].ID) ||
			dig(n, "isProtected") != true {
			t.Errorf("rule %d = %v, REST %+v", i, n, rules[i])
		}
		if dig(n, "name") == "release/*" {
			release = n
		}
		if dig(n, "name") == "main" && (dig(n, "isDefault") != true || dig(n, "matchingBranchesCount") != float64(1)) {
			t.Errorf("default rule = %v", n)
		}
	}
	bp := dig(release, "branchProtection")
	merge, _ := dig(bp, "mergeAccessLevels", "nodes").([]any)
	push, _ := dig(bp, "pushAccessLevels", "nodes").([]any)
	if release == nil || dig(release, "isDefault") != false || dig(release, "matchingBranchesCount") != float64(2) ||
		dig(bp, "allowForcePush") != true || dig(bp, "codeOwnerApprovalRequired") != false || len(merge) != 1 || len(push) != 1 ||
		dig(merge[0], "accessLevel") != float64(30) || dig(merge[0], "accessLevelDescription") != "Developers + Maintainers" ||
		dig(push[0], "accessLevel") != float64(40) || dig(push[0], "accessLevelDescription") != "Maintainers" {
		t.Errorf("release rule = %v", release)
	}
	if _, err := time.Parse(time.RFC3339, fmt.Sprint(dig(release, "createdAt"))); err != nil {
		t.Errorf("createdAt: %v", err)
	}

	// A developer sees the counters but not the rules (REST: 403).
	d = read(tm.Developer.Token)
	if dig(d, "project", "forksCount") != float64(1) || dig(d, "project", "branchRules") != nil {
		t.Errorf("developer = %v", d)
	}
	if _, resp, err := dc.ProtectedBranches.ListProtectedBranches(tm.Project.ID, nil); err == nil || resp.StatusCode != 403 {
		t.Errorf("REST developer protected branches: %v", err)
	}
	// A stranger does not see the project at all.
	stranger := s.NewUser(t, "stranger")
	if d := read(stranger.Token); dig(d, "project") != nil {
		t.Errorf("stranger = %v", d)
	}
	// A second page, and a negative page size refused.
	_, r := post(t, s, tm.Maintainer.Token, `query($p: ID!, $a: String) { project(fullPath: $p) { branchRules(first: 1, after: $a) {
		nodes { name } pageInfo { hasNextPage } } } }`, map[string]any{"p": tm.Project.PathWithNamespace, "a": cursorOf(0)})
	if n, _ := dig(mustData(t, r), "project", "branchRules", "nodes").([]any); len(n) != 1 || dig(n[0], "name") != rules[1].Name {
		t.Errorf("second page = %v", r.Data)
	}
	_, r = post(t, s, tm.Maintainer.Token, `query($p: ID!) { project(fullPath: $p) { branchRules(first: -1) { count } } }`,
		map[string]any{"p": tm.Project.PathWithNamespace})
	if len(r.Errors) == 0 || r.Errors[0]["message"] != "Argument 'first' and 'last' must be a non-negative integer" {
		t.Errorf("first: -1 = %v", r)
	}
}

// cursorOf is the cursor of the item at offset pos, as lablet writes it.
func cursorOf(pos int) string {
	return base64.StdEncoding.EncodeToString([]byte(`{"offset":"` + strconv.Itoa(pos) + `"}`))
}

// TestGraphQLCurrentUserStatus reads CurrentUser.status as REST's GET
// /user/status: set, unset (null), anonymous (no current user).
func TestGraphQLCurrentUserStatus(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	busy := s.NewUser(t, "busy")
	idle := s.NewUser(t, "idle")
	if _, _, err := s.Client(t, busy.Token).Users.SetUserStatus(&gitlab.UserStatusOptions{Emoji: gitlab.Ptr("coffee"),
		Message: gitlab.Ptr("back soon"), Availability: gitlab.Ptr(gitlab.Busy),
		ClearStatusAfter: gitlab.Ptr(gitlab.ClearStatusAfter1Day)}); err != nil {
		t.Fatal(err)
	}
	rest, _, err := s.Client(t, busy.Token).Users.CurrentUserStatus()
	if err != nil {
		t.Fatal(err)
	}
	const q = `{ currentUser { username status { availability emoji message clearStatusAt } } }`
	_, r := post(t, s, busy.Token, q, nil)
	st := dig(mustData(t, r), "currentUser", "status")
	at, err := time.Parse(time.RFC3339, fmt.Sprint(dig(st, "clearStatusAt")))
	if dig(st, "availability") != "BUSY" || dig(st, "emoji") != rest.Emoji || dig(st, "message") != "back soon" ||
		err != nil || rest.ClearStatusAt == nil || !at.Equal(*rest.ClearStatusAt) {
		t.Errorf("status = %v (%v), REST %+v", st, err, rest)
	}
	// No status set: null, as GitLab.
	_, r = post(t, s, idle.Token, q, nil)
	if d := mustData(t, r); dig(d, "currentUser", "username") != "idle" || dig(d, "currentUser", "status") != nil {
		t.Errorf("idle = %v", d)
	}
	// Anonymous: no current user, so no status.
	_, r = post(t, s, "", q, nil)
	if d := mustData(t, r); dig(d, "currentUser") != nil {
		t.Errorf("anonymous = %v", d)
	}
	// A field UserStatus does not have is refused.
	_, r = post(t, s, busy.Token, `{ currentUser { status { mood } } }`, nil)
	if len(r.Errors) == 0 {
		t.Errorf("unknown field = %v", r)
	}
}

// TestGraphQLForksAndBranchNames reads Project.isForked, forkedFrom and
// visibleForks and Repository.branchNames against REST: a fork in a private
// personal namespace is visible to its owner only.
func TestGraphQLForksAndBranchNames(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	mc := s.Client(t, tm.Maintainer.Token)
	if _, _, err := mc.RepositoryFiles.CreateFile(tm.Project.ID, "README.md", &gitlab.CreateFileOptions{
		Branch: gitlab.Ptr("main"), Content: gitlab.Ptr("hi"), CommitMessage: gitlab.Ptr("init")}); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"release/2", "release/1", "feature"} {
		if _, _, err := mc.Branches.CreateBranch(tm.Project.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr(b),
			Ref: gitlab.Ptr("main")}); err != nil {
			t.Fatal(err)
		}
	}
	dc := s.Client(t, tm.Developer.Token)
	fork, _, err := dc.Projects.ForkProject(tm.Project.ID, &gitlab.ForkProjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const q = `query($p: ID!, $f: ID!) { project(fullPath: $p) { isForked forkedFrom { fullPath }
		visibleForks(first: 5) { count nodes { fullPath } }
		repository { all: branchNames(searchPattern: "*", offset: 0, limit: 10)
			release: branchNames(searchPattern: "release/*", offset: 1, limit: 5) } }
		fork: project(fullPath: $f) { isForked forkedFrom { fullPath } } }`
	vars := map[string]any{"p": tm.Project.PathWithNamespace, "f": fork.PathWithNamespace}
	_, r := post(t, s, tm.Developer.Token, q, vars)
	d := mustData(t, r)
	forks, _ := dig(d, "project", "visibleForks", "nodes").([]any)
	restForks, _, err := dc.Projects.ListProjectForks(tm.Project.ID, &gitlab.ListProjectsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if dig(d, "project", "isForked") != false || dig(d, "project", "forkedFrom") != nil || len(forks) != len(restForks) ||
		len(forks) != 1 || dig(forks[0], "fullPath") != fork.PathWithNamespace ||
		dig(d, "fork", "isForked") != true || dig(d, "fork", "forkedFrom", "fullPath") != tm.Project.PathWithNamespace {
		t.Errorf("developer = %v, REST forks %d", d, len(restForks))
	}
	all, _ := dig(d, "project", "repository", "all").([]any)
	release, _ := dig(d, "project", "repository", "release").([]any)
	if fmt.Sprint(all) != "[feature main release/1 release/2]" || fmt.Sprint(release) != "[release/2]" {
		t.Errorf("branchNames = %v / %v", all, release)
	}

	// The maintainer may not see the developer's private fork (REST agrees).
	_, r = post(t, s, tm.Maintainer.Token, q, vars)
	d = mustData(t, r)
	if dig(d, "project", "visibleForks", "count") != float64(0) || dig(d, "fork") != nil {
		t.Errorf("maintainer = %v", d)
	}
	if rf, _, err := mc.Projects.ListProjectForks(tm.Project.ID, &gitlab.ListProjectsOptions{}); err != nil || len(rf) != 0 {
		t.Errorf("REST maintainer forks = %v, %v", rf, err)
	}
	// minimumAccessLevel: the developer owns the fork, so OWNER keeps it.
	_, r = post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) {
		o: visibleForks(minimumAccessLevel: OWNER) { count } } }`, map[string]any{"p": tm.Project.PathWithNamespace})
	if dig(mustData(t, r), "project", "o", "count") != float64(1) {
		t.Errorf("minimumAccessLevel = %v", r.Data)
	}
	// Languages as REST's GET /projects/:id/languages; a guest, who may
	// not read the code of a private project, gets null (REST: 403).
	if _, _, err := mc.RepositoryFiles.CreateFile(tm.Project.ID, "main.go", &gitlab.CreateFileOptions{
		Branch: gitlab.Ptr("main"), Content: gitlab.Ptr("package main\n\nfunc main() {}\n"),
		CommitMessage: gitlab.Ptr("go")}); err != nil {
		t.Fatal(err)
	}
	restLangs, _, err := dc.Projects.GetProjectLanguages(tm.Project.ID)
	if err != nil {
		t.Fatal(err)
	}
	lq := `query($p: ID!) { project(fullPath: $p) { languages { name share } } }`
	_, r = post(t, s, tm.Developer.Token, lq, map[string]any{"p": tm.Project.PathWithNamespace})
	langs, _ := dig(mustData(t, r), "project", "languages").([]any)
	if len(langs) == 0 || len(langs) != len(*restLangs) {
		t.Errorf("languages = %v, REST %v", langs, *restLangs)
	}
	for _, l := range langs {
		if share, ok := (*restLangs)[fmt.Sprint(dig(l, "name"))]; !ok || float32(dig(l, "share").(float64)) != share {
			t.Errorf("language %v, REST %v", l, *restLangs)
		}
	}
	guest := s.NewUser(t, "guest")
	if _, _, err := s.Client(t, s.RootToken).ProjectMembers.AddProjectMember(tm.Project.ID, &gitlab.AddProjectMemberOptions{
		UserID: guest.ID, AccessLevel: gitlab.Ptr(gitlab.GuestPermissions)}); err != nil {
		t.Fatal(err)
	}
	_, r = post(t, s, guest.Token, lq, map[string]any{"p": tm.Project.PathWithNamespace})
	if d := mustData(t, r); dig(d, "project") == nil || dig(d, "project", "languages") != nil {
		t.Errorf("guest languages = %v", d)
	}
	// A negative offset is refused.
	_, r = post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) { repository {
		branchNames(searchPattern: "*", offset: -1, limit: 1) } } }`, map[string]any{"p": tm.Project.PathWithNamespace})
	if len(r.Errors) == 0 {
		t.Errorf("offset -1 = %v", r)
	}
}

// TestGraphQLUserCoreStatus reads UserCore.status as REST's GET
// /users/:id/status for a page of users, in a number of statements that
// does not grow with the page.
func TestGraphQLUserCoreStatus(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	var names []string
	for i := range 8 {
		u := s.NewUser(t, fmt.Sprintf("st%d", i))
		names = append(names, u.Username)
		if i%2 == 0 {
			if _, _, err := s.Client(t, u.Token).Users.SetUserStatus(&gitlab.UserStatusOptions{
				Message: gitlab.Ptr(fmt.Sprintf("msg %d", i)), Emoji: gitlab.Ptr("coffee")}); err != nil {
				t.Fatal(err)
			}
		}
	}
	viewer := s.NewUser(t, "viewer")
	vc := s.Client(t, viewer.Token)
	// statements runs the query for n users, with or without their status.
	statements := func(n int, withStatus bool) (int64, []any) {
		fields := "username"
		if withStatus {
			fields += " status { message emoji availability }"
		}
		q := `query($u: [String!]) { users(usernames: $u, first: 10) { nodes { ` + fields + ` } } }`
		vars := map[string]any{"u": names[:n]}
		post(t, s, viewer.Token, q, vars)
		r, count := countedPost(t, s, viewer.Token, q, vars)
		nodes, _ := dig(mustData(t, r), "users", "nodes").([]any)
		return count, nodes
	}
	plain2, _ := statements(2, false)
	with2, _ := statements(2, true)
	plain8, _ := statements(8, false)
	with8, nodes := statements(8, true)
	// The statuses of a page cost one statement, however many users.
	if len(nodes) != 8 || with8-plain8 > 1 || with2-plain2 > 1 {
		t.Errorf("statuses of 8 users ran %d more statements, of 2 users %d more", with8-plain8, with2-plain2)
	}
	for _, n := range nodes {
		name := fmt.Sprint(dig(n, "username"))
		rest, _, err := vc.Users.GetUserStatus(name)
		if err != nil {
			t.Fatal(err)
		}
		st := dig(n, "status")
		if rest.Message == "" && st != nil || rest.Message != "" && (dig(st, "message") != rest.Message ||
			dig(st, "emoji") != rest.Emoji || dig(st, "availability") != "NOT_SET") {
			t.Errorf("%s: status = %v, REST %+v", name, st, rest)
		}
	}
	// Anonymous callers see public users' statuses as REST shows them.
	_, r := post(t, s, "", `query { user(username: "st0") { status { message } } }`, nil)
	if dig(mustData(t, r), "user", "status", "message") != "msg 0" {
		t.Errorf("anonymous = %v", r.Data)
	}
	// A field the status does not have is refused.
	_, r = post(t, s, viewer.Token, `query { user(username: "st0") { status { mood } } }`, nil)
	if len(r.Errors) == 0 {
		t.Errorf("unknown field = %v", r)
	}
}
