package service

import (
	"testing"
	"time"
)

func TestDueDate(t *testing.T) {
	today := time.Date(2026, time.December, 5, 0, 0, 0, 0, time.UTC) // a Saturday
	for _, tc := range []struct{ in, want string }{
		{"2027-10-01", "2027-10-01"},
		{" 2027/10/01 ", "2027-10-01"},
		{"10/01/2027", "2027-10-01"},
		{"today", "2026-12-05"},
		{"Tomorrow", "2026-12-06"},
		{"yesterday", "2026-12-04"},
		{"in 3 days", "2026-12-08"},
		{"in 1 day", "2026-12-06"},
		{"2 weeks from now", "2026-12-19"},
		{"1 month ago", "2026-11-05"},
		{"in 2 years", "2028-12-05"},
		{"next week", "2026-12-12"},
		{"next month", "2027-01-05"},
		{"friday", "2026-12-11"},
		{"next Fri", "2026-12-11"},
		{"saturday", "2026-12-12"}, // today is one: the next
		{"Dec 24", "2026-12-24"},
		{"december 1", "2027-12-01"}, // past this year: next year's
		{"Oct 1, 2027", "2027-10-01"},
		{"1 October 2027", "2027-10-01"},
		{"Sept 3rd", "2027-09-03"},
	} {
		got, ok := dueDate(tc.in, today)
		if !ok || got.Format(time.DateOnly) != tc.want {
			t.Errorf("dueDate(%q) = %s %v, want %s", tc.in, got.Format(time.DateOnly), ok, tc.want)
		}
	}
	for _, bad := range []string{"", "soon", "feb 30", "in many days", "in 3 fortnights", "2027-13-01", "next blursday", "31 foo 2027",
		"in 99999 days", "oct 1 27"} {
		if got, ok := dueDate(bad, today); ok {
			t.Errorf("dueDate(%q) = %s, want no date", bad, got.Format(time.DateOnly))
		}
	}
}
