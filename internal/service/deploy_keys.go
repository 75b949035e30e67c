package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Deploy keys (GitLab's DeployKey, DeployKeysProject, API::DeployKeys and
// Projects::EnableDeployKeyService): SSH keys of a machine, enabled on
// projects by their maintainers, reading them and, with can_push, pushing
// to their unprotected branches.

var errDeployKeyNotFound = NotFound("Deploy Key")

// ProjectDeployKey is a deploy key as enabled on one project.
type ProjectDeployKey struct {
	Key  *model.Key
	Link *model.DeployKeyProject
}

// DeployKeyView is a deploy key with the projects it is enabled on.
type DeployKeyView struct {
	Key      *model.Key
	Projects []ProjectLink
}

// ProjectLink is a project a deploy key is enabled on.
type ProjectLink struct {
	Project *model.Project
	CanPush bool
}

// DeployKeyInput is a new deploy key (or one to enable again by its text).
type DeployKeyInput struct {
	KeyInput
	CanPush bool
}

// ListDeployKeys is GET /deploy_keys (administrators): every deploy key,
// the instance-level ones only when public.
func (s *Service) ListDeployKeys(ctx context.Context, id *auth.Identity, public bool) ([]*DeployKeyView, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	q := s.db.Queries()
	keys, err := q.DeployKeys(ctx, public)
	if err != nil {
		return nil, err
	}
	// Every key's links and their projects in two queries, not per key.
	ids := make([]int64, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	links, err := q.DeployKeyLinksOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	projectIDs := make([]int64, len(links))
	for i, l := range links {
		projectIDs[i] = l.ProjectID
	}
	projects, err := q.ProjectsByIDs(ctx, projectIDs)
	if err != nil {
		return nil, err
	}
	byKey := make(map[int64][]ProjectLink, len(keys))
	for _, l := range links {
		if p := projects[l.ProjectID]; p != nil {
			byKey[l.DeployKeyID] = append(byKey[l.DeployKeyID], ProjectLink{Project: p, CanPush: l.CanPush})
		}
	}
	out := make([]*DeployKeyView, len(keys))
	for i, k := range keys {
		out[i] = &DeployKeyView{Key: k, Projects: byKey[k.ID]}
	}
	return out, nil
}

// CreateInstanceDeployKey is POST /deploy_keys (administrators): a public
// deploy key any maintainer may enable.
func (s *Service) CreateInstanceDeployKey(ctx context.Context, id *auth.Identity, in KeyInput) (*model.Key, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	k, err := s.newKey(in, id.UserID(), true)
	if err != nil {
		return nil, err
	}
	k.Public = true
	if err := storeKey(ctx, s.db.Queries(), k); err != nil {
		return nil, err
	}
	return k, nil
}

// ProjectDeployKeys is GET /projects/:id/deploy_keys (Maintainer).
func (s *Service) ProjectDeployKeys(ctx context.Context, id *auth.Identity, ref string) ([]ProjectDeployKey, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.AdminProject)
	if err != nil {
		return nil, err
	}
	keys, links, err := s.db.Queries().ProjectDeployKeys(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out := make([]ProjectDeployKey, len(keys))
	for i, k := range keys {
		out[i] = ProjectDeployKey{Key: k, Link: links[i]}
	}
	return out, nil
}

// projectDeployKey finds a deploy key enabled on the project ref names,
// for a Maintainer.
func (s *Service) projectDeployKey(ctx context.Context, id *auth.Identity, ref string, keyID int64) (*model.Project, ProjectDeployKey, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.AdminProject)
	if err != nil {
		return nil, ProjectDeployKey{}, err
	}
	q := s.db.Queries()
	l, err := q.DeployKeyProject(ctx, keyID, p.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ProjectDeployKey{}, errDeployKeyNotFound
	}
	if err != nil {
		return nil, ProjectDeployKey{}, fmt.Errorf("service: load deploy key: %w", err)
	}
	k, err := q.KeyByID(ctx, keyID)
	if err != nil {
		return nil, ProjectDeployKey{}, fmt.Errorf("service: load deploy key: %w", err)
	}
	return p, ProjectDeployKey{Key: k, Link: l}, nil
}

// ProjectDeployKey is GET /projects/:id/deploy_keys/:key_id.
func (s *Service) ProjectDeployKey(ctx context.Context, id *auth.Identity, ref string, keyID int64) (ProjectDeployKey, error) {
	_, pk, err := s.projectDeployKey(ctx, id, ref, keyID)
	return pk, err
}

// accessibleDeployKey reports whether the caller may enable k elsewhere:
// instance-level keys, and keys of projects they maintain (GitLab's
// accessible_deploy_keys); administrators reach every deploy key.
func (s *Service) accessibleDeployKey(ctx context.Context, id *auth.Identity, k *model.Key) (bool, error) {
	if !k.Deploy {
		return false, nil
	}
	if k.Public || id.IsAdmin() {
		return true, nil
	}
	links, err := s.db.Queries().DeployKeyLinks(ctx, k.ID)
	if err != nil {
		return false, err
	}
	for _, l := range links {
		p, level, err := s.VisibleProject(ctx, id, strconv.FormatInt(l.ProjectID, 10))
		if KindOf(err) == KindNotFound {
			continue
		}
		if err != nil {
			return false, err
		}
		if ProjectCan(id, p, level, access.AdminProject) {
			return true, nil
		}
	}
	return false, nil
}

// CreateProjectDeployKey is POST /projects/:id/deploy_keys (Maintainer):
// the key already on the project is answered as it is; a deploy key the
// caller may reach elsewhere is enabled; else a new key is made. Errors
// of the new key are the nested deploy_key.* attributes, as GitLab's.
func (s *Service) CreateProjectDeployKey(ctx context.Context, id *auth.Identity, ref string, in DeployKeyInput) (ProjectDeployKey, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.AdminProject)
	if err != nil {
		return ProjectDeployKey{}, err
	}
	k, err := s.newKey(in.KeyInput, id.UserID(), true)
	if err != nil {
		return ProjectDeployKey{}, nestedErrors(err, "deploy_key.")
	}
	out, err := s.addProjectDeployKey(ctx, id, p, k, in.CanPush)
	if errors.Is(err, errKeyStoredMeanwhile) {
		// One key added to several projects at once: look again, and
		// enable the key the other request stored.
		out, err = s.addProjectDeployKey(ctx, id, p, k, in.CanPush)
	}
	if errors.Is(err, errKeyStoredMeanwhile) {
		return ProjectDeployKey{}, Validation{"deploy_key.fingerprint_sha256": {"has already been taken"}}.Err()
	}
	return out, err
}

