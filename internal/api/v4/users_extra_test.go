package v4_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
)

func TestUserEmails(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	bob := s.NewUser(t, "bob")
	ac := s.Client(t, alice.Token)
	admin := s.Client(t, s.RootToken)

	t.Run("AddListGetDelete", func(t *testing.T) {
		e, _, err := ac.Users.AddEmail(&gitlab.AddEmailOptions{Email: gitlab.Ptr("alice.work@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		// No mail relay: a user's own address stays unconfirmed.
		if e.Email != "alice.work@example.com" || e.ConfirmedAt != nil || e.ID == 0 {
			t.Fatalf("email = %+v", e)
		}
		list, _, err := ac.Users.ListEmails()
		if err != nil || len(list) != 1 || list[0].ID != e.ID {
			t.Fatalf("list = %+v, %v", list, err)
		}
		got, _, err := ac.Users.GetEmail(e.ID)
		if err != nil || got.Email != e.Email {
			t.Fatalf("get = %+v, %v", got, err)
		}
		// Another user's address is not found for bob.
		s.Do(t, labtest.Request{Path: "/user/emails/" + itoa(e.ID), Token: bob.Token}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 Email Not Found"}`)
		if _, err := ac.Users.DeleteEmail(e.ID); err != nil {
			t.Fatal(err)
		}
		s.Do(t, labtest.Request{Method: "DELETE", Path: "/user/emails/" + itoa(e.ID), Token: alice.Token}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 Email Not Found"}`)
	})
	t.Run("AdminSkipsConfirmation", func(t *testing.T) {
		e, _, err := admin.Users.AddEmailForUser(bob.ID, &gitlab.AddEmailOptions{
			Email: gitlab.Ptr("bob.second@example.com"), SkipConfirmation: gitlab.Ptr(true)})
		if err != nil || e.ConfirmedAt == nil {
			t.Fatalf("email = %+v, %v", e, err)
		}
		list, _, err := admin.Users.ListEmailsForUser(bob.ID, nil)
		if err != nil || len(list) != 1 {
			t.Fatalf("list = %+v, %v", list, err)
		}
		if _, err := admin.Users.DeleteEmailForUser(bob.ID, e.ID); err != nil {
			t.Fatal(err)
		}
		// Only administrators reach another user's addresses.
		s.Do(t, labtest.Request{Path: "/users/" + itoa(bob.ID) + "/emails", Token: alice.Token}).
			ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
		s.Do(t, labtest.Request{Path: "/users/999999/emails", Token: s.RootToken}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
	})
	t.Run("ErrTaken", func(t *testing.T) {
		taken := `{"message":{"email":["has already been taken"]}}`
		// Another user's primary address, and a secondary one in any case.
		for _, addr := range []string{"bob@example.com", "ALICE@example.com"} {
			s.Do(t, labtest.Request{Method: "POST", Path: "/user/emails", Token: alice.Token, JSON: map[string]any{"email": addr}}).
				ExpectError(t, http.StatusBadRequest, taken)
		}
		if _, _, err := ac.Users.AddEmail(&gitlab.AddEmailOptions{Email: gitlab.Ptr("shared@example.com")}); err != nil {
			t.Fatal(err)
		}
		s.Do(t, labtest.Request{Method: "POST", Path: "/user/emails", Token: bob.Token, JSON: map[string]any{"email": "Shared@Example.com"}}).
			ExpectError(t, http.StatusBadRequest, taken)
		// Nor may a user take it as their primary address.
		s.Do(t, labtest.Request{Method: "PUT", Path: "/users/" + itoa(bob.ID), Token: s.RootToken,
			JSON: map[string]any{"email": "shared@example.com"}}).
			ExpectError(t, http.StatusConflict, `{"message":"Email has already been taken"}`)
	})
	t.Run("ErrBadInput", func(t *testing.T) {
		for _, c := range []struct {
			body any
			want string
		}{
			{map[string]any{}, `{"error":"email is missing"}`},
			{map[string]any{"email": "not an address"}, `{"message":{"email":["is invalid"]}}`},
			{map[string]any{"email": []string{"a@example.com"}}, `{"error":"email is invalid"}`},
		} {
			s.Do(t, labtest.Request{Method: "POST", Path: "/user/emails", Token: alice.Token, JSON: c.body}).
				ExpectError(t, http.StatusBadRequest, c.want)
		}
		s.Do(t, labtest.Request{Path: "/user/emails/abc", Token: alice.Token}).
			ExpectError(t, http.StatusBadRequest, `{"error":"email_id is invalid"}`)
	})
	t.Run("ReadUserScope", func(t *testing.T) {
		tok := s.NewToken(t, alice.ID, "read_user")
		if r := s.Do(t, labtest.Request{Path: "/user/emails", Token: tok}); r.Status != http.StatusOK {
			t.Fatalf("read_user list = %d %s", r.Status, r.Body)
		}
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/user/emails", Token: tok, JSON: map[string]any{"email": "x@example.com"}})
		if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "insufficient_scope") {
			t.Fatalf("read_user add = %d %s", r.Status, r.Body)
		}
	})
}

func TestUserStatus(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	ac := s.Client(t, alice.Token)

	t.Run("SetGetClear", func(t *testing.T) {
		st, _, err := ac.Users.SetUserStatus(&gitlab.UserStatusOptions{Emoji: gitlab.Ptr("coffee"),
			Message: gitlab.Ptr("on a **break**"), Availability: gitlab.Ptr(gitlab.Busy),
			ClearStatusAfter: gitlab.Ptr(gitlab.ClearStatusAfter3Hours)})
		if err != nil {
			t.Fatal(err)
		}
		if st.Emoji != "coffee" || st.Message != "on a **break**" || st.Availability != gitlab.Busy ||
			!strings.Contains(st.MessageHTML, "<strong>break</strong>") || st.ClearStatusAt == nil {
			t.Fatalf("status = %+v", st)
		}
		if d := time.Until(*st.ClearStatusAt); d < 2*time.Hour || d > 3*time.Hour+time.Minute {
			t.Fatalf("clear_status_at in %s", d)
		}
		cur, _, err := ac.Users.CurrentUserStatus()
		if err != nil || cur.Message != st.Message {
			t.Fatalf("current = %+v, %v", cur, err)
		}
		// Anyone reads a user's status, by id or username.
		for _, ident := range []string{itoa(alice.ID), "alice"} {
			m := s.Do(t, labtest.Request{Path: "/users/" + ident + "/status"}).Map(t)
			if m["emoji"] != "coffee" || m["availability"] != "busy" {
				t.Fatalf("status of %s = %v", ident, m)
			}
		}
		// PATCH changes what it names only; PUT replaces.
		m := s.Do(t, labtest.Request{Method: "PATCH", Path: "/user/status", Token: alice.Token,
			JSON: map[string]any{"message": "back soon"}}).Map(t)
		if m["emoji"] != "coffee" || m["message"] != "back soon" || m["availability"] != "busy" {
			t.Fatalf("patched = %v", m)
		}
		m = s.Do(t, labtest.Request{Method: "PUT", Path: "/user/status", Token: alice.Token,
			JSON: map[string]any{"message": "hi"}}).Map(t)
		if m["emoji"] != "speech_balloon" || m["availability"] != "not_set" || m["clear_status_at"] != nil {
			t.Fatalf("put = %v", m)
		}
		// PUT without anything clears the status.
		m = s.Do(t, labtest.Request{Method: "PUT", Path: "/user/status", Token: alice.Token}).Map(t)
		for k, v := range m {
			if v != nil {
				t.Fatalf("cleared status has %s = %v", k, v)
			}
		}
	})
	t.Run("ExpiredReadsCleared", func(t *testing.T) {
		if _, _, err := ac.Users.SetUserStatus(&gitlab.UserStatusOptions{Emoji: gitlab.Ptr("coffee")}); err != nil {
			t.Fatal(err)
		}
		past := time.Now().Add(-time.Minute)
		if err := s.Srv.DB.Queries().SetUserStatus(t.Context(), &model.UserStatus{UserID: alice.ID, Emoji: "coffee",
			Availability: model.AvailabilityNotSet, ClearStatusAt: &past}); err != nil {
			t.Fatal(err)
		}
		m := s.Do(t, labtest.Request{Path: "/users/alice/status"}).Map(t)
		if m["emoji"] != nil {
			t.Fatalf("expired status = %v", m)
		}
	})
	t.Run("ErrBadInput", func(t *testing.T) {
		for _, c := range []struct {
			body any
			want string
		}{
			{map[string]any{"emoji": "no_such_emoji"}, `{"message":{"emoji":["is not a valid emoji name"]}}`},
			{map[string]any{"availability": "away"}, `{"error":"availability does not have a valid value"}`},
			{map[string]any{"clear_status_after": "1_year"}, `{"error":"clear_status_after does not have a valid value"}`},
			{map[string]any{"message": strings.Repeat("m", 101)}, `{"message":{"message":["is too long (maximum is 100 characters)"]}}`},
		} {
			s.Do(t, labtest.Request{Method: "PUT", Path: "/user/status", Token: alice.Token, JSON: c.body}).
				ExpectError(t, http.StatusBadRequest, c.want)
		}
		s.Do(t, labtest.Request{Path: "/users/nobody/status"}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: "/user/status", JSON: map[string]any{"emoji": "coffee"}}).
			ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
}

func TestUserPreferencesAndCounts(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	m := s.Do(t, labtest.Request{Path: "/user/preferences", Token: alice.Token}).Map(t)
	if m["show_whitespace_in_diffs"] != true || m["view_diffs_file_by_file"] != false || m["user_id"] != float64(alice.ID) {
		t.Fatalf("defaults = %v", m)
	}
	m = s.Do(t, labtest.Request{Method: "PUT", Path: "/user/preferences", Token: alice.Token,
		JSON: map[string]any{"view_diffs_file_by_file": true, "pass_user_identities_to_ci_jwt": true}}).Map(t)
	if m["view_diffs_file_by_file"] != true || m["pass_user_identities_to_ci_jwt"] != true || m["show_whitespace_in_diffs"] != true {
		t.Fatalf("updated = %v", m)
	}
	s.Do(t, labtest.Request{Method: "PUT", Path: "/user/preferences", Token: alice.Token, JSON: map[string]any{}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"view_diffs_file_by_file, show_whitespace_in_diffs, pass_user_identities_to_ci_jwt are missing, at least one parameter must be provided"}`)
	s.Do(t, labtest.Request{Method: "PUT", Path: "/user/preferences", Token: alice.Token, JSON: map[string]any{"view_diffs_file_by_file": "maybe"}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"view_diffs_file_by_file is invalid"}`)

	counts := s.Do(t, labtest.Request{Path: "/user_counts", Token: alice.Token}).Map(t)
	for _, k := range []string{"merge_requests", "assigned_issues", "assigned_merge_requests", "review_requested_merge_requests", "todos"} {
		if counts[k] != float64(0) {
			t.Fatalf("counts = %v", counts)
		}
	}
	ac := s.Client(t, alice.Token)
	p, _, err := ac.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("app")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ac.Issues.CreateIssue(p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("mine"), AssigneeIDs: &[]int64{alice.ID}}); err != nil {
		t.Fatal(err)
	}
	counts = s.Do(t, labtest.Request{Path: "/user_counts", Token: alice.Token}).Map(t)
	if counts["assigned_issues"] != float64(1) {
		t.Fatalf("counts after an assigned issue = %v", counts)
	}
}
