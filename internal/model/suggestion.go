package model

import "time"

// Suggestion is one ```suggestion block of a merge request's diff note:
// the lines it replaces (FromContent, read when the note was written) and
// their replacement. LinesAbove and LinesBelow widen it around the note's
// new line (the block's -N+M).
type Suggestion struct {
	ID            int64
	NoteID        int64
	RelativeOrder int
	FromContent   string
	ToContent     string
	LinesAbove    int
	LinesBelow    int
	Outdated      bool
	Applied       bool
	CommitID      *string
	AppliedByID   *int64
	AppliedAt     *time.Time
}
