package hooks_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestHookDeliveriesAllLogged: deliveries finishing together each leave
// their log row, exactly once, even when one of them belongs to a hook
// deleted meanwhile (whose row cannot be written).
func TestHookDeliveriesAllLogged(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	setLocalHooks(t, s, true)
	var mu sync.Mutex
	got := map[string]int{}
	gate := make(chan struct{})
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.URL.Path]++
		mu.Unlock()
		<-gate // held, so that the deliveries finish together
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(sink.Close)
	defer func() {
		select {
		case <-gate:
		default:
			close(gate)
		}
	}()
	count := func(path string) int {
		mu.Lock()
		defer mu.Unlock()
		return got[path]
	}

	root := s.Client(t, s.RootToken)
	p, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Logged")})
	if err != nil {
		t.Fatal(err)
	}
	hookIDs := map[string]int64{}
	for _, name := range []string{"a", "b", "c", "doomed"} {
		h, _, err := root.Projects.AddProjectHook(p.ID, &gitlab.AddProjectHookOptions{URL: gitlab.Ptr(sink.URL + "/" + name),
			IssuesEvents: gitlab.Ptr(true), PushEvents: gitlab.Ptr(false)})
		if err != nil {
			t.Fatal(err)
		}
		hookIDs[name] = h.ID
	}
	const issues = 8
	var wg sync.WaitGroup
	for i := range issues {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := root.Issues.CreateIssue(p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("issue " + itoa(int64(i)))}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	waitFor(t, "deliveries held", func() bool { return count("/doomed") > 0 && count("/a") > 0 })
	if _, err := root.Projects.DeleteProjectHook(p.ID, hookIDs["doomed"]); err != nil {
		t.Fatal(err)
	}
	close(gate)

	for _, name := range []string{"a", "b", "c"} {
		path := "/projects/" + itoa(p.ID) + "/hooks/" + itoa(hookIDs[name]) + "/events?per_page=100"
		var events []map[string]any
		waitFor(t, "logs of hook "+name, func() bool {
			events = nil
			s.Do(t, labtest.Request{Path: path, Token: s.RootToken}).JSON(t, &events)
			return len(events) >= issues
		})
		if len(events) != issues || count("/"+name) != issues {
			t.Fatalf("hook %s: %d log rows, %d deliveries; want %d each", name, len(events), count("/"+name), issues)
		}
		for _, e := range events {
			if !strings.HasPrefix(e["response_status"].(string), "200") {
				t.Fatalf("hook %s logged %v", name, e["response_status"])
			}
		}
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
