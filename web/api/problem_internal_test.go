package api

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/stretchr/testify/assert"
)

func TestProblemFor(t *testing.T) {
	internal := problemFor(fmt.Errorf("list tickets: %w", errors.New("pq: password authentication failed for db")))
	assert.Equal(t, http.StatusInternalServerError, internal.Status)
	assert.Equal(t, helpdesk.KindInternal, internal.Code)
	assert.Empty(t, internal.Detail, "an internal error's cause stays in the log")

	v := problemFor(fmt.Errorf("submit: %w", &helpdesk.ValidationError{Field: "requester.email", Problem: "not an e-mail address"}))
	assert.Equal(t, http.StatusUnprocessableEntity, v.Status)
	assert.Equal(t, []FieldProblem{{Field: "requester.email", Message: "not an e-mail address"}}, v.Errors)

	nf := problemFor(fmt.Errorf("get: %w", helpdesk.ErrForbidden))
	assert.Equal(t, http.StatusForbidden, nf.Status)
}
