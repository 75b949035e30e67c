package v4_test

import (
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

func TestTagsLifecycle(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	second := f.commit(t, "main", map[string]string{"b.txt": "b\n"})

	// Lightweight and annotated.
	light, resp, err := f.devC.Tags.CreateTag(f.p.ID, &gitlab.CreateTagOptions{TagName: gitlab.Ptr("v1.0.0"), Ref: gitlab.Ptr(f.readmeCommit)})
	wantStatus(t, resp, err, 201)
	if light.Name != "v1.0.0" || light.Target != f.readmeCommit || light.Commit.ID != f.readmeCommit || light.Message != "" ||
		light.CreatedAt != nil || light.Release != nil || light.Protected {
		t.Fatalf("lightweight = %+v", light)
	}
	ann, resp, err := f.devC.Tags.CreateTag(f.p.ID, &gitlab.CreateTagOptions{TagName: gitlab.Ptr("v1.10.0"), Ref: gitlab.Ptr("main"),
		Message: gitlab.Ptr("  Release 1.10\n\nNotes  ")})
	wantStatus(t, resp, err, 201)
	if ann.Target == second.ID || len(ann.Target) != 40 || ann.Commit.ID != second.ID || ann.Message != "Release 1.10\n\nNotes" || ann.CreatedAt == nil {
		t.Fatalf("annotated = %+v", ann)
	}
	if _, _, err := f.devC.Tags.CreateTag(f.p.ID, &gitlab.CreateTagOptions{TagName: gitlab.Ptr("v1.2.0"), Ref: gitlab.Ptr("v1.0.0")}); err != nil {
		t.Fatal(err)
	}
	got, _, err := f.reporterC.Tags.GetTag(f.p.ID, "v1.10.0")
	if err != nil || got.Target != ann.Target || got.Message != ann.Message || got.Commit.ID != second.ID {
		t.Fatalf("get annotated = %+v, %v", got, err)
	}
	raw := f.s.Do(t, labtest.Request{Path: f.path + "/tags/v1.0.0", Token: f.dev.Token}).Map(t)
	if _, ok := raw["release"]; !ok || raw["release"] != nil || raw["created_at"] != nil {
		t.Fatalf("raw tag = %v", raw)
	}

	names := func(opts *gitlab.ListTagsOptions) string {
		t.Helper()
		ts, _, err := f.reporterC.Tags.ListTags(f.p.ID, opts)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, tg := range ts {
			n = append(n, tg.Name)
		}
		return strings.Join(n, ",")
	}
	if got := names(&gitlab.ListTagsOptions{OrderBy: gitlab.Ptr("name"), Sort: gitlab.Ptr("asc")}); got != "v1.0.0,v1.10.0,v1.2.0" {
		t.Fatalf("by name = %s", got)
	}
	if got := names(&gitlab.ListTagsOptions{OrderBy: gitlab.Ptr("version"), Sort: gitlab.Ptr("desc")}); got != "v1.10.0,v1.2.0,v1.0.0" {
		t.Fatalf("by version desc = %s", got)
	}
	if got := names(&gitlab.ListTagsOptions{OrderBy: gitlab.Ptr("version")}); got != "v1.10.0,v1.2.0,v1.0.0" {
		t.Fatalf("by version, default desc = %s", got)
	}
	if got := names(&gitlab.ListTagsOptions{Search: gitlab.Ptr("^v1.1")}); got != "v1.10.0" {
		t.Fatalf("search = %s", got)
	}
	if got := names(&gitlab.ListTagsOptions{Search: gitlab.Ptr(".0$"), OrderBy: gitlab.Ptr("name"), Sort: gitlab.Ptr("asc"),
		ListOptions: gitlab.ListOptions{PerPage: 1, Page: 2}}); got != "v1.10.0" {
		t.Fatalf("page 2 = %s", got)
	}
	f.s.Do(t, labtest.Request{Path: f.path + "/tags?order_by=size", Token: f.dev.Token}).
		ExpectError(t, 400, `{"error":"order_by does not have a valid value"}`)

	// Errors with GitLab's texts; nothing changes.
	before := f.refsSnapshot(t)
	create := func(body map[string]string) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: "POST", Path: f.path + "/tags", Token: f.dev.Token, JSON: body})
	}
	create(map[string]string{"tag_name": "v1.0.0", "ref": "main"}).ExpectError(t, 400, `{"message":"Tag v1.0.0 already exists"}`)
	create(map[string]string{"tag_name": "v9", "ref": "nope"}).ExpectError(t, 400, `{"message":"Target nope is invalid"}`)
	for _, bad := range []string{"a..b", "-x", "refs/tags/x", "x y", "x.lock", "HEAD", strings.Repeat("t", 1100)} {
		if r := create(map[string]string{"tag_name": bad, "ref": "main"}); r.Status != 400 {
			t.Fatalf("tag %q = %d %s", bad, r.Status, r.Body)
		}
	}
	create(map[string]string{"tag_name": "a..b", "ref": "main"}).ExpectError(t, 400, `{"message":"Tag name invalid"}`)
	create(map[string]string{"ref": "main"}).ExpectError(t, 400, `{"error":"tag_name is missing"}`)
	create(map[string]string{"tag_name": "x"}).ExpectError(t, 400, `{"error":"ref is missing"}`)
	f.s.Do(t, labtest.Request{Path: f.path + "/tags/nope", Token: f.dev.Token}).ExpectError(t, 404, `{"message":"404 Tag Not Found"}`)
	f.s.Do(t, labtest.Request{Path: f.path + "/tags/a..b", Token: f.dev.Token}).ExpectError(t, 404, `{"message":"404 Tag Not Found"}`)
	f.s.Do(t, labtest.Request{Method: "DELETE", Path: f.path + "/tags/nope", Token: f.dev.Token}).
		ExpectError(t, 404, `{"message":"404 Tag Not Found"}`)
	if f.refsSnapshot(t) != before {
		t.Fatal("refused requests changed refs")
	}

	// Delete.
	resp, err = f.devC.Tags.DeleteTag(f.p.ID, "v1.10.0")
	wantStatus(t, resp, err, 204)
	if _, resp, _ := f.devC.Tags.GetTag(f.p.ID, "v1.10.0"); resp.StatusCode != 404 {
		t.Fatalf("deleted tag still readable: %d", resp.StatusCode)
	}
}

