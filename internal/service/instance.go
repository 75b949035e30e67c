package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// errBroadcastNotFound is GitLab's answer to an unknown id
// (ActiveRecord::RecordNotFound: "404 Not found").
var errBroadcastNotFound = &Error{Kind: KindNotFound, Message: "Not found"}

// BroadcastTypes and BroadcastThemes are the values GitLab accepts.
var (
	BroadcastTypes  = []string{"banner", "notification"}
	BroadcastThemes = []string{"indigo", "light-indigo", "blue", "light-blue", "green", "light-green", "red", "light-red", "dark", "light"}
)

// hexColor is GitLab's ColorValidator for the font colour.
var hexColor = regexp.MustCompile(`^#([0-9A-Fa-f]{3}){1,2}$`)

// BroadcastMessageInput creates or changes a broadcast message; nil
// fields keep their values (or take GitLab's defaults on create).
type BroadcastMessageInput struct {
	Message            *string
	StartsAt, EndsAt   *time.Time
	Font               *string
	TargetAccessLevels *[]int64
	TargetPath         *string
	BroadcastType      *string
	Theme              *string
	Dismissable        *bool
}

// BroadcastMessages lists the messages, newest first; anyone may.
func (s *Service) BroadcastMessages(ctx context.Context, limit, offset int) ([]*model.BroadcastMessage, int, error) {
	list, total, err := s.db.Queries().BroadcastMessages(ctx, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("service: broadcast messages: %w", err)
	}
	return list, total, nil
}

// BroadcastMessage reads one message; anyone may.
func (s *Service) BroadcastMessage(ctx context.Context, id int64) (*model.BroadcastMessage, error) {
	m, err := s.db.Queries().BroadcastMessage(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errBroadcastNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: broadcast message: %w", err)
	}
	return m, nil
}

// CreateBroadcastMessage adds a message as an administrator; it starts
// now and ends an hour later unless told otherwise (GitLab's defaults).
func (s *Service) CreateBroadcastMessage(ctx context.Context, id *auth.Identity, in BroadcastMessageInput) (*model.BroadcastMessage, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	now := s.now()
	m := &model.BroadcastMessage{StartsAt: now, EndsAt: now.Add(time.Hour), Font: "#FFFFFF",
		TargetAccessLevels: []int64{}, BroadcastType: "banner", Theme: "indigo"}
	if err := applyBroadcastInput(m, in); err != nil {
		return nil, err
	}
	if err := s.db.Queries().CreateBroadcastMessage(ctx, m); err != nil {
		return nil, fmt.Errorf("service: create broadcast message: %w", err)
	}
	return m, nil
}

// UpdateBroadcastMessage changes a message as an administrator.
func (s *Service) UpdateBroadcastMessage(ctx context.Context, id *auth.Identity, msgID int64, in BroadcastMessageInput) (*model.BroadcastMessage, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	m, err := s.db.UpdateBroadcastMessage(ctx, msgID, func(m *model.BroadcastMessage) error { return applyBroadcastInput(m, in) })
	if errors.Is(err, store.ErrNotFound) {
		return nil, errBroadcastNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: update broadcast message: %w", err)
	}
	return m, nil
}

// DeleteBroadcastMessage deletes a message as an administrator and
// returns it, as GitLab's DELETE answers with the message.
func (s *Service) DeleteBroadcastMessage(ctx context.Context, id *auth.Identity, msgID int64) (*model.BroadcastMessage, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	m, err := s.BroadcastMessage(ctx, msgID)
	if err != nil {
		return nil, err
	}
	if err := s.db.Queries().DeleteBroadcastMessage(ctx, msgID); errors.Is(err, store.ErrNotFound) {
		return nil, errBroadcastNotFound
	} else if err != nil {
		return nil, fmt.Errorf("service: delete broadcast message: %w", err)
	}
	return m, nil
}

// applyBroadcastInput validates in and applies it to m: GitLab's model
// validations (message present, colour, access levels) as 400s.
func applyBroadcastInput(m *model.BroadcastMessage, in BroadcastMessageInput) error {
	v := Validation{}
	if in.Message != nil {
		m.Message = *in.Message
	}
	if strings.TrimSpace(m.Message) == "" {
		v.Add("message", "can't be blank")
	}
	if in.StartsAt != nil {
		m.StartsAt = *in.StartsAt
	}
	if in.EndsAt != nil {
		m.EndsAt = *in.EndsAt
	}
	if in.Font != nil {
		if *in.Font != "" && !hexColor.MatchString(*in.Font) {
			v.Add("font", "must be a valid color code")
		}
		m.Font = *in.Font
	}
	if in.TargetAccessLevels != nil {
		for _, l := range *in.TargetAccessLevels {
			if !slices.Contains([]access.Level{access.Guest, access.Reporter, access.Developer, access.Maintainer, access.Owner}, access.Level(l)) {
				v.Add("target_access_levels", "is not included in the list")
				break
			}
		}
		m.TargetAccessLevels = *in.TargetAccessLevels
	}
	if in.TargetPath != nil {
		m.TargetPath = *in.TargetPath
	}
	if in.BroadcastType != nil {
		m.BroadcastType = *in.BroadcastType
	}
	if in.Theme != nil {
		m.Theme = *in.Theme
	}
	if in.Dismissable != nil {
		m.Dismissable = *in.Dismissable
	}
	return v.Err()
}

// Features lists the feature flags set, to an administrator.
func (s *Service) Features(ctx context.Context, id *auth.Identity) ([]model.Feature, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	list, err := s.db.Queries().Features(ctx)
	if err != nil {
		return nil, fmt.Errorf("service: features: %w", err)
	}
	return list, nil
}

