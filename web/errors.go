package web

import (
	"net/http"

	"github.com/deskkit/helpdesk"
)

// RetryUnavailable is the Retry-After header (in seconds) of a 503 answer: long enough
// for a restarting database to come back, short enough that a waiting client retries soon.
const RetryUnavailable = "5"

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
