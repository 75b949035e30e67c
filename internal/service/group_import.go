package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Group import (GitLab's POST /groups/import): the archive of a group
// export (group_export.go) is unpacked with the project import's checks
// (import_export_extract.go) and read whole; then the group, its
// subgroups and their labels, milestones (with their iids), badges and
// boards are written in one transaction, within the request. A damaged or
// hostile archive is refused with 400 and leaves nothing. Memberships are
// not imported: the importer is the Owner of every group made.

// maxImportGroups bounds the groups of one archive.
const maxImportGroups = 1000

// GroupImportInput is POST /groups/import's parameters besides the file.
type GroupImportInput struct {
	Name     string
	Path     string
	ParentID *int64
}

// groupTreeNode is one group of an archive with its relations.
type groupTreeNode struct {
	attrs      exportedGroup
	labels     []exportedLabel
	milestones []exportedMilestone
	badges     []exportedBadge
	boards     []exportedBoard
}

// ImportGroup creates a group tree from an exported archive of size
// bytes. The caller must be allowed to create the group: a subgroup of
// the parent (create_subgroup) or a top-level group (create_group).
func (s *Service) ImportGroup(ctx context.Context, id *auth.Identity, in GroupImportInput, archive io.Reader, size int64) error {
	if !id.Authenticated() {
		return auth.ErrUnauthorized
	}
	parent, err := s.groupCreationParent(ctx, id, in.ParentID)
	if err != nil {
		return err
	}
	if size > maxImportArchive {
		return TooLarge()
	}
	// GitLab's closest_allowed_visibility_level: the parent's, private at
	// the top.
	root := &model.Namespace{Kind: model.KindGroup, Name: in.Name, Path: in.Path, LFSEnabled: true,
		RequestAccessEnabled: true, ProjectCreationLevel: "developer", SubgroupCreationLevel: "maintainer",
		VisibilityLevel: access.Private}
	if parent != nil {
		root.ParentID, root.VisibilityLevel = &parent.ID, parent.VisibilityLevel
	}
	if err := validateNewGroup(root, parent); err != nil {
		return err
	}
	tree, err := readGroupArchive(archive, size)
	if err != nil {
		return Invalid("Group import failed: " + err.Error())
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		return s.importGroupTree(ctx, q, id, root.Clone(), parent, tree)
	})
	var se *Error
	if err != nil && !errors.As(err, &se) {
		s.log.WarnContext(ctx, "group import failed", "path", in.Path, "err", err)
		return Invalid("Group import failed: " + err.Error())
	}
	return err
}

// readGroupArchive unpacks an archive in a temporary directory and reads
// its tree: the groups in _all.ndjson's order, the first the root, each
// parent before its children.
func readGroupArchive(archive io.Reader, size int64) ([]*groupTreeNode, error) {
	dir, err := os.MkdirTemp("", "lablet-group-import-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := extractImport(archive, size, dir); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	v, ok, err := readSmall(root, "VERSION", 64)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("the archive has no VERSION")
	}
	if err := checkImportVersion(string(v)); err != nil {
		return nil, err
	}
	ids, err := readNDJSONFile[int64](root, "tree/groups/_all.ndjson")
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, errors.New("the archive has no tree/groups/_all.ndjson (only the ndjson tree is supported)")
	}
	if len(ids) > maxImportGroups {
		return nil, fmt.Errorf("the archive has more than %d groups", maxImportGroups)
	}
	seen := map[int64]bool{}
	var out []*groupTreeNode
	for i, gid := range ids {
		n, err := readGroupNode(root, gid)
		if err != nil {
			return nil, err
		}
		if seen[gid] {
			return nil, fmt.Errorf("group %d is listed twice", gid)
		}
		if i > 0 && (n.attrs.ParentID == nil || !seen[*n.attrs.ParentID]) {
			return nil, fmt.Errorf("group %d: Parent group not found", gid)
		}
		seen[gid] = true
		out = append(out, n)
	}
	return out, nil
}

