package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// NamespaceListOptions are the filters of GET /namespaces.
type NamespaceListOptions struct {
	Search        string
	OwnedOnly     bool
	Offset, Limit int
}

// ListNamespaces lists the caller's personal namespace and the groups they
// belong to; administrators get every namespace.
func (s *Service) ListNamespaces(ctx context.Context, id *auth.Identity, o NamespaceListOptions) ([]*model.Namespace, int, error) {
	if !id.Authenticated() {
		return nil, 0, auth.ErrUnauthorized
	}
	return s.db.Q().ListNamespaces(ctx, model.NamespaceFilter{UserID: id.UserID(), All: id.IsAdmin() && !o.OwnedOnly,
		OwnedOnly: o.OwnedOnly, Search: o.Search, Today: s.Today(), Offset: o.Offset, Limit: o.Limit})
}

// GetNamespace returns a namespace the caller reaches by membership: their
// own, or a group they belong to. Like GitLab, merely public groups are
// not enough; anything else is "404 Namespace Not Found".
func (s *Service) GetNamespace(ctx context.Context, id *auth.Identity, ref string) (*model.Namespace, access.Level, error) {
	ns, err := s.namespaceByRef(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, NotFound("Namespace")
	}
	if err != nil {
		return nil, 0, fmt.Errorf("service: load namespace: %w", err)
	}
	level, err := s.NamespaceLevel(ctx, id, ns)
	if err != nil {
		return nil, 0, err
	}
	if level < access.Guest || ns.MarkedForDeletionOn != nil && level < access.Admin {
		return nil, 0, NotFound("Namespace")
	}
	return ns, level, nil
}
