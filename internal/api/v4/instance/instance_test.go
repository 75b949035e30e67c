package instance_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestBroadcastMessages: administrators create, change and delete
// messages with GitLab's defaults and validations; anyone lists them,
// newest first, with active computed from the times.
func TestBroadcastMessages(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	now := time.Now().UTC()
	m, resp, err := root.BroadcastMessage.CreateBroadcastMessage(&gitlab.CreateBroadcastMessageOptions{Message: gitlab.Ptr("Maintenance tonight")})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatal(err)
	}
	if !m.Active || m.BroadcastType != "banner" || m.Theme != "indigo" || m.Font != "#FFFFFF" || m.Dismissable ||
		m.TargetAccessLevels == nil || len(m.TargetAccessLevels) != 0 || m.EndsAt.Sub(*m.StartsAt) != time.Hour {
		t.Fatalf("created = %+v", m)
	}
	past := now.Add(-48 * time.Hour)
	old, _, err := root.BroadcastMessage.CreateBroadcastMessage(&gitlab.CreateBroadcastMessageOptions{
		Message: gitlab.Ptr("Old news"), StartsAt: &past, EndsAt: gitlab.Ptr(past.Add(time.Hour)),
		BroadcastType: gitlab.Ptr("notification"), Theme: gitlab.Ptr("light-red"), Dismissable: gitlab.Ptr(true),
		TargetAccessLevels: []gitlab.AccessLevelValue{gitlab.DeveloperPermissions, gitlab.OwnerPermissions},
		TargetPath:         gitlab.Ptr("*/welcome")})
	if err != nil || old.Active || old.BroadcastType != "notification" || len(old.TargetAccessLevels) != 2 || old.TargetPath != "*/welcome" {
		t.Fatalf("old = %+v, %v", old, err)
	}

	anon := s.Client(t, "")
	list, resp, err := anon.BroadcastMessage.ListBroadcastMessages(&gitlab.ListBroadcastMessagesOptions{})
	if err != nil || len(list) != 2 || list[0].ID != old.ID || list[1].ID != m.ID || resp.Header.Get("X-Total") != "2" {
		t.Fatalf("list = %+v, %v", list, err)
	}
	got, _, err := anon.BroadcastMessage.GetBroadcastMessage(m.ID)
	if err != nil || got.Message != "Maintenance tonight" {
		t.Fatalf("get = %+v, %v", got, err)
	}

	// Reactivating the old one by moving its end.
	updated, _, err := root.BroadcastMessage.UpdateBroadcastMessage(old.ID, &gitlab.UpdateBroadcastMessageOptions{EndsAt: gitlab.Ptr(now.Add(time.Hour))})
	if err != nil || !updated.Active || updated.Message != "Old news" || updated.Theme != "light-red" {
		t.Fatalf("updated = %+v, %v", updated, err)
	}

	path := "/broadcast_messages/" + strconv.FormatInt(m.ID, 10)
	for _, bad := range []struct {
		method string
		body   map[string]any
		want   string
	}{
		{"POST", map[string]any{}, `{"error":"message is missing"}`},
		{"POST", map[string]any{"message": "x", "broadcast_type": "popup"}, `{"error":"broadcast_type does not have a valid value"}`},
		{"POST", map[string]any{"message": "x", "theme": "neon"}, `{"error":"theme does not have a valid value"}`},
		{"POST", map[string]any{"message": "x", "starts_at": "yesterday"}, `{"error":"starts_at is invalid"}`},
		{"POST", map[string]any{"message": "x", "target_access_levels": []int{11}}, `{"message":{"target_access_levels":["is not included in the list"]}}`},
		{"PUT", map[string]any{"message": " "}, `{"message":{"message":["can't be blank"]}}`},
		{"PUT", map[string]any{"font": "red"}, `{"message":{"font":["must be a valid color code"]}}`},
	} {
		p := "/broadcast_messages"
		if bad.method == "PUT" {
			p = path
		}
		s.Do(t, labtest.Request{Method: bad.method, Path: p, Token: s.RootToken, JSON: bad.body}).ExpectError(t, http.StatusBadRequest, bad.want)
	}
	if again, _, _ := anon.BroadcastMessage.GetBroadcastMessage(m.ID); again.Message != "Maintenance tonight" || again.Font != "#FFFFFF" {
		t.Fatalf("a refused change applied: %+v", again)
	}

	alice := s.NewUser(t, "alice")
	s.Do(t, labtest.Request{Method: "POST", Path: "/broadcast_messages", Token: alice.Token, JSON: map[string]any{"message": "x"}}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Method: "DELETE", Path: path, Token: alice.Token}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)

	del := s.Do(t, labtest.Request{Method: "DELETE", Path: path, Token: s.RootToken})
	if del.Status != http.StatusOK {
		t.Fatalf("delete: %d %s", del.Status, del.Body)
	}
	s.Do(t, labtest.Request{Path: path}).ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
	s.Do(t, labtest.Request{Method: "DELETE", Path: path, Token: s.RootToken}).ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
	s.Do(t, labtest.Request{Path: "/broadcast_messages/abc"}).ExpectError(t, http.StatusBadRequest, `{"error":"id is invalid"}`)
}

