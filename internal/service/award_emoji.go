package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/emoji"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// AwardableRef names what award emoji go on: a noteable, or one of its
// notes when NoteID is set.
type AwardableRef struct {
	NoteableRef
	NoteID *int64
}

// Awards are award emoji of one awardable with the users who gave them.
type Awards struct {
	Awards []*model.AwardEmoji
	Total  int
	Users  map[int64]*model.User
}

// awardable is a resolved AwardableRef.
type awardable struct {
	noteable *Noteable
	note     *model.Note // nil: the noteable itself
}

func (a *awardable) typeAndID() (string, int64) {
	if a.note != nil {
		return model.AwardableNote, a.note.ID
	}
	return a.noteable.Type, a.noteable.ID
}

// awardNotFound is GitLab's not_found!("Award Emoji …"): what it answers
// to callers who may not award, and to awards the model refuses.
func awardNotFound(detail string) error {
	if detail != "" {
		detail = " " + detail
	}
	return NotFound("Award Emoji" + detail)
}

// visibleAwardable loads the awardable ref names for a caller who may
// read it. A note the caller may not read is no note of theirs.
func (s *Service) visibleAwardable(ctx context.Context, id *auth.Identity, ref AwardableRef) (*awardable, error) {
	n, err := s.visibleNoteable(ctx, id, ref.NoteableRef)
	if err != nil {
		return nil, err
	}
	a := &awardable{noteable: n}
	if ref.NoteID != nil {
		note, err := s.noteOf(ctx, s.db.Queries(), n, *ref.NoteID)
		if err != nil {
			return nil, err
		}
		if !n.canReadNote(note) {
			return nil, errRecordNotFound
		}
		a.note = note
	}
	return a, nil
}

func (s *Service) withAwardUsers(ctx context.Context, out *Awards) (*Awards, error) {
	ids := make([]int64, 0, len(out.Awards))
	for _, a := range out.Awards {
		ids = append(ids, a.UserID)
	}
	users, err := s.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out.Users = users
	return out, nil
}

// ListAwardEmoji lists an awardable's award emoji, oldest first.
func (s *Service) ListAwardEmoji(ctx context.Context, id *auth.Identity, ref AwardableRef, limit, offset int) (*Awards, error) {
	a, err := s.visibleAwardable(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	typ, aid := a.typeAndID()
	awards, total, err := s.db.Queries().ListAwardEmoji(ctx, typ, aid, limit, offset)
	if err != nil {
		return nil, err
	}
	return s.withAwardUsers(ctx, &Awards{Awards: awards, Total: total})
}

// awardOf loads award awardID of a: "404 Not found" when a has none.
func awardOf(ctx context.Context, q *store.Queries, a *awardable, awardID int64) (*model.AwardEmoji, error) {
	typ, aid := a.typeAndID()
	award, err := q.AwardEmojiOf(ctx, typ, aid, awardID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errRecordNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: load award emoji: %w", err)
	}
	return award, nil
}

// GetAwardEmoji returns one award emoji of an awardable.
func (s *Service) GetAwardEmoji(ctx context.Context, id *auth.Identity, ref AwardableRef, awardID int64) (*Awards, error) {
	a, err := s.visibleAwardable(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	award, err := awardOf(ctx, s.db.Queries(), a, awardID)
	if err != nil {
		return nil, err
	}
	return s.withAwardUsers(ctx, &Awards{Awards: []*model.AwardEmoji{award}, Total: 1})
}

// CreateAwardEmoji awards emoji name (without colons) as the caller.
// GitLab answers every refusal with 404 "Award Emoji … Not Found": a
// caller who may not award (award_emoji, locked discussions), a system
// note, a name that is no emoji ("Name is not a valid emoji name") and
// the caller's same emoji again ("Name has already been taken").
// Thumbs up and down move the vote counts in the same
// transaction.
func (s *Service) CreateAwardEmoji(ctx context.Context, id *auth.Identity, ref AwardableRef, name string) (*Awards, error) {
	a, err := s.visibleAwardable(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if !a.noteable.canAward(id) {
		return nil, awardNotFound("")
	}
	if a.note != nil && a.note.System {
		return nil, awardNotFound("Awardable cannot be awarded emoji")
	}
	name = emoji.Normalize(name)
	if !emoji.Valid(name) {
		return nil, awardNotFound("Name is not a valid emoji name")
	}
	typ, aid := a.typeAndID()
	award := &model.AwardEmoji{Name: name, UserID: id.User.ID, AwardableType: typ, AwardableID: aid}
	err = s.db.WithTx(ctx, func(q *store.Queries) error { return q.InsertAwardEmoji(ctx, award) })
	if errors.Is(err, store.ErrConflict) {
		return nil, awardNotFound("Name has already been taken")
	}
	if err != nil {
		return nil, fmt.Errorf("service: award emoji: %w", err)
	}
	return s.withAwardUsers(ctx, &Awards{Awards: []*model.AwardEmoji{award}, Total: 1})
}

// DeleteAwardEmoji takes an award back: only whoever gave it, or an
// administrator (GitLab's unauthorized!: 401 for anyone else).
func (s *Service) DeleteAwardEmoji(ctx context.Context, id *auth.Identity, ref AwardableRef, awardID int64) error {
	a, err := s.visibleAwardable(ctx, id, ref)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		award, err := awardOf(ctx, q, a, awardID)
		if err != nil {
			return err
		}
		if !id.Authenticated() || award.UserID != id.User.ID && !id.IsAdmin() {
			return Unauthorized("")
		}
		if err := q.DeleteAwardEmoji(ctx, award); errors.Is(err, store.ErrNotFound) {
			return errRecordNotFound
		} else if err != nil {
			return err
		}
		return nil
	})
}
