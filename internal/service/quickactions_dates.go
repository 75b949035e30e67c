package service

import (
	"strconv"
	"strings"
	"time"
)

// dueDate reads /due's argument as GitLab's Chronic (future context)
// reads the forms people write: ISO and slashed dates ("2027-10-01",
// "2027/10/01", US "10/01/2027"); "today", "tomorrow", "yesterday";
// "in 3 days", "2 weeks from now", "1 month ago"; "next week", "next
// month", "next year"; a weekday ("friday", "next friday": the next one
// after today); and month names ("Oct 1", "October 1, 2027", "1 Oct
// 2027"; without a year, the next such day from today on). today is the
// caller's day, at midnight UTC.
func dueDate(arg string, today time.Time) (time.Time, bool) {
	s := strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(arg, ",", " ")), " "))
	if t, ok := numericDate(s); ok {
		return t, true
	}
	switch s {
	case "today", "now":
		return today, true
	case "tomorrow":
		return today.AddDate(0, 0, 1), true
	case "yesterday":
		return today.AddDate(0, 0, -1), true
	case "next week":
		return today.AddDate(0, 0, 7), true
	case "next month":
		return today.AddDate(0, 1, 0), true
	case "next year":
		return today.AddDate(1, 0, 0), true
	}
	f := strings.Fields(s)
	switch {
	case len(f) == 3 && f[0] == "in":
		return relativeDate(today, f[1], f[2], 1)
	case len(f) == 4 && f[2] == "from" && f[3] == "now":
		return relativeDate(today, f[0], f[1], 1)
	case len(f) == 3 && f[2] == "ago":
		return relativeDate(today, f[0], f[1], -1)
	case len(f) == 2 && f[0] == "next":
		if wd, ok := weekdayNamed(f[1]); ok {
			return nextWeekday(today, wd), true
		}
	case len(f) == 1:
		if wd, ok := weekdayNamed(f[0]); ok {
			return nextWeekday(today, wd), true
		}
	}
	return monthDate(f, today)
}

// numericDate reads YYYY-MM-DD, YYYY/MM/DD and MM/DD/YYYY.
func numericDate(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", "2006/01/02", "2006/1/2", "01/02/2006", "1/2/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// relativeDate is today moved sign×n units (day, week, month, year).
func relativeDate(today time.Time, n, unit string, sign int) (time.Time, bool) {
	k, err := strconv.Atoi(n)
	if err != nil || k < 0 || k > 10000 {
		return time.Time{}, false
	}
	k *= sign
	switch strings.TrimSuffix(unit, "s") {
	case "day":
		return today.AddDate(0, 0, k), true
	case "week":
		return today.AddDate(0, 0, 7*k), true
	case "month":
		return today.AddDate(0, k, 0), true
	case "year":
		return today.AddDate(k, 0, 0), true
	}
	return time.Time{}, false
}

// weekdayNamed reads "friday" or "fri".
func weekdayNamed(s string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if name := strings.ToLower(d.String()); s == name || s == name[:3] {
			return d, true
		}
	}
	return 0, false
}

// monthNamed reads "october", "oct" or "oct.".
func monthNamed(s string) (time.Month, bool) {
	s = strings.TrimSuffix(s, ".")
	for m := time.January; m <= time.December; m++ {
		if name := strings.ToLower(m.String()); s == name || s == name[:3] || m == time.September && s == "sept" {
			return m, true
		}
	}
	return 0, false
}

// nextWeekday is the first day after today that is wd.
func nextWeekday(today time.Time, wd time.Weekday) time.Time {
	n := (int(wd) - int(today.Weekday()) + 7) % 7
	if n == 0 {
		n = 7
	}
	return today.AddDate(0, 0, n)
}

// monthDate reads "oct 1", "october 1 2027", "1 oct" and "1 oct 2027"
// (fields, lower case, commas gone).
func monthDate(f []string, today time.Time) (time.Time, bool) {
	if len(f) < 2 || len(f) > 3 {
		return time.Time{}, false
	}
	m, ok := monthNamed(f[0])
	dayField := f[1]
	if !ok {
		if m, ok = monthNamed(f[1]); !ok {
			return time.Time{}, false
		}
		dayField = f[0]
	}
	day, err := strconv.Atoi(strings.TrimRight(dayField, "stndrh"))
	if err != nil || day < 1 || day > 31 {
		return time.Time{}, false
	}
	year := today.Year()
	if len(f) == 3 {
		if year, err = strconv.Atoi(f[2]); err != nil || year < 1000 || year > 9999 {
			return time.Time{}, false
		}
	}
	t := time.Date(year, m, day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day { // "feb 30"
		return time.Time{}, false
	}
	if len(f) == 2 && t.Before(today) {
		t = t.AddDate(1, 0, 0) // Chronic's future context
	}
	return t, true
}

// todayDate is Today at midnight UTC.
func (s *Service) todayDate() time.Time {
	t, _ := time.Parse(time.DateOnly, s.Today())
	return t
}
