package model

import "time"

// Starrer is a user who starred a project, and when.
type Starrer struct {
	User      *User
	StarredAt time.Time
}

// Badge is a project's or a group's badge (exactly one of ProjectID,
// GroupID is set).
type Badge struct {
	ID        int64
	ProjectID int64
	GroupID   int64
	Name      *string
	LinkURL   string
	ImageURL  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Topic is a project topic (GitLab's Projects::Topic).
type Topic struct {
	ID                 int64
	Name               string
	Title              string
	Description        *string
	TotalProjectsCount int
	CreatedAt          time.Time
	UpdatedAt          time.Time
	// Avatar is the uploaded avatar's file name, "" for none.
	Avatar string
}

// TopicFilter selects topics for GET /topics.
type TopicFilter struct {
	Search          string
	WithoutProjects bool
	Limit, Offset   int
}
