package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
	"github.com/riverqueue/river"
)

// Group export (GitLab's group_export API): a River job of the import and
// export queue writes the group and its subgroups into one .tar.gz in the
// blob store (group-exports/<group id>/), GitLab's file-based ndjson
// layout (lib/gitlab/import_export/group): VERSION, tree/groups/_all.ndjson
// (the groups' ids, each parent before its children),
// tree/groups/<id>.json (a group's attributes) and
// tree/groups/<id>/<relation>.ndjson (labels, milestones, badges, boards
// with their label lists, members). Projects are not part of a group
// export, as in GitLab. Import is group_import.go.

// groupExportKey is where a group's export archive is kept.
func groupExportKey(groupID int64) string {
	return fmt.Sprintf("group-exports/%d/export.tar.gz", groupID)
}

type groupExportArgs struct {
	GroupID int64 `json:"group_id"`
}

func (groupExportArgs) Kind() string { return "group_export" }

type groupExportWorker struct {
	river.WorkerDefaults[groupExportArgs]
	s *Service
}

func (w groupExportWorker) Work(ctx context.Context, job *river.Job[groupExportArgs]) error {
	return w.s.runGroupExport(ctx, job.Args.GroupID)
}

func (w groupExportWorker) Timeout(*river.Job[groupExportArgs]) time.Duration {
	return importExportTimeout
}

// exportedGroup is tree/groups/<id>.json, GitLab's group attributes less
// its excluded ones.
type exportedGroup struct {
	ID                    int64  `json:"id"`
	Name                  string `json:"name"`
	Path                  string `json:"path"`
	Description           string `json:"description"`
	VisibilityLevel       *int   `json:"visibility_level"`
	ParentID              *int64 `json:"parent_id"`
	LFSEnabled            *bool  `json:"lfs_enabled"`
	RequestAccessEnabled  *bool  `json:"request_access_enabled"`
	ProjectCreationLevel  *int   `json:"project_creation_level"`
	SubgroupCreationLevel *int   `json:"subgroup_creation_level"`
}

type exportedBadge struct {
	ID        int64   `json:"id"`
	Name      *string `json:"name"`
	LinkURL   string  `json:"link_url"`
	ImageURL  string  `json:"image_url"`
	Type      string  `json:"type"`
	CreatedAt string  `json:"created_at"`
	UpdatedAt string  `json:"updated_at"`
}

type exportedBoardList struct {
	ID       int64          `json:"id"`
	ListType string         `json:"list_type"`
	Position *int64         `json:"position"`
	Label    *exportedLabel `json:"label,omitempty"`
}

type exportedBoard struct {
	ID              int64               `json:"id"`
	Name            string              `json:"name"`
	HideBacklogList bool                `json:"hide_backlog_list"`
	HideClosedList  bool                `json:"hide_closed_list"`
	CreatedAt       string              `json:"created_at"`
	UpdatedAt       string              `json:"updated_at"`
	Lists           []exportedBoardList `json:"lists"`
}

// GitLab's project_creation_level and subgroup_creation_level numbers.
var (
	projectCreationLevels  = []string{"noone", "maintainer", "developer", "administrator", "owner"}
	subgroupCreationLevels = []string{"owner", "maintainer"}
)

