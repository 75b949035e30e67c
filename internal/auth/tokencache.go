package auth

import (
	"github.com/lablet/lablet/internal/epochcache"
	"github.com/lablet/lablet/internal/model"
)

// tokenCache keeps recently resolved personal access tokens with their
// users, so that an authenticated read usually runs no query for its
// credentials. Entries are stored under the auth epoch read before their
// lookup (store.TopicAuth: any committed write to users or tokens, here
// or — on PostgreSQL — in another instance, moves the epoch), so revoking,
// rotating or expiring a token, or blocking, changing or deleting a user,
// takes effect on the very next request. Expiry dates are still checked
// against the clock on every use. Unknown digests are never cached.
type tokenCache struct {
	c *epochcache.Cache[string, tokenEntry]
}

type tokenEntry struct {
	token model.Token
	user  model.User
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{c: epochcache.New[string, tokenEntry](max)}
}

// get returns private copies of the cached token and user for digest if
// they were stored under epoch.
func (c *tokenCache) get(digest string, epoch uint64) *model.TokenWithUser {
	e, ok := c.c.Get(digest, epochcache.Stamp{epoch})
	if !ok {
		return nil
	}
	return &model.TokenWithUser{Token: &e.token, User: &e.user}
}

func (c *tokenCache) put(digest string, epoch uint64, tw *model.TokenWithUser) {
	c.c.Put(digest, epochcache.Stamp{epoch}, tokenEntry{token: *tw.Token, user: *tw.User})
}
