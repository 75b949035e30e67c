package model

import "time"

// ResourceBot ties a bot user to the project or group its access tokens
// act for, with the role the bot was given.
type ResourceBot struct {
	UserID      int64
	SourceType  string // SourceProject or SourceNamespace
	SourceID    int64
	AccessLevel int
	CreatedAt   time.Time
}

// BotSource restricts a token list to the bots of one project or group.
type BotSource struct {
	Type string
	ID   int64
}
