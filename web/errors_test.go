package web_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/web"
	"github.com/stretchr/testify/assert"
)

func TestStatus(t *testing.T) {
	for err, want := range map[error]int{
		nil:                                      http.StatusOK,
		&helpdesk.ValidationError{Field: "x"}:    http.StatusUnprocessableEntity,
		fmt.Errorf("x: %w", storage.ErrNotFound): http.StatusNotFound,
		storage.ErrConflict:                      http.StatusConflict,
		helpdesk.ErrWrongPIN:                     http.StatusForbidden,
		helpdesk.ErrInvalidLink:                  http.StatusUnauthorized,
		&helpdesk.ThrottledError{}:               http.StatusTooManyRequests,
		helpdesk.ErrBusy:                         http.StatusServiceUnavailable,
		errors.New("disk on fire"):               http.StatusInternalServerError,
	} {
		assert.Equal(t, want, web.Status(helpdesk.KindOf(err)), "%v", err)
	}
	assert.Equal(t, http.StatusInternalServerError, web.Status("unheard of"))
}
