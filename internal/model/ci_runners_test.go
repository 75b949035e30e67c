package model

import (
	"testing"
	"time"
)

// TestRunnerStatus follows GitLab's Ci::Runner#status: stale first (made
// and last seen over a week ago), then never_contacted, then online
// within two hours of contact, else offline.
func TestRunnerStatus(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	for _, tc := range []struct {
		name      string
		created   time.Duration
		contacted *time.Time
		want      string
		online    bool
	}{
		{"new, never seen", time.Hour, nil, RunnerNeverContacted, false},
		{"old, never seen", 8 * 24 * time.Hour, nil, RunnerStale, false},
		{"seen a minute ago", time.Hour, ago(time.Minute), RunnerOnline, true},
		{"seen just under two hours ago", 3 * time.Hour, ago(2*time.Hour - time.Second), RunnerOnline, true},
		{"seen two hours ago", 3 * time.Hour, ago(2 * time.Hour), RunnerOffline, false},
		{"seen six days ago", 30 * 24 * time.Hour, ago(6 * 24 * time.Hour), RunnerOffline, false},
		{"seen eight days ago", 30 * 24 * time.Hour, ago(8 * 24 * time.Hour), RunnerStale, false},
		{"new but seen long ago", 24 * time.Hour, ago(9 * 24 * time.Hour), RunnerOffline, false},
	} {
		r := &Runner{CreatedAt: now.Add(-tc.created), ContactedAt: tc.contacted}
		if got := r.Status(now); got != tc.want {
			t.Errorf("%s: status %s, want %s", tc.name, got, tc.want)
		}
		if got := r.Online(now); got != tc.online {
			t.Errorf("%s: online %v, want %v", tc.name, got, tc.online)
		}
	}
}
