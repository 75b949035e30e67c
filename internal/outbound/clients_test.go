package outbound

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestClientsReuseConnections: requests through the same policy share one
// kept-alive connection; a connection made under a policy that allows
// loopback is never lent to one that does not.
func TestClientsReuseConnections(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	cs := NewClients()
	allow := Policy{AllowLocal: true}
	for range 5 {
		resp, err := cs.Client(allow, 5*time.Second, false).Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("5 requests opened %d connections, want 1", n)
	}
	if cs.Client(allow, 5*time.Second, false) != cs.Client(Policy{AllowLocal: true}, 5*time.Second, false) {
		t.Fatal("equal policies got different clients")
	}
	if _, err := cs.Client(Policy{}, 5*time.Second, false).Get(srv.URL); !errors.Is(err, ErrBlocked) {
		t.Fatalf("blocking policy reached loopback: %v", err)
	}
	if cs.Client(Policy{Allowlist: []string{"a"}}, time.Second, false) == cs.Client(Policy{Allowlist: []string{"b"}}, time.Second, false) {
		t.Fatal("different allowlists share a client")
	}
	// Past maxClients the kept clients start over.
	for i := range maxClients + 1 {
		cs.Client(Policy{}, time.Duration(i+1)*time.Second, false)
	}
	cs.mu.Lock()
	n := len(cs.m)
	cs.mu.Unlock()
	if n > maxClients {
		t.Fatalf("%d clients kept, want at most %d", n, maxClients)
	}
}
