package graphql_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLProjectCiTemplate reads a CI/CD template as REST's GET
// /projects/:id/templates/gitlab_ci_ymls/:name does; an unknown name is
// null, and who may not read the private project sees no project.
func TestGraphQLProjectCiTemplate(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	dev := s.Client(t, tm.Developer.Token)
	list, _, err := dev.ProjectTemplates.ListTemplates(tm.Project.ID, "gitlab_ci_ymls", nil)
	if err != nil || len(list) == 0 {
		t.Fatalf("REST list = %v %v", list, err)
	}
	rest, _, err := dev.ProjectTemplates.GetProjectTemplate(tm.Project.ID, "gitlab_ci_ymls", list[0].Key)
	if err != nil || rest.Content == "" {
		t.Fatalf("REST template = %+v %v", rest, err)
	}
	const q = `query($p: ID!, $n: String!) { project(fullPath: $p) { ciTemplate(name: $n) { name content } } }`
	vars := func(name string) map[string]any {
		return map[string]any{"p": tm.Project.PathWithNamespace, "n": name}
	}
	_, r := post(t, s, tm.Developer.Token, q, vars(list[0].Key))
	if c := dig(mustData(t, r), "project", "ciTemplate"); dig(c, "name") != rest.Name || dig(c, "content") != rest.Content {
		t.Errorf("template = %v, REST %+v", c, rest)
	}
	for _, name := range []string{"No-Such-Template", "../Go", "go-lowercase"} {
		_, r = post(t, s, tm.Developer.Token, q, vars(name))
		if p := dig(mustData(t, r), "project"); p == nil || dig(p, "ciTemplate") != nil || len(r.Errors) != 0 {
			t.Errorf("%s = %v %v", name, r.Data, r.Errors)
		}
	}
	_, r = post(t, s, outsider.Token, q, vars(list[0].Key))
	if v, ok := mustData(t, r)["project"]; !ok || v != nil {
		t.Errorf("outsider = %v", r.Data)
	}
}

// TestGraphQLProjectCiTemplateNoNPlusOne: a page of projects with each
// one's ciTemplate runs no more statements than the page without it.
func TestGraphQLProjectCiTemplateNoNPlusOne(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	u := manyProjects(t, s, 6)
	list, _, err := s.Client(t, u.Token).CIYMLTemplate.ListAllTemplates(nil)
	if err != nil || len(list) == 0 {
		t.Fatalf("templates = %v %v", list, err)
	}
	statements := func(field string) int64 {
		q := `query { projects(membership: true, first: 6) { nodes { fullPath ` + field + ` } } }`
		post(t, s, u.Token, q, nil)
		r, n := countedPost(t, s, u.Token, q, nil)
		nodes, _ := dig(mustData(t, r), "projects", "nodes").([]any)
		if len(nodes) != 6 {
			t.Fatalf("nodes = %v", nodes)
		}
		if field != "" && dig(nodes[5], "ciTemplate", "name") != list[0].Key {
			t.Fatalf("node = %v", nodes[5])
		}
		return n
	}
	without := statements("")
	with := statements(`ciTemplate(name: "` + list[0].Key + `") { name content }`)
	if without == 0 || with > without+2 {
		t.Errorf("6 projects with ciTemplate ran %d statements, without %d", with, without)
	}
	t.Logf("statements: without %d, with ciTemplate %d", without, with)
}

// blobSearchFixture commits two files holding "needle" to the team's
// private project: main.go with two blocks far apart, notes.md with one.
func blobSearchFixture(t *testing.T, s *labtest.Server, tm *labtest.Team) {
	t.Helper()
	var code strings.Builder
	for i := 1; i <= 30; i++ {
		switch i {
		case 3:
			code.WriteString("// the needle is here\n")
		case 20:
			code.WriteString("x := \"NEEDLE\"\n")
		default:
			fmt.Fprintf(&code, "line %d\n", i)
		}
	}
	opt := &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"), CommitMessage: gitlab.Ptr("files"),
		Actions: []*gitlab.CommitActionOptions{
			{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr("src/main.go"), Content: gitlab.Ptr(code.String())},
			{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr("notes.md"), Content: gitlab.Ptr("a Needle\n")},
			{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr("other.txt"), Content: gitlab.Ptr("hay\n")}}}
	if _, _, err := s.Client(t, tm.Owner.Token).Commits.CreateCommit(tm.Project.ID, opt); err != nil {
		t.Fatal(err)
	}
}

