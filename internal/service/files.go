package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// FileResult is a file read at a revision, with what GitLab's files API
// reports about it.
type FileResult struct {
	Blob         *repo.Blob
	Ref          string // as the caller gave it
	CommitID     string // the commit ref resolved to
	LastCommitID string // the newest commit at or before CommitID touching the path
}

// ReadFilePathError is the files API's answer to a path no file can have:
// traversal, absolute, control characters. Other invalid paths (a ".git"
// component) simply name no file.
func ReadFilePathError(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\x00\n\r") {
		return ParamError("file_path should be a valid file path")
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return ParamError("file_path should be a valid file path")
		}
	}
	return nil
}

// GetFile reads the file at path at ref (the default branch when ref is
// empty) for the files API: "404 Commit Not Found" for an unknown ref,
// "404 File Not Found" for a missing file.
func (s *Service) GetFile(ctx context.Context, id *auth.Identity, projectRef, ref, path string) (*ProjectRepo, *FileResult, error) {
	if err := ReadFilePathError(path); err != nil {
		return nil, nil, err
	}
	pr, err := s.RepoForRead(ctx, id, projectRef)
	if err != nil {
		return nil, nil, err
	}
	res, err := s.readFile(ctx, pr, ref, path)
	return pr, res, err
}

func (s *Service) readFile(ctx context.Context, pr *ProjectRepo, ref, path string) (*FileResult, error) {
	sha, err := s.resolveCommit(ctx, pr, ref)
	if err != nil {
		return nil, err
	}
	b, err := pr.Repo.Blob(ctx, sha, path)
	if errors.Is(err, repo.ErrNotFound) || errors.Is(err, repo.ErrInvalidPath) {
		return nil, NotFound("File")
	}
	if err != nil {
		return nil, fmt.Errorf("service: read %s: %w", path, err)
	}
	last, err := pr.Repo.LastCommitIDForPath(ctx, sha, path)
	if err != nil {
		return nil, fmt.Errorf("service: last commit of %s: %w", path, err)
	}
	return &FileResult{Blob: b, Ref: ref, CommitID: sha, LastCommitID: last}, nil
}

// resolveCommit resolves a user ref ("" = the default branch) to a commit
// id, or "404 Commit Not Found".
func (s *Service) resolveCommit(ctx context.Context, pr *ProjectRepo, ref string) (string, error) {
	if ref == "" {
		ref = s.defaultBranch(ctx, pr)
	}
	sha, err := pr.Repo.ResolveRef(ctx, ref)
	if errors.Is(err, repo.ErrNotFound) || errors.Is(err, repo.ErrInvalidRef) || errors.Is(err, repo.ErrInvalid) {
		return "", NotFound("Commit")
	}
	if err != nil {
		return "", fmt.Errorf("service: resolve %q: %w", ref, err)
	}
	return sha, nil
}

// defaultBranch is the project's default branch as the repository's HEAD
// says, falling back to the stored setting.
func (s *Service) defaultBranch(ctx context.Context, pr *ProjectRepo) string {
	// HEAD naming a branch is read without a process; anything else
	// (detached, another namespace) is left to git's answer.
	if b, err := pr.Repo.HeadBranch(); err == nil && b != "" {
		return b
	}
	if b, err := pr.Repo.DefaultBranch(ctx); err == nil && b != "" {
		return b
	}
	if pr.Project.DefaultBranch != nil && *pr.Project.DefaultBranch != "" {
		return *pr.Project.DefaultBranch
	}
	return DefaultBranch
}

// BlameFile blames the file at path at ref; start..end limit the lines
// (0 for all).
func (s *Service) BlameFile(ctx context.Context, id *auth.Identity, projectRef, ref, path string, start, end int) (*ProjectRepo, *FileResult, []repo.BlameRange, error) {
	pr, res, err := s.GetFile(ctx, id, projectRef, ref, path)
	if err != nil {
		return nil, nil, nil, err
	}
	ranges, err := pr.Repo.Blame(ctx, res.CommitID, path, start, end)
	if errors.Is(err, repo.ErrInvalid) {
		return nil, nil, nil, Invalid("400 Bad request - range is beyond the end of the file")
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("service: blame %s: %w", path, err)
	}
	return pr, res, ranges, nil
}

// FileAction is one change of a commit, as the API received it.
type FileAction struct {
	Kind            repo.ActionKind
	Path            string
	PreviousPath    string
	Content         []byte // nil: none given (move keeps the content)
	LastCommitID    string
	ExecuteFilemode *bool
}

