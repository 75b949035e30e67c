package graphql_test

import (
	"fmt"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLReleases: releaseCreate makes a release (tag from ref, asset
// link), Project.releases and Project.release read it with GitLab's
// fields, releaseUpdate and releaseDelete change it; a refusal the user can
// fix lands in errors, an invisible project is null or a top-level error.
func TestGraphQLReleases(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	p := tm.Project.PathWithNamespace
	seedFile(t, s, tm)
	create := `mutation($in: ReleaseCreateInput!) { releaseCreate(input: $in) { errors
		release { id tagName name description descriptionHtml author { username } commit { sha }
		assets { count links(first: 5) { nodes { id name linkType directAssetPath directAssetUrl } } sources(first: 5) { count nodes { format url } } }
		links { selfUrl editUrl openedIssuesUrl } } } }`
	in := map[string]any{"projectPath": p, "tagName": "v1.0", "ref": "main", "name": "First",
		"description": "**bold**", "assets": map[string]any{"links": []any{map[string]any{"name": "bin",
			"url": "https://example.com/bin", "directAssetPath": "/bin", "linkType": "PACKAGE"}}}}
	_, r := post(t, s, tm.Maintainer.Token, create, map[string]any{"in": in})
	d := mustData(t, r)
	rel := dig(d, "releaseCreate", "release")
	id, _ := dig(rel, "id").(string)
	links, _ := dig(rel, "assets", "links", "nodes").([]any)
	if !strings.HasPrefix(id, "gid://gitlab/Release/") || dig(rel, "tagName") != "v1.0" || dig(rel, "name") != "First" ||
		!strings.Contains(fmt.Sprint(dig(rel, "descriptionHtml")), "<strong>bold</strong>") ||
		dig(rel, "author", "username") != "mia" || dig(rel, "commit", "sha") == nil ||
		dig(rel, "assets", "count") != float64(5) || dig(rel, "assets", "sources", "count") != float64(4) || len(links) != 1 ||
		dig(links[0], "linkType") != "PACKAGE" || dig(links[0], "directAssetPath") != "/bin" ||
		dig(links[0], "directAssetUrl") != s.URL+"/"+p+"/-/releases/v1.0/downloads/bin" ||
		!strings.HasPrefix(fmt.Sprint(dig(links[0], "id")), "gid://gitlab/Releases::Link/") ||
		dig(rel, "links", "selfUrl") != s.URL+"/"+p+"/-/releases/v1.0" ||
		dig(rel, "links", "editUrl") != s.URL+"/"+p+"/-/releases/v1.0/edit" {
		t.Fatalf("releaseCreate = %v", d)
	}
	// A second release of the tag: the service's refusal in errors.
	_, r = post(t, s, tm.Maintainer.Token, create, map[string]any{"in": in})
	if d := mustData(t, r); fmt.Sprint(dig(d, "releaseCreate", "errors")) != "[Release already exists]" ||
		dig(d, "releaseCreate", "release") != nil {
		t.Fatalf("duplicate = %v", d)
	}
	// An outsider: a top-level error, nothing made.
	in2 := map[string]any{"projectPath": p, "tagName": "v9", "ref": "main"}
	if _, r := post(t, s, outsider.Token, create, map[string]any{"in": in2}); len(r.Errors) == 0 ||
		dig(r.Data, "releaseCreate") != nil {
		t.Fatalf("outsider create = %v", r)
	}
	_, r = post(t, s, tm.Developer.Token, create, map[string]any{"in": map[string]any{"projectPath": p, "tagName": "v2.0",
		"ref": "main", "releasedAt": "2020-01-02T03:04:05Z"}})
	mustData(t, r)

	list := func(token, args string) map[string]any {
		t.Helper()
		_, r := post(t, s, token, `query($p: ID!) { project(fullPath: $p) { releases`+args+` { count
			nodes { tagName releasedAt historicalRelease upcomingRelease } } } }`, map[string]any{"p": p})
		return mustData(t, r)
	}
	d = list(tm.Developer.Token, "(first: 10)")
	nodes, _ := dig(d, "project", "releases", "nodes").([]any)
	if dig(d, "project", "releases", "count") != float64(2) || len(nodes) != 2 || dig(nodes[0], "tagName") != "v1.0" ||
		dig(nodes[1], "historicalRelease") != true || dig(nodes[0], "upcomingRelease") != false {
		t.Fatalf("releases = %v", d)
	}
	d = list(tm.Developer.Token, "(sort: RELEASED_AT_ASC, first: 1)")
	if n, _ := dig(d, "project", "releases", "nodes").([]any); dig(d, "project", "releases", "count") != float64(2) ||
		len(n) != 1 || dig(n[0], "tagName") != "v2.0" {
		t.Fatalf("sorted = %v", d)
	}
	if d := list(outsider.Token, "(first: 10)"); d["project"] != nil {
		t.Fatalf("outsider = %v", d)
	}

	one := `query($p: ID!, $t: String!) { project(fullPath: $p) { release(tagName: $t) { name links { editUrl } } } }`
	_, r = post(t, s, tm.Developer.Token, one, map[string]any{"p": p, "t": "v1.0"})
	if d := mustData(t, r); dig(d, "project", "release", "name") != "First" {
		t.Fatalf("release = %v", d)
	}
	_, r = post(t, s, tm.Developer.Token, one, map[string]any{"p": p, "t": "nope"})
	if d := mustData(t, r); dig(d, "project", "release") != nil {
		t.Fatalf("missing release = %v", d)
	}

	_, r = post(t, s, tm.Maintainer.Token, `mutation($in: ReleaseUpdateInput!) { releaseUpdate(input: $in) { errors release { name } } }`,
		map[string]any{"in": map[string]any{"projectPath": p, "tagName": "v1.0", "name": "Renamed"}})
	if d := mustData(t, r); dig(d, "releaseUpdate", "release", "name") != "Renamed" {
		t.Fatalf("releaseUpdate = %v", d)
	}
	del := `mutation($in: ReleaseDeleteInput!) { releaseDelete(input: $in) { errors release { tagName } } }`
	if _, r := post(t, s, outsider.Token, del, map[string]any{"in": map[string]any{"projectPath": p, "tagName": "v1.0"}}); len(r.Errors) == 0 {
		t.Fatalf("outsider delete = %v", r)
	}
	_, r = post(t, s, tm.Maintainer.Token, del, map[string]any{"in": map[string]any{"projectPath": p, "tagName": "v1.0"}})
	if d := mustData(t, r); dig(d, "releaseDelete", "release", "tagName") != "v1.0" {
		t.Fatalf("releaseDelete = %v", d)
	}
	if d := list(tm.Developer.Token, "(first: 10)"); dig(d, "project", "releases", "count") != float64(1) {
		t.Fatalf("after delete = %v", d)
	}
}

// TestGraphQLReleasesReadCode: anonymous callers read a public project's
// releases with their commit; a private project's Guest reads its
// releases as REST shows them, without commit, tag path or sources.
func TestGraphQLReleasesReadCode(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	guest := s.NewUser(t, "guest")
	q := `query($p: ID!) { project(fullPath: $p) { releases(first: 5) { count nodes { tagName tagPath commit { sha }
		assets { count sources(first: 5) { count } } links { editUrl } } } } }`
	read := func(token string, p *gitlab.Project) any {
		t.Helper()
		_, r := post(t, s, token, q, map[string]any{"p": p.PathWithNamespace})
		nodes, _ := dig(mustData(t, r), "project", "releases", "nodes").([]any)
		if len(nodes) != 1 {
			t.Fatalf("releases = %v", r.Data)
		}
		return nodes[0]
	}
	for _, vis := range []gitlab.VisibilityValue{gitlab.PublicVisibility, gitlab.PrivateVisibility} {
		p, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(string(vis)),
			Visibility: gitlab.Ptr(vis), InitializeWithReadme: gitlab.Ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := root.Releases.CreateRelease(p.ID, &gitlab.CreateReleaseOptions{TagName: gitlab.Ptr("v1"),
			Ref: gitlab.Ptr("main")}); err != nil {
			t.Fatal(err)
		}
		if vis == gitlab.PublicVisibility {
			n := read("", p)
			if dig(n, "commit", "sha") == nil || dig(n, "tagPath") != "/"+p.PathWithNamespace+"/-/tags/v1" ||
				dig(n, "assets", "sources", "count") != float64(4) || dig(n, "links", "editUrl") != nil {
				t.Fatalf("anonymous release = %v", n)
			}
			continue
		}
		if _, _, err := root.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: guest.ID,
			AccessLevel: gitlab.Ptr(gitlab.GuestPermissions)}); err != nil {
			t.Fatal(err)
		}
		rest, _, err := s.Client(t, guest.Token).Releases.ListReleases(p.ID, nil)
		if err != nil || len(rest) != 1 || rest[0].Commit.ID != "" {
			t.Fatalf("REST as guest = %v %v", rest, err)
		}
		n := read(guest.Token, p)
		if dig(n, "commit") != nil || dig(n, "tagPath") != nil || dig(n, "assets", "sources", "count") != float64(0) ||
			dig(n, "assets", "count") != float64(0) {
			t.Fatalf("guest release = %v", n)
		}
	}
}

