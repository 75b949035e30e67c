package service

import (
	"context"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// System hook events (SystemHooksService, doc/administration/system_hooks.md)
// and group member events (member_events of group hooks), queued in the
// transaction of the change. Every system hook gets every system event.

// systemHookTime is the timestamp format of system events.
const systemHookTime = "2006-01-02T15:04:05Z"

func sysTime(t time.Time) string { return t.UTC().Format(systemHookTime) }

// accessLevelName is Gitlab::Access's human name of a member level.
func accessLevelName(l int) string {
	switch access.Level(l) {
	case access.Minimal:
		return "Minimal Access"
	case access.Guest:
		return "Guest"
	case access.Planner:
		return "Planner"
	case access.Reporter:
		return "Reporter"
	case access.Developer:
		return "Developer"
	case access.Maintainer:
		return "Maintainer"
	case access.Owner:
		return "Owner"
	}
	return ""
}

// systemHooks queues a system event to every system hook.
func (s *Service) systemHooks(ctx context.Context, q *store.Queries, payload any) error {
	if s.hookQueue == nil {
		return nil
	}
	hooks, err := q.WebHooksOf(ctx, model.HookOfSystem, 0)
	if err != nil {
		return err
	}
	return s.enqueueToHooks(ctx, q, hooks, hookEvent{trigger: "system_hooks", header: "System Hook",
		wants: func(*model.WebHook) bool { return true }, payload: payload})
}

type sysOwner struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type sysProject struct {
	CreatedAt            string     `json:"created_at"`
	UpdatedAt            string     `json:"updated_at"`
	EventName            string     `json:"event_name"`
	Name                 string     `json:"name"`
	OwnerEmail           string     `json:"owner_email"`
	OwnerName            string     `json:"owner_name"`
	Owners               []sysOwner `json:"owners"`
	Path                 string     `json:"path"`
	PathWithNamespace    string     `json:"path_with_namespace"`
	ProjectID            int64      `json:"project_id"`
	ProjectNamespaceID   int64      `json:"project_namespace_id"`
	ProjectVisibility    string     `json:"project_visibility"`
	OldPathWithNamespace string     `json:"old_path_with_namespace,omitempty"`
}

// projectSystemHooks queues project_create, _destroy, _update, _rename
// (oldPath set) or _transfer (oldPath set) for p.
func (s *Service) projectSystemHooks(ctx context.Context, q *store.Queries, p *model.Project, event, oldPath string) error {
	d := sysProject{CreatedAt: sysTime(p.CreatedAt), UpdatedAt: sysTime(p.UpdatedAt), EventName: event, Name: p.Name,
		Owners: []sysOwner{}, Path: p.Path, PathWithNamespace: p.FullPath(), ProjectID: p.ID,
		ProjectNamespaceID: p.NamespaceID, ProjectVisibility: access.VisibilityName(p.VisibilityLevel),
		OldPathWithNamespace: oldPath}
	// Gitlab::HookData::ProjectBuilder: owner_* name the namespace's owner
	// (a group, which has no email, for a group's project); owners are the
	// users owning the group or one of its ancestors, or the personal
	// namespace's user, with their webhook emails.
	d.OwnerName = p.Namespace.Name
	if p.Namespace.OwnerID != nil {
		u, err := q.UserByID(ctx, *p.Namespace.OwnerID)
		if err != nil {
			return err
		}
		d.OwnerName, d.OwnerEmail = u.Name, webhookEmail(u)
		d.Owners = append(d.Owners, sysOwner{Name: u.Name, Email: webhookEmail(u)})
	} else {
		owners, err := q.NamespaceOwners(ctx, p.NamespaceID, s.Today())
		if err != nil {
			return err
		}
		for _, u := range owners {
			d.Owners = append(d.Owners, sysOwner{Name: u.Name, Email: webhookEmail(u)})
		}
	}
	return s.systemHooks(ctx, q, d)
}

// webhookEmail is User#webhook_email: the public email, or a redaction
// (a private address never leaves in a payload).
func webhookEmail(u *model.User) string {
	if u.PublicEmail != "" {
		return u.PublicEmail
	}
	return "[REDACTED]"
}

type sysUser struct {
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
	Email       string `json:"email"`
	EventName   string `json:"event_name"`
	Name        string `json:"name"`
	Username    string `json:"username"`
	UserID      int64  `json:"user_id"`
	OldUsername string `json:"old_username,omitempty"`
	State       string `json:"state,omitempty"`
}

// userSystemHooks queues user_create, user_destroy, user_rename
// (oldUsername set) or user_failed_login (with the user's state) for u.
func (s *Service) userSystemHooks(ctx context.Context, q *store.Queries, u *model.User, event, oldUsername string) error {
	d := sysUser{CreatedAt: sysTime(u.CreatedAt), UpdatedAt: sysTime(u.UpdatedAt),
		Email: u.Email, EventName: event, Name: u.Name, Username: u.Username, UserID: u.ID, OldUsername: oldUsername}
	if event == "user_failed_login" {
		d.State = u.State
	}
	return s.systemHooks(ctx, q, d)
}

type sysKey struct {
	EventName string `json:"event_name"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	Username  string `json:"username"`
	Key       string `json:"key"`
	ID        int64  `json:"id"`
}

// keySystemHooks queues key_create or key_destroy for a user's key.
func (s *Service) keySystemHooks(ctx context.Context, q *store.Queries, k *model.Key, event string) error {
	u, err := q.UserByID(ctx, k.UserID)
	if err != nil {
		return err
	}
	now := q.Now()
	return s.systemHooks(ctx, q, sysKey{EventName: event, CreatedAt: now.UTC().Format(hookTime),
		UpdatedAt: sysTime(now), Username: u.Username, Key: k.Text, ID: k.ID})
}

type sysGroup struct {
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
	EventName   string `json:"event_name"`
	Name        string `json:"name"`
	Path        string `json:"path"`
	FullPath    string `json:"full_path"`
	GroupID     int64  `json:"group_id"`
	OldPath     string `json:"old_path,omitempty"`
	OldFullPath string `json:"old_full_path,omitempty"`
}

// groupSystemHooks queues group_create, group_destroy or group_rename
// (old set) for g.
func (s *Service) groupSystemHooks(ctx context.Context, q *store.Queries, g *model.Namespace, event string, old *model.Namespace) error {
	d := sysGroup{CreatedAt: sysTime(g.CreatedAt), UpdatedAt: sysTime(g.UpdatedAt), EventName: event, Name: g.Name,
		Path: g.Path, FullPath: g.FullPath, GroupID: g.ID}
	if old != nil {
		d.OldPath, d.OldFullPath = old.Path, old.FullPath
	}
	return s.systemHooks(ctx, q, d)
}

type sysGroupMember struct {
	CreatedAt    string  `json:"created_at"`
	UpdatedAt    string  `json:"updated_at"`
	GroupName    string  `json:"group_name"`
	GroupPath    string  `json:"group_path"`
	GroupID      int64   `json:"group_id"`
	UserUsername string  `json:"user_username"`
	UserName     string  `json:"user_name"`
	UserEmail    string  `json:"user_email"`
	UserID       int64   `json:"user_id"`
	GroupAccess  string  `json:"group_access"`
	GroupPlan    *string `json:"group_plan"`
	ExpiresAt    *string `json:"expires_at"`
	EventName    string  `json:"event_name"`
}

type sysTeamMember struct {
	CreatedAt                string  `json:"created_at"`
	UpdatedAt                string  `json:"updated_at"`
	EventName                string  `json:"event_name"`
	AccessLevel              string  `json:"access_level"`
	ProjectID                int64   `json:"project_id"`
	ProjectName              string  `json:"project_name"`
	ProjectPath              string  `json:"project_path"`
	ProjectPathWithNamespace string  `json:"project_path_with_namespace"`
	UserEmail                string  `json:"user_email"`
	UserName                 string  `json:"user_name"`
	UserUsername             string  `json:"user_username"`
	UserID                   int64   `json:"user_id"`
	ProjectVisibility        string  `json:"project_visibility"`
	ExpiresAt                *string `json:"expires_at,omitempty"`
}

// memberHooks queues a membership's event: for a group, user_add_to_group,
// user_update_for_group or user_remove_from_group to the group hooks above
// it that take member events and to the system hooks; for a project,
// user_add_to_team, user_update_for_team or user_remove_from_team to the
// system hooks. action is add, update or remove.
func (s *Service) memberHooks(ctx context.Context, q *store.Queries, src *MemberSource, m *model.Member, action string) error {
	if s.hookQueue == nil {
		return nil
	}
	u, err := q.UserByID(ctx, m.UserID)
	if err != nil {
		return err
	}
	created, updated := m.CreatedAt, m.UpdatedAt
	if created.IsZero() {
		created = q.Now()
	}
	if updated.IsZero() {
		updated = created
	}
	var expires *string
	if m.ExpiresAt != nil {
		e := *m.ExpiresAt + "T00:00:00Z"
		expires = &e
	}
	if !src.IsGroup() {
		p, err := q.ProjectByID(ctx, src.ID)
		if err != nil {
			return err
		}
		event := map[string]string{"add": "user_add_to_team", "update": "user_update_for_team",
			"remove": "user_remove_from_team"}[action]
		return s.systemHooks(ctx, q, sysTeamMember{CreatedAt: sysTime(created), UpdatedAt: sysTime(updated),
			EventName: event, AccessLevel: accessLevelName(m.AccessLevel), ProjectID: p.ID, ProjectName: p.Name,
			ProjectPath: p.Path, ProjectPathWithNamespace: p.FullPath(), UserEmail: u.Email, UserName: u.Name,
			UserUsername: u.Username, UserID: u.ID, ProjectVisibility: access.VisibilityName(p.VisibilityLevel),
			ExpiresAt: expires})
	}
	g, err := q.NamespaceByID(ctx, src.ID)
	if err != nil {
		return err
	}
	hooks, err := q.WebHooksForGroup(ctx, g.ID)
	if err != nil {
		return err
	}
	event := map[string]string{"add": "user_add_to_group", "update": "user_update_for_group",
		"remove": "user_remove_from_group"}[action]
	return s.enqueueToHooks(ctx, q, hooks, hookEvent{trigger: "member_hooks", header: "Member Hook",
		wants: func(h *model.WebHook) bool { return h.Kind == model.HookOfSystem || h.Events.Member },
		payload: sysGroupMember{CreatedAt: sysTime(created), UpdatedAt: sysTime(updated), GroupName: g.Name,
			GroupPath: g.Path, GroupID: g.ID, UserUsername: u.Username, UserName: u.Name, UserEmail: u.Email,
			UserID: u.ID, GroupAccess: accessLevelName(m.AccessLevel), ExpiresAt: expires, EventName: event}})
}

type sysRefChange struct {
	Before string `json:"before"`
	After  string `json:"after"`
	Ref    string `json:"ref"`
}

type sysRepositoryUpdate struct {
	EventName  string         `json:"event_name"`
	UserID     int64          `json:"user_id"`
	UserName   string         `json:"user_name"`
	UserEmail  string         `json:"user_email"`
	UserAvatar *string        `json:"user_avatar"`
	ProjectID  int64          `json:"project_id"`
	Project    hookProject    `json:"project"`
	Changes    []sysRefChange `json:"changes"`
	Refs       []string       `json:"refs"`
}

// repositoryUpdateHookEvent is one push's repository_update event, for
// the system hooks that take repository_update_events.
func (s *Service) repositoryUpdateHookEvent(p *model.Project, pusher *model.User, landed []RefChange) hookEvent {
	d := sysRepositoryUpdate{EventName: "repository_update", UserID: pusher.ID, UserName: pusher.Name,
		UserEmail: pusher.Email, ProjectID: p.ID, Project: s.hookProjectOf(p), Changes: []sysRefChange{}, Refs: []string{}}
	for _, c := range landed {
		d.Changes = append(d.Changes, sysRefChange{Before: c.Old, After: c.New, Ref: c.Ref})
		d.Refs = append(d.Refs, c.Ref)
	}
	return hookEvent{trigger: "repository_update_hooks", header: "System Hook", payload: d,
		wants: func(h *model.WebHook) bool { return h.Kind == model.HookOfSystem && h.Events.RepositoryUpdate }}
}
