package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Password length bounds, as GitLab's defaults.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 128
)

// maxProjectsLimit is PostgreSQL's integer maximum, GitLab's bound.
const maxProjectsLimit = 2147483647

// emailPattern is Devise's default: something@something, no spaces.
var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

// UserInput carries the attributes of a user to create or change; nil
// fields are left alone.
type UserInput struct {
	Username       *string
	Email          *string
	Name           *string
	Password       *string
	Admin          *bool
	CanCreateGroup *bool
	External       *bool
	PrivateProfile *bool
	ProjectsLimit  *int64
	Bio            *string
	Location       *string
	PublicEmail    *string
	WebsiteURL     *string
	Organization   *string
	JobTitle       *string
	Note           *string
	// ForceRandomPassword and ResetPassword give the user an unusable
	// random password (no mail is sent).
	ForceRandomPassword bool
	ResetPassword       bool
	// Provider and ExternUID, given together, set the user's identity at
	// that provider.
	Provider, ExternUID *string
}

// UserListInput selects users for GET /users.
type UserListInput struct {
	Search          string
	Username        string
	Active          bool
	Blocked         bool
	External        bool
	ExcludeExternal bool
	Admins          bool
	Humans          bool
	ExcludeHumans   bool
	CreatedBefore   *time.Time
	CreatedAfter    *time.Time
	OrderBy         string
	Sort            string
	Offset, Limit   int
	// CustomAttributes keeps users with every key set to its value; only
	// administrators filter by them, as GitLab's CustomAttributesFilter.
	CustomAttributes map[string]string
	// Provider and ExternUID select by identity (administrators only).
	Provider, ExternUID string
}

// ListUsers returns the users the caller may list. Anonymous callers must
// name a username, as GitLab requires, so the instance can't be enumerated.
func (s *Service) ListUsers(ctx context.Context, id *auth.Identity, in UserListInput) ([]*model.User, int, error) {
	if (in.Provider != "" || in.ExternUID != "") && !id.IsAdmin() {
		return nil, 0, Forbidden("")
	}
	if !id.Authenticated() && in.Username == "" {
		return nil, 0, Forbidden("Not authorized to access /api/v4/users")
	}
	admin := id.IsAdmin()
	f := model.UserFilter{Search: in.Search, Username: in.Username, Humans: in.Humans, Bots: in.ExcludeHumans,
		Offset: in.Offset, Limit: in.Limit, PublicSearch: !admin}
	if in.Active {
		f.State = "active"
	}
	if in.Blocked {
		f.State = "blocked"
	}
	if in.ExcludeExternal {
		f.External = new(bool)
	}
	if admin {
		if in.Admins {
			t := true
			f.Admins = &t
		}
		if in.External {
			t := true
			f.External = &t
		}
		f.CreatedBefore, f.CreatedAfter = in.CreatedBefore, in.CreatedAfter
		f.OrderBy, f.Sort = in.OrderBy, in.Sort
		f.CustomAttributes = in.CustomAttributes
		f.Provider, f.ExternUID = in.Provider, in.ExternUID
	} else {
		// Blocked and banned accounts are hidden from everyone but admins.
		f.ExcludeStates = []string{"blocked", "banned"}
		// So are the bots behind project and group access tokens.
		f.Humans = true
	}
	users, total, err := s.db.Queries().ListUsers(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("service: list users: %w", err)
	}
	return users, total, nil
}

// GetUser returns the user with userID if the caller may see it.
func (s *Service) GetUser(ctx context.Context, id *auth.Identity, userID int64) (*model.User, error) {
	u, err := s.db.Queries().UserByID(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("User")
	}
	if err != nil {
		return nil, fmt.Errorf("service: get user: %w", err)
	}
	return u, nil
}

// CanSeeProfile reports whether the caller sees the private parts of u's
// public profile.
func CanSeeProfile(id *auth.Identity, u *model.User) bool {
	return !u.PrivateProfile || id.UserID() == u.ID || id.IsAdmin()
}

