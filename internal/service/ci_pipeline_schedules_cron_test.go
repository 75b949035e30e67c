package service

import (
	"testing"
	"time"
)

// TestNextCronRun checks cron lines and zones as GitLab reads them: the
// next time after now, in UTC, or none when either is invalid.
func TestNextCronRun(t *testing.T) {
	now := time.Date(2026, 3, 28, 12, 34, 56, 0, time.UTC) // a Saturday, before Europe's clocks move
	for _, c := range []struct {
		cron, zone string
		want       string // RFC 3339, "" for none
	}{
		{"0 4 * * *", "UTC", "2026-03-29T04:00:00Z"},
		{"*/15 * * * *", "UTC", "2026-03-28T12:45:00Z"},
		{"@daily", "UTC", "2026-03-29T00:00:00Z"},
		{"@hourly", "Etc/UTC", "2026-03-28T13:00:00Z"},
		{"0 9 * * 1-5", "UTC", "2026-03-30T09:00:00Z"},
		{"0 9 * * mon", "UTC", "2026-03-30T09:00:00Z"},
		{"30 9 * * *", "Tokyo", "2026-03-29T00:30:00Z"},
		{"30 9 * * *", "Asia/Tokyo", "2026-03-29T00:30:00Z"},
		// Berlin moves to summer time on the 29th: its 03:00 that day is
		// 01:00 UTC, not 02:00.
		{"0 3 * * *", "Berlin", "2026-03-29T01:00:00Z"},
		{"0 3 * * *", "Pacific Time (US & Canada)", "2026-03-29T10:00:00Z"},
		{"0 0 1 1 *", "UTC", "2027-01-01T00:00:00Z"},
		{"  0 4 * * *  ", "UTC", "2026-03-29T04:00:00Z"},
		{"0 0 4 * * *", "UTC", "2026-03-29T04:00:00Z"}, // seconds first
		{"not a cron", "UTC", ""},
		{"@every 5m", "UTC", ""},
		{"61 * * * *", "UTC", ""},
		{"", "UTC", ""},
		{"* * * * *", "Mars/Olympus", ""},
		{"* * * * *", "Local", ""},
		{"* * * * *", "", ""},
	} {
		got := nextCronRun(c.cron, c.zone, now)
		switch {
		case c.want == "" && got != nil:
			t.Errorf("%q in %q: next run %v, want none", c.cron, c.zone, got)
		case c.want != "" && (got == nil || got.Format(time.RFC3339) != c.want):
			t.Errorf("%q in %q: next run %v, want %s", c.cron, c.zone, got, c.want)
		}
	}
}
