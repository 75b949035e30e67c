package repo

import (
	"errors"
	"fmt"
)

// Typed errors the API layer maps to HTTP statuses. Match with errors.Is.
var (
	ErrNotFound    = errors.New("not found")      // 404
	ErrInvalidPath = errors.New("invalid path")   // 400
	ErrInvalidRef  = errors.New("invalid ref")    // 400
	ErrInvalid     = errors.New("invalid input")  // 400
	ErrExists      = errors.New("already exists") // 400/409
	ErrConflict    = errors.New("conflict")       // 409: another writer moved the ref
)

// GitError is a failed git invocation with its captured stderr.
type GitError struct {
	Args   []string
	Stderr string
	Err    error
}

func (e *GitError) Error() string {
	return fmt.Sprintf("git %v: %v: %s", e.Args, e.Err, e.Stderr)
}

func (e *GitError) Unwrap() error { return e.Err }

// ExitCode returns git's exit status, or -1 if it did not exit normally.
func (e *GitError) ExitCode() int {
	var ee interface{ ExitCode() int }
	if errors.As(e.Err, &ee) {
		return ee.ExitCode()
	}
	return -1
}
