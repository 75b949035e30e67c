package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// SCIMMaxCount is the most resources one page of GET …/Users holds
// (ServiceProviderConfig's filter.maxResults).
const SCIMMaxCount = 100

// SCIMUserInput is a User resource as the provider sends it to create or
// replace one; Active nil keeps (or, creating, means) active.
type SCIMUserInput struct {
	ExternalID string
	UserName   string
	Name       string
	Email      string
	Active     *bool
}

// SCIMUserPatch is what a PATCH changes: nil fields stay.
type SCIMUserPatch struct {
	ExternalID *string
	UserName   *string
	Name       *string
	Email      *string
	Active     *bool
}

// SCIMQuery is GET …/Users: at most one of ExternalID and UserName filters;
// StartIndex is 1-based.
type SCIMQuery struct {
	ExternalID string
	UserName   string
	StartIndex int
	Count      int
}

// ListSCIMUsers is GET …/Users: the page the query asks for and the total.
func (s *Service) ListSCIMUsers(ctx context.Context, sc SCIMScope, in SCIMQuery) ([]*model.SCIMIdentity, int, error) {
	start := max(in.StartIndex, 1)
	count := min(max(in.Count, 0), SCIMMaxCount)
	return s.db.Queries().SCIMIdentities(ctx, model.SCIMFilter{GroupID: sc.GroupID, ExternUID: in.ExternalID,
		UserName: in.UserName, Offset: start - 1, Limit: count})
}

// SCIMUser is GET …/Users/:id, the id being the externalId.
func (s *Service) SCIMUser(ctx context.Context, sc SCIMScope, uid string) (*model.SCIMIdentity, error) {
	i, err := s.db.Queries().SCIMIdentity(ctx, sc.GroupID, uid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errSCIMNotFound
	}
	return i, err
}

func validateSCIMUser(in SCIMUserInput) error {
	switch {
	case strings.TrimSpace(in.ExternalID) == "":
		return scimInvalid("invalidValue", "externalId is required")
	case strings.TrimSpace(in.UserName) == "":
		return scimInvalid("invalidValue", "userName is required")
	case strings.TrimSpace(in.Email) == "":
		return scimInvalid("invalidValue", "emails: a work email is required")
	case !emailPattern.MatchString(in.Email) || len(in.Email) > 254:
		return scimInvalid("invalidValue", "emails: "+in.Email+" is not an email address")
	}
	return nil
}

// CreateSCIMUser is POST …/Users: the provider's user becomes (or is
// linked to, by email) a lablet user with a SCIM identity, and an active
// one a Guest of the group. An externalId or userName the scope already
// holds is 409 uniqueness; an inactive identity of the same externalId is
// provisioned again, as GitLab does.
func (s *Service) CreateSCIMUser(ctx context.Context, sc SCIMScope, in SCIMUserInput) (*model.SCIMIdentity, error) {
	if err := validateSCIMUser(in); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Name) == "" {
		in.Name = in.UserName
	}
	settings, err := s.InstanceSettings(ctx)
	if err != nil {
		return nil, err
	}
	var out *model.SCIMIdentity
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if sc.GroupID != 0 {
			if err := q.LockNamespaceChain(ctx, sc.GroupID); err != nil {
				return err
			}
		}
		old, err := q.SCIMIdentity(ctx, sc.GroupID, in.ExternalID)
		switch {
		case err == nil && old.Active:
			return scimUniqueness("User with externalId " + in.ExternalID + " already exists")
		case err == nil:
			active := true
			out = old
			return s.applySCIMPatch(ctx, q, sc, old, SCIMUserPatch{UserName: &in.UserName, Name: &in.Name,
				Email: &in.Email, Active: &active})
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		if owner, err := q.SCIMUserNameOwner(ctx, sc.GroupID, in.UserName); err != nil {
			return err
		} else if owner != 0 {
			return scimUniqueness("User with userName " + in.UserName + " already exists")
		}
		u, err := s.scimLinkedUser(ctx, q, sc, in, settings)
		if err != nil {
			return err
		}
		i := &model.SCIMIdentity{UserID: u.ID, ExternUID: in.ExternalID, UserName: in.UserName, Name: in.Name,
			Email: in.Email, Active: in.Active == nil || *in.Active}
		if sc.GroupID != 0 {
			g := sc.GroupID
			i.GroupID = &g
		}
		if err := q.CreateSCIMIdentity(ctx, i); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return scimUniqueness("User already exists")
			}
			return err
		}
		out = i
		return s.setSCIMAccess(ctx, q, sc, i)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scimLinkedUser is the lablet user a new identity links to: the user of
