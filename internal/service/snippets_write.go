package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// Snippet limits, as GitLab's defaults: Snippet.max_file_limit and the
// snippet_size_limit application setting (50 MB per file).
const (
	MaxSnippetFiles       = 10
	MaxSnippetFileBytes   = 50 << 20
	maxSnippetTitle       = 255
	maxSnippetDescription = 1_000_000
	// snippetBranch is every snippet repository's one branch (GitLab
	// uses the instance's default branch name).
	snippetBranch = DefaultBranch
)

// SnippetFile is one entry of the files parameter: on create a path and
// its content; on update an action (create, update, delete, move) too,
// and previous_path for a move.
type SnippetFile struct {
	Action       string
	FilePath     *string
	PreviousPath *string
	Content      *string
}

// SnippetInput is a new snippet or a change to one; nil fields are not
// given. Files and the legacy Content/FileName pair exclude each other.
type SnippetInput struct {
	Title, Description, Visibility *string
	Files                          []SnippetFile
	FilesGiven                     bool
	Content, FileName              *string
	// UserAgent and IPAddress are the creating request's.
	UserAgent, IPAddress string
}

func snippetFileErr(i int, field, msg string) error {
	return ParamError(fmt.Sprintf("files[%d][%s] %s", i, field, msg))
}

// snippetPath checks a file path the way GitLab's file_path validator
// does: a relative path inside the repository, no traversal.
func snippetPath(i int, field string, p *string) (string, error) {
	if p == nil {
		return "", snippetFileErr(i, field, "is missing")
	}
	if strings.TrimSpace(*p) == "" {
		return "", snippetFileErr(i, field, "is empty")
	}
	if repo.ValidatePath(*p) != nil {
		return "", snippetFileErr(i, field, "should be a valid file path")
	}
	return *p, nil
}

func snippetContent(i int, c *string, required bool) ([]byte, error) {
	if c == nil {
		if required {
			return nil, snippetFileErr(i, "content", "is missing")
		}
		return nil, nil
	}
	if required && strings.TrimSpace(*c) == "" {
		return nil, snippetFileErr(i, "content", "is empty")
	}
	if len(*c) > MaxSnippetFileBytes {
		return nil, Invalid("Snippet content is too large")
	}
	return []byte(*c), nil
}

// createActions are a new snippet's files as commit actions.
func createActions(in SnippetInput) ([]repo.Action, error) {
	switch {
	case in.FilesGiven && in.Content != nil:
		return nil, ParamError("files, content are mutually exclusive")
	case !in.FilesGiven && in.Content == nil:
		return nil, ParamError("files, content are missing, exactly one parameter must be provided")
	case in.Content != nil:
		if in.FileName == nil {
			return nil, ParamError("file_name is missing")
		}
		f := SnippetFile{FilePath: in.FileName, Content: in.Content}
		acts, err := createActions(SnippetInput{Files: []SnippetFile{f}, FilesGiven: true})
		if se := (*Error)(nil); errors.As(err, &se) && se.Param {
			// The legacy pair's own names.
			se.Message = strings.NewReplacer("files[0][file_path]", "file_name", "files[0][content]", "content").Replace(se.Message)
		}
		return acts, err
	}
	if len(in.Files) == 0 {
		return nil, ParamError("files is empty")
	}
	var acts []repo.Action
	for i, f := range in.Files {
		p, err := snippetPath(i, "file_path", f.FilePath)
		if err != nil {
			return nil, err
		}
		c, err := snippetContent(i, f.Content, true)
		if err != nil {
			return nil, err
		}
		acts = append(acts, repo.Action{Kind: repo.ActionCreate, Path: p, Content: c})
	}
	return acts, checkSnippetActions(acts)
}

// checkSnippetActions refuses two actions on one path and more files
// than a snippet holds (SnippetInputActionCollection's validations).
func checkSnippetActions(acts []repo.Action) error {
	if len(acts) > MaxSnippetFiles {
		return Invalid(fmt.Sprintf("Snippet files count exceeded: maximum is %d", MaxSnippetFiles))
	}
	seen := map[string]bool{}
	for _, a := range acts {
		if seen[a.Path] {
			return Invalid("Snippet actions have invalid data: duplicate file path " + a.Path)
		}
		seen[a.Path] = true
	}
	return nil
}

