package notifications_test

import (
	"fmt"
	"net/http"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// The global setting: participating and the primary address by default,
// a level and an address of the user's own changed, a bad level and an
// address not the user's refused with GitLab's messages and nothing
// written.
func TestGlobalNotificationSettings(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	u := s.NewUser(t, "nora")
	c := s.Client(t, u.Token)
	got, _, err := c.NotificationSettings.GetGlobalSettings()
	if err != nil {
		t.Fatal(err)
	}
	if got.Level != gitlab.ParticipatingNotificationLevel || got.NotificationEmail != "nora@example.com" || got.Events != nil {
		t.Fatalf("default = %+v", got)
	}
	got, _, err = c.NotificationSettings.UpdateGlobalSettings(&gitlab.NotificationSettingsOptions{
		Level: gitlab.Ptr(gitlab.WatchNotificationLevel), NotificationEmail: gitlab.Ptr("nora@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Level != gitlab.WatchNotificationLevel || got.NotificationEmail != "nora@example.com" {
		t.Fatalf("updated = %+v", got)
	}
	s.Do(t, labtest.Request{Method: http.MethodPut, Path: "/notification_settings", Token: u.Token,
		JSON: map[string]any{"level": "loud"}}).ExpectError(t, http.StatusBadRequest, `{"message":"'loud' is not a valid level"}`)
	s.Do(t, labtest.Request{Method: http.MethodPut, Path: "/notification_settings", Token: u.Token,
		JSON: map[string]any{"level": "disabled", "notification_email": "someone@example.com"}}).ExpectError(t,
		http.StatusBadRequest, `{"message":{"notification_email":["must be an email you have verified"]}}`)
	got, _, err = c.NotificationSettings.GetGlobalSettings()
	if err != nil {
		t.Fatal(err)
	}
	if got.Level != gitlab.WatchNotificationLevel || got.NotificationEmail != "nora@example.com" {
		t.Fatalf("after refusals = %+v", got)
	}
	// A confirmed secondary address may take the notifications; an
	// unconfirmed one may not.
	for _, r := range []labtest.Request{
		{Method: http.MethodPost, Path: fmt.Sprintf("/users/%d/emails", u.ID), Token: s.RootToken,
			JSON: map[string]any{"email": "nora.work@example.com", "skip_confirmation": true}},
		{Method: http.MethodPost, Path: "/user/emails", Token: u.Token, JSON: map[string]any{"email": "nora.home@example.com"}},
	} {
		if resp := s.Do(t, r); resp.Status != http.StatusCreated {
			t.Fatalf("add email: %d %s", resp.Status, resp.Body)
		}
	}
	s.Do(t, labtest.Request{Method: http.MethodPut, Path: "/notification_settings", Token: u.Token,
		JSON: map[string]any{"notification_email": "nora.home@example.com"}}).ExpectError(t,
		http.StatusBadRequest, `{"message":{"notification_email":["must be an email you have verified"]}}`)
	got, _, err = c.NotificationSettings.UpdateGlobalSettings(&gitlab.NotificationSettingsOptions{
		NotificationEmail: gitlab.Ptr("nora.work@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Level != gitlab.WatchNotificationLevel || got.NotificationEmail != "nora.work@example.com" {
		t.Fatalf("secondary address = %+v", got)
	}
	// Custom: the events show, every one of them, those set true.
	got, _, err = c.NotificationSettings.UpdateGlobalSettings(&gitlab.NotificationSettingsOptions{
		Level: gitlab.Ptr(gitlab.CustomNotificationLevel), FailedPipeline: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Events == nil || !got.Events.FailedPipeline || got.Events.NewNote {
		t.Fatalf("custom = %+v %+v", got, got.Events)
	}
	m := s.Do(t, labtest.Request{Path: "/notification_settings", Token: u.Token}).Map(t)
	events, _ := m["events"].(map[string]any)
	for _, e := range []string{"new_release", "new_note", "issue_due", "push_to_merge_request", "change_reviewer_merge_request",
		"fixed_pipeline", "moved_project", "merge_when_pipeline_succeeds"} {
		if v, ok := events[e]; !ok || v != false {
			t.Errorf("events[%s] = %v, %v", e, v, ok)
		}
	}
	if s.Do(t, labtest.Request{Path: "/notification_settings"}).Status != http.StatusUnauthorized {
		t.Error("anonymous read its settings")
	}
}

// Group and project settings: "global" until set, stored per user and per
// source, the custom events remembered; a group or project the caller
// may not see is 404.
func TestSourceNotificationSettings(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "ozzy")
	dc, mc := s.Client(t, tm.Developer.Token), s.Client(t, tm.Maintainer.Token)
	got, _, err := dc.NotificationSettings.GetSettingsForProject(tm.Project.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Level != gitlab.GlobalNotificationLevel || got.Events != nil {
		t.Fatalf("project default = %+v", got)
	}
	got, _, err = dc.NotificationSettings.UpdateSettingsForProject(tm.Project.ID, &gitlab.NotificationSettingsOptions{
		Level: gitlab.Ptr(gitlab.CustomNotificationLevel), NewNote: gitlab.Ptr(true), MergeMergeRequest: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Level != gitlab.CustomNotificationLevel || !got.Events.NewNote || !got.Events.MergeMergeRequest || got.Events.NewIssue {
		t.Fatalf("project custom = %+v %+v", got, got.Events)
	}
	// A second change keeps the events it does not name.
	got, _, err = dc.NotificationSettings.UpdateSettingsForProject(tm.Project.ID, &gitlab.NotificationSettingsOptions{
		NewNote: gitlab.Ptr(false)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Level != gitlab.CustomNotificationLevel || got.Events.NewNote || !got.Events.MergeMergeRequest {
		t.Fatalf("project second change = %+v %+v", got, got.Events)
	}
	// Another user's setting of the same project is their own.
	other, _, err := mc.NotificationSettings.GetSettingsForProject(tm.Project.PathWithNamespace)
	if err != nil {
		t.Fatal(err)
	}
	if other.Level != gitlab.GlobalNotificationLevel {
		t.Fatalf("another member's = %+v", other)
	}
	oc := s.Client(t, tm.Owner.Token)
	g, _, err := oc.NotificationSettings.UpdateSettingsForGroup(tm.Group.ID, &gitlab.NotificationSettingsOptions{
		Level: gitlab.Ptr(gitlab.MentionNotificationLevel)})
	if err != nil {
		t.Fatal(err)
	}
	if g.Level != gitlab.MentionNotificationLevel || g.NotificationEmail != "" {
		t.Fatalf("group = %+v", g)
	}
	if g, _, err = oc.NotificationSettings.GetSettingsForGroup("team"); err != nil || g.Level != gitlab.MentionNotificationLevel {
		t.Fatalf("group read back = %+v, %v", g, err)
	}
	s.Do(t, labtest.Request{Method: http.MethodPut, Path: "/groups/team/notification_settings", Token: tm.Owner.Token,
		JSON: map[string]any{"level": "nope"}}).ExpectError(t, http.StatusBadRequest, `{"message":"'nope' is not a valid level"}`)
	s.Do(t, labtest.Request{Path: "/projects/team%2Fapp/notification_settings", Token: outsider.Token}).ExpectError(t,
		http.StatusNotFound, `{"message":"404 Project Not Found"}`)
	s.Do(t, labtest.Request{Method: http.MethodPut, Path: "/groups/team/notification_settings", Token: outsider.Token,
		JSON: map[string]any{"level": "watch"}}).ExpectError(t, http.StatusNotFound, `{"message":"404 Group Not Found"}`)
}
