package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/web"
)

// Problem is an error answer as RFC 9457 describes it (application/problem+json), with the
// error's kind (helpdesk.KindOf) in Code and, for invalid input, each field's problem.
type Problem struct {
	// Type is a URI naming the problem class: "about:blank" or one of this API's.
	Type string `json:"type" doc:"a URI naming the class of problem"`
	// Title is a short, fixed summary of the class.
	Title string `json:"title" doc:"a short summary of the class of problem"`
	// Status repeats the HTTP status.
	Status int `json:"status" doc:"the HTTP status"`
	// Detail says what went wrong with this request.
	Detail string `json:"detail,omitempty" doc:"what went wrong with this request"`
	// Code is the error's kind, which clients branch on.
	Code helpdesk.ErrorKind `json:"code" doc:"the error's kind, which clients branch on"`
	// Errors lists each invalid field, for code "invalid".
	Errors []FieldProblem `json:"errors,omitempty" doc:"each invalid field, for code invalid"`
}

// FieldProblem is one invalid input field.
type FieldProblem struct {
	// Field names the input, as in "requester.email" or the name of a query parameter.
	Field string `json:"field" doc:"the input, as in requester.email or a query parameter's name"`
	// Message says what is wrong with it.
	Message string `json:"message" doc:"what is wrong with it"`
}

// The document lists the kinds a problem's code takes: the Desk's, and the API's own.
var _ = enumType(func() []helpdesk.ErrorKind {
	return []helpdesk.ErrorKind{helpdesk.KindInvalid, helpdesk.KindNotFound, helpdesk.KindConflict,
		helpdesk.KindForbidden, helpdesk.KindUnauthenticated, helpdesk.KindThrottled, helpdesk.KindUnavailable,
		helpdesk.KindInternal, kindPrecondition, kindUnsupported, kindMethod}
})

// The kinds the API adds to helpdesk.ErrorKind's for HTTP's own failures.
const (
	// kindPrecondition is a stale If-Match: the record changed since the client read it.
	kindPrecondition = "precondition_failed"
	// kindUnsupported is a request body that is not JSON.
	kindUnsupported = "unsupported_media_type"
	// kindMethod is a method the path's operations do not take.
	kindMethod = "method_not_allowed"
)

// apiError is an error the API itself raises, with its own status and kind.
type apiError struct {
	status int
	kind   helpdesk.ErrorKind
	detail string
	fields []FieldProblem
}

func (e *apiError) Error() string { return e.detail }

// preconditionFailed is the answer to a stale If-Match.
func preconditionFailed(detail string) error {
	return &apiError{status: http.StatusPreconditionFailed, kind: kindPrecondition, detail: detail}
}

// badInput is an invalid request the Desk never saw (a malformed parameter or body).
func badInput(field, message string) error {
	return &apiError{status: http.StatusUnprocessableEntity, kind: helpdesk.KindInvalid,
		detail: "invalid " + field + ": " + message, fields: []FieldProblem{{Field: field, Message: message}}}
}

// problemFor turns any error into its problem: the API's own, or a Desk error by its kind
// through the one status table (web.Status). Internal errors say nothing of their cause.
func problemFor(err error) Problem {
	var ae *apiError
	if errors.As(err, &ae) {
		return Problem{Type: "about:blank", Title: http.StatusText(ae.status), Status: ae.status,
			Detail: ae.detail, Code: ae.kind, Errors: ae.fields}
	}
	kind := helpdesk.KindOf(err)
	status := web.Status(kind)
	p := Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Code: kind}
	switch {
	case web.LostConnection(err):
		// A driver's text names hosts and ports: the log has it, the client needs none of it.
		p.Detail = "temporarily unavailable (a lost connection to the database or a service it needs): try again shortly"
	case kind != helpdesk.KindInternal:
		p.Detail = err.Error()
	}
	var ve *helpdesk.ValidationError
	if errors.As(err, &ve) {
		p.Detail = ve.Error()
		p.Errors = []FieldProblem{{Field: ve.Field, Message: ve.Problem}}
	}
	return p
}

// writeProblem answers err as application/problem+json.
func writeProblem(w http.ResponseWriter, err error) {
	p := problemFor(err)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	if p.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", web.RetryUnavailable)
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
