// Package outbound makes lablet's requests to addresses its users name
// (webhooks, imports). A user must not be able to point lablet at the
// machine it runs on or at its private network (server-side request
// forgery), so every connection is checked after name resolution, at
// dial time, against the addresses it reaches: loopback, private,
// link-local, shared, unspecified, multicast and broadcast addresses are
// refused unless the policy allows local requests or the allowlist names
// the host or address. Checking the resolved address at dial time (and
// dialing that very address) also defeats DNS rebinding, and redirects
// are checked like the first request since each dials anew.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrBlocked is the cause of every refused connection.
var ErrBlocked = errors.New("outbound: requests to the local network are not allowed")

// Policy says which addresses may be reached.
type Policy struct {
	// AllowLocal lets requests reach local and private addresses (GitLab's
	// allow_local_requests_from_web_hooks_and_services).
	AllowLocal bool
	// Allowlist names hosts ("example.com", "*.example.com"), addresses
	// and CIDR ranges, each with an optional ":port", reachable even when
	// local requests are refused (outbound_local_requests_whitelist).
	Allowlist []string
}

// sharedRanges are blocked ranges netip's predicates do not cover.
var sharedRanges = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),          // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),      // carrier-grade NAT
	netip.MustParsePrefix("255.255.255.255/32"), // limited broadcast
}

// local reports whether addr is one a request from outside could not
// reach: the machine itself or a private network.
func local(addr netip.Addr) bool {
	addr = addr.Unmap()
	if addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() ||
		addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() {
		return true
	}
	for _, p := range sharedRanges {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// allowed reports whether the policy lets a connection to addr:port,
// reached through the name host, go ahead.
func (p Policy) allowed(host string, addr netip.Addr, port int) bool {
	if p.AllowLocal || !local(addr) {
		return true
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, entry := range p.Allowlist {
		if allowlisted(strings.ToLower(entry), host, addr.Unmap(), port) {
			return true
		}
	}
	return false
}

// allowlisted matches one allowlist entry.
func allowlisted(entry, host string, addr netip.Addr, port int) bool {
	if prefix, err := netip.ParsePrefix(entry); err == nil {
		return prefix.Contains(addr)
	}
	if ap, err := netip.ParseAddrPort(entry); err == nil {
		return ap.Addr().Unmap() == addr && int(ap.Port()) == port
	}
	if a, err := netip.ParseAddr(entry); err == nil {
		return a.Unmap() == addr
	}
	name := entry
	if h, p, ok := strings.Cut(entry, ":"); ok {
		if n, err := strconv.Atoi(p); err != nil || n != port {
			return false
		}
		name = h
	}
	if suffix, ok := strings.CutPrefix(name, "*."); ok {
		return strings.HasSuffix(host, "."+suffix)
	}
	return name == host
}

// Client is an HTTP client that reaches only what policy allows, with
// no proxy (a proxy would make the checks moot) and the given timeout
// for the whole request. It follows no redirects unless follow is set,
// and then at most 3, each checked like the first request.
func Client(policy Policy, timeout time.Duration, follow bool) *http.Client {
	dialer := &net.Dialer{Timeout: min(timeout, 10*time.Second)}
	// Deliveries run up to 100 at once, often to one receiver: its
	// connections stay open for the next ones (Go keeps 2 a host).
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           policy.dialContext(dialer),
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	c := &http.Client{Transport: transport, Timeout: timeout}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !follow {
			return http.ErrUseLastResponse
		}
		if len(via) >= 3 {
			return errors.New("outbound: stopped after 3 redirects")
		}
		return CheckScheme(req.URL)
	}
	return c
}

// dialContext resolves the host, checks every address it resolves to,
// and dials the checked addresses themselves.
func (p Policy) dialContext(dialer *net.Dialer) func(ctx context.Context, network, address string) (net.Conn, error) {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		host, portText, err := net.SplitHostPort(address)
		if err != nil {
			return nil, fmt.Errorf("outbound: %w", err)
		}
		port, err := strconv.Atoi(portText)
		if err != nil {
			return nil, fmt.Errorf("outbound: port %q: %w", portText, err)
		}
		addrs, err := resolve(ctx, host)
		if err != nil {
			return nil, err
		}
		// Every address must pass: a name resolving to one public and one
		// private address could otherwise be steered to the private one.
		for _, a := range addrs {
			if !p.allowed(host, a, port) {
				return nil, fmt.Errorf("%w: %s resolves to %s", ErrBlocked, host, a)
			}
		}
		var lastErr error
		for _, a := range addrs {
			conn, err := dialer.DialContext(ctx, network, net.JoinHostPort(a.String(), portText))
			if err == nil {
				return conn, nil
			}
			lastErr = err
		}
		return nil, fmt.Errorf("outbound: dial %s: %w", host, lastErr)
	}
}

// resolve returns the addresses of host (itself when it is one).
func resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{a}, nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("outbound: resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("outbound: %s has no address", host)
	}
	return addrs, nil
}

// CheckScheme refuses URLs other than http and https with a host.
func CheckScheme(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("Only allowed schemes are http, https")
	}
	if u.Hostname() == "" {
		return errors.New("URI is invalid")
	}
	return nil
}

// Check tells, before any request, whether policy lets rawURL be
// reached: the check GitLab's UrlBlocker makes when a hook is saved,
// with its messages ("is blocked: Requests to localhost are not
// allowed"), which belong to the URL's field of a validation error. It
// resolves the host; a name that does not resolve passes (it may resolve
// later, and the dial-time check still applies then).
func (p Policy) Check(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return errors.New("is blocked: URI is invalid")
	}
	if err := CheckScheme(u); err != nil {
		return fmt.Errorf("is blocked: %w", err)
	}
	port := 80
	if u.Scheme == "https" {
		port = 443
	}
	if u.Port() != "" {
		if port, err = strconv.Atoi(u.Port()); err != nil || port <= 0 || port > 65535 {
			return errors.New("is blocked: URI is invalid")
		}
	}
	addrs, err := resolve(ctx, u.Hostname())
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if !p.allowed(u.Hostname(), a, port) {
			if a.Unmap().IsLoopback() || a.IsUnspecified() {
				return errors.New("is blocked: Requests to localhost are not allowed")
			}
			return errors.New("is blocked: Requests to the local network are not allowed")
		}
	}
	return nil
}
