package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/emoji"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Secondary emails, statuses and preferences (GitLab's API::Users routes
// below /user and /users/:id, Email, UserStatus and UserPreference).

// errEmailNotFound is not_found!('Email').
var errEmailNotFound = NotFound("Email")

// emailOwnerID is the user whose emails a route names: the caller
// (userID 0), or for administrators the user of /users/:id.
func (s *Service) emailOwnerID(ctx context.Context, id *auth.Identity, userID int64) (int64, error) {
	return s.adminKeyOwnerID(ctx, id, userID)
}

// UserEmails is GET /user/emails (userID 0) and GET /users/:id/emails.
func (s *Service) UserEmails(ctx context.Context, id *auth.Identity, userID int64) ([]*model.Email, error) {
	userID, err := s.emailOwnerID(ctx, id, userID)
	if err != nil {
		return nil, err
	}
	out, err := s.db.Queries().UserEmails(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("service: list emails: %w", err)
	}
	return out, nil
}

// UserEmail is GET /user/emails/:email_id: one of the caller's addresses.
func (s *Service) UserEmail(ctx context.Context, id *auth.Identity, emailID int64) (*model.Email, error) {
	return s.ownEmail(ctx, s.db.Queries(), id.UserID(), emailID)
}

func (s *Service) ownEmail(ctx context.Context, q *store.Queries, userID, emailID int64) (*model.Email, error) {
	e, err := q.EmailByID(ctx, emailID)
	if errors.Is(err, store.ErrNotFound) || err == nil && e.UserID != userID {
		return nil, errEmailNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: load email: %w", err)
	}
	return e, nil
}

// AddUserEmail is POST /user/emails (userID 0) and, for administrators,
// POST /users/:id/emails. An address is confirmed at once only when an
// administrator skips confirmation: lablet sends no mail, so the others
// stay unconfirmed.
func (s *Service) AddUserEmail(ctx context.Context, id *auth.Identity, userID int64, address string, skipConfirmation bool) (*model.Email, error) {
	userID, err := s.emailOwnerID(ctx, id, userID)
	if err != nil {
		return nil, err
	}
	address = strings.TrimSpace(address)
	v := Validation{}
	switch {
	case address == "":
		v.Add("email", "can't be blank")
	case len(address) > 254 || !utf8.ValidString(address) || !emailPattern.MatchString(address):
		v.Add("email", "is invalid")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	e := &model.Email{UserID: userID, Email: address}
	if skipConfirmation {
		now := s.Now().Truncate(time.Millisecond)
		e.ConfirmedAt = &now
	}
	errTaken := Validation{"email": {"has already been taken"}}.Err()
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		// Primary and secondary addresses share one namespace, as GitLab's
		// Email#unique_email and User#unique_email keep them.
		taken, err := q.EmailTaken(ctx, address)
		if err != nil {
			return err
		}
		if taken {
			return errTaken
		}
		return q.CreateEmail(ctx, e)
	})
	if errors.Is(err, store.ErrConflict) {
		return nil, errTaken
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

// DeleteUserEmail is DELETE /user/emails/:email_id (userID 0) and, for
// administrators, DELETE /users/:id/emails/:email_id.
func (s *Service) DeleteUserEmail(ctx context.Context, id *auth.Identity, userID, emailID int64) error {
	userID, err := s.emailOwnerID(ctx, id, userID)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		e, err := s.ownEmail(ctx, q, userID, emailID)
		if err != nil {
			return err
		}
		return q.DeleteEmail(ctx, e.ID)
	})
}

// Status limits and defaults (GitLab's UserStatus).
const (
	defaultStatusEmoji = "speech_balloon"
	maxStatusMessage   = 100
)

// ClearStatusAfter are the values clear_status_after takes: GitLab's
// CLEAR_STATUS_QUICK_OPTIONS, and its pages' "today" and "this_week".
var ClearStatusAfter = []string{"30_minutes", "3_hours", "8_hours", "1_day", "3_days", "7_days", "30_days", "today", "this_week"}

// clearStatusAt is when a status set at now with after clears.
func clearStatusAt(now time.Time, after string) *time.Time {
	var t time.Time
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch after {
	case "30_minutes":
		t = now.Add(30 * time.Minute)
	case "3_hours":
		t = now.Add(3 * time.Hour)
	case "8_hours":
		t = now.Add(8 * time.Hour)
	case "1_day":
		t = now.AddDate(0, 0, 1)
	case "3_days":
		t = now.AddDate(0, 0, 3)
	case "7_days":
		t = now.AddDate(0, 0, 7)
	case "30_days":
		t = now.AddDate(0, 0, 30)
	case "today":
		t = day.AddDate(0, 0, 1).Add(-time.Second)
	case "this_week":
		// The week ends on Sunday, as GitLab's pages count it.
		t = day.AddDate(0, 0, (7-int(now.Weekday()))%7+1).Add(-time.Second)
	default:
		return nil
	}
	t = t.Truncate(time.Millisecond)
	return &t
}

