package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/video"
)

// Code classifies an error for callers that must map it to a protocol status (an HTTP status, a
// gRPC code). ErrorCode computes it; the example servers map each Code to a status in one table.
type Code string

// The error codes.
const (
	CodeInvalid         Code = "invalid"         // the input is malformed or breaks a rule
	CodeNotFound        Code = "not_found"       // no such record, or not one the actor may see
	CodeConflict        Code = "conflict"        // a concurrent change won, or the state does not allow it
	CodeForbidden       Code = "forbidden"       // the actor may see the record but not do this
	CodeUnauthenticated Code = "unauthenticated" // no valid actor
	CodeThrottled       Code = "throttled"       // too many attempts: retry later
	CodeUnavailable     Code = "unavailable"     // cancelled, timed out, or the database is unreachable
	CodeInternal        Code = "internal"        // a bug or an unexpected failure
)

// Sentinel errors of the Desk. Operations wrap them with context; test with errors.Is.
var (
	// ErrInvalid is wrapped by every *ValidationError.
	ErrInvalid = errors.New("invalid input")
	// ErrForbidden means the actor may not perform the operation. It is the access policy's
	// tenant.ErrForbidden.
	ErrForbidden = tenant.ErrForbidden
	// ErrCodeUnusable means a device code is inactive, expired, or does not offer the action.
	ErrCodeUnusable = errors.New("code not usable")
	// ErrSupportLapsed means the customer's support plan has expired, so no ticket can be opened.
	ErrSupportLapsed = errors.New("support plan lapsed")
	// ErrTicketClosed means the ticket no longer accepts requester posts.
	ErrTicketClosed = errors.New("ticket closed")
	// ErrBadCredentials means a sign-in failed: no such account, a wrong password, or an
	// account that cannot sign in. Which of these it was is never told.
	ErrBadCredentials = errors.New("e-mail address or password is wrong")
	// ErrTooManyAttempts means sign-in for an e-mail address is throttled after repeated
	// failures; *ThrottledError says until when.
	ErrTooManyAttempts = errors.New("too many failed sign-ins")
	// ErrUnauthenticated means a session token is unknown, expired or revoked, or belongs to a
	// user who can no longer sign in.
	ErrUnauthenticated = errors.New("not signed in")
	// ErrInvalidLink means a one-time link (invitation, password reset, share-login) or a
	// requester link is unknown, already used, or expired.
	ErrInvalidLink = errors.New("link unknown, used or expired")
	// ErrRegistrationClosed means the tenant does not let this e-mail address register itself.
	ErrRegistrationClosed = errors.New("self-registration not open")
	// ErrNotOffered means the tenant's offer (tenant.Offer) does not include what was asked:
	// video calls on request, planning, media uploads.
	ErrNotOffered = errors.New("not offered")
	// ErrUploadsClosed means the ticket's media transfer window has ended.
	ErrUploadsClosed = errors.New("media transfer window ended")
	// ErrMediaLimit means the ticket already holds the tenant's maximum count of media.
	ErrMediaLimit = errors.New("media limit reached")
	// ErrVideoUnavailable means the Desk has no video provider (Config.Video).
	ErrVideoUnavailable = errors.New("video calls unavailable")
)

// ThrottledError is returned (wrapped) by SignIn while an e-mail address is locked out. It
// wraps ErrTooManyAttempts.
type ThrottledError struct {
	// Until is when sign-in for the address is allowed again.
	Until time.Time
}

// Error says until when sign-in is refused.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%v: try again after %s", ErrTooManyAttempts, e.Until.Format(time.RFC3339))
}

// Unwrap returns ErrTooManyAttempts.
func (e *ThrottledError) Unwrap() error { return ErrTooManyAttempts }

// ValidationError reports one input field that breaks a rule. It wraps ErrInvalid.
type ValidationError struct {
	// Field names the offending input, as in "requester.email" or "fields.voltage".
	Field string
	// Problem says what is wrong, in words fit to show a user.
	Problem string
	// Err is the underlying cause, if any (such as device.ErrInvalidPIN).
	Err error
}

// Error returns "invalid FIELD: PROBLEM".
func (e *ValidationError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Problem) }

// Unwrap returns ErrInvalid and the underlying cause, if any.
func (e *ValidationError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalid, e.Err}
	}
	return []error{ErrInvalid}
}

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// ErrorCode classifies err, which may be wrapped any number of times. It returns "" for nil and
// CodeInternal for anything it does not recognise.
func ErrorCode(err error) Code {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrInvalid), errors.Is(err, storage.ErrInvalidCursor), errors.Is(err, tenant.ErrWeakPassword),
		errors.Is(err, ticket.ErrUnknownEvent), errors.Is(err, ticket.ErrInvalidRef):
		return CodeInvalid
	case errors.Is(err, storage.ErrNotFound):
		return CodeNotFound
	case errors.Is(err, video.ErrInvalid):
		return CodeInvalid
	case errors.Is(err, video.ErrRoomNotFound):
		return CodeNotFound
	case errors.Is(err, storage.ErrConflict), errors.Is(err, ticket.ErrInvalidTransition),
		errors.Is(err, ErrTicketClosed), errors.Is(err, ErrUploadsClosed), errors.Is(err, ErrMediaLimit),
		errors.Is(err, video.ErrRoomEnded):
		return CodeConflict
	case errors.Is(err, ErrForbidden), errors.Is(err, ErrCodeUnusable), errors.Is(err, ErrSupportLapsed),
		errors.Is(err, ErrRegistrationClosed), errors.Is(err, ErrNotOffered):
		return CodeForbidden
	case errors.Is(err, tenant.ErrInvalidActor), errors.Is(err, ErrBadCredentials),
		errors.Is(err, ErrUnauthenticated), errors.Is(err, ErrInvalidLink):
		return CodeUnauthenticated
	case errors.Is(err, ErrTooManyAttempts):
		return CodeThrottled
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, ErrVideoUnavailable):
		return CodeUnavailable
	}
	return CodeInternal
}

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }
