package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// MemberSource is a group or project whose members are managed, as seen by
// the caller.
type MemberSource struct {
	// Type is model.SourceNamespace or model.SourceProject.
	Type string
	ID   int64
	// NamespaceID is the group itself, or the project's namespace.
	NamespaceID int64
	// Level is the caller's effective level on the source.
	Level access.Level
}

// IsGroup reports whether the source is a group.
func (m *MemberSource) IsGroup() bool { return m.Type == model.SourceNamespace }

// projectID is the project's id, or 0 for a group.
func (m *MemberSource) projectID() int64 {
	if m.IsGroup() {
		return 0
	}
	return m.ID
}

// GroupMemberSource loads a group the caller may see.
func (s *Service) GroupMemberSource(ctx context.Context, id *auth.Identity, ref string) (*MemberSource, error) {
	g, level, err := s.VisibleGroup(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if !viewer(id).CanSee(g.VisibilityLevel, level) {
		// Seen only through one of its projects (has_projects): GitLab
		// shows such a caller the group, not its members.
		return nil, Forbidden("")
	}
	return &MemberSource{Type: model.SourceNamespace, ID: g.ID, NamespaceID: g.ID, Level: level}, nil
}

// ProjectMemberSource loads a project the caller may see.
func (s *Service) ProjectMemberSource(ctx context.Context, id *auth.Identity, ref string) (*MemberSource, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	return &MemberSource{Type: model.SourceProject, ID: p.ID, NamespaceID: p.NamespaceID, Level: level}, nil
}

// MemberView is a membership with its user and creator loaded.
type MemberView struct {
	*model.Member
	User      *model.User
	CreatedBy *model.User
}

// withUsers loads the users of members (and who added them) in one query.
func withUsers(ctx context.Context, q *store.Queries, members []*model.Member) ([]*MemberView, error) {
	ids := make([]int64, 0, len(members)*2)
	for _, m := range members {
		ids = append(ids, m.UserID)
		if m.CreatedByID != nil {
			ids = append(ids, *m.CreatedByID)
		}
	}
	users, err := q.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*MemberView, 0, len(members))
	for _, m := range members {
		u := users[m.UserID]
		if u == nil {
			continue // the user went away under us
		}
		v := &MemberView{Member: m, User: u}
		if m.CreatedByID != nil {
			v.CreatedBy = users[*m.CreatedByID]
		}
		out = append(out, v)
	}
	return out, nil
}

// ListMembers lists a source's direct members or, with all, its effective
// members including those inherited from ancestor groups.
func (s *Service) ListMembers(ctx context.Context, src *MemberSource, all bool, f model.MemberFilter) ([]*MemberView, int, error) {
	q := s.db.Queries()
	var members []*model.Member
	var total int
	var err error
	if all {
		members, total, err = q.ListEffectiveMembers(ctx, src.projectID(), src.NamespaceID, s.Today(), f)
	} else {
		members, total, err = q.ListMembers(ctx, src.Type, src.ID, f)
	}
	if err != nil {
		return nil, 0, err
	}
	views, err := withUsers(ctx, q, members)
	return views, total, err
}

// GetMember returns one direct (or, with all, effective) member.
func (s *Service) GetMember(ctx context.Context, src *MemberSource, userID int64, all bool) (*MemberView, error) {
	q := s.db.Queries()
	var m *model.Member
	var err error
	if all {
		m, err = q.EffectiveMember(ctx, src.projectID(), src.NamespaceID, userID, s.Today())
	} else {
		m, err = q.MemberOf(ctx, src.Type, src.ID, userID)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, errMemberNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: get member: %w", err)
	}
	views, err := withUsers(ctx, q, []*model.Member{m})
	if err != nil {
		return nil, err
	}
	if len(views) == 0 {
		return nil, errMemberNotFound
	}
	return views[0], nil
}

// errMemberNotFound is what GitLab answers for a missing membership (an
// unrescued RecordNotFound): "404 Not found".
var errMemberNotFound = &Error{Kind: KindNotFound, Message: "Not found"}

// MemberInput is the level and expiry to give.
type MemberInput struct {
	AccessLevel int
	ExpiresAt   *string // YYYY-MM-DD; nil clears
	// ExpiresAtSet says expires_at was given; updates keep it otherwise.
	ExpiresAtSet bool
}

// validLevel checks a level for the source: GitLab's member levels, with
// Minimal Access only on groups.
func validLevel(src *MemberSource, level int) bool {
	return access.ValidMemberLevel(level) && (src.IsGroup() || access.Level(level) != access.Minimal)
}

// checkManage applies GitLab's rules for changing memberships: group
// members are managed by Owners; project Maintainers manage members below
// Owner, and only Owners grant or touch Owner.
func checkManage(src *MemberSource, level int, current *model.Member) error {
	if src.Level < access.Maintainer || src.IsGroup() && src.Level < access.Owner {
		return Forbidden("")
	}
	if src.Level < access.Owner && (access.Level(level) >= access.Owner ||
		current != nil && access.Level(current.AccessLevel) >= access.Owner) {
		return Forbidden("")
	}
	return nil
}

