package service

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// The archive of a project export, GitLab's layout
// (lib/gitlab/import_export): VERSION, GITLAB_VERSION, GITLAB_REVISION,
// tree/project.json and tree/project/<relation>.ndjson, project.bundle,
// project.wiki.bundle, uploads/<secret>/<file>, lfs-objects/<oid> and
// lfs-objects.json. The records are GitLab's, with the attributes lablet
// has.
const (
	exportVersion   = "0.2.4"
	exportGitLabVer = "17.0.0"
	exportRevision  = "lablet"
)

// exportedProject is tree/project.json.
type exportedProject struct {
	Description          string `json:"description"`
	VisibilityLevel      int    `json:"visibility_level"`
	Archived             bool   `json:"archived"`
	IssuesEnabled        bool   `json:"issues_enabled"`
	MergeRequestsEnabled bool   `json:"merge_requests_enabled"`
	WikiEnabled          bool   `json:"wiki_enabled"`
	SnippetsEnabled      bool   `json:"snippets_enabled"`
	DefaultBranch        string `json:"default_branch,omitempty"`
}

type exportedLabel struct {
	ID          int64   `json:"id"`
	Title       string  `json:"title"`
	Color       string  `json:"color"`
	Description *string `json:"description"`
	Type        string  `json:"type"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
}

type exportedMilestone struct {
	ID          int64   `json:"id"`
	IID         int64   `json:"iid"`
	Title       string  `json:"title"`
	Description *string `json:"description"`
	State       string  `json:"state"`
	DueDate     *string `json:"due_date"`
	StartDate   *string `json:"start_date"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
}

type exportedLabelLink struct {
	TargetType string        `json:"target_type"`
	Label      exportedLabel `json:"label"`
}

type exportedNote struct {
	ID           int64           `json:"id"`
	Note         string          `json:"note"`
	NoteableType string          `json:"noteable_type"`
	AuthorID     *int64          `json:"author_id"`
	System       bool            `json:"system"`
	Internal     bool            `json:"internal"`
	DiscussionID string          `json:"discussion_id"`
	Type         *string         `json:"type"`
	CreatedAt    string          `json:"created_at"`
	UpdatedAt    string          `json:"updated_at"`
	Author       *exportedAuthor `json:"author,omitempty"`
}

type exportedAuthor struct {
	Name string `json:"name"`
}

type exportedAssignee struct {
	UserID int64 `json:"user_id"`
}

type exportedIssue struct {
	ID               int64               `json:"id"`
	IID              int64               `json:"iid"`
	Title            string              `json:"title"`
	Description      *string             `json:"description"`
	AuthorID         *int64              `json:"author_id"`
	State            string              `json:"state"`
	IssueType        string              `json:"issue_type,omitempty"`
	Confidential     bool                `json:"confidential"`
	DiscussionLocked *bool               `json:"discussion_locked"`
	DueDate          *string             `json:"due_date"`
	TimeEstimate     int64               `json:"time_estimate"`
	RelativePosition *int64              `json:"relative_position"`
	CreatedAt        string              `json:"created_at"`
	UpdatedAt        string              `json:"updated_at"`
	ClosedAt         *string             `json:"closed_at"`
	Milestone        *exportedMilestone  `json:"milestone,omitempty"`
	LabelLinks       []exportedLabelLink `json:"label_links"`
	Notes            []exportedNote      `json:"notes"`
	IssueAssignees   []exportedAssignee  `json:"issue_assignees"`
}

type exportedMember struct {
	AccessLevel int          `json:"access_level"`
	SourceType  string       `json:"source_type"`
	UserID      int64        `json:"user_id"`
	User        exportedUser `json:"user"`
}

type exportedUser struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	Email       string `json:"email,omitempty"`
	PublicEmail string `json:"public_email,omitempty"`
}

type exportedAccessLevel struct {
	AccessLevel int `json:"access_level"`
}

type exportedProtectedBranch struct {
	Name               string                `json:"name"`
	AllowForcePush     bool                  `json:"allow_force_push"`
	PushAccessLevels   []exportedAccessLevel `json:"push_access_levels"`
	MergeAccessLevels  []exportedAccessLevel `json:"merge_access_levels"`
	UnprotectAccessLvl []exportedAccessLevel `json:"unprotect_access_levels,omitempty"`
}

func exportTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func strPtr(s string) *string { return &s }

// writeExport builds the project's archive and puts it in the blob store.
func (s *Service) writeExport(ctx context.Context, p *model.Project) error {
	return s.writeArchive(ctx, exportKey(p.ID), func(w *exportWriter, dir string) error {
		return s.exportContent(ctx, p, w, dir)
	})
}

// writeArchive builds an export archive in a temporary directory, whose
// entries content writes (dir is there for its scratch files), and puts
// it in the blob store under key.
func (s *Service) writeArchive(ctx context.Context, key string, content func(w *exportWriter, dir string) error) error {
	dir, err := os.MkdirTemp("", "lablet-export-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "export.tar.gz")
	f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<16)
	gz, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	w := &exportWriter{tw: tw, now: s.Now()}
	if err := content(w, dir); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := s.blobs.Put(ctx, key, f); err != nil {
		return fmt.Errorf("store export: %w", err)
	}
	return nil
}

