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

// ErrorKind is the class of an error: what a caller must do about it, whatever its cause. KindOf
// computes it from any error a Desk operation returns, so a server maps each kind to a protocol
// status (an HTTP status, a gRPC code) in one table.
type ErrorKind string

// The error kinds.
const (
	KindInvalid         ErrorKind = "invalid"         // the input is malformed or breaks a rule
	KindNotFound        ErrorKind = "not_found"       // no such record, or not one the actor may see
	KindConflict        ErrorKind = "conflict"        // a concurrent change won, or the state does not allow it
	KindForbidden       ErrorKind = "forbidden"       // the actor may see the record but not do this
	KindUnauthenticated ErrorKind = "unauthenticated" // no valid actor
	KindThrottled       ErrorKind = "throttled"       // too many attempts: retry later
	KindUnavailable     ErrorKind = "unavailable"     // cancelled, timed out, busy, or the database is unreachable
	KindInternal        ErrorKind = "internal"        // a bug or an unexpected failure
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
	// ErrWrongPIN means a code's page needs its PIN and none, a malformed one or a wrong one
	// was given, or the code's PIN prompt is locked after repeated wrong PINs: the answer is
	// the same, so that nobody learns which. It is also an ErrForbidden.
	ErrWrongPIN error = &kindError{msg: "PIN missing or wrong", of: ErrForbidden}
	// ErrSupportLapsed means the customer's support plan has expired, so no ticket can be opened.
	ErrSupportLapsed = errors.New("support plan lapsed")
	// ErrTicketClosed means the ticket no longer accepts requester posts.
	ErrTicketClosed = errors.New("ticket closed")
	// ErrBadCredentials means a sign-in failed: no such account, a wrong password, or an
	// account that cannot sign in. Which of these it was is never told.
	// It is also an ErrUnauthenticated: errors.Is(ErrBadCredentials, ErrUnauthenticated) holds.
	ErrBadCredentials error = &kindError{msg: "e-mail address or password is wrong", of: ErrUnauthenticated}
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
	// ErrNoOpenOffer means an agent tried to accept a ticket without an open offer of it: it
	// was never offered to them (they are not a member of its team), or their offer expired.
	// Admins, moderators and supervisors, who may assign, take a ticket without an offer.
	ErrNoOpenOffer = errors.New("no open offer of the ticket")
	// ErrDefaultTeam means the tenant's default group cannot be deleted: it receives new
	// requests. Make another team the default group first (SetDefaultTeam); the last team is
	// always the default group, so a tenant never runs out of teams.
	ErrDefaultTeam = errors.New("the default group cannot be deleted")
	// ErrVideoUnavailable means the Desk has no video provider (Config.Video).
	ErrVideoUnavailable = errors.New("video calls unavailable")
	// ErrQuotaExceeded means one of the tenant's quotas (tenant.Quotas) refused the request:
	// too many tickets through one device code in the last hour, too many files or bytes on a
	// ticket, too many open video sessions on a ticket. Its message names the quota and its
	// limit, never a person, customer or device.
	ErrQuotaExceeded = errors.New("quota exceeded")
	// ErrSignInRequired means the tenant's request form is for signed-in customer users only
	// (tenant.VisibilityCustomers): a code holder cannot open a ticket. It is also an
	// ErrUnauthenticated.
	ErrSignInRequired error = &kindError{msg: "sign in to open a ticket for this device", of: ErrUnauthenticated}
	// ErrRequestLinkRequired means the tenant's request form is for the invited only
	// (tenant.VisibilityInvited): a ticket is opened through a request link staff sent
	// (SendRequestLink), not through a device's code. It is also an ErrForbidden.
	ErrRequestLinkRequired error = &kindError{msg: "a request link is needed to open a ticket for this device", of: ErrForbidden}
	// ErrBusy means the Desk refused work it could not start at once without risking its
	// memory (Config.MaxConcurrentHashes password or PIN checks already run): retry shortly.
	ErrBusy = errors.New("busy: too many checks at once")
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

// KindOf classifies err, which may be wrapped any number of times. It returns "" for nil and
// KindInternal for anything it does not recognise. The table, first match wins:
//
//	KindInvalid          ErrInvalid (every *ValidationError), storage.ErrInvalidCursor,
//	                     tenant.ErrWeakPassword, ticket.ErrUnknownEvent, ticket.ErrInvalidRef,
//	                     video.ErrInvalid
//	KindNotFound         storage.ErrNotFound, video.ErrRoomNotFound
//	KindConflict         storage.ErrConflict, ticket.ErrInvalidTransition, ErrTicketClosed,
//	                     ErrUploadsClosed, ErrMediaLimit, ErrDefaultTeam, video.ErrRoomEnded
//	KindForbidden        ErrForbidden (tenant.ErrForbidden), ErrCodeUnusable, ErrSupportLapsed,
//	                     ErrRegistrationClosed, ErrNotOffered, ErrNoOpenOffer
//	KindUnauthenticated  ErrUnauthenticated (and ErrBadCredentials, which is one),
//	                     tenant.ErrInvalidActor, ErrInvalidLink
//	KindThrottled        ErrTooManyAttempts (every *ThrottledError), ErrQuotaExceeded
//	KindUnavailable      ErrBusy, ErrVideoUnavailable, ErrSMTPUnavailable, ErrNotReady,
//	                     context.Canceled, context.DeadlineExceeded, storage.ErrUnavailable,
//	                     and any other error storage.Unreachable recognises (a lost or
//	                     refused connection to the database or another service)
//	KindInternal         anything else
//
// The concept guide (docs/concepts.md, "Errors") says which operations return which.
func KindOf(err error) ErrorKind {
	if err == nil {
		return ""
	}
	for _, row := range kindTable {
		for _, sentinel := range row.errs {
			if errors.Is(err, sentinel) {
				return row.kind
			}
		}
	}
	if storage.Unreachable(err) {
		return KindUnavailable
	}
	return KindInternal
}

// kindTable is KindOf's table, in the order it is searched.
var kindTable = []struct {
	kind ErrorKind
	errs []error
}{
	{KindInvalid, []error{ErrInvalid, storage.ErrInvalidCursor, tenant.ErrWeakPassword, ticket.ErrUnknownEvent,
		ticket.ErrInvalidRef, video.ErrInvalid}},
	{KindNotFound, []error{storage.ErrNotFound, video.ErrRoomNotFound}},
	{KindConflict, []error{storage.ErrConflict, ticket.ErrInvalidTransition, ErrTicketClosed, ErrUploadsClosed,
		ErrMediaLimit, ErrDefaultTeam, video.ErrRoomEnded}},
	{KindForbidden, []error{ErrForbidden, ErrCodeUnusable, ErrSupportLapsed, ErrRegistrationClosed, ErrNotOffered,
		ErrNoOpenOffer}},
	{KindUnauthenticated, []error{ErrUnauthenticated, tenant.ErrInvalidActor, ErrInvalidLink}},
	{KindThrottled, []error{ErrTooManyAttempts, ErrQuotaExceeded}},
	{KindUnavailable, []error{ErrBusy, ErrVideoUnavailable, ErrSMTPUnavailable, ErrNotReady, context.Canceled, context.DeadlineExceeded,
		storage.ErrUnavailable}},
}

// kindError is a sentinel that is also another one (errors.Is finds both).
type kindError struct {
	msg string
	of  error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.of }

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }
