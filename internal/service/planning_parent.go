package service

import (
	"context"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// planningParent is the project or group whose labels, milestones or
// boards an operation handles, with the caller's level there.
type planningParent struct {
	project *model.Project   // nil for a group
	group   *model.Namespace // a group parent, or a project's group (nil in a personal namespace)
	level   access.Level
}

func (pp *planningParent) can(id *auth.Identity, a access.Ability) bool {
	if pp.project != nil {
		return planningFeatureOn(pp.project) && ProjectCan(id, pp.project, pp.level, a)
	}
	return GroupCan(pp.level, a)
}

// planningParent loads the project (group false) or the group ref names:
// "404 Project Not Found" or "404 Group Not Found" to callers who may not
// see it.
func (s *Service) planningParent(ctx context.Context, id *auth.Identity, ref string, group bool) (*planningParent, error) {
	if group {
		g, level, err := s.VisibleGroup(ctx, id, ref)
		if err != nil {
			return nil, err
		}
		return &planningParent{group: g, level: level}, nil
	}
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	pp := &planningParent{project: p, level: level}
	if p.Namespace != nil && p.Namespace.IsGroup() {
		pp.group = p.Namespace
	}
	return pp, nil
}
