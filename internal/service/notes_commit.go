package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// commitNoteable is the noteable a commit the caller may read provides
// (read_code; an unknown commit is "404 Commit Not Found"). Its notes
// name the commit's full id, whatever branch or tag the route gave.
func (s *Service) commitNoteable(ctx context.Context, id *auth.Identity, ref NoteableRef) (*Noteable, error) {
	pr, c, err := s.GetCommit(ctx, id, ref.Project, ref.Commit)
	if err != nil {
		return nil, err
	}
	return &Noteable{Type: model.NoteableCommit, Project: pr.Project, Level: pr.Level, CommitID: c.ID}, nil
}

// CommitCommentInput is a comment on a commit: the text and, for a
// comment on a line of its diff, the file, the line and "new" or "old".
type CommitCommentInput struct {
	Note     string
	Path     string
	Line     int
	LineType string
}

// CommitNotePosition is where a commit's diff note sits: GitLab's
// position fields, kept as the note's position JSON.
type CommitNotePosition struct {
	BaseSHA      string `json:"base_sha"`
	StartSHA     string `json:"start_sha"`
	HeadSHA      string `json:"head_sha"`
	OldPath      string `json:"old_path"`
	NewPath      string `json:"new_path"`
	PositionType string `json:"position_type"`
	OldLine      *int   `json:"old_line"`
	NewLine      *int   `json:"new_line"`
}

// LineType is "new" for a line the diff adds, "old" for one it removes,
// "" for context, as GitLab's CommitNote entity shows it.
func (p *CommitNotePosition) LineType() string {
	switch {
	case p.OldLine == nil:
		return "new"
	case p.NewLine == nil:
		return "old"
	}
	return ""
}

// Line is the line number the comment shows: the new side's, else the old.
func (p *CommitNotePosition) Line() *int {
	if p.NewLine != nil {
		return p.NewLine
	}
	return p.OldLine
}

// NotePosition reads a diff note's position; nil for other notes or a
// position that does not parse.
func NotePosition(n *model.Note) *CommitNotePosition {
	if n.Position == nil {
		return nil
	}
	var p CommitNotePosition
	if json.Unmarshal([]byte(*n.Position), &p) != nil || p.NewPath == "" {
		return nil
	}
	return &p
}

// ListCommitComments lists a commit's comments, oldest first (GitLab's
// commit.notes.order(:created_at)).
func (s *Service) ListCommitComments(ctx context.Context, id *auth.Identity, ref NoteableRef, limit, offset int) (*Notes, error) {
	return s.ListNotes(ctx, id, ref, NoteListInput{OrderBy: "created_at", Asc: true, Limit: limit, Offset: offset})
}

// CreateCommitComment comments on a commit (read_code and create_note).
// With path, line and line_type naming a line of the commit's diff the
// comment is a diff note on that line; otherwise, as GitLab's commits API
// does, it is a plain comment on the commit.
func (s *Service) CreateCommitComment(ctx context.Context, id *auth.Identity, ref NoteableRef, in CommitCommentInput) (*Notes, error) {
	n, err := s.noteableToComment(ctx, id, ref, in.Note)
	if err != nil {
		return nil, err
	}
	var noteType *string
	note := n.newNote(id, NoteInput{Body: in.Note})
	if in.Path != "" && in.Line > 0 && in.LineType != "" {
		pos, err := s.commitLinePosition(ctx, n, in)
		if err != nil {
			return nil, err
		}
		if pos != nil {
			b, err := json.Marshal(pos)
			if err != nil {
				return nil, err
			}
			t, js := "DiffNote", string(b)
			noteType, note.Position = &t, &js
		}
	}
	return s.insertNoteAs(ctx, n, note, noteType)
}

// commitLinePosition finds the line of the commit's diff a comment names,
// as GitLab's commits API matches it: the file's new path, and a diff
// line of that type ("new" added, "old" removed) whose new-side number is
// line. Nil when there is none.
func (s *Service) commitLinePosition(ctx context.Context, n *Noteable, in CommitCommentInput) (*CommitNotePosition, error) {
	r := s.repos.Open(n.Project.ID)
	c, err := r.Commit(ctx, n.CommitID)
	if err != nil {
		return nil, fmt.Errorf("service: read commit: %w", err)
	}
	diffs, err := r.CommitDiff(ctx, n.CommitID)
	if err != nil {
		return nil, fmt.Errorf("service: commit diff: %w", err)
	}
	for _, d := range diffs {
		if d.NewPath != in.Path {
			continue
		}
		oldLine, newLine, ok := findDiffLine(d.Diff, in.Line, in.LineType)
		if !ok {
			continue
		}
		base := ""
		if len(c.Parents) > 0 {
			base = c.Parents[0]
		}
		return &CommitNotePosition{BaseSHA: base, StartSHA: base, HeadSHA: c.ID, OldPath: d.OldPath, NewPath: d.NewPath,
			PositionType: "text", OldLine: oldLine, NewLine: newLine}, nil
	}
	return nil, nil
}

// findDiffLine walks a unified diff's hunks for a line of lineType whose
// new-side counter is line (Gitlab::Diff::Parser's new_pos; for a removed
// line that is the next new line). It answers the line's old and new
// numbers, nil on the side it does not have.
func findDiffLine(diff string, line int, lineType string) (oldLine, newLine *int, ok bool) {
	oldPos, newPos := 0, 0
	for _, l := range strings.Split(diff, "\n") {
		if strings.HasPrefix(l, "@@") {
			oldPos, newPos = hunkStarts(l)
			continue
		}
		if l == "" || newPos == 0 && oldPos == 0 {
			continue
		}
		o, nw := oldPos, newPos
		switch l[0] {
		case '+':
			if lineType == "new" && newPos == line {
				return nil, &nw, true
			}
			newPos++
		case '-':
			if lineType == "old" && newPos == line {
				return &o, nil, true
			}
			oldPos++
		case ' ':
			oldPos++
			newPos++
		}
	}
	return nil, nil, false
}

// hunkStarts reads "@@ -a[,b] +c[,d] @@": the first old and new lines.
func hunkStarts(header string) (oldStart, newStart int) {
	f := strings.Fields(header)
	if len(f) < 3 {
		return 0, 0
	}
	num := func(s string) int {
		s, _, _ = strings.Cut(s[1:], ",")
		n, _ := strconv.Atoi(s)
		return n
	}
	oldStart, newStart = num(f[1]), num(f[2])
	// An empty side ("-0,0") counts from 1 like git's next line.
	if oldStart == 0 {
		oldStart = 1
	}
	if newStart == 0 {
		newStart = 1
	}
	return oldStart, newStart
}
