package oauth

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// fakeClock is a settable clock for limiters.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestAddrLimiter(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := newAddrLimiter(10, time.Minute)
	l.now = clock.now
	for i := 0; i < 10; i++ {
		if ok, _ := l.allow("192.0.2.1:1234"); !ok {
			t.Fatalf("request %d refused", i+1)
		}
	}
	ok, wait := l.allow("192.0.2.1:5678") // another port, same client
	if ok || wait != 6*time.Second {
		t.Fatalf("11th request = %v, wait %v; want refused for 6s", ok, wait)
	}
	// Refused requests take no token: the wait does not grow.
	if ok, wait := l.allow("192.0.2.1:1234"); ok || wait != 6*time.Second {
		t.Fatalf("12th request = %v, wait %v", ok, wait)
	}
	if ok, _ := l.allow("[::ffff:192.0.2.1]:1"); ok {
		t.Fatal("an IPv4-mapped address escaped its IPv4 bucket")
	}
	if ok, _ := l.allow("192.0.2.2:1234"); !ok {
		t.Fatal("another address was refused")
	}
	clock.t = clock.t.Add(6 * time.Second)
	if ok, _ := l.allow("192.0.2.1:1234"); !ok {
		t.Fatal("refused after a token refilled")
	}
	if ok, _ := l.allow("192.0.2.1:1234"); ok {
		t.Fatal("two tokens after one refilled")
	}

	// IPv6 clients count per /64.
	for i := 0; i < 10; i++ {
		l.allow("[2001:db8:1:2::1]:1")
	}
	if ok, _ := l.allow("[2001:db8:1:2:ffff::9]:1"); ok {
		t.Fatal("another address of the same /64 was allowed")
	}
	if ok, _ := l.allow("[2001:db8:1:3::1]:1"); !ok {
		t.Fatal("another /64 was refused")
	}
}

func TestAddrLimiterForgetsIdleAddresses(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := newAddrLimiter(2, time.Minute)
	l.now, l.max = clock.now, 3
	l.allow("192.0.2.1:1")
	l.allow("192.0.2.2:1")
	l.allow("192.0.2.3:1")
	l.allow("192.0.2.3:1") // empty now
	clock.t = clock.t.Add(40 * time.Second)
	l.allow("192.0.2.4:1")
	if len(l.buckets) > 3 {
		t.Fatalf("%d addresses tracked, max 3", len(l.buckets))
	}
	// The refilled buckets went first; the emptied one is still
	// remembered (and still has only what refilled since).
	if _, ok := l.buckets[clientKey("192.0.2.3:1")]; !ok {
		t.Fatal("a busy address was forgotten before idle ones")
	}
	for i := 0; i < 20; i++ {
		l.allow(fmt.Sprintf("198.51.100.%d:1", i))
		if len(l.buckets) > 3 {
			t.Fatalf("%d addresses tracked, max 3", len(l.buckets))
		}
	}
}

func TestThrottleAnswer(t *testing.T) {
	l := newAddrLimiter(1, time.Minute)
	served := 0
	h := throttle(l, func(w http.ResponseWriter, r *http.Request) { served++ })
	for i := 0; i < 2; i++ {
		rec := httptest.NewRecorder()
		h(rec, httptest.NewRequest("POST", "/oauth/register", nil))
		if i == 1 && (rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "60" ||
			rec.Header().Get("Content-Type") != "application/json" ||
			rec.Body.String() != `{"error":"too_many_requests","error_description":"This endpoint has been requested too many times. Try again later."}`+"\n") {
			t.Fatalf("throttled answer = %d %v %s", rec.Code, rec.Header(), rec.Body)
		}
	}
	if served != 1 {
		t.Fatalf("handler served %d times, want 1", served)
	}
}