func (s *Service) validateMemberInput(src *MemberSource, in MemberInput) error {
	if !validLevel(src, in.AccessLevel) {
		return ParamError("access_level does not have a valid value")
	}
	if in.ExpiresAt != nil && *in.ExpiresAt < s.Today() {
		return Validation{"expires_at": {"cannot be a date in the past"}}.Err()
	}
	return nil
}

// errBotMember is GitLab's refusal of a new membership for a resource
// bot: a project or group access token's bot belongs to its one resource.
var errBotMember = Validation{"user_id": {msgBotMember}}.Err()

const msgBotMember = "project bots cannot be added to other groups / projects"

// AddMember adds one user to the source.
func (s *Service) AddMember(ctx context.Context, id *auth.Identity, src *MemberSource, userID int64, in MemberInput) (*MemberView, error) {
	if err := checkManage(src, in.AccessLevel, nil); err != nil {
		return nil, err
	}
	if err := s.validateMemberInput(src, in); err != nil {
		return nil, err
	}
	var m *model.Member
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		u, err := q.UserByID(ctx, userID)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return NotFound("User")
			}
			return fmt.Errorf("service: load user: %w", err)
		}
		if _, err := q.MemberOf(ctx, src.Type, src.ID, userID); err == nil {
			return Conflict("Member already exists")
		} else if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("service: check member: %w", err)
		}
		if u.Bot {
			return errBotMember
		}
		creator := id.User.ID
		m = &model.Member{SourceType: src.Type, SourceID: src.ID, UserID: userID, AccessLevel: in.AccessLevel,
			ExpiresAt: in.ExpiresAt, CreatedByID: &creator}
		if err := q.UpsertMember(ctx, m); err != nil {
			return fmt.Errorf("service: add member: %w", err)
		}
		return s.memberHooks(ctx, q, src, m, "add")
	})
	if err != nil {
		return nil, err
	}
	return s.GetMember(ctx, src, m.UserID, false)
}

// AddMembersResult is the outcome of adding several users: GitLab judges
// each user on its own, writes those who pass and reports the others.
type AddMembersResult struct {
	// Errors are GitLab's per-user messages ("alice: not authorized to
	// update member"), in request order; empty when all were written.
	Errors []string
	// Unauthorized says a refusal was for want of rights (GitLab's
	// http_status "unauthorized").
	Unauthorized bool
}

// Message joins Errors as Rails' to_sentence does.
func (r *AddMembersResult) Message() string {
	switch n := len(r.Errors); n {
	case 0:
		return ""
	case 1:
		return r.Errors[0]
	case 2:
		return r.Errors[0] + " and " + r.Errors[1]
	default:
		return strings.Join(r.Errors[:n-1], ", ") + ", and " + r.Errors[n-1]
	}
}

// msgMemberUpdateRefused is GitLab's word for a membership the caller may
// not change, the last Owner of a group among them.
const msgMemberUpdateRefused = "not authorized to update member"

