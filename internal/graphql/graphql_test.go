package graphql_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// gqlResult is a GraphQL answer.
type gqlResult struct {
	Data   map[string]any   `json:"data"`
	Errors []map[string]any `json:"errors"`
}

// post sends one query as token ("" anonymous) and decodes the answer.
// countedPost posts query three times and returns the last answer and the
// fewest statements one of the runs cost. A run may cost one more than the
// request needs: background work finishing meanwhile (a job's write moving
// a cache's version) or two resolvers loading one thing at once, both seen
// in CI under the race detector. One query per node, what the counting
// tests look for, shows in every run.
func countedPost(t *testing.T, s *labtest.Server, token, query string, vars map[string]any) (gqlResult, int64) {
	t.Helper()
	var r gqlResult
	fewest := int64(-1)
	for range 3 {
		before := s.Srv.DB.Statements()
		_, r = post(t, s, token, query, vars)
		if n := s.Srv.DB.Statements() - before; fewest < 0 || n < fewest {
			fewest = n
		}
	}
	return r, fewest
}

func post(t *testing.T, s *labtest.Server, token, query string, vars map[string]any) (int, gqlResult) {
	t.Helper()
	body := map[string]any{"query": query}
	if vars != nil {
		body["variables"] = vars
	}
	resp := s.Do(t, labtest.Request{Method: "POST", Path: s.URL + "/api/graphql", Token: token, JSON: body})
	var r gqlResult
	if resp.Status == 200 {
		resp.JSON(t, &r)
	}
	return resp.Status, r
}

// dig walks a decoded answer by keys.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func mustData(t *testing.T, r gqlResult) map[string]any {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %v", r.Errors)
	}
	return r.Data
}

