package service

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// MaxGroupAncestors is GitLab's nesting limit: a group may have at most
// this many ancestors.
const MaxGroupAncestors = 20

// GroupInput carries the attributes of a group create or update; nil
// fields are left alone (or defaulted on create).
type GroupInput struct {
	Name                  *string
	Path                  *string
	ParentID              *int64
	Visibility            *int
	Description           *string
	LFSEnabled            *bool
	RequestAccessEnabled  *bool
	ProjectCreationLevel  *string
	SubgroupCreationLevel *string
}

// saveGroupError renders validation failures the way GitLab's POST /groups
// does: one message embedding the Ruby inspection of the errors hash.
func saveGroupError(v Validation) error {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	rank := map[string]int{"name": 1, "path": 2, "parent_id": 3, "visibility_level": 4}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank[keys[i]], rank[keys[j]]
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		msgs := make([]string, len(v[k]))
		for j, m := range v[k] {
			msgs[j] = strconv.Quote(m)
		}
		parts[i] = ":" + k + "=>[" + strings.Join(msgs, ", ") + "]"
	}
	return Invalid("Failed to save group {" + strings.Join(parts, ", ") + "}")
}

// validateGroupFields checks name, path and visibility of g against its
// parent (nil for a top-level group).
func validateGroupFields(g *model.Namespace, parent *model.Namespace, v Validation) {
	if msg := ValidName(g.Name, ""); msg != "" {
		v.Add("name", msg)
	}
	if msg := ValidPath(g.Path, parent == nil); msg != "" {
		v.Add("path", msg)
	}
	if msg := ValidText(g.Description, 4*MaxNameLength); msg != "" {
		v.Add("description", msg)
	} else if utf8.RuneCountInString(g.Description) > MaxNameLength {
		v.Add("description", "is too long (maximum is 255 characters)")
	}
	if parent != nil && g.VisibilityLevel > parent.VisibilityLevel {
		v.Add("visibility_level", access.VisibilityName(g.VisibilityLevel)+
			" is not allowed since the parent group has a "+access.VisibilityName(parent.VisibilityLevel)+" visibility.")
	}
}

// pathTaken reports whether fullPath names another namespace.
func pathTaken(ctx context.Context, q *store.Queries, fullPath string, selfID int64) (bool, error) {
	other, err := q.NamespaceByFullPath(ctx, fullPath)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("service: check group path: %w", err)
	}
	return other.ID != selfID, nil
}

// CreateGroup creates a group with the caller as its Owner.
func (s *Service) CreateGroup(ctx context.Context, id *auth.Identity, in GroupInput) (*model.Namespace, error) {
	if !id.Authenticated() {
		return nil, auth.ErrUnauthorized
	}
	parent, err := s.groupCreationParent(ctx, id, in.ParentID)
	if err != nil {
		return nil, err
	}
	g := &model.Namespace{Kind: model.KindGroup, LFSEnabled: true, RequestAccessEnabled: true,
		ProjectCreationLevel: "developer", SubgroupCreationLevel: "maintainer", VisibilityLevel: access.Private}
	if parent != nil {
		g.ParentID = &parent.ID
	}
	if in.Visibility == nil {
		// The instance's default, lowered to the parent's (GitLab's
		// default_group_visibility).
		settings, err := s.InstanceSettings(ctx)
		if err != nil {
			return nil, err
		}
		g.VisibilityLevel = defaultVisibility(settings.DefaultGroupVisibility)
		if parent != nil {
			g.VisibilityLevel = min(g.VisibilityLevel, parent.VisibilityLevel)
		}
	}
	applyGroupInput(g, in)
	v := Validation{}
	validateGroupFields(g, parent, v)
	if msg, err := s.visibilityRestricted(ctx, id, g.VisibilityLevel); err != nil {
		return nil, err
	} else if msg != "" {
		v.Add("visibility_level", msg)
	}
	if parent != nil && parent.Depth+1 > MaxGroupAncestors {
		v.Add("parent_id", "has too deep level of nesting")
	}
	if len(v) > 0 {
		return nil, saveGroupError(v)
	}
	fullPath := g.Path
	if parent != nil {
		fullPath = parent.FullPath + "/" + g.Path
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		return s.insertGroup(ctx, q, id, g, fullPath)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// groupCreationParent checks that the caller may create a group under
// parentID (create_subgroup: the parent's subgroup creation level) or,
// when it is nil, a top-level group (create_group), and returns the
// parent.
func (s *Service) groupCreationParent(ctx context.Context, id *auth.Identity, parentID *int64) (*model.Namespace, error) {
	if parentID == nil {
		if !id.IsAdmin() && !id.User.CanCreateGroup {
			return nil, Forbidden("")
		}
		return nil, nil
	}
	p, level, err := s.VisibleGroup(ctx, id, strconv.FormatInt(*parentID, 10))
	if err != nil {
		return nil, err
	}
	need := access.Maintainer
	if p.SubgroupCreationLevel == "owner" {
		need = access.Owner
	}
	if level < need {
		return nil, Forbidden("")
	}
	return p, nil
}

// insertGroup writes a validated new group at fullPath, in q's
// transaction, with the caller as its Owner, and its hooks.
func (s *Service) insertGroup(ctx context.Context, q *store.Queries, id *auth.Identity, g *model.Namespace, fullPath string) error {
	taken, err := pathTaken(ctx, q, fullPath, 0)
	if err != nil {
		return err
	}
	if taken {
		return saveGroupError(Validation{"path": {"has already been taken"}})
	}
	if err := q.CreateNamespace(ctx, g); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return saveGroupError(Validation{"path": {"has already been taken"}})
		}
		return fmt.Errorf("service: create group: %w", err)
	}
	creator := id.User.ID
	owner := &model.Member{SourceType: model.SourceNamespace, SourceID: g.ID, UserID: creator,
		AccessLevel: int(access.Owner), CreatedByID: &creator}
	if err := q.UpsertMember(ctx, owner); err != nil {
		return err
	}
	if err := s.groupSystemHooks(ctx, q, g, "group_create", nil); err != nil {
		return err
	}
	return s.memberHooks(ctx, q, &MemberSource{Type: model.SourceNamespace, ID: g.ID, NamespaceID: g.ID}, owner, "add")
}

