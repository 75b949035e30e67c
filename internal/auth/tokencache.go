package auth

import (
	"sync"

	"github.com/lablet/lablet/internal/store"
)

// tokenCache keeps recently resolved personal access tokens with their
// users, so that an authenticated read usually runs no query for its
// credentials. Each entry is stored under the auth epoch read before its
// lookup (store.TopicAuth: any committed write to users or tokens, here
// or — on PostgreSQL — in another instance, moves the epoch), so revoking,
// rotating or expiring a token, or blocking, changing or deleting a user,
// takes effect on the very next request. Expiry dates are still checked
// against the clock on every use. Unknown digests are never cached.
type tokenCache struct {
	mu  sync.RWMutex
	m   map[string]tokenEntry
	max int
}

type tokenEntry struct {
	epoch uint64
	token store.Token
	user  store.User
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{m: make(map[string]tokenEntry), max: max}
}

// get returns private copies of the cached token and user for digest if
// they were stored under epoch.
func (c *tokenCache) get(digest string, epoch uint64) *store.TokenWithUser {
	c.mu.RLock()
	e, ok := c.m[digest]
	c.mu.RUnlock()
	if !ok || e.epoch != epoch {
		return nil
	}
	tok, u := e.token, e.user
	return &store.TokenWithUser{Token: &tok, User: &u}
}

func (c *tokenCache) put(digest string, epoch uint64, tw *store.TokenWithUser) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[digest]; !ok && len(c.m) >= c.max {
		for k := range c.m { // evict an arbitrary entry: O(1), never a scan
			delete(c.m, k)
			break
		}
	}
	c.m[digest] = tokenEntry{epoch: epoch, token: *tw.Token, user: *tw.User}
}
