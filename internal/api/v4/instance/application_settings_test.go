package instance_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestApplicationSettings: an administrator reads GitLab's defaults,
// changes the outbound request settings, and invalid input changes
// nothing; others are refused.
func TestApplicationSettings(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	got, _, err := root.Settings.GetSettings()
	if err != nil {
		t.Fatal(err)
	}
	if got.AllowLocalRequestsFromWebHooksAndServices || !got.AllowLocalRequestsFromSystemHooks ||
		got.OutboundLocalRequestsWhitelist == nil || len(got.OutboundLocalRequestsWhitelist) != 0 {
		t.Fatalf("defaults = %+v", got)
	}

	updated, _, err := root.Settings.UpdateSettings(&gitlab.UpdateSettingsOptions{
		AllowLocalRequestsFromWebHooksAndServices: gitlab.Ptr(true),
		OutboundLocalRequestsWhitelist:            &[]string{"hooks.internal", "10.1.0.0/16", "192.168.2.3:8080", "10.1.0.0/16"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"hooks.internal", "10.1.0.0/16", "192.168.2.3:8080"}
	if !updated.AllowLocalRequestsFromWebHooksAndServices || !slices.Equal(updated.OutboundLocalRequestsWhitelist, want) ||
		updated.UpdatedAt == nil {
		t.Fatalf("updated = %+v", updated)
	}
	again, _, err := root.Settings.GetSettings()
	if err != nil || !again.AllowLocalRequestsFromWebHooksAndServices || !slices.Equal(again.OutboundLocalRequestsWhitelist, want) {
		t.Fatalf("read back = %+v, %v", again, err)
	}

	// An invalid entry is refused and nothing of the request is applied.
	resp := s.Do(t, labtest.Request{Method: "PUT", Path: "/application/settings", Token: s.RootToken,
		JSON: map[string]any{"allow_local_requests_from_system_hooks": false, "outbound_local_requests_whitelist": []string{"not a host!"}}})
	if resp.Status != http.StatusBadRequest {
		t.Fatalf("invalid allowlist: %d %s", resp.Status, resp.Body)
	}
	resp = s.Do(t, labtest.Request{Method: "PUT", Path: "/application/settings", Token: s.RootToken,
		JSON: map[string]any{"allow_local_requests_from_system_hooks": "maybe"}})
	resp.ExpectError(t, http.StatusBadRequest, `{"error":"allow_local_requests_from_system_hooks is invalid"}`)
	after, _, err := root.Settings.GetSettings()
	if err != nil || !after.AllowLocalRequestsFromSystemHooks || !slices.Equal(after.OutboundLocalRequestsWhitelist, want) {
		t.Fatalf("after refused updates = %+v, %v", after, err)
	}

	// The text form splits on commas, semicolons and newlines.
	resp = s.Do(t, labtest.Request{Method: "PUT", Path: "/application/settings", Token: s.RootToken,
		JSON: map[string]any{"outbound_local_requests_allowlist_raw": "a.example;b.example\n127.0.0.1,*.c.example"}})
	var raw map[string]any
	resp.JSON(t, &raw)
	if list, _ := raw["outbound_local_requests_whitelist"].([]any); len(list) != 4 || list[3] != "*.c.example" {
		t.Fatalf("raw allowlist = %v", raw["outbound_local_requests_whitelist"])
	}

	// Concurrent administrators changing different settings keep both.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opt := &gitlab.UpdateSettingsOptions{AllowLocalRequestsFromSystemHooks: gitlab.Ptr(i%2 == 0)}
			if i == 7 {
				opt = &gitlab.UpdateSettingsOptions{OutboundLocalRequestsWhitelist: &[]string{"last.example"}}
			}
			if _, _, err := root.Settings.UpdateSettings(opt); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	final, _, err := root.Settings.GetSettings()
	if err != nil || !slices.Equal(final.OutboundLocalRequestsWhitelist, []string{"last.example"}) ||
		!final.AllowLocalRequestsFromWebHooksAndServices {
		t.Fatalf("after concurrent updates = %+v, %v", final, err)
	}

	alice := s.NewUser(t, "alice")
	if _, resp, err := s.Client(t, alice.Token).Settings.GetSettings(); err == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("non-admin read: %v", err)
	}
}