func requireAdmin(id *auth.Identity) error {
	if !id.IsAdmin() {
		return Forbidden("")
	}
	return nil
}

// CreateUser creates a user as an administrator. Conflicts on email and
// username win over other validation errors, as in GitLab.
func (s *Service) CreateUser(ctx context.Context, id *auth.Identity, in UserInput) (*model.User, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	settings, err := s.InstanceSettings(ctx)
	if err != nil {
		return nil, err
	}
	u := &model.User{State: "active", External: settings.UserDefaultExternal}
	creator := id.UserID()
	u.CreatedByID = &creator
	applyUserInput(u, in)
	ensureUserRightsAndLimits(u, in, settings)
	password := ""
	if in.Password != nil {
		password = *in.Password
	} else {
		// reset_password and force_random_password: nobody knows it.
		password = auth.NewSecret("", 32)
	}
	// bcrypt takes tens of milliseconds; inside the transaction it would
	// hold SQLite's write lock for that long.
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	u.PasswordHash = hash
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := checkUserConflicts(ctx, q, u, 0); err != nil {
			return err
		}
		v := validateUser(u)
		if in.Password != nil {
			validatePassword(v, password)
		}
		if err := checkNamespaceFree(ctx, q, u.Username, 0, v); err != nil {
			return err
		}
		if err := checkIdentity(ctx, q, in, 0, v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := q.CreateUser(ctx, u); err != nil {
			return s.userWriteError(ctx, err)
		}
		if err := setIdentity(ctx, q, u.ID, in); err != nil {
			return err
		}
		return s.userSystemHooks(ctx, q, u, "user_create", "")
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// UpdateUser changes a user as an administrator.
func (s *Service) UpdateUser(ctx context.Context, id *auth.Identity, userID int64, in UserInput) (*model.User, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	settings, err := s.InstanceSettings(ctx)
	if err != nil {
		return nil, err
	}
	// Hashed before the transaction, as in CreateUser.
	newHash := ""
	if in.Password != nil {
		if newHash, err = auth.HashPassword(*in.Password); err != nil {
			return nil, err
		}
	}
	var u *model.User
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		var err error
		u, err = q.UserByID(ctx, userID)
		if errors.Is(err, store.ErrNotFound) {
			return NotFound("User")
		}
		if err != nil {
			return fmt.Errorf("service: load user: %w", err)
		}
		oldUsername, oldName, oldEmail, wasExternal := u.Username, u.Name, u.Email, u.External
		applyUserInput(u, in)
		if u.External != wasExternal {
			ensureUserRightsAndLimits(u, in, settings)
		}
		// A public email that was the old address no longer belongs to
		// the user; drop it rather than fail the change.
		if in.PublicEmail == nil && !strings.EqualFold(u.Email, oldEmail) && strings.EqualFold(u.PublicEmail, oldEmail) {
			u.PublicEmail = ""
		}
		if err := checkUserConflicts(ctx, q, u, u.ID); err != nil {
			return err
		}
		v := validateUser(u)
		if in.Password != nil {
			validatePassword(v, *in.Password)
		}
		if !strings.EqualFold(u.Username, oldUsername) {
			if err := checkNamespaceFree(ctx, q, u.Username, u.NamespaceID, v); err != nil {
				return err
			}
		}
		if err := checkIdentity(ctx, q, in, u.ID, v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if in.Password != nil {
			u.PasswordHash = newHash
		}
		if err := q.UpdateUser(ctx, u); err != nil {
			return s.userWriteError(ctx, err)
		}
		if err := setIdentity(ctx, q, u.ID, in); err != nil {
			return err
		}
		// A new password signs the user out everywhere, as a reset
		// after a leak must.
		if in.Password != nil {
			if err := q.DeleteUserSessions(ctx, u.ID); err != nil {
				return err
			}
		}
		// The personal namespace follows the username and name.
		if (u.Username != oldUsername || u.Name != oldName) && u.NamespaceID != 0 {
			ns, err := q.NamespaceByID(ctx, u.NamespaceID)
			if err != nil {
				return fmt.Errorf("service: load user namespace: %w", err)
			}
			ns.Path, ns.Name = u.Username, u.Name
			if err := q.UpdateNamespace(ctx, ns); err != nil {
				return s.userWriteError(ctx, err)
			}
		}
		if u.Username != oldUsername {
			return s.userSystemHooks(ctx, q, u, "user_rename", oldUsername)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// userWriteError turns a uniqueness race lost at write time into GitLab's
// answer; the checks before the write catch the ordinary cases.
func (s *Service) userWriteError(ctx context.Context, err error) error {
	if !errors.Is(err, store.ErrConflict) {
		return err
	}
	if strings.Contains(err.Error(), "email") {
		return Conflict("Email has already been taken")
	}
	if strings.Contains(err.Error(), "namespaces") || strings.Contains(err.Error(), "full_path") {
		v := Validation{}
		v.Add("username", "has already been taken")
		return v.Err()
	}
	return Conflict("Username has already been taken")
}

// DefaultProjectsLimit is the projects_limit of the first administrator, GitLab's
// default_projects_limit.
const DefaultProjectsLimit = 100000

// ensureUserRightsAndLimits is GitLab's callback of the same name, run on
// new users and when external changes: external users may create neither
// groups nor personal projects; users made internal again get the
// instance's defaults (application settings) back unless this very
// request sets them.
func ensureUserRightsAndLimits(u *model.User, in UserInput, settings *model.ApplicationSettings) {
	if u.External {
		u.CanCreateGroup, u.ProjectsLimit = false, 0
		return
	}
	if in.CanCreateGroup == nil {
		u.CanCreateGroup = settings.CanCreateGroup
	}
	if in.ProjectsLimit == nil {
		u.ProjectsLimit = int(settings.DefaultProjectsLimit)
	}
}

func applyUserInput(u *model.User, in UserInput) {
	setStr := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	setBool := func(dst *bool, src *bool) {
		if src != nil {
			*dst = *src
		}
	}
	setStr(&u.Username, in.Username)
	setStr(&u.Email, in.Email)
	setStr(&u.Name, in.Name)
	setStr(&u.Bio, in.Bio)
	setStr(&u.Location, in.Location)
	setStr(&u.PublicEmail, in.PublicEmail)
	setStr(&u.WebsiteURL, in.WebsiteURL)
	setStr(&u.Organization, in.Organization)
	setStr(&u.JobTitle, in.JobTitle)
	setStr(&u.Note, in.Note)
	setBool(&u.IsAdmin, in.Admin)
	setBool(&u.CanCreateGroup, in.CanCreateGroup)
	setBool(&u.External, in.External)
	setBool(&u.PrivateProfile, in.PrivateProfile)
	if in.ProjectsLimit != nil {
		// Out-of-range values are caught by validateUser via the clamp.
		switch {
		case *in.ProjectsLimit < 0:
			u.ProjectsLimit = -1
		case *in.ProjectsLimit > maxProjectsLimit:
			u.ProjectsLimit = maxProjectsLimit + 1
		default:
			u.ProjectsLimit = int(*in.ProjectsLimit)
		}
	}
}

func checkUserConflicts(ctx context.Context, q *store.Queries, u *model.User, self int64) error {
	if u.Email != "" {
		other, err := q.UserByEmail(ctx, u.Email)
		if err == nil && other.ID != self {
			return Conflict("Email has already been taken")
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("service: check email: %w", err)
		}
		// Another user's secondary address is taken too (User#unique_email).
		owner, err := q.SecondaryEmailOwner(ctx, u.Email)
		if err == nil && owner != self {
			return Conflict("Email has already been taken")
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("service: check email: %w", err)
		}
	}
	if u.Username != "" {
		other, err := q.UserByUsername(ctx, u.Username)
		if err == nil && other.ID != self {
			return Conflict("Username has already been taken")
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("service: check username: %w", err)
		}
	}
	return nil
}

// checkNamespaceFree records a validation error when a group already holds
// the username's top-level path.
func checkNamespaceFree(ctx context.Context, q *store.Queries, username string, own int64, v Validation) error {
	if username == "" {
		return nil
	}
	ns, err := q.NamespaceByFullPath(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("service: check namespace path: %w", err)
	}
	if ns.ID != own {
		v.Add("username", "has already been taken")
	}
	return nil
}

func validateUser(u *model.User) Validation {
	v := Validation{}
	switch {
	case strings.TrimSpace(u.Name) == "":
		v.Add("name", "can't be blank")
	case !utf8.ValidString(u.Name) || strings.ContainsRune(u.Name, 0):
		v.Add("name", "is invalid")
	case utf8.RuneCountInString(u.Name) > MaxNameLength:
		v.Add("name", "is too long (maximum is 255 characters)")
	}
	switch {
	case u.Email == "":
		v.Add("email", "can't be blank")
	case len(u.Email) > 254 || !utf8.ValidString(u.Email) || !emailPattern.MatchString(u.Email):
		v.Add("email", "is invalid")
	}
	if u.Username == "" {
		v.Add("username", "can't be blank")
	} else if msg := ValidPath(u.Username, true); msg != "" {
		v.Add("username", msg)
	}
	if u.PublicEmail != "" && !strings.EqualFold(u.PublicEmail, u.Email) {
		v.Add("public_email", "is not an email you own")
	}
	if u.ProjectsLimit < 0 {
		v.Add("projects_limit", "must be greater than or equal to 0")
	} else if u.ProjectsLimit > maxProjectsLimit {
		v.Add("projects_limit", "must be less than or equal to 2147483647")
	}
	for _, f := range []struct {
		name, val string
		max       int
	}{
		{"bio", u.Bio, 255}, {"location", u.Location, 255}, {"organization", u.Organization, 255},
		{"job_title", u.JobTitle, 200}, {"website_url", u.WebsiteURL, 255}, {"note", u.Note, 10000},
	} {
		if !utf8.ValidString(f.val) || strings.ContainsRune(f.val, 0) {
			v.Add(f.name, "is invalid")
		} else if utf8.RuneCountInString(f.val) > f.max {
			v.Add(f.name, fmt.Sprintf("is too long (maximum is %d characters)", f.max))
		}
	}
	return v
}

func validatePassword(v Validation, password string) {
	switch n := utf8.RuneCountInString(password); {
	case n < MinPasswordLength:
		v.Add("password", fmt.Sprintf("is too short (minimum is %d characters)", MinPasswordLength))
	case n > MaxPasswordLength:
		v.Add("password", fmt.Sprintf("is too long (maximum is %d characters)", MaxPasswordLength))
	}
}

// DeleteUser removes a user with their personal projects, memberships and
// tokens. Like GitLab it refuses while the user is a group's only owner,
// unless hardDelete is set.
func (s *Service) DeleteUser(ctx context.Context, id *auth.Identity, userID int64, hardDelete bool) error {
	if err := requireAdmin(id); err != nil {
		return err
	}
	var personal, snippets []int64
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		u, err := q.UserByID(ctx, userID)
		if errors.Is(err, store.ErrNotFound) {
			return NotFound("User")
		}
		if err != nil {
			return fmt.Errorf("service: load user: %w", err)
		}
		soleOwned, err := q.SoleOwnedGroupIDs(ctx, u.ID)
		if err != nil {
			return err
		}
		if len(soleOwned) > 0 && !hardDelete {
			return Conflict("User cannot be removed while is the sole-owner of a group")
		}
		// A hard delete takes those groups along (GitLab's hard_delete):
		// marked here, purged with their projects by the background queue.
		for _, gid := range soleOwned {
			if err := q.MarkNamespaceTreeForDeletion(ctx, gid, s.Today()); err != nil {
				return err
			}
		}
		if u.NamespaceID != 0 {
			if personal, err = q.ProjectIDsInNamespaces(ctx, []int64{u.NamespaceID}); err != nil {
				return err
			}
			if err := s.projectDestroyHooks(ctx, q, personal); err != nil {
				return err
			}
			if snippets, err = q.DeleteProjectSnippets(ctx, personal); err != nil {
				return err
			}
			if err := q.DeleteNamespaceProjects(ctx, u.NamespaceID); err != nil {
				return err
			}
		}
		if err := q.DisownGroups(ctx, u.ID); err != nil {
			return err
		}
		if err := s.userSystemHooks(ctx, q, u, "user_destroy", ""); err != nil {
			return err
		}
		return q.DeleteUser(ctx, u.ID)
	})
	if err != nil {
		return err
	}
	s.deleteRepos(ctx, personal...)
	s.deleteSnippetRepos(ctx, snippets...)
	s.removeAvatars(ctx, AvatarUser, userID)
	return nil
}

// UserStateChange is the outcome of block, unblock, deactivate and
// activate: GitLab answers 201 with true, false or null.
type UserStateChange int

// Outcomes of a state change.
const (
	StateChanged UserStateChange = iota
	StateUnchanged
	StateNoop // GitLab's `break`: the body is null
)

// SetUserState carries out one of GitLab's state actions (block, unblock,
// deactivate, activate, ban, unban) with GitLab's rules and messages.
func (s *Service) SetUserState(ctx context.Context, id *auth.Identity, userID int64, action string) (UserStateChange, error) {
	if err := requireAdmin(id); err != nil {
		return 0, err
	}
	result := StateChanged
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		u, err := q.UserByID(ctx, userID)
		if errors.Is(err, store.ErrNotFound) {
			return NotFound("User")
		}
		if err != nil {
			return fmt.Errorf("service: load user: %w", err)
		}
		next := u.State
		switch action {
		case "block":
			if u.ID == id.UserID() {
				return Forbidden("The API initiating user cannot be blocked by the API")
			}
			if u.State == "blocked" {
				result = StateNoop
				return nil
			}
			next = "blocked"
		case "unblock":
			if u.State == "deactivated" {
				return Forbidden("Deactivated users cannot be unblocked by the API")
			}
			if u.State != "blocked" {
				result = StateUnchanged
				return nil
			}
			next = "active"
		case "deactivate":
			if u.State == "deactivated" {
				result = StateNoop
				return nil
			}
			if u.State == "blocked" {
				return Forbidden("A blocked user cannot be deactivated by the API")
			}
			if u.ID == id.UserID() {
				return Forbidden("The API initiating user cannot be deactivated by the API")
			}
			next = "deactivated"
		case "activate":
			if u.State == "blocked" {
				return Forbidden("A blocked user must be unblocked to be activated")
			}
			if u.State != "deactivated" {
				result = StateUnchanged
				return nil
			}
			next = "active"
		case "ban", "unban":
			// GitLab's Users::BannedUserBaseService: only active users are
			// banned, only banned ones unbanned.
			want, to := "active", "banned"
			if action == "unban" {
				want, to = "banned", "active"
			}
			if u.State != want {
				return ForbiddenPlain(fmt.Sprintf("You cannot %s %s users.", action, u.State))
			}
			next = to
		default:
			return fmt.Errorf("service: unknown user action %q", action)
		}
		u.State = next
		if err := q.UpdateUser(ctx, u); err != nil {
			return err
		}
		if next == "blocked" {
			// A blocked user's pipeline schedules stop, as GitLab's
			// DropPipelinesAndDisableSchedulesForUserService does.
			if err := q.DeactivateUserPipelineSchedules(ctx, u.ID); err != nil {
				return err
			}
		}
		// Sessions end with any change of state, so that unblocking or
		// activating an account does not bring old sessions back.
		return q.DeleteUserSessions(ctx, u.ID)
	})
	return result, err
}