// exportableGroup loads a group whose export the caller may manage:
// admin_group (Owner), as GitLab.
func (s *Service) exportableGroup(ctx context.Context, id *auth.Identity, ref string) (*model.Namespace, error) {
	g, level, err := s.VisibleGroup(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if !id.Authenticated() || !GroupCan(level, access.AdminGroup) {
		return nil, Forbidden("")
	}
	return g, nil
}

// ScheduleGroupExport queues an export of the group and its subgroups
// (admin_group); one already waiting or running is not queued again.
func (s *Service) ScheduleGroupExport(ctx context.Context, id *auth.Identity, ref string) error {
	g, err := s.exportableGroup(ctx, id, ref)
	if err != nil {
		return err
	}
	return s.queueExport(ctx, id, "group_export", g.ID, groupExportArgs{GroupID: g.ID})
}

// OpenGroupExport opens the group's finished export, with GitLab's 404s:
// "404 Not found or has expired" without one, "The group export file is
// not available yet" while it is being built.
func (s *Service) OpenGroupExport(ctx context.Context, id *auth.Identity, ref string) (*ExportArchive, error) {
	g, err := s.exportableGroup(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	return s.openExport(ctx, "group_export", g.ID, g.FullPath, NotFoundPlain("404 Not found or has expired"),
		NotFoundPlain("The group export file is not available yet"))
}

// runGroupExport builds the archive of a group and stores it.
func (s *Service) runGroupExport(ctx context.Context, groupID int64) error {
	g, err := s.db.Queries().NamespaceByID(ctx, groupID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted since
	}
	if err != nil {
		return err
	}
	key := groupExportKey(g.ID)
	return s.runExportJob(ctx, "group_export", g.ID, key, func() error {
		return s.writeArchive(ctx, key, func(w *exportWriter, _ string) error {
			return s.exportGroupTree(ctx, g, w)
		})
	})
}

// exportGroupTree writes VERSION and the tree of g and its subgroups.
func (s *Service) exportGroupTree(ctx context.Context, g *model.Namespace, w *exportWriter) error {
	if err := w.writeVersion(); err != nil {
		return err
	}
	q := s.db.Queries()
	desc, err := q.DescendantIDs(ctx, g.ID)
	if err != nil {
		return err
	}
	slices.Reverse(desc) // shallowest first: each parent before its children
	ids := append([]int64{g.ID}, desc...)
	groups, err := q.NamespacesByIDs(ctx, ids)
	if err != nil {
		return err
	}
	var all []int64
	for _, gid := range ids {
		n, ok := groups[gid]
		if !ok {
			continue
		}
		if err := s.exportGroup(ctx, q, n, w); err != nil {
			return fmt.Errorf("group %d: %w", gid, err)
		}
		all = append(all, gid)
	}
	return writeNDJSON(w, "tree/groups/_all.ndjson", all)
}

func (s *Service) exportGroup(ctx context.Context, q *store.Queries, g *model.Namespace, w *exportWriter) error {
	vis, lfs, req := g.VisibilityLevel, g.LFSEnabled, g.RequestAccessEnabled
	eg := exportedGroup{ID: g.ID, Name: g.Name, Path: g.Path, Description: g.Description, VisibilityLevel: &vis,
		ParentID: g.ParentID, LFSEnabled: &lfs, RequestAccessEnabled: &req}
	if i := slices.Index(projectCreationLevels, g.ProjectCreationLevel); i >= 0 {
		eg.ProjectCreationLevel = &i
	}
	if i := slices.Index(subgroupCreationLevels, g.SubgroupCreationLevel); i >= 0 {
		eg.SubgroupCreationLevel = &i
	}
	b, err := json.Marshal(eg)
	if err != nil {
		return err
	}
	dir := "tree/groups/" + strconv.FormatInt(g.ID, 10)
	if err := w.bytes(dir+".json", b); err != nil {
		return err
	}
	labels, err := q.ScopeLabels(ctx, store.LabelScope{GroupIDs: []int64{g.ID}})
	if err != nil {
		return err
	}
	var el []exportedLabel
	for _, l := range labels {
		el = append(el, groupLabelRecord(l))
	}
	if err := writeNDJSON(w, dir+"/labels.ndjson", el); err != nil {
		return err
	}
	milestones, _, err := q.ListMilestones(ctx, store.MilestoneFilter{GroupIDs: []int64{g.ID}, Limit: 100_000})
	if err != nil {
		return err
	}
	var em []exportedMilestone
	for _, m := range milestones {
		em = append(em, exportedMilestone{ID: m.ID, IID: m.IID, Title: m.Title, Description: strPtr(m.Description),
			State: m.State, DueDate: m.DueDate, StartDate: m.StartDate, CreatedAt: exportTime(m.CreatedAt),
			UpdatedAt: exportTime(m.UpdatedAt)})
	}
	slices.SortFunc(em, func(a, b exportedMilestone) int { return int(a.IID - b.IID) })
	if err := writeNDJSON(w, dir+"/milestones.ndjson", em); err != nil {
		return err
	}
	if err := exportGroupBadgesBoards(ctx, q, g, w, dir); err != nil {
		return err
	}
	emem, err := exportMembers(ctx, q, model.SourceNamespace, g.ID, false)
	if err != nil {
		return err
	}
	return writeNDJSON(w, dir+"/members.ndjson", emem)
}

func groupLabelRecord(l *model.Label) exportedLabel {
	return exportedLabel{ID: l.ID, Title: l.Title, Color: l.Color, Description: strPtr(l.Description),
		Type: "GroupLabel", CreatedAt: exportTime(l.CreatedAt), UpdatedAt: exportTime(l.UpdatedAt)}
}

func exportGroupBadgesBoards(ctx context.Context, q *store.Queries, g *model.Namespace, w *exportWriter, dir string) error {
	badges, _, err := q.Badges(ctx, 0, 0, g.ID, nil, 10_000, 0)
	if err != nil {
		return err
	}
	var eb []exportedBadge
	for _, b := range badges {
		eb = append(eb, exportedBadge{ID: b.ID, Name: b.Name, LinkURL: b.LinkURL, ImageURL: b.ImageURL,
			Type: "GroupBadge", CreatedAt: exportTime(b.CreatedAt), UpdatedAt: exportTime(b.UpdatedAt)})
	}
	if err := writeNDJSON(w, dir+"/badges.ndjson", eb); err != nil {
		return err
	}
	boards, err := q.Boards(ctx, 0, g.ID)
	if err != nil {
		return err
	}
	var ebd []exportedBoard
	for _, b := range boards {
		x := exportedBoard{ID: b.ID, Name: b.Name, HideBacklogList: b.HideBacklogList, HideClosedList: b.HideClosedList,
			CreatedAt: exportTime(b.CreatedAt), UpdatedAt: exportTime(b.UpdatedAt), Lists: []exportedBoardList{}}
		for _, l := range b.Lists {
			pos := l.Position
			el := exportedBoardList{ID: l.ID, ListType: "label", Position: &pos}
			if l.Label != nil {
				lab := groupLabelRecord(l.Label)
				if l.Label.ProjectID != nil {
					lab.Type = "ProjectLabel"
				}
				el.Label = &lab
			}
			x.Lists = append(x.Lists, el)
		}
		ebd = append(ebd, x)
	}
	return writeNDJSON(w, dir+"/boards.ndjson", ebd)
}
