package service

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// Kind classifies an operation's failure so that every adapter can map it
// to its own answer (an HTTP status for REST).
type Kind int

// Failure kinds.
const (
	// KindInternal is an unexpected failure; its detail is never shown.
	KindInternal Kind = iota
	// KindInvalid is bad input: HTTP 400.
	KindInvalid
	// KindNotFound is a missing or invisible resource: HTTP 404.
	KindNotFound
	// KindForbidden is a visible resource the caller may not change: 403.
	KindForbidden
	// KindConflict is a state clash: HTTP 409.
	KindConflict
	// KindUnprocessable is well-formed input that can't be applied: 422.
	KindUnprocessable
	// KindUnauthorized is a missing or invalid credential: HTTP 401.
	KindUnauthorized
	// KindInsufficientScope is a valid token without any of Scopes: 403
	// with the OAuth insufficient_scope body.
	KindInsufficientScope
	// KindTooLarge is a request body over its limit: HTTP 413.
	KindTooLarge
	// KindMethodNotAllowed is an operation the credential cannot ask
	// for: HTTP 405.
	KindMethodNotAllowed
	// KindNotAcceptable is an operation with nothing to act on: HTTP 406.
	KindNotAcceptable
)

// Error is a failure with GitLab's wording.
type Error struct {
	Kind Kind
	// Message is the human text, e.g. "Project Not Found" or "name is missing".
	Message string
	// Fields, when set, are per-attribute validation messages rendered as
	// {"message": {"name": ["has already been taken"]}}.
	Fields map[string][]string
	// Param marks a request-parameter error, rendered as {"error": Message}.
	Param bool
	// Plain marks a 403 or 404 rendered as {"message": Message}, without
	// the "403 Forbidden - " or "404 " prefix: GitLab's
	// render_api_error!(message, status).
	Plain bool
	// List, when set, is rendered as {"message": [...]}: GitLab's
	// error!(record.errors[:attribute], status).
	List []string
	// Scopes are the scopes any one of which would have sufficed
	// (KindInsufficientScope).
	Scopes []string
	// cause is the unexpected error behind a KindInternal one, for logs.
	cause error
}

// Unwrap returns the error an internal failure was classified from.
func (e *Error) Unwrap() error { return e.cause }

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %v", e.Message, e.Fields)
	}
	return e.Message
}

// NotFound returns a 404 error for a resource, e.g. NotFound("Project").
func NotFound(what string) error {
	if what == "" {
		return &Error{Kind: KindNotFound, Message: "Not Found"} // GitLab's bare not_found!
	}
	return &Error{Kind: KindNotFound, Message: what + " Not Found"}
}

// NotFoundPlain is a 404 whose message GitLab renders as it is
// (render_api_error!(message, 404)).
func NotFoundPlain(msg string) error { return &Error{Kind: KindNotFound, Message: msg, Plain: true} }

// Forbidden returns a 403 error; msg may be empty.
func Forbidden(msg string) error { return &Error{Kind: KindForbidden, Message: msg} }

// ForbiddenPlain is a 403 whose message GitLab renders as it is
// (render_api_error!, not forbidden!).
func ForbiddenPlain(msg string) error { return &Error{Kind: KindForbidden, Message: msg, Plain: true} }

// Invalid returns a 400 error with a plain message.
func Invalid(msg string) error { return &Error{Kind: KindInvalid, Message: msg} }

// ParamError returns a 400 error about a request parameter, e.g.
// ParamError("name is missing").
func ParamError(msg string) error { return &Error{Kind: KindInvalid, Message: msg, Param: true} }

// Conflict returns a 409 error.
func Conflict(msg string) error { return &Error{Kind: KindConflict, Message: msg} }

// Validation collects per-field messages; Err returns nil when empty.
type Validation map[string][]string

// Add records msg against field.
func (v Validation) Add(field, msg string) { v[field] = append(v[field], msg) }

// Err returns the collected messages as a 400 error, or nil.
func (v Validation) Err() error {
	if len(v) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Fields: v}
}

// KindOf returns the kind of err, KindInternal when it carries none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// Unauthorized is the 401 answer to missing or invalid credentials, with
// an optional hint (e.g. a session write without its CSRF token).
func Unauthorized(hint string) error { return &Error{Kind: KindUnauthorized, Message: hint} }

// TooLarge is the 413 answer to a body over its limit.
func TooLarge() error { return &Error{Kind: KindTooLarge, Message: "Request Entity Too Large"} }

// StorageFull reports whether err is a write that found no space left:
// a full (or over-quota) file system under the data dir, or a full
// database. Classify leaves it KindInternal; REST answers it with 507.
func StorageFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || store.IsFull(err)
}

// Classify returns err in the service's vocabulary, the one every adapter
// renders: service errors as they are, and the failures of the layers
// around it — authentication, storage, repositories — translated here
// once. Anything else is KindInternal, its detail kept for logs only.
func Classify(err error) *Error {
	var se *Error
	var scopeErr *auth.ScopeError
	var forbidden *auth.ForbiddenError
	var sudoErr *auth.SudoNotFoundError
	switch {
	case errors.As(err, &se):
		return se
	case errors.Is(err, auth.ErrUnauthorized):
		return &Error{Kind: KindUnauthorized}
	case errors.As(err, &scopeErr):
		return &Error{Kind: KindInsufficientScope, Scopes: scopeErr.Scopes}
	case errors.As(err, &forbidden):
		return &Error{Kind: KindForbidden, Message: forbidden.Message}
	case errors.As(err, &sudoErr):
		return &Error{Kind: KindNotFound, Message: "User with ID or username '" + sudoErr.Ident + "' Not Found"}
	case errors.Is(err, store.ErrNotFound), errors.Is(err, repo.ErrNotFound):
		return &Error{Kind: KindNotFound, Message: "Not Found"}
	case errors.Is(err, repo.ErrInvalidPath), errors.Is(err, repo.ErrInvalidRef), errors.Is(err, repo.ErrInvalid),
		errors.Is(err, repo.ErrExists):
		// Operations should say what was wrong in GitLab's words; this
		// keeps an unmapped repository refusal from ever becoming a 500.
		return &Error{Kind: KindInvalid, Message: "400 Bad request - " + err.Error()}
	case errors.Is(err, repo.ErrConflict):
		return &Error{Kind: KindConflict, Message: "409 Conflict - " + err.Error()}
	}
	return &Error{Kind: KindInternal, Message: "Internal Server Error", cause: err}
}