// TestFeatures: administrators set and remove boolean gates.
func TestFeatures(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	f, resp, err := root.Features.SetFeatureFlag("new_library", &gitlab.SetFeatureFlagOptions{Value: true})
	if err != nil || resp.StatusCode != http.StatusCreated || f.State != "on" || len(f.Gates) != 1 ||
		f.Gates[0].Key != "boolean" || f.Gates[0].Value != true || f.Definition != nil {
		t.Fatalf("set = %+v, %v", f, err)
	}
	if _, _, err := root.Features.SetFeatureFlag("another", &gitlab.SetFeatureFlagOptions{Value: "false"}); err != nil {
		t.Fatal(err)
	}
	list, _, err := root.Features.ListFeatures()
	if err != nil || len(list) != 2 || list[0].Name != "another" || list[0].State != "off" || list[1].State != "on" {
		t.Fatalf("list = %+v, %v", list, err)
	}
	for _, bad := range []map[string]any{{}, {"value": 50}, {"value": "maybe"}, {"value": "true", "user": "root"}} {
		resp := s.Do(t, labtest.Request{Method: "POST", Path: "/features/new_library", Token: s.RootToken, JSON: bad})
		if resp.Status != http.StatusBadRequest {
			t.Fatalf("%v: %d %s", bad, resp.Status, resp.Body)
		}
	}
	if _, err := root.Features.DeleteFeatureFlag("new_library"); err != nil {
		t.Fatal(err)
	}
	if list, _, _ := root.Features.ListFeatures(); len(list) != 1 || list[0].Name != "another" {
		t.Fatalf("after delete = %+v", list)
	}
	alice := s.NewUser(t, "alice")
	if _, resp, err := s.Client(t, alice.Token).Features.ListFeatures(); err == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("non-admin list: %v", err)
	}
}

// TestFeatureDefinitions: GET /features/definitions lists, to
// administrators, the flags lablet's code reads — none, so an empty list
// in GitLab's shape, whatever flags are set — and refuses others.
func TestFeatureDefinitions(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	if _, _, err := root.Features.SetFeatureFlag("new_library", &gitlab.SetFeatureFlagOptions{Value: true}); err != nil {
		t.Fatal(err)
	}
	defs, resp, err := root.Features.ListFeatureDefinitions()
	if err != nil || resp.StatusCode != http.StatusOK || defs == nil || len(defs) != 0 {
		t.Fatalf("definitions = %+v, %v", defs, err)
	}
	if raw := s.Do(t, labtest.Request{Path: "/features/definitions", Token: s.RootToken}); strings.TrimSpace(string(raw.Body)) != "[]" {
		t.Fatalf("body = %s", raw.Body)
	}
	alice := s.NewUser(t, "alice")
	if _, resp, err := s.Client(t, alice.Token).Features.ListFeatureDefinitions(); err == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("non-admin: %v, %v", resp, err)
	}
	s.Do(t, labtest.Request{Path: "/features/definitions"}).ExpectError(t, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
}