func TestGraphQLQueries(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	root := s.Client(t, s.RootToken)
	priv, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("secret"),
		NamespaceID: gitlab.Ptr(tm.Group.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility), InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	pub, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("open"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility), InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.RepositoryFiles.CreateFile(pub.ID, "docs/guide.md", &gitlab.CreateFileOptions{
		Branch: gitlab.Ptr("main"), Content: gitlab.Ptr("# Guide\n"), CommitMessage: gitlab.Ptr("guide")}); err != nil {
		t.Fatal(err)
	}

	t.Run("metadata", func(t *testing.T) {
		_, r := post(t, s, "", `query { metadata { version revision } }`, nil)
		d := mustData(t, r)
		if v, _ := dig(d, "metadata", "version").(string); !strings.HasSuffix(v, "-lablet") {
			t.Errorf("version = %v", dig(d, "metadata"))
		}
	})

	t.Run("currentUser", func(t *testing.T) {
		_, r := post(t, s, tm.Developer.Token, `query { currentUser { id username } }`, nil)
		d := mustData(t, r)
		if dig(d, "currentUser", "username") != tm.Developer.Username ||
			dig(d, "currentUser", "id") != fmt.Sprintf("gid://gitlab/User/%d", tm.Developer.ID) {
			t.Errorf("currentUser = %v", d["currentUser"])
		}
		_, r = post(t, s, "", `query { currentUser { username } }`, nil)
		if d := mustData(t, r); d["currentUser"] != nil {
			t.Errorf("anonymous currentUser = %v", d["currentUser"])
		}
		// A read_api token suffices for queries; GET serves them too.
		readTok := s.NewToken(t, tm.Developer.ID, "read_api")
		resp := s.Do(t, labtest.Request{Path: s.URL + "/api/graphql?" + url.Values{"query": {"{ currentUser { username } }"}}.Encode(),
			Token: readTok})
		if resp.Status != 200 || !strings.Contains(string(resp.Body), `"username":"dev"`) {
			t.Errorf("GET with read_api: %d %s", resp.Status, resp.Body)
		}
		// read_user allows no API call, as in REST.
		resp = s.Do(t, labtest.Request{Method: "POST", Path: s.URL + "/api/graphql", Token: s.NewToken(t, tm.Developer.ID, "read_user"),
			JSON: map[string]any{"query": "{ currentUser { username } }"}})
		if resp.Status != 403 || !strings.Contains(string(resp.Body), "insufficient_scope") {
			t.Errorf("read_user token: %d %s", resp.Status, resp.Body)
		}
		resp = s.Do(t, labtest.Request{Method: "POST", Path: s.URL + "/api/graphql", Token: "nope",
			JSON: map[string]any{"query": "{ currentUser { username } }"}})
		if resp.Status != 401 {
			t.Errorf("bad token: %d %s", resp.Status, resp.Body)
		}
	})

	t.Run("project visibility matches REST", func(t *testing.T) {
		q := `query($p: ID!) { project(fullPath: $p) { id name fullPath visibility } }`
		for _, c := range []struct {
			who   string
			token string
			path  string
			seen  bool
		}{
			{"anonymous public", "", pub.PathWithNamespace, true},
			{"anonymous private", "", priv.PathWithNamespace, false},
			{"outsider private", outsider.Token, priv.PathWithNamespace, false},
			{"member private", tm.GroupMaintainer.Token, priv.PathWithNamespace, true},
			{"missing", tm.Developer.Token, "no/such", false},
		} {
			_, r := post(t, s, c.token, q, map[string]any{"p": c.path})
			d := mustData(t, r)
			if got := d["project"] != nil; got != c.seen {
				t.Errorf("%s: project = %v", c.who, d["project"])
			}
			rest := s.Do(t, labtest.Request{Path: "/projects/" + url.PathEscape(c.path), Token: c.token})
			if (rest.Status == 200) != c.seen {
				t.Errorf("%s: REST says %d", c.who, rest.Status)
			}
		}
		_, r := post(t, s, "", q, map[string]any{"p": pub.PathWithNamespace})
		if id := dig(r.Data, "project", "id"); id != fmt.Sprintf("gid://gitlab/Project/%d", pub.ID) {
			t.Errorf("id = %v", id)
		}
	})

	t.Run("repository", func(t *testing.T) {
		// GitLab's documented example: a project's tree and blobs.
		q := `query($p: ID!) { project(fullPath: $p) { repository { rootRef exists empty
			tree(ref: "main") { blobs(first: 10) { nodes { name path type } } trees(first: 10) { nodes { name path type } } }
			blobs(paths: ["README.md", "missing"], first: 2) { nodes { path rawTextBlob size } } } } }`
		_, r := post(t, s, "", q, map[string]any{"p": pub.PathWithNamespace})
		d := mustData(t, r)
		repo := dig(d, "project", "repository")
		if dig(repo, "rootRef") != "main" || dig(repo, "exists") != true || dig(repo, "empty") != false {
			t.Errorf("repository = %v", repo)
		}
		blobs, _ := dig(repo, "tree", "blobs", "nodes").([]any)
		trees, _ := dig(repo, "tree", "trees", "nodes").([]any)
		if len(blobs) != 1 || dig(blobs[0], "name") != "README.md" || dig(blobs[0], "type") != "blob" ||
			len(trees) != 1 || dig(trees[0], "path") != "docs" || dig(trees[0], "type") != "tree" {
			t.Errorf("tree = %v", dig(repo, "tree"))
		}
		bs, _ := dig(repo, "blobs", "nodes").([]any)
		if len(bs) != 1 || !strings.Contains(fmt.Sprint(dig(bs[0], "rawTextBlob")), "open") {
			t.Errorf("blobs = %v", bs)
		}
		_, r = post(t, s, "", `query($p: ID!) { project(fullPath: $p) { repository { tree(recursive: true) { blobs { nodes { path } } } } } }`,
			map[string]any{"p": pub.PathWithNamespace})
		if n, _ := dig(mustData(t, r), "project", "repository", "tree", "blobs", "nodes").([]any); len(n) != 2 {
			t.Errorf("recursive blobs = %v", n)
		}
	})

	t.Run("projects connection", func(t *testing.T) {
		q := `query($after: String) { projects(membership: true, first: 1, after: $after) { count
			nodes { fullPath } edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }`
		_, r := post(t, s, tm.Owner.Token, q, nil)
		d := mustData(t, r)
		count, _ := dig(d, "projects", "count").(float64)
		if count < 2 || dig(d, "projects", "pageInfo", "hasNextPage") != true {
			t.Fatalf("first page = %v", d["projects"])
		}
		seen := map[string]bool{}
		var after any
		for range int(count) {
			_, r := post(t, s, tm.Owner.Token, q, map[string]any{"after": after})
			d := mustData(t, r)
			nodes, _ := dig(d, "projects", "nodes").([]any)
			if len(nodes) != 1 {
				t.Fatalf("page = %v", d)
			}
			seen[dig(nodes[0], "fullPath").(string)] = true
			after = dig(d, "projects", "pageInfo", "endCursor")
		}
		if len(seen) != int(count) || !seen[priv.PathWithNamespace] || seen[pub.PathWithNamespace] {
			t.Errorf("pages saw %v of %v", seen, count)
		}
		_, r = post(t, s, "", `query { projects(search: "open", first: 5) { nodes { name } } }`, nil)
		if n, _ := dig(mustData(t, r), "projects", "nodes").([]any); len(n) != 1 {
			t.Errorf("search = %v", n)
		}
	})

	t.Run("group and members", func(t *testing.T) {
		q := `query($g: ID!) { group(fullPath: $g) { id fullPath groupMembers(first: 20) { count nodes { accessLevel { integerValue stringValue } user { username } } } } }`
		_, r := post(t, s, tm.GroupMaintainer.Token, q, map[string]any{"g": tm.Group.FullPath})
		d := mustData(t, r)
		nodes, _ := dig(d, "group", "groupMembers", "nodes").([]any)
		levels := map[string]string{}
		for _, n := range nodes {
			levels[dig(n, "user", "username").(string)] = fmt.Sprint(dig(n, "accessLevel", "stringValue"))
		}
		if levels[tm.Owner.Username] != "OWNER" || levels[tm.GroupMaintainer.Username] != "MAINTAINER" {
			t.Errorf("members = %v", levels)
		}
		_, r = post(t, s, outsider.Token, q, map[string]any{"g": tm.Group.FullPath})
		if mustData(t, r)["group"] != nil {
			t.Errorf("outsider sees private group")
		}
		_, r = post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) { projectMembers(first: 20) { nodes { accessLevel { integerValue } user { username } } } } }`,
			map[string]any{"p": tm.Project.PathWithNamespace})
		if n, _ := dig(mustData(t, r), "project", "projectMembers", "nodes").([]any); len(n) == 0 {
			t.Errorf("projectMembers = %v", r.Data)
		}
		_, r = post(t, s, tm.GroupMaintainer.Token, `query($g: ID!) { namespace(fullPath: $g) { fullPath } }`, map[string]any{"g": tm.Group.FullPath})
		if dig(mustData(t, r), "namespace", "fullPath") != tm.Group.FullPath {
			t.Errorf("namespace = %v", r.Data)
		}
	})

	t.Run("users", func(t *testing.T) {
		_, r := post(t, s, tm.Owner.Token, `query { user(username: "dev") { username } users(usernames: ["dev", "mia"]) { count nodes { username } } }`, nil)
		d := mustData(t, r)
		if dig(d, "user", "username") != "dev" || dig(d, "users", "count") != float64(2) {
			t.Errorf("users = %v", d)
		}
		_, r = post(t, s, tm.Owner.Token, fmt.Sprintf(`query { user(id: "gid://gitlab/User/%d") { username } }`, tm.Maintainer.ID), nil)
		if dig(mustData(t, r), "user", "username") != tm.Maintainer.Username {
			t.Errorf("user by id = %v", r.Data)
		}
	})

	t.Run("errors", func(t *testing.T) {
		status, r := post(t, s, "", `query { currentUser { username }`, nil)
		if status != 200 || len(r.Errors) != 1 || r.Errors[0]["locations"] == nil {
			t.Errorf("syntax error: %d %v", status, r.Errors)
		}
		_, r = post(t, s, "", `query { project(fullPath: "x") { nope } }`, nil)
		if len(r.Errors) != 1 || !strings.Contains(fmt.Sprint(r.Errors[0]["message"]), "nope") {
			t.Errorf("unknown field: %v", r.Errors)
		}
		// Over-complex: many aliased fields.
		var b strings.Builder
		b.WriteString("query {")
		for i := range 260 {
			fmt.Fprintf(&b, " a%d: metadata { version }", i)
		}
		b.WriteString(" }")
		_, r = post(t, s, tm.Owner.Token, b.String(), nil)
		if len(r.Errors) != 1 || !strings.HasPrefix(fmt.Sprint(r.Errors[0]["message"]), "Query has complexity of") ||
			!strings.HasSuffix(fmt.Sprint(r.Errors[0]["message"]), "which exceeds max complexity of 250") || r.Data != nil {
			t.Errorf("complexity: %v", r)
		}
		_, r = post(t, s, "", b.String(), nil)
		if len(r.Errors) != 1 || !strings.HasSuffix(fmt.Sprint(r.Errors[0]["message"]), "max complexity of 200") {
			t.Errorf("anonymous complexity: %v", r.Errors)
		}
		deep := "query { project(fullPath: \"x\") { group { " + strings.Repeat("parent { ", 14) + "id" + strings.Repeat(" }", 14) + " } } }"
		_, r = post(t, s, "", deep, nil)
		if len(r.Errors) != 1 || fmt.Sprint(r.Errors[0]["message"]) != "Query has depth of 17, which exceeds max depth of 15" {
			t.Errorf("depth: %v", r.Errors)
		}
	})

	t.Run("multiplex", func(t *testing.T) {
		resp := s.Do(t, labtest.Request{Method: "POST", Path: s.URL + "/api/graphql", Token: tm.Owner.Token,
			JSON: []map[string]any{{"query": "{ currentUser { username } }"}, {"query": "{ metadata { version } }"}}})
		var rs []gqlResult
		resp.JSON(t, &rs)
		if len(rs) != 2 || dig(rs[0].Data, "currentUser", "username") != tm.Owner.Username || dig(rs[1].Data, "metadata", "version") == nil {
			t.Errorf("multiplex = %s", resp.Body)
		}
	})

	t.Run("mutations", func(t *testing.T) {
		q := `mutation($p: ID!, $n: String!) { createBranch(input: {projectPath: $p, name: $n, ref: "main"}) { branch { name commit { sha } } errors } }`
		vars := map[string]any{"p": priv.PathWithNamespace, "n": "feature-x"}
		_, r := post(t, s, tm.GroupMaintainer.Token, q, vars)
		d := mustData(t, r)
		if dig(d, "createBranch", "branch", "name") != "feature-x" || len(dig(d, "createBranch", "errors").([]any)) != 0 {
			t.Fatalf("createBranch = %v", d)
		}
		if _, _, err := root.Branches.GetBranch(priv.ID, "feature-x"); err != nil {
			t.Errorf("REST misses the branch: %v", err)
		}
		// Again: the service's refusal in the payload's errors.
		_, r = post(t, s, tm.GroupMaintainer.Token, q, vars)
		if errs, _ := dig(mustData(t, r), "createBranch", "errors").([]any); len(errs) != 1 {
			t.Errorf("duplicate branch = %v", r.Data)
		}
		// An outsider can't see the project: a top-level error.
		_, r = post(t, s, outsider.Token, q, map[string]any{"p": priv.PathWithNamespace, "n": "x"})
		if len(r.Errors) != 1 || dig(r.Data, "createBranch") != nil {
			t.Errorf("outsider = %v", r)
		}
		// read_api allows no mutation; GET none at all.
		_, r = post(t, s, s.NewToken(t, tm.GroupMaintainer.ID, "read_api"), q, map[string]any{"p": priv.PathWithNamespace, "n": "y"})
		if len(r.Errors) != 1 || r.Data != nil {
			t.Errorf("read_api mutation = %v", r)
		}
		resp := s.Do(t, labtest.Request{Token: tm.GroupMaintainer.Token, Path: s.URL + "/api/graphql?" + url.Values{"query": {
			`mutation { createBranch(input: {projectPath: "` + priv.PathWithNamespace + `", name: "z", ref: "main"}) { errors } }`}}.Encode()})
		if !strings.Contains(string(resp.Body), "Mutations are forbidden in GET requests") {
			t.Errorf("GET mutation = %s", resp.Body)
		}
		// commitCreate, GitLab's documented example shape.
		_, r = post(t, s, tm.GroupMaintainer.Token, `mutation($p: ID!) { commitCreate(input: {projectPath: $p, branch: "feature-x",
			message: "add notes", actions: [{action: CREATE, filePath: "notes.txt", content: "hello"}]}) { commit { sha title } errors } }`,
			map[string]any{"p": priv.PathWithNamespace})
		d = mustData(t, r)
		if dig(d, "commitCreate", "commit", "title") != "add notes" {
			t.Fatalf("commitCreate = %v", d)
		}
		f, _, err := root.RepositoryFiles.GetRawFile(priv.ID, "notes.txt", &gitlab.GetRawFileOptions{Ref: gitlab.Ptr("feature-x")})
		if err != nil || string(f) != "hello" {
			t.Errorf("file = %q %v", f, err)
		}
	})
}

// TestGraphQLIntrospection reads the schema with a real client library
// (Python's graphql-core builds a client schema from the answer).
func TestGraphQLIntrospection(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	resp := s.Do(t, labtest.Request{Method: "POST", Path: s.URL + "/api/graphql",
		JSON: map[string]any{"query": "{ __schema { queryType { name } types { name } } }"}})
	var r gqlResult
	resp.JSON(t, &r)
	if dig(r.Data, "__schema", "queryType", "name") != "Query" {
		t.Fatalf("introspection = %s", resp.Body)
	}
	runClientLibrary(t, s.URL+"/api/graphql")
}

// jsonString quotes s for a script.
func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }
