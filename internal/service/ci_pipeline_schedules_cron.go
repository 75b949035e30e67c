package service

import (
	"strings"
	"time"
	_ "time/tzdata" // schedules' time zones must not depend on the host's zoneinfo

	"github.com/robfig/cron/v3"
)

// Pipeline schedules' cron lines and time zones, as GitLab reads them
// (Gitlab::Ci::CronParser over fugit): five fields (six with seconds
// first) or a descriptor such as @daily, in an IANA time zone or one of
// Rails' zone names. robfig/cron is the parser: it keeps cron's rules
// (either restricted day field matches; names of months and days), is
// small and has no dependencies. fugit's extensions (L, mon#2, 7 for
// Sunday) are not read.

// cronParser reads GitLab's cron syntax.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month |
	cron.Dow | cron.Descriptor)

// errCronSyntax is CronValidator's message (GitLab prefixes the space).
const errCronSyntax = " is invalid syntax"

// parseCron returns the schedule of a cron line, or false when GitLab
// would refuse it. @every is robfig's, not cron's.
func parseCron(line string) (cron.Schedule, bool) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "@every") {
		return nil, false
	}
	sched, err := cronParser.Parse(line)
	if err != nil {
		return nil, false
	}
	return sched, true
}

// cronLocation returns the time zone a schedule names: an IANA name, or
// one of ActiveSupport::TimeZone's names (GitLab accepts both).
func cronLocation(name string) (*time.Location, bool) {
	if iana, ok := railsTimeZones[name]; ok {
		name = iana
	}
	if name == "" || name == "Local" || strings.HasPrefix(name, "/") {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	return loc, true
}

// nextCronRun is when a schedule with this cron line and time zone runs
// next after now, in UTC; nil when either is invalid. GitLab rounds the
// ideal time up to the next run of its schedule worker (every ten minutes
// by default); lablet looks for due schedules every half second, so the
// ideal time stands, to the minute of the cron line.
func nextCronRun(line, zone string, now time.Time) *time.Time {
	sched, ok := parseCron(line)
	if !ok {
		return nil
	}
	loc, ok := cronLocation(zone)
	if !ok {
		return nil
	}
	next := sched.Next(now.In(loc))
	if next.IsZero() {
		return nil
	}
	next = next.UTC()
	return &next
}
