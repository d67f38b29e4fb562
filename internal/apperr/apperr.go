// Package apperr defines the error codes of the API contract once, as plain Go
// values that domain packages return without knowing about GraphQL. The graph
// layer's presenter turns them into `extensions.code`; anything that is not an
// *Error reaches clients as INTERNAL.
package apperr

import (
	"errors"
	"fmt"
)

// Code is one of the contract's `extensions.code` values.
type Code string

// The contract's codes; never rename one.
const (
	Unauthenticated         Code = "UNAUTHENTICATED"
	Forbidden               Code = "FORBIDDEN"
	NotFound                Code = "NOT_FOUND"
	Validation              Code = "VALIDATION_ERROR"
	Conflict                Code = "CONFLICT"
	InUse                   Code = "IN_USE"
	InvalidCredentials      Code = "INVALID_CREDENTIALS"
	TooManyAttempts         Code = "TOO_MANY_ATTEMPTS"
	SSORequired             Code = "SSO_REQUIRED"
	InvalidCode             Code = "INVALID_CODE"
	WeakPassword            Code = "WEAK_PASSWORD"
	InvalidDialNumber       Code = "INVALID_DIAL_NUMBER"
	DialNumberInUse         Code = "DIAL_NUMBER_IN_USE"
	DialNumberLocked        Code = "DIAL_NUMBER_LOCKED"
	StationTypeNotAllowed   Code = "STATION_TYPE_NOT_ALLOWED"
	BrowserNotSupported     Code = "BROWSER_NOT_SUPPORTED"
	TeamNotAssigned         Code = "TEAM_NOT_ASSIGNED"
	ProfileNotAssigned      Code = "PROFILE_NOT_ASSIGNED"
	NotContactCenterEnabled Code = "NOT_CONTACT_CENTER_ENABLED"
	SessionActiveElsewhere  Code = "SESSION_ACTIVE_ELSEWHERE"
	SessionTakenOver        Code = "SESSION_TAKEN_OVER"
	SessionExpired          Code = "SESSION_EXPIRED"
	NoDesktopSession        Code = "NO_DESKTOP_SESSION"
	AgentNotIdle            Code = "AGENT_NOT_IDLE"
	ActiveInteraction       Code = "ACTIVE_INTERACTION"
	MonitoringInProgress    Code = "MONITORING_IN_PROGRESS"
	ComplexityLimitExceeded Code = "COMPLEXITY_LIMIT_EXCEEDED"
	DepthLimitExceeded      Code = "DEPTH_LIMIT_EXCEEDED"
	Internal                Code = "INTERNAL"
)

// Error is an error a client may see: a code, a message for people, and
// optional extensions (for example `field` or `retryAfterSeconds`).
type Error struct {
	Code       Code
	Message    string
	Extensions map[string]any
	// cause is kept for logs only; it never reaches a client.
	cause error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the logged cause.
func (e *Error) Unwrap() error { return e.cause }

// New returns an error with a code and a message for people.
func New(code Code, message string) *Error {
	return &Error{Code: code, Message: message}
}

// Newf is New with formatting.
func Newf(code Code, format string, args ...any) *Error {
	return New(code, fmt.Sprintf(format, args...))
}

// Invalid is a VALIDATION_ERROR about one input field.
func Invalid(field, message string) *Error {
	return New(Validation, message).With("field", field)
}

// With returns a copy of e with one more extension.
func (e *Error) With(key string, value any) *Error {
	c := *e
	c.Extensions = make(map[string]any, len(e.Extensions)+1)
	for k, v := range e.Extensions {
		c.Extensions[k] = v
	}
	c.Extensions[key] = value
	return &c
}

// Wrap returns a copy of e that carries cause for the logs.
func (e *Error) Wrap(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// As finds an *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// CodeOf is the code of err, INTERNAL for anything that is not an *Error and
// "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	if e, ok := As(err); ok {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }
