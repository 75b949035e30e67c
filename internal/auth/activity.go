package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/lablet/lablet/internal/model"
)

// touchActivity records that u acted today (users.last_activity_on), at
// most one write per user per day, as GitLab's Users::ActivityService. The
// check reads the user record the request already loaded (from the auth
// cache, which the write itself refreshes), so the common case costs no
// SQL; the write's condition keeps racing requests from writing twice.
func (a *Authenticator) touchActivity(ctx context.Context, u *model.User, now time.Time) error {
	if u == nil {
		return nil
	}
	// The day is formatted on the stack: the comparison allocates nothing.
	var buf [16]byte
	today := now.UTC().AppendFormat(buf[:0], time.DateOnly)
	if u.LastActivityOn != nil && *u.LastActivityOn >= string(today) {
		return nil
	}
	day := string(today)
	if err := a.db.Queries().TouchUserActivity(ctx, u.ID, day); err != nil {
		return fmt.Errorf("auth: record activity: %w", err)
	}
	// Show this day to the request itself.
	u.LastActivityOn = &day
	return nil
}
