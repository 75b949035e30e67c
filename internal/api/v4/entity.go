package v4

import "time"

// timeLayout is GitLab's timestamp format: UTC with milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z"

// TS formats t as GitLab does.
//
//entitygen:appender appendTS
func TS(t time.Time) string { return t.UTC().Format(timeLayout) }

// appendTS appends TS(t). time.Format interprets its layout on every call,
// which was most of the cost of an entity's three timestamps; this writes
// the fixed-width digits directly. Years outside 0000–9999, which Format
// writes wider or signed, are left to it.
func appendTS(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(dst, timeLayout)
	}
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / 1e6 // truncated, as Format's .000 is
	return append(dst,
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+month/10), byte('0'+month%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.',
		byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
}

// TSP formats an optional time; nil stays null.
func TSP(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := TS(*t)
	return &s
}