func TestTagsPermissions(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	if _, _, err := f.ownerC.Tags.CreateTag(f.p.ID, &gitlab.CreateTagOptions{TagName: gitlab.Ptr("v1"), Ref: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		c           *gitlab.Client
		read, write int
	}{
		"owner": {f.ownerC, 200, 201}, "developer": {f.devC, 200, 201}, "reporter": {f.reporterC, 200, 403},
		"guest": {f.guestC, 403, 403}, "stranger": {f.strangerC, 404, 404}, "anonymous": {f.anonC, 404, 401},
	} {
		if _, resp, _ := tc.c.Tags.ListTags(f.p.ID, nil); resp.StatusCode != tc.read {
			t.Errorf("%s list = %d, want %d", name, resp.StatusCode, tc.read)
		}
		if _, resp, _ := tc.c.Tags.GetTag(f.p.ID, "v1"); resp.StatusCode != tc.read {
			t.Errorf("%s get = %d, want %d", name, resp.StatusCode, tc.read)
		}
		_, resp, _ := tc.c.Tags.CreateTag(f.p.ID, &gitlab.CreateTagOptions{TagName: gitlab.Ptr("t-" + name), Ref: gitlab.Ptr("main")})
		if resp.StatusCode != tc.write {
			t.Errorf("%s create = %d, want %d", name, resp.StatusCode, tc.write)
		}
		if tc.write != 201 {
			if resp, _ := tc.c.Tags.DeleteTag(f.p.ID, "v1"); resp.StatusCode != tc.write {
				t.Errorf("%s delete = %d, want %d", name, resp.StatusCode, tc.write)
			}
		}
	}
	pub := newRefsFixture(t, gitlab.PublicVisibility)
	if ts, _, err := pub.anonC.Tags.ListTags(pub.p.ID, nil); err != nil || len(ts) != 0 {
		t.Fatalf("anonymous tags on public = %v, %v", ts, err)
	}
}
