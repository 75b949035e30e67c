package service

import (
	"errors"
	"fmt"
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
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %v", e.Message, e.Fields)
	}
	return e.Message
}

// NotFound returns a 404 error for a resource, e.g. NotFound("Project").
func NotFound(what string) error {
	return &Error{Kind: KindNotFound, Message: what + " Not Found"}
}

// Forbidden returns a 403 error; msg may be empty.
func Forbidden(msg string) error { return &Error{Kind: KindForbidden, Message: msg} }

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