// featureDefinitions are the feature flags lablet's code reads: none yet.
// Flags can be set through /features all the same (GitLab keeps gates of
// flags it does not define too); they change nothing until code reads them.
var featureDefinitions = []model.FeatureDefinition{}

// FeatureDefinitions lists the feature flags lablet defines, to an
// administrator, by name.
func (s *Service) FeatureDefinitions(_ context.Context, id *auth.Identity) ([]model.FeatureDefinition, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	return slices.Clone(featureDefinitions), nil
}

// maxFeatureName bounds a flag's name (Flipper's features.key column).
const maxFeatureName = 255

// SetFeature sets a flag's boolean gate as an administrator. lablet keeps
// boolean gates only: no feature of lablet reads them yet.
func (s *Service) SetFeature(ctx context.Context, id *auth.Identity, name string, enabled bool) (model.Feature, error) {
	if err := requireAdmin(id); err != nil {
		return model.Feature{}, err
	}
	if name == "" || len(name) > maxFeatureName {
		return model.Feature{}, ParamError("name is invalid")
	}
	if err := s.db.Queries().SetFeature(ctx, name, enabled); err != nil {
		return model.Feature{}, fmt.Errorf("service: set feature: %w", err)
	}
	return model.Feature{Name: name, Enabled: enabled}, nil
}

// DeleteFeature removes a flag as an administrator.
func (s *Service) DeleteFeature(ctx context.Context, id *auth.Identity, name string) error {
	if err := requireAdmin(id); err != nil {
		return err
	}
	if err := s.db.Queries().DeleteFeature(ctx, name); err != nil {
		return fmt.Errorf("service: delete feature: %w", err)
	}
	return nil
}

// Appearance reads the instance's appearance for an administrator, as
// GitLab's GET /application/appearance.
func (s *Service) Appearance(ctx context.Context, id *auth.Identity) (*model.Appearance, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	a, err := s.db.Queries().Appearance(ctx)
	if err != nil {
		return nil, fmt.Errorf("service: appearance: %w", err)
	}
	return a, nil
}

// AppearanceInput changes the appearance; nil fields keep their values.
type AppearanceInput struct {
	Text  map[string]*string // by GitLab's name: title, description, …
	Email *bool
}

// appearanceColors are the fields GitLab validates as colours.
var appearanceColors = []string{"message_background_color", "message_font_color"}

// UpdateAppearance changes the appearance as an administrator.
func (s *Service) UpdateAppearance(ctx context.Context, id *auth.Identity, in AppearanceInput) (*model.Appearance, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	v := Validation{}
	for _, name := range appearanceColors {
		if c := in.Text[name]; c != nil && !hexColor.MatchString(*c) {
			v.Add(name, "must be a valid color code")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	a, err := s.db.UpdateAppearance(ctx, func(a *model.Appearance) error {
		for name, dst := range appearanceFields(a) {
			if val := in.Text[name]; val != nil {
				*dst = *val
			}
		}
		if in.Email != nil {
			a.EmailHeaderAndFooterEnabled = *in.Email
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("service: update appearance: %w", err)
	}
	return a, nil
}

// AppearanceTextFields are the appearance's text settings by GitLab's name.
var AppearanceTextFields = func() []string {
	var names []string
	for name := range appearanceFields(&model.Appearance{}) {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}()

func appearanceFields(a *model.Appearance) map[string]*string {
	return map[string]*string{"title": &a.Title, "description": &a.Description, "pwa_name": &a.PWAName,
		"pwa_short_name": &a.PWAShortName, "pwa_description": &a.PWADescription, "member_guidelines": &a.MemberGuidelines,
		"new_project_guidelines": &a.NewProjectGuidelines, "profile_image_guidelines": &a.ProfileImageGuidelines,
		"header_message": &a.HeaderMessage, "footer_message": &a.FooterMessage,
		"message_background_color": &a.MessageBackgroundColor, "message_font_color": &a.MessageFontColor}
}

// InstanceStatistics counts the instance's records for an administrator.
func (s *Service) InstanceStatistics(ctx context.Context, id *auth.Identity) (*model.InstanceStatistics, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	st, err := s.db.Queries().InstanceStatistics(ctx)
	if err != nil {
		return nil, fmt.Errorf("service: statistics: %w", err)
	}
	return st, nil
}

// JobQueueProcess describes this process's background worker.
type JobQueueProcess struct {
	Hostname    string
	PID         int
	StartedAt   time.Time
	Queues      []string
	Concurrency int
}

// JobQueueMetrics is the background queue as GitLab's Sidekiq metrics
// see theirs: counts per queue and state, and this process's worker.
type JobQueueMetrics struct {
	Queues  []model.JobQueueStats
	Process JobQueueProcess
	Now     time.Time
}

// JobQueueMetrics reads the background queue for an administrator.
func (s *Service) JobQueueMetrics(ctx context.Context, id *auth.Identity) (*JobQueueMetrics, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	queues, err := s.db.Queries().JobQueueStats(ctx)
	if err != nil {
		return nil, fmt.Errorf("service: job queue metrics: %w", err)
	}
	if !slices.ContainsFunc(queues, func(q model.JobQueueStats) bool { return q.Queue == "default" }) {
		queues = append([]model.JobQueueStats{{Queue: "default"}}, queues...)
	}
	host, _ := os.Hostname()
	return &JobQueueMetrics{Queues: queues, Now: s.now(), Process: JobQueueProcess{Hostname: host, PID: os.Getpid(),
		StartedAt: s.startedAt, Queues: []string{"default", hookQueueName, repoHousekeepingQueue, mailQueueName, importExportQueue,
			statisticsQueue}, Concurrency: int(s.backgroundWorkers.Load())}}, nil
}