// updateActions are a change's files as commit actions on a snippet
// holding paths.
func updateActions(in SnippetInput, paths []string) ([]repo.Action, error) {
	if in.FilesGiven && (in.Content != nil || in.FileName != nil) {
		return nil, ParamError("files, content, file_name are mutually exclusive")
	}
	if in.Content != nil || in.FileName != nil {
		if len(paths) > 1 {
			return nil, Invalid("To update Snippets with multiple files, you must use the `files` parameter")
		}
		old := ""
		if len(paths) == 1 {
			old = paths[0]
		}
		f := SnippetFile{Action: "update", FilePath: in.FileName, Content: in.Content}
		if f.FilePath == nil {
			f.FilePath = &old
		}
		if *f.FilePath != old {
			f.Action, f.PreviousPath = "move", &old
		}
		if f.Content == nil && f.Action == "update" {
			return nil, nil // the same name, no content: nothing to commit
		}
		acts, err := updateActions(SnippetInput{Files: []SnippetFile{f}, FilesGiven: true}, paths)
		if se := (*Error)(nil); errors.As(err, &se) && se.Param {
			se.Message = strings.NewReplacer("files[0][file_path]", "file_name", "files[0][content]", "content").Replace(se.Message)
		}
		return acts, err
	}
	if !in.FilesGiven {
		return nil, nil
	}
	if len(in.Files) == 0 {
		return nil, ParamError("files is empty")
	}
	var acts []repo.Action
	count := len(paths)
	for i, f := range in.Files {
		a := repo.Action{Kind: repo.ActionKind(f.Action)}
		var err error
		switch a.Kind {
		case repo.ActionCreate, repo.ActionUpdate:
			if a.Path, err = snippetPath(i, "file_path", f.FilePath); err != nil {
				return nil, err
			}
			if a.Content, err = snippetContent(i, f.Content, true); err != nil {
				return nil, err
			}
			if a.Kind == repo.ActionCreate {
				count++
			}
		case repo.ActionDelete:
			if a.Path, err = snippetPath(i, "file_path", f.FilePath); err != nil {
				return nil, err
			}
			count--
		case repo.ActionMove:
			if a.Path, err = snippetPath(i, "file_path", f.FilePath); err != nil {
				return nil, err
			}
			if a.PreviousPath, err = snippetPath(i, "previous_path", f.PreviousPath); err != nil {
				return nil, err
			}
			if a.Content, err = snippetContent(i, f.Content, false); err != nil {
				return nil, err
			}
		default:
			return nil, snippetFileErr(i, "action", "does not have a valid value")
		}
		acts = append(acts, a)
	}
	if count > MaxSnippetFiles {
		return nil, Invalid(fmt.Sprintf("Snippet files count exceeded: maximum is %d", MaxSnippetFiles))
	}
	if count < 1 {
		return nil, Invalid("Snippet actions have invalid data: a snippet keeps at least one file")
	}
	return acts, checkSnippetActions(acts)
}

// snippetFields applies title, description and visibility to sn.
func snippetFields(sn *model.Snippet, in SnippetInput, creating bool) error {
	if in.Title != nil {
		t := strings.TrimSpace(*in.Title)
		switch {
		case t == "":
			return ParamError("title is empty")
		case utf8.RuneCountInString(t) > maxSnippetTitle:
			return Validation{"title": {fmt.Sprintf("is too long (maximum is %d characters)", maxSnippetTitle)}}.Err()
		}
		sn.Title = t
	} else if creating {
		return ParamError("title is missing")
	}
	if in.Description != nil {
		if utf8.RuneCountInString(*in.Description) > maxSnippetDescription {
			return Validation{"description": {fmt.Sprintf("is too long (maximum is %d characters)", maxSnippetDescription)}}.Err()
		}
		sn.Description = *in.Description
	}
	if in.Visibility != nil {
		v, err := access.ParseVisibility(*in.Visibility)
		if err != nil {
			return ParamError("visibility does not have a valid value")
		}
		sn.VisibilityLevel = v
	}
	return nil
}

// snippetSignature is the commit author of a caller's snippet change.
func snippetSignature(id *auth.Identity) repo.Signature {
	return repo.Signature{Name: id.User.Name, Email: id.User.Email}
}

// snippetFiles lists the files at a snippet repository's head.
func snippetFiles(ctx context.Context, r *repo.Repo) ([]string, error) {
	entries, err := r.Tree(ctx, snippetBranch, "", true)
	if err != nil {
		return nil, fmt.Errorf("service: snippet files: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.Type == "blob" {
			out = append(out, e.Path)
		}
	}
	return out, nil
}

