package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// hookRate measures webhook delivery: it lets hooks reach loopback, adds
// hooks to the first repository project, each pointing at a sink on
// loopback, opens issues and times until every delivery has reached the
// sink. The hooks are removed afterwards, so the endpoints measured next
// send none. It returns deliveries per second from the first issue to the
// last delivery, and a line saying what was measured.
func hookRate(ctx context.Context, l *loader, hooks, issues int) (float64, string, error) {
	var got atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, "", err
	}
	sink := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		w.WriteHeader(http.StatusOK)
	}), ReadHeaderTimeout: 5 * time.Second}
	go sink.Serve(ln)
	defer sink.Close()

	settings := mustJSON(map[string]any{"allow_local_requests_from_web_hooks_and_services": true})
	if status, b, err := l.do(ctx, reqSpec{method: http.MethodPut, path: "/application/settings", body: settings,
		ctype: "application/json", token: l.sd.RootToken}); err != nil || status != http.StatusOK {
		return 0, "", fmt.Errorf("allow local hooks: %d %s %v", status, b, err)
	}
	p := l.sd.RepoProjects[0]
	hooksPath := fmt.Sprintf("/projects/%d/hooks", p.ID)
	var ids []int64
	defer func() {
		for _, id := range ids {
			_, _, _ = l.do(context.WithoutCancel(ctx), reqSpec{method: http.MethodDelete, path: fmt.Sprintf("%s/%d", hooksPath, id)})
		}
	}()
	for i := range hooks {
		body := mustJSON(map[string]any{"url": fmt.Sprintf("http://%s/hook/%d", ln.Addr(), i), "issues_events": true,
			"push_events": false})
		status, b, err := l.do(ctx, reqSpec{method: http.MethodPost, path: hooksPath, body: body, ctype: "application/json"})
		if err != nil || status != http.StatusCreated {
			return 0, "", fmt.Errorf("add hook: %d %s %v", status, b, err)
		}
		var h struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(b, &h); err != nil {
			return 0, "", err
		}
		ids = append(ids, h.ID)
	}
	// Issues are opened by 8 clients at once, so that the deliveries, not
	// the issue writes, are what the figure measures.
	start := time.Now()
	var next atomic.Int64
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(issues) {
					errs <- nil
					return
				}
				body := mustJSON(map[string]any{"title": fmt.Sprintf("hook rate %d", i)})
				status, b, err := l.do(ctx, reqSpec{method: http.MethodPost, path: fmt.Sprintf("/projects/%d/issues", p.ID),
					body: body, ctype: "application/json"})
				if err != nil || status != http.StatusCreated {
					errs <- fmt.Errorf("open issue: %d %s %v", status, b, err)
					return
				}
			}
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			return 0, "", err
		}
	}
	opened := time.Since(start)
	want := int64(hooks * issues)
	deadline := time.Now().Add(2 * time.Minute)
	for got.Load() < want {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return 0, "", fmt.Errorf("%d of %d deliveries after 2 minutes", got.Load(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	rate := float64(want) / elapsed.Seconds()
	return rate, fmt.Sprintf("%.0f deliveries/s to a local sink (%d hooks × %d issues opened in %s, all delivered in %s)",
		rate, hooks, issues, fmtDur(opened), fmtDur(elapsed)), nil
}
