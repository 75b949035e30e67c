package outbound

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestLocal(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1": true, "127.9.9.9": true, "::1": true, "10.0.0.1": true, "172.16.5.4": true, "192.168.1.1": true,
		"169.254.169.254": true, "fe80::1": true, "fc00::1": true, "0.0.0.0": true, "::": true, "100.64.0.1": true,
		"255.255.255.255": true, "224.0.0.1": true, "::ffff:127.0.0.1": true, "::ffff:10.0.0.1": true,
		"8.8.8.8": false, "2001:4860:4860::8888": false, "172.32.0.1": false, "100.128.0.1": false,
	} {
		if got := local(netip.MustParseAddr(addr)); got != want {
			t.Errorf("local(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestAllowlist(t *testing.T) {
	p := Policy{Allowlist: []string{"hooks.internal", "*.corp.example", "10.1.0.0/16", "192.168.2.3:8080", "::1"}}
	for _, c := range []struct {
		host string
		addr string
		port int
		want bool
	}{
		{"hooks.internal", "10.9.9.9", 80, true},
		{"HOOKS.internal.", "10.9.9.9", 80, true},
		{"other.internal", "10.9.9.9", 80, false},
		{"a.corp.example", "192.168.0.1", 443, true},
		{"corp.example", "192.168.0.1", 443, false},
		{"x", "10.1.200.3", 80, true},
		{"x", "10.2.0.1", 80, false},
		{"x", "192.168.2.3", 8080, true},
		{"x", "192.168.2.3", 8081, false},
		{"x", "::1", 9, true},
		{"x", "127.0.0.1", 9, false},
		{"public.example", "8.8.8.8", 80, true},
	} {
		if got := p.allowed(c.host, netip.MustParseAddr(c.addr), c.port); got != c.want {
			t.Errorf("allowed(%s, %s, %d) = %v, want %v", c.host, c.addr, c.port, got, c.want)
		}
	}
}

// TestClientRefusesLoopback: a real listener on loopback is refused by
// default, reached when local requests are allowed or when the allowlist
// names it, and a redirect to it from an allowed address is refused too.
func TestClientRefusesLoopback(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))

	_, err := Client(Policy{}, 5*time.Second, false).Get(srv.URL)
	if !errors.Is(err, ErrBlocked) || hits != 0 {
		t.Fatalf("default policy: err = %v, hits = %d", err, hits)
	}
	localhostURL := "http://localhost:" + port
	if _, err := Client(Policy{}, 5*time.Second, false).Get(localhostURL); !errors.Is(err, ErrBlocked) {
		t.Fatalf("localhost by name: %v", err)
	}
	for _, p := range []Policy{{AllowLocal: true}, {Allowlist: []string{"127.0.0.1:" + port}}, {Allowlist: []string{"127.0.0.0/8"}}} {
		resp, err := Client(p, 5*time.Second, false).Get(srv.URL)
		if err != nil {
			t.Fatalf("%+v: %v", p, err)
		}
		resp.Body.Close()
	}
	if hits != 3 {
		t.Fatalf("hits = %d", hits)
	}

	// A redirect from an allowed address to a refused one is refused.
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer target.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(target.URL, "127.0.0.1", "localhost", 1), http.StatusFound)
	}))
	defer redirector.Close()
	_, rport, _ := net.SplitHostPort(strings.TrimPrefix(redirector.URL, "http://"))
	before := hits
	_, err = Client(Policy{Allowlist: []string{"127.0.0.1:" + rport}}, 5*time.Second, true).Get(redirector.URL)
	if !errors.Is(err, ErrBlocked) || hits != before {
		t.Fatalf("redirect to loopback: err = %v, hits %d -> %d", err, before, hits)
	}
	// Without follow, the redirect is the answer.
	resp, err := Client(Policy{Allowlist: []string{"127.0.0.1:" + rport}}, 5*time.Second, false).Get(redirector.URL)
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("unfollowed redirect: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	for raw, want := range map[string]string{
		"http://127.0.0.1:9/hook":      "is blocked: Requests to localhost are not allowed",
		"http://localhost/hook":        "is blocked: Requests to localhost are not allowed",
		"http://[::1]/hook":            "is blocked: Requests to localhost are not allowed",
		"http://0.0.0.0/hook":          "is blocked: Requests to localhost are not allowed",
		"https://10.0.0.8/hook":        "is blocked: Requests to the local network are not allowed",
		"http://169.254.169.254/meta":  "is blocked: Requests to the local network are not allowed",
		"ftp://example.com/x":          "is blocked: Only allowed schemes are http, https",
		"http:///nohost":               "is blocked: URI is invalid",
		"http://8.8.8.8:99999/":        "is blocked: URI is invalid",
		"https://8.8.8.8/hook":         "",
		"http://no-such-host.invalid/": "",
	} {
		err := Policy{}.Check(ctx, raw)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("Check(%s) = %q, want %q", raw, got, want)
		}
	}
	if err := (Policy{AllowLocal: true}).Check(ctx, "http://127.0.0.1:9/hook"); err != nil {
		t.Errorf("allowed local: %v", err)
	}
}
