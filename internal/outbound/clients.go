package outbound

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxClients bounds the kept clients. Each distinct policy (a change of
// the instance's settings) makes one; past this many all are dropped
// together with their idle connections.
const maxClients = 16

// Clients hands out one Client per policy, timeout and redirect choice, so
// requests made with the same ones reuse kept-alive connections instead of
// dialing (and resolving) anew each time. Connections are pooled per
// policy: one checked under a policy is never reused under another.
type Clients struct {
	mu sync.Mutex
	m  map[string]*http.Client
}

// NewClients returns an empty set of clients.
func NewClients() *Clients { return &Clients{m: map[string]*http.Client{}} }

// Client is the shared Client(policy, timeout, follow).
func (cs *Clients) Client(policy Policy, timeout time.Duration, follow bool) *http.Client {
	key := strconv.FormatBool(policy.AllowLocal) + "|" + strconv.FormatBool(follow) + "|" + timeout.String() + "|" +
		strings.Join(policy.Allowlist, "\n")
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if c, ok := cs.m[key]; ok {
		return c
	}
	if len(cs.m) >= maxClients {
		for k, c := range cs.m {
			c.CloseIdleConnections()
			delete(cs.m, k)
		}
	}
	c := Client(policy, timeout, follow)
	cs.m[key] = c
	return c
}