// CreateSnippet is POST /snippets (projectRef "") and POST
// /projects/:id/snippets (Reporter). Its files become the first commit
// of a new repository, which is put in place in the transaction that
// inserts the snippet: a failure leaves neither.
func (s *Service) CreateSnippet(ctx context.Context, id *auth.Identity, projectRef string, in SnippetInput) (*SnippetView, error) {
	if !id.Authenticated() {
		return nil, auth.ErrUnauthorized
	}
	v := &SnippetView{Author: id.User}
	sn := &model.Snippet{AuthorID: &id.User.ID, VisibilityLevel: access.Internal, UserAgent: in.UserAgent, IPAddress: in.IPAddress}
	if projectRef != "" {
		p, level, err := s.VisibleProject(ctx, id, projectRef)
		if err != nil {
			return nil, err
		}
		if !canCreateProjectSnippet(id, p, level) {
			return nil, Forbidden("")
		}
		if in.Visibility == nil {
			return nil, ParamError("visibility is missing")
		}
		v.Project, v.Level, sn.ProjectID = p, level, &p.ID
	} else if !canCreatePersonalSnippet(id) {
		return nil, Forbidden("")
	}
	if err := snippetFields(sn, in, true); err != nil {
		return nil, err
	}
	acts, err := createActions(in)
	if err != nil {
		return nil, err
	}
	if s.repos == nil {
		return nil, errors.New("service: no repository store")
	}
	tmp, err := s.repos.Prepare(ctx, snippetBranch)
	if err != nil {
		return nil, fmt.Errorf("service: snippet repository: %w", err)
	}
	placed := false
	defer func() {
		if !placed {
			s.repos.Discard(tmp)
		}
	}()
	if _, err := tmp.CommitFiles(ctx, repo.CommitRequest{Branch: snippetBranch, Message: "Initial commit",
		Author: snippetSignature(id), Actions: acts}); err != nil {
		return nil, commitError(err)
	}
	if sn.FilePaths, err = snippetFiles(ctx, tmp); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := q.CreateSnippet(ctx, sn); err != nil {
			return err
		}
		if _, err := s.repos.PlaceSnippet(tmp, sn.ID); err != nil {
			return err
		}
		placed = true
		return nil
	})
	if err != nil {
		if placed { // the row rolled back: its repository goes too
			_ = s.repos.DeleteSnippet(context.WithoutCancel(ctx), sn.ID)
		}
		return nil, err
	}
	if sn.ProjectID != nil {
		s.statisticsChanged(ctx, *sn.ProjectID)
	}
	v.Snippet, v.Editable = sn, true
	return v, nil
}

// UpdateSnippet is PUT /snippets/:id and /projects/:id/snippets/:sid:
// the author, a project's Maintainer or an administrator. File changes
// are one commit on the snippet's repository; the row follows it.
func (s *Service) UpdateSnippet(ctx context.Context, id *auth.Identity, ref SnippetRef, in SnippetInput) (*SnippetView, error) {
	v, err := s.GetSnippet(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if !v.Editable {
		return nil, Forbidden("")
	}
	if in.Title == nil && in.Description == nil && in.Visibility == nil && !in.FilesGiven && in.Content == nil && in.FileName == nil {
		return nil, ParamError("title, file_name, content, files, visibility, description are missing, at least one parameter must be provided")
	}
	sn := *v.Snippet
	if err := snippetFields(&sn, in, false); err != nil {
		return nil, err
	}
	acts, err := updateActions(in, sn.FilePaths)
	if err != nil {
		return nil, err
	}
	if len(acts) > 0 {
		r := s.repos.OpenSnippet(sn.ID)
		if _, err := r.CommitFiles(ctx, repo.CommitRequest{Branch: snippetBranch, Message: "Update snippet",
			Author: snippetSignature(id), Actions: acts}); err != nil {
			return nil, commitError(err)
		}
		if sn.FilePaths, err = snippetFiles(ctx, r); err != nil {
			return nil, err
		}
	}
	if err := s.db.WithTx(ctx, func(q *store.Queries) error { return q.UpdateSnippet(ctx, &sn) }); err != nil {
		return nil, err
	}
	if sn.ProjectID != nil {
		s.statisticsChanged(ctx, *sn.ProjectID)
	}
	v.Snippet = &sn
	return v, nil
}

// SnippetFileRaw is GET …/raw (ref "" and path "": the first file at the
// head, as GitLab's raw endpoint answers) and
// …/files/:ref/:file_path/raw.
func (s *Service) SnippetFileRaw(ctx context.Context, id *auth.Identity, sref SnippetRef, ref, path string) (*repo.Blob, error) {
	v, err := s.GetSnippet(ctx, id, sref)
	if err != nil {
		return nil, err
	}
	if ref == "" {
		ref = snippetBranch
		if len(v.Snippet.FilePaths) == 0 {
			return nil, NotFound("File")
		}
		path = v.Snippet.FilePaths[0]
	}
	if repo.ValidatePath(path) != nil {
		return nil, NotFound("File")
	}
	b, err := s.repos.OpenSnippet(v.Snippet.ID).Blob(ctx, ref, path)
	if errors.Is(err, repo.ErrNotFound) || errors.Is(err, repo.ErrInvalidRef) || errors.Is(err, repo.ErrInvalid) ||
		errors.Is(err, repo.ErrInvalidPath) {
		return nil, NotFound("File")
	}
	if err != nil {
		return nil, fmt.Errorf("service: snippet file: %w", err)
	}
	return b, nil
}
