package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Topics (GitLab's Projects::Topic, API::Topics, Topics::MergeService):
// anyone lists and reads them; administrators create, change, merge and
// delete them. Projects name theirs through topics/tag_list, which makes
// the missing ones. Their avatars are set in avatars.go.

var errTopicNotFound = &Error{Kind: KindNotFound, Message: "Not found"}

// MaxTopicDescriptionLength is GitLab's limit on a topic's description.
const MaxTopicDescriptionLength = 1024

// TopicInput is a new topic or a change (nil fields unchanged).
type TopicInput struct {
	Name        *string
	Title       *string
	Description *string
}

// ListTopics is GET /topics.
func (s *Service) ListTopics(ctx context.Context, f model.TopicFilter) ([]*model.Topic, int, error) {
	if ValidText(f.Search, 1024) != "" {
		return nil, 0, ParamError("search is invalid")
	}
	return s.db.Queries().ListTopics(ctx, f)
}

// Topic is GET /topics/:id.
func (s *Service) Topic(ctx context.Context, topicID int64) (*model.Topic, error) {
	return s.topicByID(ctx, s.db.Queries(), topicID)
}

func (s *Service) topicByID(ctx context.Context, q *store.Queries, topicID int64) (*model.Topic, error) {
	t, err := q.TopicByID(ctx, topicID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errTopicNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: topic: %w", err)
	}
	return t, nil
}

// validateTopic checks t as GitLab's Projects::Topic does, name unique
// case-insensitively among the others.
func validateTopic(ctx context.Context, q *store.Queries, t *model.Topic) error {
	v := Validation{}
	t.Name, t.Title = strings.TrimSpace(t.Name), strings.TrimSpace(t.Title)
	switch {
	case t.Name == "":
		v.Add("name", "can't be blank")
	case len(t.Name) > MaxNameLength:
		v.Add("name", fmt.Sprintf("is too long (maximum is %d characters)", MaxNameLength))
	case ValidText(t.Name, MaxNameLength) != "" || strings.Contains(t.Name, ","):
		v.Add("name", "is invalid")
	default:
		other, err := q.TopicByName(ctx, t.Name)
		if err == nil && other.ID != t.ID {
			v.Add("name", "has already been taken")
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	switch {
	case t.Title == "":
		v.Add("title", "can't be blank")
	case len(t.Title) > MaxNameLength:
		v.Add("title", fmt.Sprintf("is too long (maximum is %d characters)", MaxNameLength))
	}
	if t.Description != nil && len(*t.Description) > MaxTopicDescriptionLength {
		v.Add("description", fmt.Sprintf("is too long (maximum is %d characters)", MaxTopicDescriptionLength))
	}
	return v.Err()
}

func (in TopicInput) apply(t *model.Topic) {
	if in.Name != nil {
		t.Name = *in.Name
	}
	if in.Title != nil {
		t.Title = *in.Title
	}
	if in.Description != nil {
		t.Description = in.Description
	}
}

// CreateTopic is POST /topics (administrators).
func (s *Service) CreateTopic(ctx context.Context, id *auth.Identity, in TopicInput) (*model.Topic, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	t := &model.Topic{}
	in.apply(t)
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := validateTopic(ctx, q, t); err != nil {
			return err
		}
		err := q.CreateTopic(ctx, t)
		if errors.Is(err, store.ErrConflict) {
			return Validation{"name": {"has already been taken"}}.Err()
		}
		return err
	})
	return t, err
}

// UpdateTopic is PUT /topics/:id (administrators).
func (s *Service) UpdateTopic(ctx context.Context, id *auth.Identity, topicID int64, in TopicInput) (*model.Topic, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	var t *model.Topic
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		var err error
		if t, err = s.topicByID(ctx, q, topicID); err != nil {
			return err
		}
		old := t.Name
		in.apply(t)
		if err := validateTopic(ctx, q, t); err != nil {
			return err
		}
		err = q.UpdateTopic(ctx, t, old)
		if errors.Is(err, store.ErrConflict) {
			return Validation{"name": {"has already been taken"}}.Err()
		}
		return err
	})
	return t, err
}

// DeleteTopic is DELETE /topics/:id (administrators).
func (s *Service) DeleteTopic(ctx context.Context, id *auth.Identity, topicID int64) error {
	if err := requireAdmin(id); err != nil {
		return err
	}
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		t, err := s.topicByID(ctx, q, topicID)
		if err != nil {
			return err
		}
		return q.DeleteTopic(ctx, t)
	})
	if err == nil {
		s.removeAvatars(ctx, AvatarTopic, topicID)
	}
	return err
}

// MergeTopics is POST /topics/merge (administrators): source's projects
// move to target, and source is deleted.
func (s *Service) MergeTopics(ctx context.Context, id *auth.Identity, sourceID, targetID int64) (*model.Topic, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	var target *model.Topic
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		source, err := s.topicByID(ctx, q, sourceID)
		if err != nil {
			return err
		}
		if target, err = s.topicByID(ctx, q, targetID); err != nil {
			return err
		}
		if source.ID == target.ID {
			return Invalid("The source topic and the target topic are identical.")
		}
		return q.MergeTopics(ctx, source, target)
	})
	if err != nil {
		return nil, err
	}
	s.removeAvatars(ctx, AvatarTopic, sourceID)
	return s.Topic(ctx, targetID)
}