func applyGroupInput(g *model.Namespace, in GroupInput) {
	if in.Name != nil {
		g.Name = *in.Name
	}
	if in.Path != nil {
		g.Path = *in.Path
	}
	if in.Visibility != nil {
		g.VisibilityLevel = *in.Visibility
	}
	if in.Description != nil {
		g.Description = *in.Description
	}
	if in.LFSEnabled != nil {
		g.LFSEnabled = *in.LFSEnabled
	}
	if in.RequestAccessEnabled != nil {
		g.RequestAccessEnabled = *in.RequestAccessEnabled
	}
	if in.ProjectCreationLevel != nil {
		g.ProjectCreationLevel = *in.ProjectCreationLevel
	}
	if in.SubgroupCreationLevel != nil {
		g.SubgroupCreationLevel = *in.SubgroupCreationLevel
	}
}

// GetGroup returns a group the caller may see.
func (s *Service) GetGroup(ctx context.Context, id *auth.Identity, ref string) (*model.Namespace, access.Level, error) {
	return s.VisibleGroup(ctx, id, ref)
}

// UpdateGroup changes a group's attributes; Owners only.
func (s *Service) UpdateGroup(ctx context.Context, id *auth.Identity, ref string, in GroupInput) (*model.Namespace, error) {
	g, level, err := s.VisibleGroup(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if level < access.Owner {
		return nil, Forbidden("")
	}
	var restricted string
	if in.Visibility != nil {
		if restricted, err = s.visibilityRestricted(ctx, id, *in.Visibility); err != nil {
			return nil, err
		}
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		// Re-read inside the transaction so concurrent updates don't mix.
		cur, err := q.NamespaceByID(ctx, g.ID)
		if err != nil {
			return fmt.Errorf("service: reload group: %w", err)
		}
		var parent *model.Namespace
		if cur.ParentID != nil {
			if parent, err = q.NamespaceByID(ctx, *cur.ParentID); err != nil {
				return fmt.Errorf("service: load parent group: %w", err)
			}
		}
		oldVis, old := cur.VisibilityLevel, *cur
		applyGroupInput(cur, in)
		v := Validation{}
		validateGroupFields(cur, parent, v)
		if cur.VisibilityLevel != oldVis && restricted != "" {
			v.Add("visibility_level", restricted)
		}
		if cur.VisibilityLevel < oldVis {
			groups, projects, err := q.MaxDescendantVisibility(ctx, cur.ID)
			if err != nil {
				return err
			}
			name := access.VisibilityName(cur.VisibilityLevel)
			if projects > cur.VisibilityLevel {
				v.Add("visibility_level", name+" is not allowed since this group contains projects with higher visibility.")
			}
			if groups > cur.VisibilityLevel {
				v.Add("visibility_level", name+" is not allowed since there are sub-groups with higher visibility.")
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		fullPath := cur.Path
		if parent != nil {
			fullPath = parent.FullPath + "/" + cur.Path
		}
		taken, err := pathTaken(ctx, q, fullPath, cur.ID)
		if err != nil {
			return err
		}
		if taken {
			return Validation{"path": {"has already been taken"}}.Err()
		}
		if err := q.UpdateNamespace(ctx, cur); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return Validation{"path": {"has already been taken"}}.Err()
			}
			return fmt.Errorf("service: update group: %w", err)
		}
		g = cur
		if cur.Path != old.Path {
			cur.FullPath = fullPath
			return s.groupSystemHooks(ctx, q, cur, "group_rename", &old)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// DeleteGroup schedules a group, its subgroups and their projects for
// removal; Owners only. The group disappears for everyone but
// administrators at once and the background purge removes it.
func (s *Service) DeleteGroup(ctx context.Context, id *auth.Identity, ref string) error {
	g, level, err := s.VisibleGroup(ctx, id, ref)
	if err != nil {
		return err
	}
	if level < access.Owner {
		return Forbidden("")
	}
	if g.MarkedForDeletionOn != nil {
		return Invalid("Group has been already marked for deletion")
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		return q.MarkNamespaceTreeForDeletion(ctx, g.ID, s.Today())
	})
}

// GroupListOptions are the filters of GET /groups and its sub-lists.
type GroupListOptions struct {
	Search         string
	Owned          bool
	MinAccessLevel int
	AllAvailable   *bool
	TopLevelOnly   bool
	Visibility     *int
	SkipIDs        []int64
	OrderBy        string
	Desc           bool
	Offset, Limit  int
	// CustomAttributes filters administrators' lists only, as GitLab's
	// CustomAttributesFilter.
	CustomAttributes map[string]string
}

func (s *Service) groupFilter(id *auth.Identity, o GroupListOptions) model.GroupFilter {
	f := model.GroupFilter{UserID: id.UserID(), Admin: id.IsAdmin(), MinVisibility: viewer(id).MinVisibleLevel(),
		MinAccessLevel: o.MinAccessLevel, Search: o.Search, TopLevelOnly: o.TopLevelOnly, Visibility: o.Visibility,
		SkipIDs: o.SkipIDs, Today: s.Today(), OrderBy: o.OrderBy, Desc: o.Desc, Offset: o.Offset, Limit: o.Limit}
	if o.Owned {
		f.MinAccessLevel = int(access.Owner)
	}
	if id.IsAdmin() {
		f.CustomAttributes = o.CustomAttributes
	}
	if f.MinAccessLevel > 0 {
		f.MemberOnly = true
	}
	return f
}

// ListGroups lists the groups the caller may see. As in GitLab, signed-in
// non-administrators get only their own groups unless all_available is
// set; anonymous callers get public groups.
func (s *Service) ListGroups(ctx context.Context, id *auth.Identity, o GroupListOptions) ([]*model.Namespace, int, error) {
	return s.db.Queries().ListGroups(ctx, s.listFilter(id, o))
}

// listFilter applies all_available: it defaults to false for signed-in
// users and true for administrators; false limits to the caller's groups.
func (s *Service) listFilter(id *auth.Identity, o GroupListOptions) model.GroupFilter {
	f := s.groupFilter(id, o)
	allAvailable := id.IsAdmin()
	if o.AllAvailable != nil {
		allAvailable = *o.AllAvailable
	}
	if id.Authenticated() && !allAvailable {
		f.MemberOnly = true
		if id.IsAdmin() && f.MinAccessLevel == 0 {
			f.MinAccessLevel = int(access.Guest)
		}
	}
	return f
}

// ListSubgroups lists the visible direct children (or, with all, every
// descendant) of a visible group.
func (s *Service) ListSubgroups(ctx context.Context, id *auth.Identity, ref string, all bool, o GroupListOptions) ([]*model.Namespace, int, error) {
	g, _, err := s.VisibleGroup(ctx, id, ref)
	if err != nil {
		return nil, 0, err
	}
	f := s.listFilter(id, o)
	if all {
		f.AncestorID = &g.ID
	} else {
		f.ParentID = &g.ID
	}
	return s.db.Queries().ListGroups(ctx, f)
}

// PurgeDeletedGroups removes groups scheduled for deletion with their
// subgroups, projects and memberships, one group tree per transaction.
func (s *Service) PurgeDeletedGroups(ctx context.Context) error {
	ids, err := s.db.Queries().GroupIDsMarkedForDeletion(ctx)
	if err != nil {
		return err
	}
	for _, gid := range ids {
		var purged, tree, snippets []int64
		err := s.db.WithTx(ctx, func(q *store.Queries) error {
			var err error
			tree, err = q.DescendantIDs(ctx, gid) // deepest first
			if err != nil {
				return err
			}
			tree = append(tree, gid)
			projects, err := q.ProjectIDsInNamespaces(ctx, tree)
			if err != nil {
				return err
			}
			purged = projects
			if err := s.projectDestroyHooks(ctx, q, projects); err != nil {
				return err
			}
			if snippets, err = q.DeleteProjectSnippets(ctx, projects); err != nil {
				return err
			}
			for _, pid := range projects {
				if err := q.DeleteProject(ctx, pid); err != nil {
					return err
				}
			}
			for _, nsID := range tree {
				g, err := q.NamespaceByID(ctx, nsID)
				if err != nil {
					return err
				}
				if err := s.groupSystemHooks(ctx, q, g, "group_destroy", nil); err != nil {
					return err
				}
				if err := q.DeleteNamespace(ctx, nsID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("service: purge group %d: %w", gid, err)
		}
		s.deleteRepos(ctx, purged...)
		s.deleteSnippetRepos(ctx, snippets...)
		s.removeAvatars(ctx, AvatarGroup, tree...)
		s.deleteGroupWikis(ctx, tree...)
	}
	return nil
}
