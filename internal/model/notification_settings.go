package model

// NotificationSetting is a user's notification level for the instance
// (SourceType "global"), a group ("Namespace") or a project ("Project").
type NotificationSetting struct {
	UserID     int64
	SourceType string
	SourceID   int64
	Level      string
	// Events are the custom level's enabled events.
	Events []string
	// NotificationEmail is the global setting's address; "" is the
	// user's primary one.
	NotificationEmail string
}

// Notification settings' source types.
const (
	NotificationGlobal  = "global"
	NotificationGroup   = "Namespace"
	NotificationProject = "Project"
)