// TestGraphQLReleasesNoNPlusOne: a page of 8 releases with their authors,
// commits, links, milestones and rendered descriptions runs no more
// statements than a page of 2.
func TestGraphQLReleasesNoNPlusOne(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	tm := s.NewTeam(t)
	p := tm.Project.PathWithNamespace
	seedFile(t, s, tm)
	for i := range 8 {
		_, r := post(t, s, tm.Maintainer.Token, `mutation($in: ReleaseCreateInput!) { releaseCreate(input: $in) { errors } }`,
			map[string]any{"in": map[string]any{"projectPath": p, "tagName": fmt.Sprintf("v%d", i), "ref": "main",
				"description": fmt.Sprintf("release %d *notes*", i), "assets": map[string]any{"links": []any{
					map[string]any{"name": "l", "url": fmt.Sprintf("https://example.com/%d", i)}}}}})
		mustData(t, r)
	}
	statements := func(first int) (int64, int) {
		q := fmt.Sprintf(`query($p: ID!) { project(fullPath: $p) { releases(first: %d) { nodes { tagName descriptionHtml
			author { username } commit { sha } milestones(first: 2) { count } assets { count links(first: 2) { nodes { url } } } } } } }`, first)
		post(t, s, tm.Developer.Token, q, map[string]any{"p": p})
		r, n := countedPost(t, s, tm.Developer.Token, q, map[string]any{"p": p})
		nodes, _ := dig(mustData(t, r), "project", "releases", "nodes").([]any)
		for _, node := range nodes {
			if dig(node, "author", "username") != "mia" || dig(node, "commit", "sha") == nil {
				t.Fatalf("node = %v", node)
			}
		}
		return n, len(nodes)
	}
	few, n2 := statements(2)
	many, n8 := statements(8)
	if n2 != 2 || n8 != 8 {
		t.Fatalf("pages of %d and %d", n2, n8)
	}
	if few == 0 || many > few+3 {
		t.Errorf("8 releases ran %d statements, 2 ran %d", many, few)
	}
	t.Logf("statements: 2 releases %d, 8 releases %d", few, many)
}

// seedFile commits a README to the team project's main branch.
func seedFile(t *testing.T, s *labtest.Server, tm *labtest.Team) {
	t.Helper()
	if _, _, err := s.Client(t, tm.Maintainer.Token).RepositoryFiles.CreateFile(tm.Project.ID, "README.md",
		&gitlab.CreateFileOptions{Branch: gitlab.Ptr("main"), Content: gitlab.Ptr("# hi\n"),
			CommitMessage: gitlab.Ptr("readme")}); err != nil {
		t.Fatal(err)
	}
}
