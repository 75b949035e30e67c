package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// NotificationLevels are GitLab's NotificationSetting.level values.
var NotificationLevels = []string{"disabled", "participating", "watch", "global", "mention", "custom"}

// NotificationEvents are GitLab's NotificationSetting::EMAIL_EVENTS, in
// its order: what the custom level turns on one by one.
var NotificationEvents = []string{"new_release", "new_note", "new_issue", "reopen_issue", "close_issue",
	"reassign_issue", "issue_due", "new_merge_request", "push_to_merge_request", "reopen_merge_request",
	"close_merge_request", "reassign_merge_request", "change_reviewer_merge_request", "merge_merge_request",
	"failed_pipeline", "fixed_pipeline", "success_pipeline", "moved_project", "merge_when_pipeline_succeeds"}

// NotificationSource names whose setting an operation reads or writes:
// the caller's global one (Kind model.NotificationGlobal), or a group's
// or project's by Ref (an id or full path).
type NotificationSource struct {
	Kind string
	Ref  string
}

// NotificationSettingInput is a change of a setting; nil fields stay.
type NotificationSettingInput struct {
	Level *string
	// Events are the custom events given, on or off.
	Events map[string]bool
	// NotificationEmail is the global setting's address ("" for the
	// primary one).
	NotificationEmail *string
}

// NotificationSetting returns the caller's setting for a source, GitLab's
// default when none was saved. The global one carries the address
// notifications go to.
func (s *Service) NotificationSetting(ctx context.Context, id *auth.Identity, src NotificationSource) (*model.NotificationSetting, error) {
	n, err := s.notificationSetting(ctx, s.db.Queries(), id, src)
	if err != nil {
		return nil, err
	}
	s.withNotificationEmail(id, n)
	return n, nil
}

// UpdateNotificationSetting changes the caller's setting for a source.
func (s *Service) UpdateNotificationSetting(ctx context.Context, id *auth.Identity, src NotificationSource, in NotificationSettingInput) (*model.NotificationSetting, error) {
	if in.Level != nil && !slices.Contains(NotificationLevels, *in.Level) {
		return nil, Invalid(fmt.Sprintf("'%s' is not a valid level", *in.Level))
	}
	var n *model.NotificationSetting
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		var err error
		if n, err = s.notificationSetting(ctx, q, id, src); err != nil {
			return err
		}
		if in.Level != nil {
			n.Level = *in.Level
		}
		on := map[string]bool{}
		for _, e := range n.Events {
			on[e] = true
		}
		for e, v := range in.Events {
			on[e] = v
		}
		n.Events = n.Events[:0]
		for _, e := range NotificationEvents {
			if on[e] {
				n.Events = append(n.Events, e)
			}
		}
		if in.NotificationEmail != nil && src.Kind == model.NotificationGlobal {
			if err := s.checkNotificationEmail(ctx, q, id.User, *in.NotificationEmail); err != nil {
				return err
			}
			n.NotificationEmail = *in.NotificationEmail
		}
		return q.SaveNotificationSetting(ctx, n)
	})
	if err != nil {
		return nil, err
	}
	s.withNotificationEmail(id, n)
	return n, nil
}

// notificationSetting loads the caller's setting for a source after
// checking that the caller sees it (404 otherwise).
func (s *Service) notificationSetting(ctx context.Context, q *store.Queries, id *auth.Identity, src NotificationSource) (*model.NotificationSetting, error) {
	if !id.Authenticated() {
		return nil, Unauthorized("")
	}
	n := &model.NotificationSetting{UserID: id.User.ID, SourceType: src.Kind, Level: "global"}
	switch src.Kind {
	case model.NotificationGlobal:
		n.Level = "participating"
	case model.NotificationProject:
		p, _, err := s.VisibleProject(ctx, id, src.Ref)
		if err != nil {
			return nil, err
		}
		n.SourceID = p.ID
	case model.NotificationGroup:
		g, _, err := s.VisibleGroup(ctx, id, src.Ref)
		if err != nil {
			return nil, err
		}
		n.SourceID = g.ID
	default:
		return nil, fmt.Errorf("service: notification source %q", src.Kind)
	}
	saved, err := q.NotificationSetting(ctx, n.UserID, n.SourceType, n.SourceID)
	if errors.Is(err, store.ErrNotFound) {
		return n, nil
	}
	return saved, err
}

// withNotificationEmail fills in the address of a global setting:
// the one chosen, else the primary one (notification_email_or_default).
func (s *Service) withNotificationEmail(id *auth.Identity, n *model.NotificationSetting) {
	if n.SourceType == model.NotificationGlobal && n.NotificationEmail == "" {
		n.NotificationEmail = id.User.Email
	}
}

// checkNotificationEmail holds GitLab's rule: notifications go to the
// primary address or a confirmed secondary one.
func (s *Service) checkNotificationEmail(ctx context.Context, q *store.Queries, u *model.User, email string) error {
	if email == "" || strings.EqualFold(email, u.Email) {
		return nil
	}
	emails, err := q.UserEmails(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, e := range emails {
		if e.ConfirmedAt != nil && strings.EqualFold(e.Email, email) {
			return nil
		}
	}
	v := Validation{}
	v.Add("notification_email", "must be an email you have verified")
	return v.Err()
}