// StatusInput is PUT or PATCH /user/status; nil fields were not given.
type StatusInput struct {
	Emoji            *string
	Message          *string
	Availability     *string
	ClearStatusAfter *string
	// Partial (PATCH) keeps what is not given; PUT replaces the status.
	Partial bool
}

// liveStatus is a user's status unless none is set or it has expired.
func (s *Service) liveStatus(ctx context.Context, q *store.Queries, userID int64) (*model.UserStatus, error) {
	st, err := q.UserStatus(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service: load status: %w", err)
	}
	if st.ClearStatusAt != nil && !s.Now().Before(*st.ClearStatusAt) {
		return nil, nil
	}
	return st, nil
}

// CurrentUserStatus is GET /user/status; nil when none is set.
func (s *Service) CurrentUserStatus(ctx context.Context, id *auth.Identity) (*model.UserStatus, error) {
	return s.liveStatus(ctx, s.db.Queries(), id.UserID())
}

// UserStatus is GET /users/:id_or_username/status; nil when none is set.
func (s *Service) UserStatus(ctx context.Context, id *auth.Identity, ident string) (*model.UserStatus, error) {
	userID, err := s.keyOwnerID(ctx, id, ident)
	if err != nil {
		return nil, err
	}
	return s.liveStatus(ctx, s.db.Queries(), userID)
}

// SetUserStatus is PUT and PATCH /user/status, as GitLab's
// Users::SetStatusService: no emoji, no message and no busy clears the
// status; a message without an emoji gets the speech balloon.
func (s *Service) SetUserStatus(ctx context.Context, id *auth.Identity, in StatusInput) (*model.UserStatus, error) {
	userID := id.UserID()
	var out *model.UserStatus
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		st := &model.UserStatus{UserID: userID, Availability: model.AvailabilityNotSet}
		if in.Partial {
			cur, err := s.liveStatus(ctx, q, userID)
			if err != nil {
				return err
			}
			if cur != nil {
				st = cur
			}
		}
		if in.Emoji != nil {
			st.Emoji = *in.Emoji
		}
		if in.Message != nil {
			st.Message = *in.Message
		}
		if in.Availability != nil {
			st.Availability = *in.Availability
		}
		if in.ClearStatusAfter != nil || !in.Partial {
			after := ""
			if in.ClearStatusAfter != nil {
				after = *in.ClearStatusAfter
			}
			st.ClearStatusAt = clearStatusAt(s.Now(), after)
		}
		if strings.TrimSpace(st.Emoji) == "" && strings.TrimSpace(st.Message) == "" && st.Availability != model.AvailabilityBusy {
			return q.DeleteUserStatus(ctx, userID)
		}
		if strings.TrimSpace(st.Emoji) == "" {
			st.Emoji = defaultStatusEmoji
		}
		v := Validation{}
		if !emoji.Valid(st.Emoji) {
			v.Add("emoji", "is not a valid emoji name")
		}
		if !utf8.ValidString(st.Message) || strings.ContainsRune(st.Message, 0) {
			v.Add("message", "is invalid")
		} else if utf8.RuneCountInString(st.Message) > maxStatusMessage {
			v.Add("message", fmt.Sprintf("is too long (maximum is %d characters)", maxStatusMessage))
		}
		if err := v.Err(); err != nil {
			return err
		}
		out = st
		return q.SetUserStatus(ctx, st)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PreferencesInput is PUT /user/preferences; nil fields were not given.
type PreferencesInput struct {
	ViewDiffsFileByFile       *bool
	ShowWhitespaceInDiffs     *bool
	PassUserIdentitiesToCIJWT *bool
}

// UserPreferences is GET /user/preferences.
func (s *Service) UserPreferences(ctx context.Context, id *auth.Identity) (*model.UserPreferences, error) {
	p, err := s.db.Queries().UserPreferences(ctx, id.UserID())
	if err != nil {
		return nil, fmt.Errorf("service: preferences: %w", err)
	}
	return p, nil
}

// UpdateUserPreferences is PUT /user/preferences.
func (s *Service) UpdateUserPreferences(ctx context.Context, id *auth.Identity, in PreferencesInput) (*model.UserPreferences, error) {
	var out *model.UserPreferences
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		p, err := q.UserPreferences(ctx, id.UserID())
		if err != nil {
			return err
		}
		for _, f := range []struct {
			dst *bool
			src *bool
		}{{&p.ViewDiffsFileByFile, in.ViewDiffsFileByFile}, {&p.ShowWhitespaceInDiffs, in.ShowWhitespaceInDiffs},
			{&p.PassUserIdentitiesToCIJWT, in.PassUserIdentitiesToCIJWT}} {
			if f.src != nil {
				*f.dst = *f.src
			}
		}
		out = p
		return q.SaveUserPreferences(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