const blobSearchQuery = `query($s: String!, $p: ProjectID, $g: GroupID, $c: Int, $pp: Int, $pg: Int, $re: Boolean, $ref: String) {
  blobSearch(search: $s, projectId: $p, groupId: $g, chunkCount: $c, perPage: $pp, page: $pg, regex: $re, repositoryRef: $ref) {
    fileCount matchCount perPage searchLevel searchType
    files { path projectPath fileUrl blameUrl matchCount matchCountTotal
      chunks { matchCountInChunk lines { lineNumber text } } } } }`

// TestGraphQLBlobSearch finds a word in pushed files as REST's project
// search of scope blobs does, grouped by file; a guest of the private
// project (no read_code) finds nothing, and who may not read it gets the
// error GitLab gives a search that is not a project's.
func TestGraphQLBlobSearch(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider, guest := s.NewUser(t, "outsider"), s.NewUser(t, "guest")
	if _, _, err := s.Client(t, s.RootToken).ProjectMembers.AddProjectMember(tm.Project.ID, &gitlab.AddProjectMemberOptions{
		UserID: gitlab.Ptr(guest.ID), AccessLevel: gitlab.Ptr(gitlab.GuestPermissions)}); err != nil {
		t.Fatal(err)
	}
	blobSearchFixture(t, s, tm)
	pid := fmt.Sprintf("gid://gitlab/Project/%d", tm.Project.ID)
	search := func(token string, vars map[string]any) (map[string]any, gqlResult) {
		t.Helper()
		v := map[string]any{"s": "needle", "p": pid}
		for k, x := range vars {
			v[k] = x
		}
		_, r := post(t, s, token, blobSearchQuery, v)
		bs, _ := dig(r.Data, "blobSearch").(map[string]any)
		return bs, r
	}

	rest, _, err := s.Client(t, tm.Developer.Token).Search.BlobsByProject(tm.Project.ID, "needle", &gitlab.SearchOptions{})
	if err != nil || len(rest) != 3 {
		t.Fatalf("REST = %v %v", rest, err)
	}
	bs, r := search(tm.Developer.Token, nil)
	if len(r.Errors) != 0 || spaced(dig(bs, "fileCount"), dig(bs, "matchCount"), dig(bs, "perPage"),
		dig(bs, "searchLevel"), dig(bs, "searchType")) != "2 3 20 PROJECT BASIC" {
		t.Fatalf("search = %v %v", bs, r.Errors)
	}
	files, _ := dig(bs, "files").([]any)
	var paths []string
	for _, f := range files {
		paths = append(paths, fmt.Sprint(dig(f, "path")))
	}
	var restPaths []string
	for _, b := range rest {
		if !slices.Contains(restPaths, b.Path) {
			restPaths = append(restPaths, b.Path)
		}
	}
	if fmt.Sprint(paths) != fmt.Sprint(restPaths) || fmt.Sprint(paths) != "[notes.md src/main.go]" {
		t.Errorf("paths = %v, REST %v", paths, restPaths)
	}
	main := files[1]
	web := s.URL + "/" + tm.Project.PathWithNamespace
	if dig(main, "projectPath") != tm.Project.PathWithNamespace || dig(main, "fileUrl") != web+"/-/blob/main/src/main.go" ||
		dig(main, "blameUrl") != web+"/-/blame/main/src/main.go" || spaced(dig(main, "matchCount"), dig(main, "matchCountTotal")) != "2 2" {
		t.Errorf("main.go = %v", main)
	}
	chunks, _ := dig(main, "chunks").([]any)
	if len(chunks) != 2 || fmt.Sprint(dig(chunks[0], "matchCountInChunk")) != "1" {
		t.Fatalf("chunks = %v", chunks)
	}
	// As REST's blocks: the matching line with two lines around it.
	if got := fmt.Sprint(dig(chunks[0], "lines")); got !=
		"[map[lineNumber:1 text:line 1] map[lineNumber:2 text:line 2] map[lineNumber:3 text:// the needle is here] map[lineNumber:4 text:line 4] map[lineNumber:5 text:line 5]]" {
		t.Errorf("first chunk = %s", got)
	}
	if dig(chunks[1], "lines").([]any)[2].(map[string]any)["text"] != `x := "NEEDLE"` {
		t.Errorf("second chunk = %v", chunks[1])
	}

	// chunkCount bounds the blocks per file; perPage and page the files.
	bs, _ = search(tm.Developer.Token, map[string]any{"c": 1, "pp": 1, "pg": 2})
	if f := dig(bs, "files").([]any); len(f) != 1 || dig(f[0], "path") != "src/main.go" ||
		len(dig(f[0], "chunks").([]any)) != 1 || spaced(dig(f[0], "matchCount"), dig(f[0], "matchCountTotal")) != "1 2" ||
		spaced(dig(bs, "fileCount"), dig(bs, "perPage")) != "2 1" {
		t.Errorf("page 2 of 1 = %v", bs)
	}
	// A file found by its path (here its directory's), as REST finds it,
	// has no blocks.
	byPath, _, err := s.Client(t, tm.Developer.Token).Search.BlobsByProject(tm.Project.ID, "src", &gitlab.SearchOptions{})
	if err != nil || len(byPath) != 1 || byPath[0].Path != "src/main.go" {
		t.Fatalf("REST by path = %v %v", byPath, err)
	}
	bs, _ = search(tm.Developer.Token, map[string]any{"s": "src"})
	if f := dig(bs, "files").([]any); len(f) != 1 || dig(f[0], "path") != "src/main.go" ||
		spaced(dig(f[0], "chunks"), dig(f[0], "matchCountTotal"), dig(bs, "matchCount")) != "[] 0 0" {
		t.Errorf("by path = %v", bs)
	}
	bs, r = search(tm.Developer.Token, map[string]any{"ref": "main"})
	if len(r.Errors) != 0 || fmt.Sprint(dig(bs, "fileCount")) != "2" {
		t.Errorf("default branch = %v %v", bs, r.Errors)
	}

	// A guest of a private project may not read its code: nothing found,
	// as REST finds nothing.
	guestRest, _, err := s.Client(t, guest.Token).Search.BlobsByProject(tm.Project.ID, "needle", &gitlab.SearchOptions{})
	if err != nil || len(guestRest) != 0 {
		t.Fatalf("guest REST = %v %v", guestRest, err)
	}
	bs, r = search(guest.Token, nil)
	if len(r.Errors) != 0 || spaced(dig(bs, "fileCount"), dig(bs, "matchCount"), dig(bs, "files")) != "0 0 []" {
		t.Errorf("guest = %v %v", bs, r.Errors)
	}

	const noZoekt = "Zoekt search is not available for this request"
	for name, c := range map[string]struct {
		token string
		vars  map[string]any
		msg   string
	}{
		"outsider":      {outsider.Token, nil, noZoekt},
		"anonymous":     {"", nil, noZoekt},
		"no project":    {tm.Developer.Token, map[string]any{"p": nil, "g": nil}, noZoekt},
		"missing":       {tm.Developer.Token, map[string]any{"p": "gid://gitlab/Project/999999"}, noZoekt},
		"group":         {tm.Developer.Token, map[string]any{"p": nil, "g": fmt.Sprintf("gid://gitlab/Group/%d", tm.Group.ID)}, noZoekt},
		"regex":         {tm.Developer.Token, map[string]any{"re": true}, noZoekt},
		"other ref":     {tm.Developer.Token, map[string]any{"ref": "feature"}, "Search is only allowed in project default branch"},
		"outsider ref":  {outsider.Token, map[string]any{"ref": "feature"}, noZoekt},
		"bad global id": {tm.Developer.Token, map[string]any{"p": "gid://gitlab/Project/x"}, "not a valid Global ID"},
	} {
		bs, r := search(c.token, c.vars)
		if bs != nil || len(r.Errors) == 0 || !strings.Contains(fmt.Sprint(r.Errors[0]["message"]), c.msg) {
			t.Errorf("%s = %v %v", name, r.Data, r.Errors)
		}
	}
}

// spaced prints values separated by spaces, strings too.
func spaced(v ...any) string { return strings.TrimSuffix(fmt.Sprintln(v...), "\n") }
