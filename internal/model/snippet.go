package model

import "time"

// Snippet is a personal snippet (ProjectID nil) or a project snippet.
// Its files are in its own git repository; FilePaths are those of its
// head commit, in the repository's order.
type Snippet struct {
	ID              int64
	ProjectID       *int64
	AuthorID        *int64
	Title           string
	Description     string
	VisibilityLevel int
	FilePaths       []string
	UserAgent       string
	IPAddress       string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// SnippetFilter selects snippets. Zero fields do not narrow.
type SnippetFilter struct {
	// ProjectID keeps one project's snippets; Personal only personal ones.
	ProjectID int64
	Personal  bool
	AuthorID  int64
	// MinVisibility keeps snippets at or above this level, except those
	// of ReadableBy (their author), which are kept whatever their level.
	MinVisibility *int
	ReadableBy    int64
	// Visibility keeps snippets of exactly this level.
	Visibility                  *int
	CreatedAfter, CreatedBefore *time.Time
	Limit, Offset               int
}