// writeVersion writes the archive's VERSION, GITLAB_VERSION and
// GITLAB_REVISION.
func (w *exportWriter) writeVersion() error {
	for name, v := range map[string]string{"VERSION": exportVersion, "GITLAB_VERSION": exportGitLabVer,
		"GITLAB_REVISION": exportRevision} {
		if err := w.bytes(name, []byte(v)); err != nil {
			return err
		}
	}
	return nil
}

// exportWriter writes the entries of an archive.
type exportWriter struct {
	tw  *tar.Writer
	now time.Time
}

func (w *exportWriter) bytes(name string, data []byte) error {
	if err := w.tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(data)), ModTime: w.now,
		Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err := w.tw.Write(data)
	return err
}

func (w *exportWriter) reader(name string, size int64, r io.Reader) error {
	if err := w.tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: w.now,
		Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err := io.CopyN(w.tw, r, size)
	return err
}

func (w *exportWriter) file(name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return w.reader(name, st.Size(), f)
}

// ndjson writes a project relation, tree/project/<name>.ndjson.
func ndjson[T any](w *exportWriter, name string, recs []T) error {
	return writeNDJSON(w, "tree/project/"+name+".ndjson", recs)
}

// writeNDJSON writes an entry of one record per line.
func writeNDJSON[T any](w *exportWriter, file string, recs []T) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return w.bytes(file, b.Bytes())
}

func (s *Service) exportContent(ctx context.Context, p *model.Project, w *exportWriter, dir string) error {
	if err := w.writeVersion(); err != nil {
		return err
	}
	ep := exportedProject{Description: p.Description, VisibilityLevel: int(p.VisibilityLevel), Archived: p.Archived,
		IssuesEnabled: p.IssuesEnabled, MergeRequestsEnabled: p.MergeRequestsEnabled, WikiEnabled: p.WikiEnabled,
		SnippetsEnabled: p.SnippetsEnabled}
	if p.DefaultBranch != nil {
		ep.DefaultBranch = *p.DefaultBranch
	}
	b, err := json.Marshal(ep)
	if err != nil {
		return err
	}
	if err := w.bytes("tree/project.json", b); err != nil {
		return err
	}
	if err := s.exportRelations(ctx, p, w); err != nil {
		return err
	}
	if s.repos != nil {
		bundle := filepath.Join(dir, "project.bundle")
		if ok, err := s.repos.Open(p.ID).CreateBundle(ctx, bundle); err != nil {
			return err
		} else if ok {
			if err := w.file("project.bundle", bundle); err != nil {
				return err
			}
		}
		if wiki := s.repos.OpenWiki(repo.ProjectWiki, p.ID); wiki.Exists() {
			wb := filepath.Join(dir, "project.wiki.bundle")
			if ok, err := wiki.CreateBundle(ctx, wb); err != nil {
				return err
			} else if ok {
				if err := w.file("project.wiki.bundle", wb); err != nil {
					return err
				}
			}
		}
	}
	return s.exportFiles(ctx, p, w)
}