// errKeyStoredMeanwhile: another request stored a key of the same
// fingerprint between addProjectDeployKey's lookup and its insert.
var errKeyStoredMeanwhile = errors.New("service: deploy key stored meanwhile")

// addProjectDeployKey enables the stored key of k's fingerprint on p, or
// stores k and enables it.
func (s *Service) addProjectDeployKey(ctx context.Context, id *auth.Identity, p *model.Project, k *model.Key, canPush bool) (ProjectDeployKey, error) {
	existing, err := s.db.Queries().KeyByFingerprintSHA256(ctx, k.FingerprintSHA256)
	switch {
	case errors.Is(err, store.ErrNotFound):
		existing = nil
	case err != nil:
		return ProjectDeployKey{}, fmt.Errorf("service: find deploy key: %w", err)
	default:
		if l, err := s.db.Queries().DeployKeyProject(ctx, existing.ID, p.ID); err == nil {
			return ProjectDeployKey{Key: existing, Link: l}, nil
		}
		ok, err := s.accessibleDeployKey(ctx, id, existing)
		if err != nil {
			return ProjectDeployKey{}, err
		}
		if !ok {
			return ProjectDeployKey{}, Validation{"deploy_key.fingerprint_sha256": {"has already been taken"}}.Err()
		}
		k = existing
	}
	l := &model.DeployKeyProject{ProjectID: p.ID, CanPush: canPush}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if existing == nil {
			err := q.CreateKey(ctx, k)
			if errors.Is(err, store.ErrConflict) {
				return errKeyStoredMeanwhile // storeKey's uniqueness error, told apart for a second look
			}
			if err != nil {
				return err
			}
		}
		l.DeployKeyID = k.ID
		return q.EnableDeployKey(ctx, l)
	})
	if errors.Is(err, store.ErrConflict) {
		// Enabled meanwhile by another request: answer what is there.
		if l, lerr := s.db.Queries().DeployKeyProject(ctx, k.ID, p.ID); lerr == nil {
			return ProjectDeployKey{Key: k, Link: l}, nil
		}
	}
	if err != nil {
		return ProjectDeployKey{}, err
	}
	return ProjectDeployKey{Key: k, Link: l}, nil
}

