package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// MembershipsViewer is who reads users' memberships.
type MembershipsViewer struct {
	ID            int64 // 0 for anonymous callers
	Admin         bool
	MinVisibility int // lowest visibility seen without membership
	Today         string
}

// VisibleUserMemberships lists, in one statement, the unexpired direct
// memberships of users userIDs in groups (sourceType model.SourceNamespace,
// at least Guest, as GitLab's User#group_members) or projects
// (model.SourceProject) that v may read, as GitLab's GroupMemberType and
// ProjectMemberType authorize each node with read_group and read_project
// on its source. Personal namespaces are left out. By user, then oldest
// membership first.
func (q *Queries) VisibleUserMemberships(ctx context.Context, userIDs []int64, sourceType string,
	v MembershipsViewer) ([]*model.Member, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	scope := viewerScope{ID: v.ID, Admin: v.Admin, MinVisibility: v.MinVisibility, Today: v.Today}
	var w conds
	w.in("m.user_id", false, userIDs)
	w.add("m.source_type = ?", sourceType)
	w.add("(m.expires_at IS NULL OR m.expires_at >= ?)", v.Today)
	from := " FROM members m JOIN projects p ON p.id = m.source_id"
	switch sourceType {
	case model.SourceProject:
		w.projectVisible(scope)
	case model.SourceNamespace:
		from = " FROM members m JOIN namespaces n ON n.id = m.source_id"
		w.add("n.kind = 'group'")
		w.add("m.access_level >= ?", 10)
		w.groupVisible(scope)
	default:
		return nil, fmt.Errorf("store: memberships of source type %q", sourceType)
	}
	out, err := q.scanMembers(ctx, "SELECT "+memberColumns+from+w.where()+" ORDER BY m.user_id, m.id", w.args...)
	if err != nil {
		return nil, fmt.Errorf("store: user memberships: %w", err)
	}
	return out, nil
}
