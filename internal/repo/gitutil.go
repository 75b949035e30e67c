package repo

import "errors"

// asGitError is errors.As for *GitError.
func asGitError(err error, target **GitError) bool { return errors.As(err, target) }
