package v4_test

import (
	"context"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

func TestMemberGroup(t *testing.T) {
	t.Parallel()
	r := grpSetupRoles(t)
	s := r.s
	newbie := s.NewUser(t, "newbie")
	base := "/groups/" + grpID(r.top.ID) + "/members"

	t.Run("List", func(t *testing.T) {
		ms, resp, err := s.Client(t, r.guest.Token).Groups.ListGroupMembers(r.top.ID, nil)
		if err != nil || len(ms) != 4 || resp.TotalItems != 4 {
			t.Fatalf("members = %d, %v", len(ms), err)
		}
		if ms[0].Username != "owner" || ms[0].AccessLevel != gitlab.OwnerPermissions || ms[0].CreatedAt == nil || ms[0].WebURL == "" {
			t.Fatalf("first member = %+v", ms[0])
		}
		ms, _, err = s.Client(t, r.owner.Token).Groups.ListGroupMembers(r.top.ID, &gitlab.ListGroupMembersOptions{Query: gitlab.Ptr("MAI")})
		if err != nil || len(ms) != 1 || ms[0].Username != "maint" {
			t.Fatalf("query = %+v, %v", ms, err)
		}
		ms, _, err = s.Client(t, r.owner.Token).Groups.ListGroupMembers(r.top.ID, &gitlab.ListGroupMembersOptions{UserIDs: &[]int64{r.dev.ID, r.guest.ID}})
		if err != nil || len(ms) != 2 {
			t.Fatalf("user_ids = %+v, %v", ms, err)
		}
		raw := s.Do(t, labtest.Request{Path: base + "/" + grpID(r.dev.ID), Token: r.dev.Token}).Map(t)
		if raw["membership_state"] != "active" || raw["created_by"] == nil || raw["expires_at"] != nil {
			t.Fatalf("raw member = %v", raw)
		}
		s.Do(t, labtest.Request{Path: base, Token: r.outsider.Token}).ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
		s.Do(t, labtest.Request{Path: base}).ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
	})
	t.Run("Inherited", func(t *testing.T) {
		c := s.Client(t, r.sub2.Token)
		direct, _, err := c.Groups.ListGroupMembers(r.sub.ID, nil)
		if err != nil || len(direct) != 2 { // the creator (owner) and sub2
			t.Fatalf("direct = %d, %v", len(direct), err)
		}
		all, resp, err := c.Groups.ListAllGroupMembers(r.sub.ID, nil)
		if err != nil || len(all) != 5 || resp.TotalItems != 5 {
			t.Fatalf("all = %d, %v", len(all), err)
		}
		m, _, err := c.GroupMembers.GetInheritedGroupMember(r.sub.ID, r.dev.ID)
		if err != nil || m.AccessLevel != gitlab.DeveloperPermissions {
			t.Fatalf("inherited dev = %+v, %v", m, err)
		}
		s.Do(t, labtest.Request{Path: "/groups/" + grpID(r.sub.ID) + "/members/" + grpID(r.dev.ID), Token: r.sub2.Token}).
			ExpectError(t, 404, `{"message":"404 Not found"}`)
		// The highest level wins: promote dev on the subgroup.
		grpAddMember(t, s, r.sub, r.dev, gitlab.MaintainerPermissions)
		m, _, err = c.GroupMembers.GetInheritedGroupMember(r.sub.ID, r.dev.ID)
		if err != nil || m.AccessLevel != gitlab.MaintainerPermissions {
			t.Fatalf("promoted dev = %+v, %v", m, err)
		}
		all, _, _ = c.Groups.ListAllGroupMembers(r.sub.ID, nil)
		if len(all) != 5 {
			t.Fatalf("all after promotion = %d", len(all))
		}
	})
	t.Run("Add", func(t *testing.T) {
		m, resp, err := s.Client(t, r.owner.Token).GroupMembers.AddGroupMember(r.top.ID, &gitlab.AddGroupMemberOptions{
			UserID: gitlab.Ptr(newbie.ID), AccessLevel: gitlab.Ptr(gitlab.ReporterPermissions), ExpiresAt: gitlab.Ptr("2999-01-02")})
		if err != nil || resp.StatusCode != 201 || m.Username != "newbie" || m.ExpiresAt == nil || m.ExpiresAt.String() != "2999-01-02" {
			t.Fatalf("add = %+v, %v", m, err)
		}
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.owner.Token, JSON: map[string]any{"user_id": newbie.ID, "access_level": 30}}).
			ExpectError(t, 409, `{"message":"Member already exists"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.owner.Token, JSON: map[string]any{"user_id": 99999, "access_level": 30}}).
			ExpectError(t, 404, `{"message":"404 User Not Found"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.owner.Token, JSON: map[string]any{"user_id": r.outsider.ID, "access_level": 31}}).
			ExpectError(t, 400, `{"error":"access_level does not have a valid value"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.owner.Token, JSON: map[string]any{"user_id": r.outsider.ID, "access_level": "high"}}).
			ExpectError(t, 400, `{"error":"access_level is invalid"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.owner.Token, JSON: map[string]any{"user_id": r.outsider.ID}}).
			ExpectError(t, 400, `{"error":"access_level is missing"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.owner.Token, JSON: map[string]any{"user_id": "x1", "access_level": 30}}).
			ExpectError(t, 400, `{"error":"user_id is invalid"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.owner.Token, JSON: map[string]any{"user_id": r.outsider.ID, "access_level": 30, "expires_at": "2000-01-01"}}).
			ExpectError(t, 400, `{"message":{"expires_at":["cannot be a date in the past"]}}`)
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.owner.Token, JSON: map[string]any{"user_id": r.outsider.ID, "access_level": 30, "expires_at": "2000-13-01"}}).
			ExpectError(t, 400, `{"error":"expires_at is invalid"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.owner.Token, RawBody: `{"user_id":`}).
			ExpectError(t, 400, `{"error":"The provided content-type 'application/json' is not valid JSON"}`)
		// Group members are managed by Owners: maintainers and developers can't add.
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.maint.Token, JSON: map[string]any{"user_id": r.outsider.ID, "access_level": 50}}).
			ExpectError(t, 403, `{"message":"403 Forbidden"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.dev.Token, JSON: map[string]any{"user_id": r.outsider.ID, "access_level": 10}}).
			ExpectError(t, 403, `{"message":"403 Forbidden"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.maint.Token, JSON: map[string]any{"user_id": r.outsider.ID, "access_level": 10}}).
			ExpectError(t, 403, `{"message":"403 Forbidden"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.outsider.Token, JSON: map[string]any{"user_id": r.outsider.ID, "access_level": 10}}).
			ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
		// Nothing was written by the refusals.
		s.Do(t, labtest.Request{Path: base + "/" + grpID(r.outsider.ID), Token: r.owner.Token}).ExpectError(t, 404, `{"message":"404 Not found"}`)
		// Several at once, comma-separated.
		a, b := s.NewUser(t, "multia"), s.NewUser(t, "multib")
		resp2 := s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.owner.Token,
			JSON: map[string]any{"user_id": grpID(a.ID) + "," + grpID(b.ID), "access_level": 20}})
		resp2.ExpectError(t, 201, `{"status":"success"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.owner.Token,
			JSON: map[string]any{"user_id": grpID(a.ID) + ",99999", "access_level": 20}}).ExpectError(t, 404, `{"message":"404 User Not Found"}`)
		// By username.
		c := s.NewUser(t, "byname")
		m, _, err = s.Client(t, r.owner.Token).GroupMembers.AddGroupMember(r.top.ID, &gitlab.AddGroupMemberOptions{
			Username: gitlab.Ptr("byname"), AccessLevel: gitlab.Ptr(gitlab.GuestPermissions)})
		if err != nil || m.ID != c.ID {
			t.Fatalf("by username = %+v, %v", m, err)
		}
	})
	t.Run("Edit", func(t *testing.T) {
		m, _, err := s.Client(t, r.owner.Token).GroupMembers.EditGroupMember(r.top.ID, newbie.ID, &gitlab.EditGroupMemberOptions{
			AccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)})
		// expires_at is kept when not given.
		if err != nil || m.AccessLevel != gitlab.DeveloperPermissions || m.ExpiresAt == nil {
			t.Fatalf("edit = %+v, %v", m, err)
		}
		s.Do(t, labtest.Request{Method: "PUT", Path: base + "/" + grpID(newbie.ID), Token: r.dev.Token, JSON: map[string]any{"access_level": 10}}).
			ExpectError(t, 403, `{"message":"403 Forbidden"}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: base + "/" + grpID(r.owner.ID), Token: r.maint.Token, JSON: map[string]any{"access_level": 10}}).
			ExpectError(t, 403, `{"message":"403 Forbidden"}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: base + "/" + grpID(r.outsider.ID), Token: r.owner.Token, JSON: map[string]any{"access_level": 10}}).
			ExpectError(t, 404, `{"message":"404 Not found"}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: base + "/abc", Token: r.owner.Token, JSON: map[string]any{"access_level": 10}}).
			ExpectError(t, 404, `{"message":"404 Not found"}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: base + "/" + grpID(newbie.ID), Token: r.owner.Token, JSON: map[string]any{}}).
			ExpectError(t, 400, `{"error":"access_level is missing"}`)
		// The last owner can't be demoted.
		s.Do(t, labtest.Request{Method: "PUT", Path: base + "/" + grpID(r.owner.ID), Token: r.owner.Token, JSON: map[string]any{"access_level": 40}}).
			ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	})
	t.Run("Remove", func(t *testing.T) {
		s.Do(t, labtest.Request{Method: "DELETE", Path: base + "/" + grpID(newbie.ID), Token: r.dev.Token}).
			ExpectError(t, 403, `{"message":"403 Forbidden"}`)
		if _, err := s.Client(t, r.owner.Token).GroupMembers.RemoveGroupMember(r.top.ID, newbie.ID, nil); err != nil {
			t.Fatal(err)
		}
		s.Do(t, labtest.Request{Method: "DELETE", Path: base + "/" + grpID(newbie.ID), Token: r.owner.Token}).
			ExpectError(t, 404, `{"message":"404 Not found"}`)
		// Members may leave.
		resp := s.Do(t, labtest.Request{Method: "DELETE", Path: base + "/" + grpID(r.guest.ID), Token: r.guest.Token})
		if resp.Status != 204 {
			t.Fatalf("leave = %d %s", resp.Status, resp.Body)
		}
		// The last owner can't be removed, even by an admin…
		s.Do(t, labtest.Request{Method: "DELETE", Path: base + "/" + grpID(r.owner.ID), Token: s.RootToken}).
			ExpectError(t, 403, `{"message":"403 Forbidden"}`)
		// …but can once there is another owner.
		if _, _, err := s.Client(t, r.owner.Token).GroupMembers.EditGroupMember(r.top.ID, r.maint.ID, &gitlab.EditGroupMemberOptions{
			AccessLevel: gitlab.Ptr(gitlab.OwnerPermissions)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Client(t, r.maint.Token).GroupMembers.RemoveGroupMember(r.top.ID, r.owner.ID, nil); err != nil {
			t.Fatal(err)
		}
		// A subgroup's only direct owner may go while the parent has one.
		if _, err := s.Client(t, r.maint.Token).GroupMembers.RemoveGroupMember(r.sub.ID, r.owner.ID, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMemberProject(t *testing.T) {
	t.Parallel()
	r := grpSetupRoles(t)
	s := r.s
	ctx := context.Background()
	var p model.Project
	err := s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
		p = model.Project{NamespaceID: r.sub.ID, Name: "Proj", Path: "proj", VisibilityLevel: 0}
		return q.CreateProject(ctx, &p)
	})
	if err != nil {
		t.Fatal(err)
	}
	pdev := s.NewUser(t, "pdev")
	base := "/projects/" + grpID(p.ID) + "/members"

	// Inherited maintainers manage project members.
	m, _, err := s.Client(t, r.maint.Token).ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{
		UserID: pdev.ID, AccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)})
	if err != nil || m.AccessLevel != gitlab.DeveloperPermissions || m.Username != "pdev" {
		t.Fatalf("add = %+v, %v", m, err)
	}
	ms, _, err := s.Client(t, pdev.Token).ProjectMembers.ListProjectMembers("top/sub/proj", nil)
	if err != nil || len(ms) != 1 {
		t.Fatalf("direct = %d, %v", len(ms), err)
	}
	all, _, err := s.Client(t, pdev.Token).ProjectMembers.ListAllProjectMembers(p.ID, nil)
	if err != nil || len(all) != 6 { // owner, maint, dev, guest from top; sub2 from sub; pdev
		t.Fatalf("all = %d, %v", len(all), err)
	}
	got, _, err := s.Client(t, pdev.Token).ProjectMembers.GetInheritedProjectMember(p.ID, r.owner.ID)
	if err != nil || got.AccessLevel != gitlab.OwnerPermissions {
		t.Fatalf("inherited owner = %+v, %v", got, err)
	}
	got, _, err = s.Client(t, pdev.Token).ProjectMembers.GetProjectMember(p.ID, pdev.ID)
	if err != nil || got.ID != pdev.ID {
		t.Fatalf("get = %+v, %v", got, err)
	}
	if _, _, err := s.Client(t, r.sub2.Token).ProjectMembers.EditProjectMember(p.ID, pdev.ID, &gitlab.EditProjectMemberOptions{
		AccessLevel: gitlab.Ptr(gitlab.ReporterPermissions)}); err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.dev.Token, JSON: map[string]any{"user_id": r.outsider.ID, "access_level": 10}}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: r.maint.Token, JSON: map[string]any{"user_id": r.outsider.ID, "access_level": 5}}).
		ExpectError(t, 400, `{"error":"access_level does not have a valid value"}`)
	s.Do(t, labtest.Request{Path: base, Token: r.outsider.Token}).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	s.Do(t, labtest.Request{Path: base}).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	s.Do(t, labtest.Request{Path: "/projects/..%2F..%2Fetc/members", Token: r.owner.Token}).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	s.Do(t, labtest.Request{Path: "/projects/a%00b/members", Token: r.owner.Token}).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	s.Do(t, labtest.Request{Path: "/projects/999999/members", Token: r.owner.Token}).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	if _, err := s.Client(t, r.maint.Token).ProjectMembers.DeleteProjectMember(p.ID, pdev.ID); err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Path: base + "/" + grpID(pdev.ID), Token: r.owner.Token}).ExpectError(t, 404, `{"message":"404 Not found"}`)
}

func TestMemberExpiry(t *testing.T) {
	t.Parallel()
	r := grpSetupRoles(t)
	s := r.s
	ctx := context.Background()
	// An expired membership grants nothing and is left out of /all.
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	err := s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
		return q.UpsertMember(ctx, &model.Member{SourceType: model.SourceNamespace, SourceID: r.top.ID, UserID: r.outsider.ID,
			AccessLevel: 30, ExpiresAt: &yesterday})
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Path: "/groups/top", Token: r.outsider.Token}).ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
	s.Do(t, labtest.Request{Path: "/groups/top%2Fsub/members/all/" + grpID(r.outsider.ID), Token: r.owner.Token}).ExpectError(t, 404, `{"message":"404 Not found"}`)
}