// CommitInput is a commit through the files or commits API.
type CommitInput struct {
	Branch      string
	StartBranch string
	StartSHA    string
	Message     string
	AuthorName  string
	AuthorEmail string
	Actions     []FileAction
	// FilesAPI words a stale last_commit_id as the files API does.
	FilesAPI bool
}

// maxStaleRetries bounds re-checks of last_commit_id when the branch moves
// between the check and the commit.
const maxStaleRetries = 20

// CommitFiles commits in.Actions to in.Branch as GitLab's files and commits
// APIs do: Developer or more and allowed to push to the branch; a new
// branch starts at StartBranch or StartSHA; stale last_commit_id values are
// refused. Failures are worded as GitLab words them.
func (s *Service) CommitFiles(ctx context.Context, id *auth.Identity, projectRef string, in CommitInput) (*ProjectRepo, *repo.Commit, error) {
	pr, err := s.repoForBranchPush(ctx, id, projectRef, in.Branch)
	if err != nil {
		return nil, nil, err
	}
	r := pr.Repo
	if !ValidBranchName(in.Branch) {
		return nil, nil, Invalid(fmt.Sprintf("Something went wrong when we tried to create '%s' for you: %s", in.Branch,
			MsgBranchNameInvalid))
	}
	empty, err := r.IsEmpty(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("service: repository state: %w", err)
	}
	in.StartSHA = strings.ToLower(in.StartSHA)
	if in.StartSHA != "" {
		switch {
		case in.StartBranch != "":
			return nil, nil, Invalid("You can't pass both start_branch and start_sha")
		case !isCommitID(in.StartSHA):
			return nil, nil, Invalid(fmt.Sprintf("Invalid start_sha '%s'", in.StartSHA))
		}
		if _, err := r.Commit(ctx, in.StartSHA); err != nil {
			return nil, nil, Invalid(fmt.Sprintf("Cannot find start_sha '%s'", in.StartSHA))
		}
	} else if in.StartBranch == "" {
		in.StartBranch = in.Branch
	}
	branchRef, _ := repo.BranchRef(in.Branch)
	head, err := r.RefValue(branchRef)
	if err != nil {
		return nil, nil, fmt.Errorf("service: read branch: %w", err)
	}
	if in.StartBranch != "" && !empty {
		startRef, err := repo.BranchRef(in.StartBranch)
		v := ""
		if err == nil {
			v, err = r.RefValue(startRef)
		}
		if err != nil || v == "" {
			return nil, nil, Invalid("You can only create or edit files when you are on a branch")
		}
	}
	if head != "" && (in.StartBranch != in.Branch || in.StartSHA != "") {
		return nil, nil, Invalid(fmt.Sprintf("A branch called '%s' already exists. Switch to that branch in order to make changes", in.Branch))
	}
	actions := make([]repo.Action, len(in.Actions))
	checks := false
	for i, a := range in.Actions {
		if err := commitPathError(a.Path); err != nil {
			return nil, nil, err
		}
		if a.Kind == repo.ActionMove {
			if a.PreviousPath == "" {
				return nil, nil, Invalid(fmt.Sprintf("You must supply the original file path when moving file `%s`.", a.Path))
			}
			if err := commitPathError(a.PreviousPath); err != nil {
				return nil, nil, err
			}
		}
		if empty && a.Kind != repo.ActionCreate {
			return nil, nil, Invalid("A file with this name doesn't exist")
		}
		if a.Kind == repo.ActionChmod && a.ExecuteFilemode == nil {
			return nil, nil, ParamError("execute_filemode is missing")
		}
		checks = checks || a.LastCommitID != ""
		actions[i] = repo.Action{Kind: a.Kind, Path: a.Path, PreviousPath: a.PreviousPath, Content: a.Content,
			ExecuteFilemode: a.ExecuteFilemode}
	}
	author := repo.Signature{Name: id.User.Name, Email: id.User.Email}
	if in.AuthorName != "" {
		author.Name = in.AuthorName
	}
	if in.AuthorEmail != "" {
		author.Email = in.AuthorEmail
	}
	req := repo.CommitRequest{Branch: in.Branch, Message: in.Message, Author: author,
		Committer: repo.Signature{Name: id.User.Name, Email: id.User.Email}, Actions: actions}
	if head == "" {
		req.StartSHA = in.StartSHA
		if in.StartBranch != in.Branch {
			req.StartBranch = in.StartBranch
		}
	}
	var c *repo.Commit
	for attempt := 0; ; attempt++ {
		if checks {
			// last_commit_id is checked against the base the commit builds
			// on, and the commit is pinned to that base so a concurrent
			// change to the file cannot slip in between.
			base := head
			if base == "" {
				base, _ = r.ResolveRef(ctx, firstNonEmpty(in.StartSHA, in.StartBranch))
			}
			if err := s.checkLastCommits(ctx, r, base, in); err != nil {
				return nil, nil, err
			}
			req.ExpectedHead = head
		}
		c, err = r.CommitFiles(ctx, req)
		if errors.Is(err, repo.ErrConflict) && checks && attempt < maxStaleRetries {
			if head, err = r.RefValue(branchRef); err != nil {
				return nil, nil, fmt.Errorf("service: read branch: %w", err)
			}
			continue
		}
		break
	}
	if err != nil {
		return nil, nil, commitError(err)
	}
	if pr.Project.EmptyRepo {
		if err := s.markRepoNotEmpty(ctx, pr.Project); err != nil {
			return nil, nil, err
		}
	}
	s.recordAPIPush(ctx, pr, id.User, branchRef, head, c.ID)
	return pr, c, nil
}