// exportRelations writes the tree's relations.
func (s *Service) exportRelations(ctx context.Context, p *model.Project, w *exportWriter) error {
	q := s.db.Queries()
	labels, err := q.ProjectLabels(ctx, p.ID)
	if err != nil {
		return err
	}
	labelByID := map[int64]exportedLabel{}
	var el []exportedLabel
	for _, l := range labels {
		x := exportedLabel{ID: l.ID, Title: l.Title, Color: l.Color, Description: strPtr(l.Description),
			Type: "ProjectLabel", CreatedAt: exportTime(l.CreatedAt), UpdatedAt: exportTime(l.UpdatedAt)}
		labelByID[l.ID] = x
		el = append(el, x)
	}
	if err := ndjson(w, "labels", el); err != nil {
		return err
	}
	milestones, err := q.ProjectMilestones(ctx, p.ID)
	if err != nil {
		return err
	}
	msByID := map[int64]*exportedMilestone{}
	var em []*exportedMilestone
	for _, m := range milestones {
		x := &exportedMilestone{ID: m.ID, IID: m.IID, Title: m.Title, Description: strPtr(m.Description),
			State: m.State, DueDate: m.DueDate, StartDate: m.StartDate, CreatedAt: exportTime(m.CreatedAt),
			UpdatedAt: exportTime(m.UpdatedAt)}
		msByID[m.ID] = x
		em = append(em, x)
	}
	if err := ndjson(w, "milestones", em); err != nil {
		return err
	}
	issues, err := q.ProjectIssues(ctx, p.ID)
	if err != nil {
		return err
	}
	notes, err := q.ProjectNotesOf(ctx, p.ID, model.NoteableIssue)
	if err != nil {
		return err
	}
	notesOf := map[int64][]exportedNote{}
	for _, n := range notes {
		notesOf[n.NoteableID] = append(notesOf[n.NoteableID], exportedNote{ID: n.ID, Note: n.Body,
			NoteableType: n.NoteableType, AuthorID: n.AuthorID, System: n.System, Internal: n.Internal,
			DiscussionID: n.DiscussionID, Type: n.NoteType, CreatedAt: exportTime(n.CreatedAt),
			UpdatedAt: exportTime(n.UpdatedAt)})
	}
	var ei []exportedIssue
	for _, i := range issues {
		x := exportedIssue{ID: i.ID, IID: i.IID, Title: i.Title, Description: strPtr(i.Description),
			AuthorID: i.AuthorID, State: i.State, IssueType: i.IssueType, Confidential: i.Confidential,
			DiscussionLocked: i.DiscussionLocked, DueDate: i.DueDate, TimeEstimate: i.TimeEstimate,
			RelativePosition: i.RelativePosition, CreatedAt: exportTime(i.CreatedAt), UpdatedAt: exportTime(i.UpdatedAt),
			LabelLinks: []exportedLabelLink{}, Notes: notesOf[i.ID], IssueAssignees: []exportedAssignee{}}
		if x.Notes == nil {
			x.Notes = []exportedNote{}
		}
		if i.ClosedAt != nil {
			x.ClosedAt = strPtr(exportTime(*i.ClosedAt))
		}
		if i.MilestoneID != nil {
			x.Milestone = msByID[*i.MilestoneID] // a group milestone is not exported
		}
		for _, l := range i.LabelIDs {
			if lab, ok := labelByID[l]; ok {
				x.LabelLinks = append(x.LabelLinks, exportedLabelLink{TargetType: "Issue", Label: lab})
			}
		}
		for _, a := range i.AssigneeIDs {
			x.IssueAssignees = append(x.IssueAssignees, exportedAssignee{UserID: a})
		}
		ei = append(ei, x)
	}
	if err := ndjson(w, "issues", ei); err != nil {
		return err
	}
	if err := s.exportMergeRequests(ctx, q, p, w, labelByID, msByID); err != nil {
		return err
	}
	emem, err := exportMembers(ctx, q, model.SourceProject, p.ID, true)
	if err != nil {
		return err
	}
	if err := ndjson(w, "project_members", emem); err != nil {
		return err
	}
	rules, err := q.ProtectedBranches(ctx, p.ID, "")
	if err != nil {
		return err
	}
	var epb []exportedProtectedBranch
	for _, r := range rules {
		epb = append(epb, exportedProtectedBranch{Name: r.Name, AllowForcePush: r.AllowForcePush,
			PushAccessLevels:   []exportedAccessLevel{{r.PushAccessLevel}},
			MergeAccessLevels:  []exportedAccessLevel{{r.MergeAccessLevel}},
			UnprotectAccessLvl: []exportedAccessLevel{{r.UnprotectAccessLevel}}})
	}
	return ndjson(w, "protected_branches", epb)
}

// exportMembers are the direct members of a project or group as an
// export has them; a group export keeps, as GitLab's, a member's user id
// and username only (withEmail false).
func exportMembers(ctx context.Context, q *store.Queries, sourceType string, sourceID int64, withEmail bool) ([]exportedMember, error) {
	members, err := q.MemberUsers(ctx, sourceType, sourceID)
	if err != nil {
		return nil, err
	}
	var out []exportedMember
	for _, m := range members {
		u := exportedUser{ID: m.UserID, Username: m.Username}
		if withEmail {
			u.Email = m.Email
		}
		out = append(out, exportedMember{AccessLevel: m.AccessLevel, SourceType: sourceType, UserID: m.UserID, User: u})
	}
	return out, nil
}

// exportFiles writes the project's uploads and LFS objects.
func (s *Service) exportFiles(ctx context.Context, p *model.Project, w *exportWriter) error {
	q := s.db.Queries()
	uploads, err := q.ProjectUploads(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, u := range uploads {
		if err := s.exportBlob(ctx, w, "uploads/"+u.Secret+"/"+u.Filename, u.BlobKey); err != nil {
			return err
		}
	}
	lfs, err := q.ProjectLFSObjects(ctx, p.ID)
	if err != nil {
		return err
	}
	if len(lfs) == 0 {
		return nil
	}
	index := map[string][]*int{}
	for oid := range lfs {
		if err := s.exportBlob(ctx, w, "lfs-objects/"+oid, lfsKey(oid)); err != nil {
			return err
		}
		index[oid] = []*int{nil}
	}
	b, err := json.Marshal(index)
	if err != nil {
		return err
	}
	return w.bytes("lfs-objects.json", b)
}

func (s *Service) exportBlob(ctx context.Context, w *exportWriter, name, key string) error {
	body, info, err := s.blobs.Open(ctx, key)
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	defer body.Close()
	return w.reader(name, info.Size, body)
}
