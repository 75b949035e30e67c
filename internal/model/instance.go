package model

import "time"

// BroadcastMessage is a message shown across the instance between
// StartsAt and EndsAt (GitLab's System::BroadcastMessage).
type BroadcastMessage struct {
	ID                 int64
	Message            string
	StartsAt, EndsAt   time.Time
	Font               string
	TargetAccessLevels []int64
	TargetPath         string
	BroadcastType      string // "banner" or "notification"
	Theme              string
	Dismissable        bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Active reports whether the message shows at now: started and not ended.
func (m *BroadcastMessage) Active(now time.Time) bool {
	return !now.Before(m.StartsAt) && !m.EndsAt.Before(now)
}

// Feature is a feature flag's boolean gate (Flipper's, as GitLab keeps it).
type Feature struct {
	Name    string
	Enabled bool
}

// FeatureDefinition describes a feature flag the code reads (GitLab's
// Feature::Definition, from its config/feature_flags YAML).
type FeatureDefinition struct {
	Name            string
	IntroducedByURL string
	RolloutIssueURL string
	Milestone       string
	Type            string
	Group           string
	DefaultEnabled  bool
	LogStateChanges bool
}

// Appearance is the instance's branding (GitLab's Appearance) without
// its uploaded images.
type Appearance struct {
	Title                       string `json:"title"`
	Description                 string `json:"description"`
	PWAName                     string `json:"pwa_name"`
	PWAShortName                string `json:"pwa_short_name"`
	PWADescription              string `json:"pwa_description"`
	MemberGuidelines            string `json:"member_guidelines"`
	NewProjectGuidelines        string `json:"new_project_guidelines"`
	ProfileImageGuidelines      string `json:"profile_image_guidelines"`
	HeaderMessage               string `json:"header_message"`
	FooterMessage               string `json:"footer_message"`
	MessageBackgroundColor      string `json:"message_background_color"`
	MessageFontColor            string `json:"message_font_color"`
	EmailHeaderAndFooterEnabled bool   `json:"email_header_and_footer_enabled"`

	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`
}

// DefaultAppearance is GitLab's appearance before any change.
func DefaultAppearance() Appearance {
	return Appearance{MessageBackgroundColor: "#E75E40", MessageFontColor: "#FFFFFF"}
}

// InstanceStatistics are the instance's counts (GET /application/statistics).
type InstanceStatistics struct {
	Forks, Issues, MergeRequests, Notes, Snippets, SSHKeys, Milestones int64
	Users, Groups, Projects, ActiveUsers                               int64
}

// JobQueueStats count the background job queue's jobs by state, per queue.
type JobQueueStats struct {
	Queue                                    string
	Available, Running, Retryable, Scheduled int64
	Completed, Discarded, Cancelled          int64
	// OldestAvailable is when the longest-waiting available job became
	// runnable (zero when none waits).
	OldestAvailable time.Time
}
