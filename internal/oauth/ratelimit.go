package oauth

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Anonymous endpoints that write a row per call (RFC 7591 registration,
// RFC 8628 device authorization) are throttled per client address: a
// token bucket of Options.RateLimit requests (LABLET_OAUTH_RATE_LIMIT,
// default 10), refilled at that many per minute.
const (
	perAddressWindow = time.Minute
	// maxTrackedAddresses bounds the limiter's memory; idle addresses
	// are forgotten first.
	maxTrackedAddresses = 10000
)

// addrLimiter keeps one token bucket per client address. The address is
// the connection's peer (RemoteAddr): lablet has no trusted-proxy setting,
// so X-Forwarded-For, which any client can send, is not believed. IPv6
// clients are counted per /64, the block one host usually holds.
type addrLimiter struct {
	limit rate.Limit
	burst int
	max   int
	now   func() time.Time

	mu      sync.Mutex
	buckets map[netip.Prefix]*rate.Limiter
}

func newAddrLimiter(burst int, window time.Duration) *addrLimiter {
	return &addrLimiter{limit: rate.Limit(float64(burst) / window.Seconds()), burst: burst,
		max: maxTrackedAddresses, now: time.Now, buckets: map[netip.Prefix]*rate.Limiter{}}
}

// clientKey is the bucket key of a RemoteAddr ("ip:port").
func clientKey(remoteAddr string) netip.Prefix {
	ap, err := netip.ParseAddrPort(remoteAddr)
	addr := ap.Addr()
	if err != nil {
		// Not ip:port (a test's or a unix socket's peer): all such
		// callers share one bucket.
		host, _, _ := net.SplitHostPort(remoteAddr)
		addr, _ = netip.ParseAddr(host)
	}
	addr = addr.Unmap()
	bits := addr.BitLen()
	if addr.Is6() {
		bits = 64
	}
	p, _ := addr.Prefix(bits)
	return p
}

// allow takes a token for remoteAddr, or reports how long until one is
// available.
func (l *addrLimiter) allow(remoteAddr string) (bool, time.Duration) {
	key := clientKey(remoteAddr)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.max {
			l.evict(now)
		}
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets[key] = b
	}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// evict forgets addresses whose bucket has refilled (they are as good as
// new), and if none has, an arbitrary one. Called with mu held.
func (l *addrLimiter) evict(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) < l.max {
			break
		}
		delete(l.buckets, k)
	}
}

// throttle answers 429 with Retry-After once the caller's bucket in l is
// empty, and serves next otherwise.
func throttle(l *addrLimiter, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := l.allow(r.RemoteAddr); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			writeOAuthError(w, http.StatusTooManyRequests, "too_many_requests",
				"This endpoint has been requested too many times. Try again later.")
			return
		}
		next(w, r)
	}
}
