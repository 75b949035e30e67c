package v4

import "time"

// timeLayout is GitLab's timestamp format: UTC with milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z"

// ts formats t as GitLab does.
func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

// tsp formats an optional time; nil stays null.
func tsp(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := ts(*t)
	return &s
}