// the email, unless they already hold an identity in the scope, or a new
// user named userName.
func (s *Service) scimLinkedUser(ctx context.Context, q *store.Queries, sc SCIMScope, in SCIMUserInput,
	settings *model.ApplicationSettings) (*model.User, error) {
	u, err := q.UserByEmail(ctx, in.Email)
	if err == nil {
		if _, err := q.SCIMIdentityOfUser(ctx, sc.GroupID, u.ID); err == nil {
			return nil, scimUniqueness("The user of " + in.Email + " is already provisioned")
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if u.Bot {
			return nil, scimInvalid("invalidValue", "emails: "+in.Email+" belongs to a bot")
		}
		return u, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("service: scim user by email: %w", err)
	}
	u = &model.User{State: "active", External: settings.UserDefaultExternal, Username: in.UserName, Name: in.Name,
		Email: in.Email}
	ensureUserRightsAndLimits(u, UserInput{}, settings)
	if err := checkUserConflicts(ctx, q, u, 0); err != nil {
		return nil, scimUniqueness(err.Error())
	}
	v := validateUser(u)
	if err := checkNamespaceFree(ctx, q, u.Username, 0, v); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		if msgs, ok := v["username"]; ok && strings.Contains(strings.Join(msgs, " "), "taken") {
			return nil, scimUniqueness("userName " + in.UserName + " has already been taken")
		}
		return nil, scimInvalid("invalidValue", err.Error())
	}
	// No password: the identity provider signs the user in. GitLab sets a
	// random one nobody knows; an empty hash matches no password either,
	// without a bcrypt round per provisioned user.
	u.PasswordHash = ""
	if err := q.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, scimUniqueness("userName " + in.UserName + " has already been taken")
		}
		return nil, err
	}
	return u, s.userSystemHooks(ctx, q, u, "user_create", "")
}