// TestAppearance: GitLab's defaults, a change read back, a bad colour
// refused without applying anything.
func TestAppearance(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	a, _, err := root.Appearance.GetAppearance()
	if err != nil || a.Title != "" || a.MessageBackgroundColor != "#E75E40" || a.MessageFontColor != "#FFFFFF" {
		t.Fatalf("defaults = %+v, %v", a, err)
	}
	a, _, err = root.Appearance.ChangeAppearance(&gitlab.ChangeAppearanceOptions{Title: gitlab.Ptr("Lab"),
		HeaderMessage: gitlab.Ptr("Staging"), MessageBackgroundColor: gitlab.Ptr("#000"), EmailHeaderAndFooterEnabled: gitlab.Ptr(true)})
	if err != nil || a.Title != "Lab" || a.HeaderMessage != "Staging" || a.MessageBackgroundColor != "#000" || !a.EmailHeaderAndFooterEnabled {
		t.Fatalf("changed = %+v, %v", a, err)
	}
	s.Do(t, labtest.Request{Method: "PUT", Path: "/application/appearance", Token: s.RootToken,
		JSON: map[string]any{"title": "Other", "message_font_color": "white"}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"message_font_color":["must be a valid color code"]}}`)
	if a, _, _ = root.Appearance.GetAppearance(); a.Title != "Lab" || a.MessageFontColor != "#FFFFFF" || a.Description != "" {
		t.Fatalf("after refusal = %+v", a)
	}
	alice := s.NewUser(t, "alice")
	if _, resp, err := s.Client(t, alice.Token).Appearance.GetAppearance(); err == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("non-admin read: %v", err)
	}
}

// TestApplicationStatistics: counts as GitLab's delimited strings
// (client-go's ApplicationStatistics expects numbers, which GitLab does
// not send, so the body is read raw).
func TestApplicationStatistics(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	ac := s.Client(t, alice.Token)
	p, _, err := ac.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("stats"), InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ac.Issues.CreateIssue(p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("one")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ac.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("team"), Path: gitlab.Ptr("team")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Client(t, s.RootToken).Projects.ForkProject(p.ID, nil); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	s.Do(t, labtest.Request{Path: "/application/statistics", Token: s.RootToken}).JSON(t, &got)
	want := map[string]any{"forks": "1", "issues": "1", "merge_requests": "0", "notes": "0", "snippets": "0", "ssh_keys": "0",
		"milestones": "0", "projects": "2", "groups": "1"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	users, _ := strconv.Atoi(got["users"].(string))
	active, _ := strconv.Atoi(got["active_users"].(string))
	if users < 2 || active < 2 || len(got) != 11 {
		t.Fatalf("statistics = %v", got)
	}
	s.Do(t, labtest.Request{Path: "/application/statistics", Token: alice.Token}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
}

// TestSidekiqMetrics: the background queue in Sidekiq's shapes
// (client-go's Sidekiq calls ask /sidekiq/… at the host's root, outside
// /api/v4, so the bodies are read raw into its structs).
func TestSidekiqMetrics(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	var c gitlab.CompoundMetrics
	s.Do(t, labtest.Request{Path: "/sidekiq/compound_metrics", Token: s.RootToken}).JSON(t, &c)
	if _, ok := c.Queues["default"]; !ok || len(c.Processes) != 1 {
		t.Fatalf("compound = %+v", c)
	}
	p := c.Processes[0]
	if p.Pid == 0 || p.StartedAt == nil || len(p.Queues) != 6 || p.Queues[0] != "default" || p.Queues[3] != "mailers" || p.Queues[5] != "project_statistics" || p.Concurrency == 0 {
		t.Fatalf("process = %+v", p)
	}
	// The periodic jobs ran since start: River keeps them completed.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var js gitlab.JobStats
		s.Do(t, labtest.Request{Path: "/sidekiq/job_stats", Token: s.RootToken}).JSON(t, &js)
		if js.Jobs.Processed > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job stats = %+v", js)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, part := range []string{"queue_metrics", "process_metrics"} {
		var body map[string]any
		s.Do(t, labtest.Request{Path: "/sidekiq/" + part, Token: s.RootToken}).JSON(t, &body)
		if len(body) != 1 {
			t.Fatalf("%s = %v", part, body)
		}
	}
	alice := s.NewUser(t, "alice")
	s.Do(t, labtest.Request{Path: "/sidekiq/job_stats", Token: alice.Token}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
}

// TestLicenseIsEnterprise: GitLab CE has no /license; /metadata says so.
func TestLicenseIsEnterprise(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	s.Do(t, labtest.Request{Path: "/license", Token: s.RootToken}).ExpectError(t, http.StatusNotFound, `{"error":"404 Not Found"}`)
	md, _, err := s.Client(t, s.RootToken).Metadata.GetMetadata()
	if err != nil || md.Enterprise || md.KAS.Enabled || md.Version == "" {
		t.Fatalf("metadata = %+v, %v", md, err)
	}
}
