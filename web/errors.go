package web

import (
	"net/http"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
)

// RetryUnavailable is the Retry-After header (in seconds) of a 503 answer: long enough
// for a restarting database to come back, short enough that a waiting client retries soon.
const RetryUnavailable = "5"

// LostConnection reports whether err is unavailable (helpdesk.KindUnavailable) because a
// connection to the database or a service the request needs was lost or refused
// (storage.Unreachable): its answer is a 503 that names no host, and the log records it as a
// warning with the driver's error.
func LostConnection(err error) bool {
	return helpdesk.KindOf(err) == helpdesk.KindUnavailable && storage.Unreachable(err)
}

// statuses is the one table from error kinds to HTTP statuses.
var statuses = map[helpdesk.ErrorKind]int{
	"":                           http.StatusOK,
	helpdesk.KindInvalid:         http.StatusUnprocessableEntity,
	helpdesk.KindNotFound:        http.StatusNotFound,
	helpdesk.KindConflict:        http.StatusConflict,
	helpdesk.KindForbidden:       http.StatusForbidden,
	helpdesk.KindUnauthenticated: http.StatusUnauthorized,
	helpdesk.KindThrottled:       http.StatusTooManyRequests,
	helpdesk.KindUnavailable:     http.StatusServiceUnavailable,
	helpdesk.KindInternal:        http.StatusInternalServerError,
}

// Status returns the HTTP status of an error kind: 422 for invalid input (the form is shown
// again with its problems), 404, 409, 403, 401, 429, 503, and 500 for anything else.
func Status(kind helpdesk.ErrorKind) int {
	if s, ok := statuses[kind]; ok {
		return s
	}
	return http.StatusInternalServerError
}