// checkPush answers GitLab's 403 when the caller may not push to branch.
func (s *Service) checkPush(ctx context.Context, pr *ProjectRepo, branch string) error {
	ok, err := s.CanPushBranch(ctx, pr.Project, pr.Level, branch)
	if err != nil {
		return fmt.Errorf("service: push rule: %w", err)
	}
	if !ok {
		return Forbidden("You are not allowed to push into this branch")
	}
	return nil
}

func (s *Service) checkLastCommits(ctx context.Context, r *repo.Repo, base string, in CommitInput) error {
	for _, a := range in.Actions {
		if a.LastCommitID == "" || base == "" {
			continue
		}
		last, err := r.LastCommitIDForPath(ctx, base, a.Path)
		if errors.Is(err, repo.ErrNotFound) {
			continue // a file nobody committed yet cannot have changed
		}
		if err != nil {
			return fmt.Errorf("service: last commit of %s: %w", a.Path, err)
		}
		if last != a.LastCommitID {
			if in.FilesAPI {
				return Invalid("You are attempting to update a file that has changed since you started editing it.")
			}
			return Invalid(fmt.Sprintf("You are attempting to update a file `%s` that has changed since you started editing it.", a.Path))
		}
	}
	return nil
}

// markRepoNotEmpty records the first commit of an empty repository.
func (s *Service) markRepoNotEmpty(ctx context.Context, p *model.Project) error {
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		cur, err := q.ProjectByID(ctx, p.ID)
		if err != nil {
			return err
		}
		if !cur.EmptyRepo {
			return nil
		}
		cur.EmptyRepo = false
		return q.UpdateProjectRepository(ctx, cur)
	})
	if err != nil {
		return fmt.Errorf("service: mark repository not empty: %w", err)
	}
	p.EmptyRepo = false
	return nil
}

// commitPathError words an invalid action path as Gitaly does.
func commitPathError(p string) error {
	err := repo.ValidatePath(p)
	if err == nil {
		return nil
	}
	if p == "" {
		return Invalid("You must provide a file path")
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return Invalid("Path cannot include directory traversal")
		}
	}
	return Invalid(fmt.Sprintf("invalid path: '%s'", strings.ToValidUTF8(strings.ReplaceAll(p, "\x00", `\0`), "?")))
}

// commitError maps a repository failure of a commit to GitLab's words.
func commitError(err error) error {
	switch {
	case errors.Is(err, repo.ErrExists):
		return Invalid("A file with this name already exists")
	case errors.Is(err, repo.ErrNotFound):
		return Invalid("A file with this name doesn't exist")
	case errors.Is(err, repo.ErrInvalidPath):
		return Invalid("invalid path")
	case errors.Is(err, repo.ErrInvalid):
		msg := err.Error()
		if _, after, ok := strings.Cut(msg, repo.ErrInvalid.Error()+": "); ok {
			msg = after
		}
		return Invalid(msg)
	case errors.Is(err, repo.ErrConflict):
		return Invalid("Could not update branch: it was changed concurrently. Please refresh and try again.")
	}
	return fmt.Errorf("service: commit: %w", err)
}

func isCommitID(s string) bool {
	if len(s) < 7 || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
