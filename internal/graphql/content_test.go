package graphql_test

import (
	"fmt"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLSnippets: createSnippet makes personal and project snippets
// whose blobs read back; Query.snippets and Project.snippets show what
// REST shows each caller; updateSnippet and destroySnippet follow the
// snippet rules (an outsider gets a top-level error).
func TestGraphQLSnippets(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	p := tm.Project.PathWithNamespace
	create := `mutation($in: CreateSnippetInput!) { createSnippet(input: $in) { errors
		snippet { id title visibilityLevel fileName webUrl project { fullPath } author { username }
		blobs(first: 5) { count nodes { name path rawPath rawPlainData size binary } } } } }`
	_, r := post(t, s, tm.Developer.Token, create, map[string]any{"in": map[string]any{"title": "mine",
		"visibilityLevel": "private", "blobActions": []any{map[string]any{"action": "create", "filePath": "a.txt",
			"content": "hello"}}}})
	d := mustData(t, r)
	sn := dig(d, "createSnippet", "snippet")
	personal, _ := dig(sn, "id").(string)
	blobs, _ := dig(sn, "blobs", "nodes").([]any)
	num := strings.TrimPrefix(personal, "gid://gitlab/PersonalSnippet/")
	if num == personal || dig(sn, "visibilityLevel") != "private" || dig(sn, "project") != nil || len(blobs) != 1 ||
		dig(blobs[0], "rawPlainData") != "hello" || dig(blobs[0], "size") != float64(5) || dig(blobs[0], "binary") != false ||
		dig(blobs[0], "rawPath") != "/-/snippets/"+num+"/raw/main/a.txt" || dig(sn, "author", "username") != "dev" {
		t.Fatalf("createSnippet = %v", d)
	}
	_, r = post(t, s, tm.Maintainer.Token, create, map[string]any{"in": map[string]any{"title": "proj",
		"visibilityLevel": "private", "projectPath": p, "blobActions": []any{map[string]any{"action": "create",
			"filePath": "b.txt", "content": "x"}}}})
	d = mustData(t, r)
	project, _ := dig(d, "createSnippet", "snippet", "id").(string)
	if !strings.HasPrefix(project, "gid://gitlab/ProjectSnippet/") || dig(d, "createSnippet", "snippet", "project", "fullPath") != p {
		t.Fatalf("project createSnippet = %v", d)
	}
	// A refusal the user can fix: errors, nothing made.
	_, r = post(t, s, tm.Developer.Token, create, map[string]any{"in": map[string]any{"title": "",
		"visibilityLevel": "public", "blobActions": []any{map[string]any{"action": "create", "filePath": "c.txt", "content": "x"}}}})
	if d := mustData(t, r); len(dig(d, "createSnippet", "errors").([]any)) == 0 || dig(d, "createSnippet", "snippet") != nil {
		t.Fatalf("empty title = %v", d)
	}

	count := func(token, query string, vars map[string]any, path ...string) any {
		t.Helper()
		_, r := post(t, s, token, query, vars)
		return dig(mustData(t, r), path...)
	}
	byIDs := `query($ids: [SnippetID!]) { snippets(ids: $ids, first: 10) { count nodes { title } } }`
	ids := map[string]any{"ids": []any{personal, project}}
	for _, c := range []struct {
		who, token string
		want       float64
	}{{"developer", tm.Developer.Token, 2}, {"maintainer", tm.Maintainer.Token, 1}, {"outsider", outsider.Token, 0},
		{"anonymous", "", 0}, {"admin", s.RootToken, 2}} {
		if n := count(c.token, byIDs, ids, "snippets", "count"); n != c.want {
			t.Errorf("%s: snippets(ids) count = %v, want %v", c.who, n, c.want)
		}
	}
	projectList := `query($p: ID!) { project(fullPath: $p) { snippets(first: 10) { count nodes { id } } } }`
	if n := count(tm.Developer.Token, projectList, map[string]any{"p": p}, "project", "snippets", "count"); n != float64(1) {
		t.Errorf("project snippets = %v", n)
	}
	if n := count(outsider.Token, projectList, map[string]any{"p": p}, "project"); n != nil {
		t.Errorf("outsider project = %v", n)
	}
	pid := fmt.Sprintf("gid://gitlab/Project/%d", tm.Project.ID)
	if n := count(tm.Developer.Token, `query($p: ProjectID) { snippets(projectId: $p) { count } }`, map[string]any{"p": pid},
		"snippets", "count"); n != float64(1) {
		t.Errorf("snippets(projectId) = %v", n)
	}
	if n := count(tm.Developer.Token, `query { snippets(visibility: public) { count } }`, nil, "snippets", "count"); n != float64(0) {
		t.Errorf("snippets(visibility: public) = %v", n)
	}
	// Without a project: the personal snippets and the project ones the
	// caller reads (GitLab's SnippetsFinder), here the project's too.
	if n := count(tm.Developer.Token, `query { snippets { count } }`, nil, "snippets", "count"); n != float64(2) {
		t.Errorf("snippets = %v", n)
	}

	update := `mutation($in: UpdateSnippetInput!) { updateSnippet(input: $in) { errors snippet { title } } }`
	if _, r := post(t, s, outsider.Token, update, map[string]any{"in": map[string]any{"id": personal, "title": "x"}}); len(r.Errors) == 0 {
		t.Fatalf("outsider update = %v", r)
	}
	_, r = post(t, s, tm.Developer.Token, update, map[string]any{"in": map[string]any{"id": personal, "title": "renamed"}})
	if d := mustData(t, r); dig(d, "updateSnippet", "snippet", "title") != "renamed" {
		t.Fatalf("updateSnippet = %v", d)
	}
	destroy := `mutation($in: DestroySnippetInput!) { destroySnippet(input: $in) { errors } }`
	_, r = post(t, s, tm.Developer.Token, destroy, map[string]any{"in": map[string]any{"id": personal}})
	if d := mustData(t, r); fmt.Sprint(dig(d, "destroySnippet", "errors")) != "[]" {
		t.Fatalf("destroySnippet = %v", d)
	}
	if n := count(tm.Developer.Token, byIDs, ids, "snippets", "count"); n != float64(1) {
		t.Errorf("after destroy = %v", n)
	}
}

// TestGraphQLPackages: a generic package shows in Project.packages,
// Group.packages and Query.package with its files to readers, to nobody
// else; destroyPackage deletes it for a maintainer only.
func TestGraphQLPackages(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	p := tm.Project.PathWithNamespace
	mc := s.Client(t, tm.Maintainer.Token)
	if _, _, err := mc.GenericPackages.PublishPackageFile(tm.Project.ID, "tool", "1.2.3", "tool.bin",
		strings.NewReader("binary!"), nil); err != nil {
		t.Fatal(err)
	}
	q := `query($p: ID!) { project(fullPath: $p) { packages(packageType: GENERIC, first: 5) { count nodes { id name version
		packageType status canDestroy project { fullPath } _links { webPath } } } } }`
	_, r := post(t, s, tm.Developer.Token, q, map[string]any{"p": p})
	d := mustData(t, r)
	nodes, _ := dig(d, "project", "packages", "nodes").([]any)
	if len(nodes) != 1 || dig(nodes[0], "name") != "tool" || dig(nodes[0], "version") != "1.2.3" ||
		dig(nodes[0], "packageType") != "GENERIC" || dig(nodes[0], "status") != "DEFAULT" ||
		dig(nodes[0], "project", "fullPath") != p || !strings.HasPrefix(fmt.Sprint(dig(nodes[0], "id")), "gid://gitlab/Packages::Package/") {
		t.Fatalf("packages = %v", d)
	}
	id := dig(nodes[0], "id").(string)
	_, r = post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) { packages(packageType: NPM) { count } } }`,
		map[string]any{"p": p})
	if d := mustData(t, r); dig(d, "project", "packages", "count") != float64(0) {
		t.Fatalf("npm packages = %v", d)
	}
	_, r = post(t, s, tm.Developer.Token, `query($g: ID!) { group(fullPath: $g) { packages(first: 5) { count nodes { name project { fullPath } } } } }`,
		map[string]any{"g": tm.Group.FullPath})
	if d := mustData(t, r); dig(d, "group", "packages", "count") != float64(1) {
		t.Fatalf("group packages = %v", d)
	}
	one := `query($id: PackagesPackageID!) { package(id: $id) { name packageFiles(first: 5) { count nodes { fileName size fileSha256 downloadPath } } } }`
	_, r = post(t, s, tm.Developer.Token, one, map[string]any{"id": id})
	d = mustData(t, r)
	files, _ := dig(d, "package", "packageFiles", "nodes").([]any)
	if len(files) != 1 || dig(files[0], "fileName") != "tool.bin" || dig(files[0], "size") != "7" || dig(files[0], "fileSha256") == nil {
		t.Fatalf("package = %v", d)
	}
	for _, tok := range []string{outsider.Token, ""} {
		_, r := post(t, s, tok, one, map[string]any{"id": id})
		if d := mustData(t, r); d["package"] != nil {
			t.Fatalf("hidden package = %v", d)
		}
	}
	destroy := `mutation($in: DestroyPackageInput!) { destroyPackage(input: $in) { errors } }`
	if _, r := post(t, s, outsider.Token, destroy, map[string]any{"in": map[string]any{"id": id}}); len(r.Errors) == 0 {
		t.Fatalf("outsider destroy = %v", r)
	}
	_, r = post(t, s, tm.Maintainer.Token, destroy, map[string]any{"in": map[string]any{"id": id}})
	if d := mustData(t, r); fmt.Sprint(dig(d, "destroyPackage", "errors")) != "[]" {
		t.Fatalf("destroyPackage = %v", d)
	}
	if _, r := post(t, s, tm.Developer.Token, one, map[string]any{"id": id}); mustData(t, r)["package"] != nil {
		t.Fatalf("package after destroy = %v", r.Data)
	}
}

// TestGraphQLEnvironments: a project's environments with their tier,
// folder and last successful deployment; filters by name, search and
// states; hidden from outsiders.
func TestGraphQLEnvironments(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	p := tm.Project.PathWithNamespace
	seedFile(t, s, tm)
	mc := s.Client(t, tm.Maintainer.Token)
	for _, name := range []string{"production", "review/feature"} {
		if _, _, err := mc.Environments.CreateEnvironment(tm.Project.ID, &gitlab.CreateEnvironmentOptions{Name: gitlab.Ptr(name)}); err != nil {
			t.Fatal(err)
		}
	}
	br, _, err := mc.Branches.GetBranch(tm.Project.ID, "main")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := mc.Deployments.CreateProjectDeployment(tm.Project.ID, &gitlab.CreateProjectDeploymentOptions{
		Environment: gitlab.Ptr("production"), Ref: gitlab.Ptr("main"), SHA: gitlab.Ptr(br.Commit.ID),
		Tag: gitlab.Ptr(false), Status: gitlab.Ptr(gitlab.DeploymentStatusSuccess)}); err != nil {
		t.Fatal(err)
	}
	list := func(token, args string) map[string]any {
		t.Helper()
		_, r := post(t, s, token, `query($p: ID!) { project(fullPath: $p) { environments(first: 5`+args+`) { count
			nodes { id name state tier environmentType path lastDeployment(status: SUCCESS) { ref sha status triggerer { username } } } } } }`,
			map[string]any{"p": p})
		return mustData(t, r)
	}
	d := list(tm.Developer.Token, "")
	nodes, _ := dig(d, "project", "environments", "nodes").([]any)
	if dig(d, "project", "environments", "count") != float64(2) || len(nodes) != 2 || dig(nodes[0], "name") != "production" ||
		dig(nodes[0], "lastDeployment", "sha") != br.Commit.ID || dig(nodes[0], "lastDeployment", "status") != "SUCCESS" ||
		dig(nodes[0], "lastDeployment", "triggerer", "username") != "mia" || dig(nodes[1], "lastDeployment") != nil ||
		dig(nodes[1], "environmentType") != "review" || dig(nodes[0], "state") != "available" ||
		!strings.HasPrefix(fmt.Sprint(dig(nodes[0], "id")), "gid://gitlab/Environment/") ||
		!strings.HasPrefix(fmt.Sprint(dig(nodes[0], "path")), "/"+p+"/-/environments/") {
		t.Fatalf("environments = %v", d)
	}
	if d := list(tm.Developer.Token, `, search: "rev"`); dig(d, "project", "environments", "count") != float64(1) {
		t.Fatalf("search = %v", d)
	}
	if d := list(tm.Developer.Token, `, states: ["available", "stopped"]`); dig(d, "project", "environments", "count") != float64(2) {
		t.Fatalf("states = %v", d)
	}
	if d := list(tm.Developer.Token, `, states: ["stopped"]`); dig(d, "project", "environments", "count") != float64(0) {
		t.Fatalf("stopped = %v", d)
	}
	if d := list(outsider.Token, ""); d["project"] != nil {
		t.Fatalf("outsider = %v", d)
	}
	_, r := post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) { environment(name: "production") { name tier } } }`,
		map[string]any{"p": p})
	if d := mustData(t, r); dig(d, "project", "environment", "name") != "production" {
		t.Fatalf("environment = %v", d)
	}
}