// nestedErrors prefixes a validation error's fields, as Rails names the
// errors of nested attributes.
func nestedErrors(err error, prefix string) error {
	var se *Error
	if !errors.As(err, &se) || len(se.Fields) == 0 {
		return err
	}
	v := Validation{}
	for f, msgs := range se.Fields {
		v[prefix+f] = msgs
	}
	return v.Err()
}

// UpdateProjectDeployKey is PUT /projects/:id/deploy_keys/:key_id: a
// Maintainer sets can_push; the title changes only for the key's creator
// or an administrator (GitLab's update_deploy_key).
func (s *Service) UpdateProjectDeployKey(ctx context.Context, id *auth.Identity, ref string, keyID int64, title *string, canPush *bool) (*model.Key, error) {
	_, pk, err := s.projectDeployKey(ctx, id, ref, keyID)
	if err != nil {
		return nil, err
	}
	mayRename := id.IsAdmin() || pk.Key.UserID == id.UserID()
	if title != nil && mayRename {
		v := Validation{}
		validateKey(v, *title, pk.Key.Text)
		if msgs := v["title"]; len(msgs) > 0 {
			return nil, Validation{"deploy_key.title": msgs}.Err()
		}
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if canPush != nil {
			pk.Link.CanPush = *canPush
			if err := q.UpdateDeployKeyProject(ctx, pk.Link); err != nil {
				return err
			}
		}
		if title != nil && mayRename {
			pk.Key.Title = *title
			return q.UpdateKeyTitle(ctx, pk.Key)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pk.Key, nil
}

// DeleteProjectDeployKey is DELETE /projects/:id/deploy_keys/:key_id: the
// key leaves the project, and the instance when no project keeps it.
func (s *Service) DeleteProjectDeployKey(ctx context.Context, id *auth.Identity, ref string, keyID int64) error {
	p, _, err := s.projectDeployKey(ctx, id, ref, keyID)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error { return q.DisableDeployKey(ctx, keyID, p.ID) })
}

// EnableProjectDeployKey is POST /projects/:id/deploy_keys/:key_id/enable:
// a deploy key the caller may reach is enabled (read-only) on the project.
func (s *Service) EnableProjectDeployKey(ctx context.Context, id *auth.Identity, ref string, keyID int64) (*model.Key, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.AdminProject)
	if err != nil {
		return nil, err
	}
	q := s.db.Queries()
	k, err := q.KeyByID(ctx, keyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errDeployKeyNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: load deploy key: %w", err)
	}
	ok, err := s.accessibleDeployKey(ctx, id, k)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errDeployKeyNotFound
	}
	err = q.EnableDeployKey(ctx, &model.DeployKeyProject{DeployKeyID: k.ID, ProjectID: p.ID})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return nil, err
	}
	return k, nil
}
