package hooks_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// flakyReceiver answers 500 to its first fail requests, then 200.
type flakyReceiver struct {
	*httptest.Server
	mu   sync.Mutex
	fail int
	got  []http.Header
}

func newFlakyReceiver(t *testing.T, fail int) *flakyReceiver {
	f := &flakyReceiver{fail: fail}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.got = append(f.got, r.Header.Clone())
		n := len(f.got)
		f.mu.Unlock()
		if n <= f.fail {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *flakyReceiver) requests() []http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]http.Header(nil), f.got...)
}

// waitRequests waits up to 20 s for n requests.
func (f *flakyReceiver) waitRequests(t *testing.T, n int) []http.Header {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got := f.requests(); len(got) >= n {
			return got
		}
	}
	t.Fatalf("%d requests, want %d", len(f.requests()), n)
	return nil
}

// TestHookRetries: a delivery the receiver fails is retried with growing
// waits until it succeeds, once, with the same event UUID and
// Idempotency-Key, each attempt in the hook's logs; a receiver that keeps
// failing gets four attempts, is then temporarily disabled and gets no
// more.
func TestHookRetries(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.WebHookRetryDelay = 100 * time.Millisecond })
	f := s.NewTeam(t)
	setLocalHooks(t, s, true)
	mc := s.Client(t, f.Maintainer.Token)
	flaky := newFlakyReceiver(t, 2)
	hook, _, err := mc.Projects.AddProjectHook(f.Project.ID, &gitlab.AddProjectHookOptions{URL: gitlab.Ptr(flaky.URL),
		PushEvents: gitlab.Ptr(false), IssuesEvents: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, _, err := mc.Issues.CreateIssue(f.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("retried")}); err != nil {
		t.Fatal(err)
	}
	got := flaky.waitRequests(t, 3)
	// The second retry waits four times the first: 100 ms, then 400 ms.
	if took := time.Since(start); took < 500*time.Millisecond {
		t.Fatalf("three attempts in %v: no back-off", took)
	}
	for _, h := range got[1:] {
		for _, k := range []string{"X-Gitlab-Event-Uuid", "Idempotency-Key"} {
			if h.Get(k) == "" || h.Get(k) != got[0].Get(k) {
				t.Fatalf("%s differs between attempts: %q, %q", k, got[0].Get(k), h.Get(k))
			}
		}
	}
	time.Sleep(700 * time.Millisecond)
	if n := len(flaky.requests()); n != 3 {
		t.Fatalf("%d requests after the success, want 3", n)
	}
	var logs []struct {
		ResponseStatus string `json:"response_status"`
		Trigger        string `json:"trigger"`
	}
	s.Do(t, labtest.Request{Path: "/projects/" + itoa(f.Project.ID) + "/hooks/" + itoa(hook.ID) + "/events",
		Token: f.Maintainer.Token}).JSON(t, &logs)
	statuses := map[string]int{}
	for _, l := range logs {
		statuses[l.ResponseStatus]++
	}
	if len(logs) != 3 || statuses["500"] != 2 || statuses["200"] != 1 {
		t.Fatalf("logs = %+v", logs)
	}
	// The success cleared the failures.
	if h, _, err := mc.Projects.GetProjectHook(f.Project.ID, hook.ID); err != nil || h.AlertStatus != "executable" {
		t.Fatalf("hook after the success = %+v, %v", h, err)
	}

	// A receiver that keeps failing: four attempts, then disabled.
	dead := newFlakyReceiver(t, 1000)
	if _, _, err := mc.Projects.EditProjectHook(f.Project.ID, hook.ID, &gitlab.EditProjectHookOptions{URL: gitlab.Ptr(dead.URL)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := mc.Issues.CreateIssue(f.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("dead")}); err != nil {
		t.Fatal(err)
	}
	dead.waitRequests(t, 4)
	var h *gitlab.ProjectHook
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if h, _, err = mc.Projects.GetProjectHook(f.Project.ID, hook.ID); err != nil {
			t.Fatal(err)
		}
		if h.AlertStatus == "temporarily_disabled" {
			break
		}
	}
	if h.AlertStatus != "temporarily_disabled" {
		t.Fatalf("after four failed attempts = %+v", h)
	}
	if _, _, err := mc.Issues.CreateIssue(f.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("skipped")}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if n := len(dead.requests()); n != 4 {
		t.Fatalf("a receiver that keeps failing got %d requests, want 4", n)
	}
}

// TestHookFanOut: an event goes to all its hooks in one first attempt; a
// hook that fails is retried alone, and the others get the event once.
// Each hook has its own Idempotency-Key; all share the event's UUID.
func TestHookFanOut(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.WebHookRetryDelay = 100 * time.Millisecond })
	f := s.NewTeam(t)
	setLocalHooks(t, s, true)
	mc := s.Client(t, f.Maintainer.Token)
	receivers := []*flakyReceiver{newFlakyReceiver(t, 0), newFlakyReceiver(t, 1), newFlakyReceiver(t, 0), newFlakyReceiver(t, 0)}
	for _, r := range receivers {
		if _, _, err := mc.Projects.AddProjectHook(f.Project.ID, &gitlab.AddProjectHookOptions{URL: gitlab.Ptr(r.URL),
			PushEvents: gitlab.Ptr(false), IssuesEvents: gitlab.Ptr(true)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := mc.Issues.CreateIssue(f.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("fanned out")}); err != nil {
		t.Fatal(err)
	}
	flaky := receivers[1].waitRequests(t, 2)
	if flaky[0].Get("Idempotency-Key") != flaky[1].Get("Idempotency-Key") {
		t.Errorf("the retry's Idempotency-Key %q differs from the first attempt's %q", flaky[1].Get("Idempotency-Key"),
			flaky[0].Get("Idempotency-Key"))
	}
	time.Sleep(500 * time.Millisecond)
	keys := map[string]bool{}
	for i, r := range receivers {
		got := r.requests()
		want := 1
		if i == 1 {
			want = 2
		}
		if len(got) != want {
			t.Fatalf("receiver %d got %d requests, want %d", i, len(got), want)
		}
		if got[0].Get("X-Gitlab-Event-Uuid") != flaky[0].Get("X-Gitlab-Event-Uuid") {
			t.Errorf("receiver %d: event UUID %q, want the event's %q", i, got[0].Get("X-Gitlab-Event-Uuid"),
				flaky[0].Get("X-Gitlab-Event-Uuid"))
		}
		keys[got[0].Get("Idempotency-Key")] = true
	}
	if len(keys) != len(receivers) {
		t.Errorf("%d distinct Idempotency-Keys for %d hooks", len(keys), len(receivers))
	}
}