// UpdateSCIMUser is PATCH …/Users/:id; ifMatch, when set, is the version
// the provider read (If-Match), 412 when it moved since.
func (s *Service) UpdateSCIMUser(ctx context.Context, sc SCIMScope, uid string, p SCIMUserPatch, ifMatch *int64) (*model.SCIMIdentity, error) {
	var out *model.SCIMIdentity
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		if sc.GroupID != 0 {
			if err := q.LockNamespaceChain(ctx, sc.GroupID); err != nil {
				return err
			}
		}
		i, err := q.SCIMIdentity(ctx, sc.GroupID, uid)
		if errors.Is(err, store.ErrNotFound) {
			return errSCIMNotFound
		}
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != i.Version {
			return errSCIMPrecondition
		}
		out = i
		return s.applySCIMPatch(ctx, q, sc, i, p)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReplaceSCIMUser is PUT …/Users/:id: the resource becomes in (an absent
// externalId keeps the one it has).
func (s *Service) ReplaceSCIMUser(ctx context.Context, sc SCIMScope, uid string, in SCIMUserInput, ifMatch *int64) (*model.SCIMIdentity, error) {
	if in.ExternalID == "" {
		in.ExternalID = uid
	}
	if err := validateSCIMUser(in); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Name) == "" {
		in.Name = in.UserName
	}
	active := in.Active == nil || *in.Active
	return s.UpdateSCIMUser(ctx, sc, uid, SCIMUserPatch{ExternalID: &in.ExternalID, UserName: &in.UserName,
		Name: &in.Name, Email: &in.Email, Active: &active}, ifMatch)
}

// applySCIMPatch writes p to i and the access it gives. Callers hold the
// group's lock.
func (s *Service) applySCIMPatch(ctx context.Context, q *store.Queries, sc SCIMScope, i *model.SCIMIdentity, p SCIMUserPatch) error {
	if p.ExternalID != nil {
		if strings.TrimSpace(*p.ExternalID) == "" {
			return scimInvalid("invalidValue", "externalId can't be blank")
		}
		if other, err := q.SCIMIdentity(ctx, sc.GroupID, *p.ExternalID); err == nil && other.ID != i.ID {
			return scimUniqueness("User with externalId " + *p.ExternalID + " already exists")
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		i.ExternUID = *p.ExternalID
	}
	if p.UserName != nil {
		if strings.TrimSpace(*p.UserName) == "" {
			return scimInvalid("invalidValue", "userName can't be blank")
		}
		if owner, err := q.SCIMUserNameOwner(ctx, sc.GroupID, *p.UserName); err != nil {
			return err
		} else if owner != 0 && owner != i.ID {
			return scimUniqueness("User with userName " + *p.UserName + " already exists")
		}
		i.UserName = *p.UserName
	}
	if p.Email != nil {
		if !emailPattern.MatchString(*p.Email) || len(*p.Email) > 254 {
			return scimInvalid("invalidValue", "emails: "+*p.Email+" is not an email address")
		}
		i.Email = *p.Email
	}
	if p.Name != nil && strings.TrimSpace(*p.Name) != "" {
		if len(*p.Name) > MaxNameLength {
			return scimInvalid("invalidValue", "name is too long (maximum is 255 characters)")
		}
		i.Name = *p.Name
	}
	if p.Active != nil {
		i.Active = *p.Active
	}
	if err := q.UpdateSCIMIdentity(ctx, i); err != nil {
		switch {
		case errors.Is(err, store.ErrNotFound):
			return errSCIMPrecondition
		case errors.Is(err, store.ErrConflict):
			return scimUniqueness("User already exists")
		}
		return err
	}
	if p.Name != nil && strings.TrimSpace(*p.Name) != "" {
		if err := s.renameSCIMUser(ctx, q, i); err != nil {
			return err
		}
	}
	if p.Active != nil {
		return s.setSCIMAccess(ctx, q, sc, i)
	}
	return nil
}

// renameSCIMUser gives the linked user the provider's name. The username
// and email of the account stay: GitLab stopped rewriting them, and the
// account may have been linked rather than made.
func (s *Service) renameSCIMUser(ctx context.Context, q *store.Queries, i *model.SCIMIdentity) error {
	u, err := q.UserByID(ctx, i.UserID)
	if err != nil {
		return fmt.Errorf("service: scim user: %w", err)
	}
	if u.Name == i.Name {
		return nil
	}
	u.Name = i.Name
	return q.UpdateUser(ctx, u)
}

// setSCIMAccess makes the user's access follow the identity's active
// state: in a group, an active identity is a member (a Guest when it had
// no membership) and an inactive one is not, unless it is the group's last
// Owner; for the instance, an inactive identity's user is blocked.
func (s *Service) setSCIMAccess(ctx context.Context, q *store.Queries, sc SCIMScope, i *model.SCIMIdentity) error {
	if sc.GroupID == 0 {
		return s.setSCIMUserBlocked(ctx, q, i.UserID, !i.Active)
	}
	src := &MemberSource{Type: model.SourceNamespace, ID: sc.GroupID, NamespaceID: sc.GroupID, Level: access.Owner}
	m, err := q.MemberOf(ctx, model.SourceNamespace, sc.GroupID, i.UserID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("service: scim member: %w", err)
	}
	if i.Active {
		if m != nil {
			return nil
		}
		m = &model.Member{SourceType: model.SourceNamespace, SourceID: sc.GroupID, UserID: i.UserID,
			AccessLevel: int(access.Guest)}
		if err := q.UpsertMember(ctx, m); err != nil {
			return fmt.Errorf("service: scim member: %w", err)
		}
		return s.memberHooks(ctx, q, src, m, "add")
	}
	if m == nil {
		return nil
	}
	if access.Level(m.AccessLevel) >= access.Owner {
		n, err := q.CountOtherOwners(ctx, sc.GroupID, i.UserID, s.Today())
		if err != nil {
			return err
		}
		if n == 0 {
			return nil // a group keeps an Owner
		}
	}
	if err := q.DeleteMember(ctx, model.SourceNamespace, sc.GroupID, i.UserID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("service: scim member: %w", err)
	}
	return s.memberHooks(ctx, q, src, m, "remove")
}

// setSCIMUserBlocked blocks or unblocks the user of an instance identity
// (GitLab's instance SCIM: "if false, the user is blocked"). Only the
// states SCIM itself moves change: a deactivated or banned user stays so.
func (s *Service) setSCIMUserBlocked(ctx context.Context, q *store.Queries, userID int64, blocked bool) error {
	u, err := q.UserByID(ctx, userID)
	if err != nil {
		return fmt.Errorf("service: scim user: %w", err)
	}
	switch {
	case blocked && u.State == "active" && !u.IsAdmin:
		u.State = "blocked"
	case !blocked && u.State == "blocked":
		u.State = "active"
	default:
		return nil
	}
	return q.UpdateUser(ctx, u)
}

// DeleteSCIMUser is DELETE …/Users/:id: the identity goes and, as when it
// is deactivated, the user leaves the group (or, for the instance, is
// blocked). 404 when there is no such identity.
func (s *Service) DeleteSCIMUser(ctx context.Context, sc SCIMScope, uid string, ifMatch *int64) error {
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		if sc.GroupID != 0 {
			if err := q.LockNamespaceChain(ctx, sc.GroupID); err != nil {
				return err
			}
		}
		i, err := q.SCIMIdentity(ctx, sc.GroupID, uid)
		if errors.Is(err, store.ErrNotFound) {
			return errSCIMNotFound
		}
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != i.Version {
			return errSCIMPrecondition
		}
		i.Active = false
		if err := s.setSCIMAccess(ctx, q, sc, i); err != nil {
			return err
		}
		return q.DeleteSCIMIdentity(ctx, i.ID)
	})
}
