package model

import "time"

// Release is a project's release of one tag (GitLab's Release). SHA is the
// tag's commit when the release was made.
type Release struct {
	ID          int64
	ProjectID   int64
	Tag         string
	Name        string
	Description string
	AuthorID    *int64
	SHA         string
	ReleasedAt  time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ReleaseLink is one asset link of a release (GitLab's Releases::Link).
// Filepath, when set, starts with "/" and makes the direct asset URL.
type ReleaseLink struct {
	ID        int64
	ReleaseID int64
	Name      string
	URL       string
	Filepath  *string
	LinkType  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ReleaseFilter selects and orders releases.
type ReleaseFilter struct {
	ProjectIDs []int64
	OrderBy    string // "released_at" (default) or "created_at"
	Asc        bool
	Limit      int // 0: all
	Offset     int
}
