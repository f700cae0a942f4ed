package web_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/web"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// TestErrorPageUnavailable: a page whose database cannot be reached answers 503 with
// Retry-After and the "try again" message, and logs a warning (an internal error logs an
// error and sends no Retry-After).
func TestErrorPageUnavailable(t *testing.T) {
	cat, err := web.NewCatalog()
	require.NoError(t, err)
	var logs bytes.Buffer
	pages, err := web.NewPages(cat, slog.New(slog.NewJSONHandler(&logs, nil)), fstest.MapFS{}, "*.html")
	require.NoError(t, err)
	lost := fmt.Errorf("list tickets: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})

	rec := httptest.NewRecorder()
	pages.Error(rec, httptest.NewRequest(http.MethodGet, "/", nil), cat.Lang("en"), lost)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "5", rec.Header().Get("Retry-After"))
	assert.Contains(t, rec.Body.String(), "try again")
	assert.Contains(t, logs.String(), `"level":"WARN"`)
	assert.Contains(t, logs.String(), "unavailable")
	assert.Contains(t, logs.String(), "connection refused", "the cause is in the log")

	logs.Reset()
	rec = httptest.NewRecorder()
	pages.Error(rec, httptest.NewRequest(http.MethodGet, "/", nil), cat.Lang("en"), errors.New("disk on fire"))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Empty(t, rec.Header().Get("Retry-After"))
	assert.Contains(t, logs.String(), `"level":"ERROR"`)
}
