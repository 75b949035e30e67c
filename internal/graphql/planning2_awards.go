package graphql

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/emoji"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Award emoji: the awardEmojiAdd, awardEmojiRemove and awardEmojiToggle
// mutations on issues, merge requests and their notes, through the
// service calls REST's award_emoji routes make (a caller who may not read
// or award gets GitLab's ResourceNotAvailable). What the user can fix
// (an unknown name, an emoji given twice, one not given) is the payload's
// errors, in GitLab's words.

// awardableRef reads an AwardableID: an issue's, a merge request's or a
// note's global ID.
func (r *Resolver) awardableRef(ctx context.Context, id string) (service.AwardableRef, error) {
	if strings.HasPrefix(id, "gid://gitlab/Note/") {
		ref, n, err := r.noteRef(ctx, id)
		return service.AwardableRef{NoteableRef: ref, NoteID: &n}, err
	}
	ref, err := r.noteableRef(ctx, id)
	return service.AwardableRef{NoteableRef: ref}, err
}

// callerAward finds the caller's award called name on ref (nil: none),
// reading the awards as REST's list does (and so checking that the caller
// may see ref).
func (r *Resolver) callerAward(ctx context.Context, ref service.AwardableRef, name string) (*model.AwardEmoji, error) {
	id := callerOf(ctx)
	if !id.Authenticated() {
		return nil, errors.New(msgNoAccess)
	}
	for offset := 0; ; offset += maxPageSize {
		page, err := r.svc.ListAwardEmoji(ctx, id, ref, maxPageSize, offset)
		if err != nil {
			return nil, err
		}
		for _, a := range page.Awards {
			if a.UserID == id.User.ID && a.Name == name {
				return a, nil
			}
		}
		if offset+maxPageSize >= page.Total {
			return nil, nil
		}
	}
}

func (v view) awardEmoji(a *model.AwardEmoji, users map[int64]*model.User) *AwardEmoji {
	var code []string
	for _, c := range emoji.Unicode(a.Name) {
		code = append(code, fmt.Sprintf("%X", c))
	}
	out := &AwardEmoji{Name: a.Name, Emoji: emoji.Unicode(a.Name), Description: emoji.Description(a.Name),
		Unicode: strings.Join(code, "-")}
	if u := users[a.UserID]; u != nil {
		out.User = v.userCore(u)
	}
	return out
}

// awardAdd awards name on the awardable id names as the caller.
func (r *Resolver) awardAdd(ctx context.Context, awardableID, name string) (*AwardEmoji, []string, error) {
	ref, err := r.awardableRef(ctx, awardableID)
	if err != nil {
		return nil, nil, err
	}
	name = emoji.Normalize(name)
	existing, err := r.callerAward(ctx, ref, name)
	switch {
	case err != nil:
		return nil, nil, err
	case !emoji.Valid(name):
		return nil, []string{"Name is not a valid emoji name"}, nil
	case existing != nil:
		return nil, []string{"Name has already been taken"}, nil
	}
	awards, err := r.svc.CreateAwardEmoji(ctx, callerOf(ctx), ref, name)
	if err != nil {
		return nil, nil, err
	}
	return r.at(ctx).awardEmoji(awards.Awards[0], awards.Users), []string{}, nil
}

// awardRemove takes the caller's award name back; removed is false when
// they had not given it.
func (r *Resolver) awardRemove(ctx context.Context, awardableID, name string) (removed bool, err error) {
	ref, err := r.awardableRef(ctx, awardableID)
	if err != nil {
		return false, err
	}
	existing, err := r.callerAward(ctx, ref, emoji.Normalize(name))
	if err != nil || existing == nil {
		return false, err
	}
	return true, r.svc.DeleteAwardEmoji(ctx, callerOf(ctx), ref, existing.ID)
}

// notAwarded is GitLab's AwardEmojis::DestroyService error.
func notAwarded(name string) []string {
	return []string{"User has not awarded emoji of type " + name + " on the awardable"}
}

func (r *Resolver) awardEmojiAdd(ctx context.Context, in AwardEmojiAddInput) (*AwardEmojiAddPayload, error) {
	a, msgs, err := r.awardAdd(ctx, in.AwardableID, in.Name)
	if err != nil {
		if msgs, err = payloadErrors(err); err != nil {
			return nil, err
		}
	}
	return &AwardEmojiAddPayload{ClientMutationID: in.ClientMutationID, AwardEmoji: a, Errors: msgs}, nil
}

func (r *Resolver) awardEmojiRemove(ctx context.Context, in AwardEmojiRemoveInput) (*AwardEmojiRemovePayload, error) {
	removed, err := r.awardRemove(ctx, in.AwardableID, in.Name)
	msgs := []string{}
	switch {
	case err != nil:
		if msgs, err = payloadErrors(err); err != nil {
			return nil, err
		}
	case !removed:
		msgs = notAwarded(emoji.Normalize(in.Name))
	}
	return &AwardEmojiRemovePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
}

func (r *Resolver) awardEmojiToggle(ctx context.Context, in AwardEmojiToggleInput) (*AwardEmojiTogglePayload, error) {
	out := &AwardEmojiTogglePayload{ClientMutationID: in.ClientMutationID, Errors: []string{}}
	removed, err := r.awardRemove(ctx, in.AwardableID, in.Name)
	if err == nil && !removed {
		out.AwardEmoji, out.Errors, err = r.awardAdd(ctx, in.AwardableID, in.Name)
		out.ToggledOn = err == nil && len(out.Errors) == 0
	}
	if err != nil {
		if out.Errors, err = payloadErrors(err); err != nil {
			return nil, err
		}
	}
	return out, nil
}