func readGroupNode(root *os.Root, gid int64) (*groupTreeNode, error) {
	dir := "tree/groups/" + strconv.FormatInt(gid, 10)
	b, ok, err := readSmall(root, dir+".json", importMaxLine)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("the archive has no %s.json", dir)
	}
	n := &groupTreeNode{}
	if err := json.Unmarshal(b, &n.attrs); err != nil {
		return nil, fmt.Errorf("%s.json: %w", dir, err)
	}
	if n.attrs.ID != gid {
		return nil, fmt.Errorf("Invalid group_id for %d", gid)
	}
	if n.labels, err = readNDJSONFile[exportedLabel](root, dir+"/labels.ndjson"); err != nil {
		return nil, err
	}
	if n.milestones, err = readNDJSONFile[exportedMilestone](root, dir+"/milestones.ndjson"); err != nil {
		return nil, err
	}
	if n.badges, err = readNDJSONFile[exportedBadge](root, dir+"/badges.ndjson"); err != nil {
		return nil, err
	}
	if n.boards, err = readNDJSONFile[exportedBoard](root, dir+"/boards.ndjson"); err != nil {
		return nil, err
	}
	return n, nil
}

// importGroupTree writes the groups of tree under parent, in q's
// transaction: the root with the name and path it is given, each subgroup
// with its own, its visibility at most its parent's.
func (s *Service) importGroupTree(ctx context.Context, q *store.Queries, id *auth.Identity, root, parent *model.Namespace,
	tree []*groupTreeNode) error {
	made := map[int64]*model.Namespace{}
	labels := map[int64]map[string]int64{} // the labels each made group can use, by title
	for i, n := range tree {
		g, up := root, parent
		if i == 0 {
			if d := n.attrs.Description; d != "" {
				g.Description = d
			}
		} else {
			up = made[*n.attrs.ParentID]
			g = importedSubgroup(n.attrs, up)
		}
		if err := validateNewGroup(g, up); err != nil {
			return err
		}
		fullPath := g.Path
		if up != nil {
			fullPath = up.FullPath + "/" + g.Path
		}
		if err := s.insertGroup(ctx, q, id, g, fullPath); err != nil {
			return err
		}
		made[n.attrs.ID] = g
		avail := map[string]int64{}
		if i > 0 {
			for t, lid := range labels[*n.attrs.ParentID] {
				avail[t] = lid
			}
		}
		if err := importGroupRelations(ctx, q, g, n, avail); err != nil {
			return fmt.Errorf("group %s: %w", g.FullPath, err)
		}
		labels[n.attrs.ID] = avail
	}
	return nil
}

// validateNewGroup checks a group to be made under parent (nil at the
// top): its fields, and GitLab's nesting limit.
func validateNewGroup(g, parent *model.Namespace) error {
	v := Validation{}
	validateGroupFields(g, parent, v)
	if parent != nil && parent.Depth+1 > MaxGroupAncestors {
		v.Add("parent_id", "has too deep level of nesting")
	}
	if len(v) > 0 {
		return saveGroupError(v)
	}
	return nil
}

// importedSubgroup is a subgroup of an archive under up.
func importedSubgroup(a exportedGroup, up *model.Namespace) *model.Namespace {
	g := &model.Namespace{Kind: model.KindGroup, Name: a.Name, Path: a.Path, Description: a.Description,
		ParentID: &up.ID, LFSEnabled: true, RequestAccessEnabled: true, ProjectCreationLevel: "developer",
		SubgroupCreationLevel: "maintainer", VisibilityLevel: access.Private}
	if a.VisibilityLevel != nil && slices.Contains([]int{access.Private, access.Internal, access.Public}, *a.VisibilityLevel) {
		g.VisibilityLevel = *a.VisibilityLevel
	}
	g.VisibilityLevel = min(g.VisibilityLevel, up.VisibilityLevel)
	if a.LFSEnabled != nil {
		g.LFSEnabled = *a.LFSEnabled
	}
	if a.RequestAccessEnabled != nil {
		g.RequestAccessEnabled = *a.RequestAccessEnabled
	}
	if l := a.ProjectCreationLevel; l != nil && *l >= 0 && *l < len(projectCreationLevels) {
		g.ProjectCreationLevel = projectCreationLevels[*l]
	}
	if l := a.SubgroupCreationLevel; l != nil && *l >= 0 && *l < len(subgroupCreationLevels) {
		g.SubgroupCreationLevel = subgroupCreationLevels[*l]
	}
	return g
}