// AddMembers adds several users at once, as POST …/members does with a
// comma-separated user_id; existing members get the new level. As in
// GitLab each user stands alone: a resource bot is not added and a
// membership the caller may not change (a group's last Owner) is left as
// it is, each reported in the result, while the others are written. An
// unknown user stops the whole request.
func (s *Service) AddMembers(ctx context.Context, id *auth.Identity, src *MemberSource, userIDs []int64, in MemberInput) (*AddMembersResult, error) {
	if err := checkManage(src, in.AccessLevel, nil); err != nil {
		return nil, err
	}
	if err := s.validateMemberInput(src, in); err != nil {
		return nil, err
	}
	var res *AddMembersResult
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		res = &AddMembersResult{}
		if err := s.lockOwners(ctx, q, src); err != nil {
			return err
		}
		users, err := q.UsersByIDs(ctx, userIDs)
		if err != nil {
			return err
		}
		for _, uid := range userIDs {
			if users[uid] == nil {
				return NotFound("User")
			}
		}
		creator := id.User.ID
		for _, uid := range userIDs {
			u := users[uid]
			cur, err := q.MemberOf(ctx, src.Type, src.ID, uid)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("service: check member: %w", err)
			}
			switch {
			case cur == nil && u.Bot:
				res.Errors = append(res.Errors, u.Username+": User "+msgBotMember)
				continue
			case cur != nil:
				refused := checkManage(src, in.AccessLevel, cur)
				if refused == nil {
					refused = s.keepAnOwner(ctx, q, src, cur, in.AccessLevel)
				}
				if KindOf(refused) == KindForbidden {
					res.Errors = append(res.Errors, u.Username+": "+msgMemberUpdateRefused)
					res.Unauthorized = true
					continue
				}
				if refused != nil {
					return refused
				}
			}
			m := &model.Member{SourceType: src.Type, SourceID: src.ID, UserID: uid, AccessLevel: in.AccessLevel,
				ExpiresAt: in.ExpiresAt, CreatedByID: &creator}
			if err := q.UpsertMember(ctx, m); err != nil {
				return fmt.Errorf("service: add member: %w", err)
			}
			action := "add"
			if cur != nil {
				action = "update"
			}
			if err := s.memberHooks(ctx, q, src, m, action); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// UpdateMember changes a direct member's level and expiry.
func (s *Service) UpdateMember(ctx context.Context, id *auth.Identity, src *MemberSource, userID int64, in MemberInput) (*MemberView, error) {
	views, err := s.UpdateMembers(ctx, id, src, []int64{userID}, in)
	if err != nil {
		return nil, err
	}
	return views[0], nil
}

// UpdateMembers changes several direct members' level and expiry in one
// transaction: all of them, or none when one may not be (GraphQL's
// projectMemberBulkUpdate and groupMemberBulkUpdate).
func (s *Service) UpdateMembers(ctx context.Context, id *auth.Identity, src *MemberSource, userIDs []int64, in MemberInput) ([]*MemberView, error) {
	if src.Level < access.Maintainer {
		return nil, Forbidden("")
	}
	if err := s.validateMemberInput(src, in); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := s.lockOwners(ctx, q, src); err != nil {
			return err
		}
		for _, userID := range userIDs {
			if err := s.updateMember(ctx, q, src, userID, in); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	views := make([]*MemberView, 0, len(userIDs))
	for _, userID := range userIDs {
		v, err := s.GetMember(ctx, src, userID, false)
		if err != nil {
			return nil, err
		}
		views = append(views, v)
	}
	return views, nil
}

func (s *Service) updateMember(ctx context.Context, q *store.Queries, src *MemberSource, userID int64, in MemberInput) error {
	m, err := q.MemberOf(ctx, src.Type, src.ID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return errMemberNotFound
	}
	if err != nil {
		return fmt.Errorf("service: load member: %w", err)
	}
	if err := checkManage(src, in.AccessLevel, m); err != nil {
		return err
	}
	if err := s.keepAnOwner(ctx, q, src, m, in.AccessLevel); err != nil {
		return err
	}
	m.AccessLevel = in.AccessLevel
	if in.ExpiresAtSet {
		m.ExpiresAt = in.ExpiresAt
	}
	if err := q.UpdateMember(ctx, m); err != nil {
		return err
	}
	return s.memberHooks(ctx, q, src, m, "update")
}

// RemoveMember removes a direct member. Members may always leave; others
// need the rights to manage that member.
func (s *Service) RemoveMember(ctx context.Context, id *auth.Identity, src *MemberSource, userID int64) error {
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := s.lockOwners(ctx, q, src); err != nil {
			return err
		}
		m, err := q.MemberOf(ctx, src.Type, src.ID, userID)
		if errors.Is(err, store.ErrNotFound) {
			if src.Level < access.Maintainer {
				return Forbidden("")
			}
			return errMemberNotFound
		}
		if err != nil {
			return fmt.Errorf("service: load member: %w", err)
		}
		if userID != id.UserID() {
			if err := checkManage(src, 0, m); err != nil {
				return err
			}
		}
		if err := s.keepAnOwner(ctx, q, src, m, 0); err != nil {
			return err
		}
		if err := q.DeleteMember(ctx, src.Type, src.ID, userID); err != nil {
			return fmt.Errorf("service: remove member: %w", err)
		}
		return s.memberHooks(ctx, q, src, m, "remove")
	})
}

// lockOwners serialises the transactions that may take an Owner away from
// a group (or from its ancestors, whose Owners it inherits), so that two
// demotions can't each count the other's Owner and leave none.
func (s *Service) lockOwners(ctx context.Context, q *store.Queries, src *MemberSource) error {
	if !src.IsGroup() {
		return nil
	}
	return q.LockNamespaceChain(ctx, src.NamespaceID)
}

// keepAnOwner refuses, as GitLab does with 403, to demote or remove the
// last Owner of a group (owners of ancestor groups count). Callers hold
// lockOwners.
func (s *Service) keepAnOwner(ctx context.Context, q *store.Queries, src *MemberSource, m *model.Member, newLevel int) error {
	if !src.IsGroup() || access.Level(m.AccessLevel) < access.Owner || access.Level(newLevel) >= access.Owner {
		return nil
	}
	n, err := q.CountOtherOwners(ctx, src.NamespaceID, m.UserID, s.Today())
	if err != nil {
		return err
	}
	if n == 0 {
		return Forbidden("")
	}
	return nil
}
