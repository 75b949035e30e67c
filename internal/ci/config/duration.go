package config

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// durationUnits are ChronicDuration's units, in seconds.
var durationUnits = map[string]int{
	"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
	"m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
	"h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
	"d": 86400, "day": 86400, "days": 86400,
	"w": 604800, "wk": 604800, "wks": 604800, "week": 604800, "weeks": 604800,
	"mo": 2592000, "mos": 2592000, "month": 2592000, "months": 2592000,
	"y": 31557600, "yr": 31557600, "yrs": 31557600, "year": 31557600, "years": 31557600,
}

// parseDuration reads a human duration as GitLab's ChronicDuration does
// ("1h 30m", "3 days", "30 minutes", "10" for seconds): seconds, ok.
func parseDuration(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, false
	}
	s = strings.NewReplacer(",", " ", " and ", " ").Replace(s)
	total, i := 0, 0
	for i < len(s) {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			break
		}
		j := i
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
			j++
		}
		if j == i {
			return 0, false
		}
		n, err := strconv.ParseFloat(s[i:j], 64)
		if err != nil || n > 1e9 {
			return 0, false
		}
		for j < len(s) && s[j] == ' ' {
			j++
		}
		k := j
		for k < len(s) && unicode.IsLetter(rune(s[k])) {
			k++
		}
		unit := 1
		if k > j {
			u, ok := durationUnits[s[j:k]]
			if !ok {
				return 0, false
			}
			unit = u
		}
		total += int(n * float64(unit))
		i = k
	}
	return total, true
}

// ParseDuration reads a human duration (start_in, timeout, expire_in) as
// GitLab does; ok is false for text it does not accept.
func ParseDuration(s string) (d time.Duration, ok bool) {
	secs, ok := parseDuration(s)
	return time.Duration(secs) * time.Second, ok
}
