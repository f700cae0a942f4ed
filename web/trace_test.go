package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk/web"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// site is a site as the example servers mount one: an outer mux, and under it a handler with
// its own mux inside AccessLog (as web/public and web/backoffice are), reached through a
// middleware that copies the request (as one adding to the context does). Its handlers log an
// error with the request's context, as the pages do.
func site(logger *slog.Logger) http.Handler {
	inner := http.NewServeMux()
	inner.HandleFunc("GET /c/{token}", func(w http.ResponseWriter, r *http.Request) {
		logger.ErrorContext(r.Context(), "render page", "route", r.Pattern)
		_, _ = w.Write([]byte("device page"))
	})
	copying := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), copiedKey{}, 1)))
		})
	}
	outer := http.NewServeMux()
	outer.Handle("/c/", web.AccessLog(logger, inner))
	outer.Handle("/copied/", copying(http.StripPrefix("/copied", web.AccessLog(logger, inner))))
	outer.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return outer
}

type copiedKey struct{}

// logLines decodes the JSON lines logged into buf.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), "a JSON line: %s", line)
		out = append(out, m)
	}
	return out
}

// TestTraceRequestID checks the request IDs: a sane one from the request is kept, on the
// response, in the log line and in the handler's own log records; a missing or bad one is
// replaced by a new one, different for each request.
func TestTraceRequestID(t *testing.T) {
	long := strings.Repeat("a", 129)
	for _, tc := range []struct {
		name, sent string
		kept       bool
	}{
		{"sane", "req-42.a_b:c", true},
		{"uuid", "0190b6a2-7c1e-7d3e-8f00-0123456789ab", true},
		{"longest", long[:128], true},
		{"missing", "", false},
		{"too long", long, false},
		{"space", "a b", false},
		{"quote", `a"b`, false},
		{"newline", "a\nrequest", false},
		{"non-ASCII", "ä", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := slog.New(web.LogRequestIDs(slog.NewJSONHandler(&buf, nil)))
			h := web.Trace(logger, site(logger))
			r := httptest.NewRequest(http.MethodGet, "/c/SECRET", nil)
			if tc.sent != "" {
				r.Header.Set(web.RequestIDHeader, tc.sent)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			got := w.Header().Get(web.RequestIDHeader)
			if tc.kept {
				assert.Equal(t, tc.sent, got)
			} else {
				assert.NotEqual(t, tc.sent, got)
				assert.Regexp(t, `^[A-Z2-7]{26}$`, got, "a new random ID")
			}
			lines := logLines(t, &buf)
			require.Len(t, lines, 2, "the handler's error and the one request line")
			for _, l := range lines {
				assert.Equal(t, got, l["request_id"], "every line of the request carries its ID: %v", l)
			}
			assert.Equal(t, 2, strings.Count(buf.String(), `"request_id"`), "once a line")
			assert.NotContains(t, buf.String(), "SECRET", "the path's secret is never logged")

			// Another request gets another ID.
			w2 := httptest.NewRecorder()
			h.ServeHTTP(w2, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			assert.NotEqual(t, got, w2.Header().Get(web.RequestIDHeader))
		})
	}
}

// TestTraceLogLine checks the one JSON line per request: its fields, the route pattern of the
// innermost mux (also when a handler copied the request on the way), the status and bytes.
func TestTraceLogLine(t *testing.T) {
	for _, tc := range []struct {
		name, path, route string
		status, bytes     int
	}{
		{"inner route", "/c/SECRET", "GET /c/{token}", http.StatusOK, len("device page")},
		{"inner route past a copy", "/copied/c/SECRET", "GET /c/{token}", http.StatusOK, len("device page")},
		{"outer route", "/healthz", "GET /healthz", http.StatusNoContent, 0},
		{"no route", "/nowhere", "", http.StatusNotFound, len("404 page not found\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			quiet := slog.New(slog.DiscardHandler)
			var served []web.Served
			h := web.Trace(slog.New(slog.NewJSONHandler(&buf, nil)), site(quiet), func(_ *http.Request, s web.Served) {
				served = append(served, s)
			})
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tc.path, nil))
			lines := logLines(t, &buf)
			require.Len(t, lines, 1)
			l := lines[0]
			assert.Equal(t, "request", l["msg"])
			assert.Equal(t, "INFO", l["level"])
			assert.Equal(t, http.MethodGet, l["method"])
			assert.Equal(t, tc.route, l["route"])
			assert.EqualValues(t, tc.status, l["status"])
			assert.EqualValues(t, tc.bytes, l["bytes"])
			assert.Equal(t, w.Header().Get(web.RequestIDHeader), l["request_id"])
			assert.Contains(t, l, "duration_ms")
			require.Len(t, served, 1, "each observer is told once")
			assert.Equal(t, tc.route, served[0].Route)
			assert.Equal(t, tc.status, served[0].Status)
		})
	}
}

// TestAccessLogAlone checks that a handler's AccessLog still logs its requests when no
// Trace logs them, with their bytes.
func TestAccessLogAlone(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	for _, h := range []http.Handler{site(logger), web.Trace(nil, site(logger))} {
		buf.Reset()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/c/SECRET", nil))
		lines := logLines(t, &buf)
		require.Len(t, lines, 2, "the handler's error and its AccessLog's line")
		assert.Equal(t, "GET /c/{token}", lines[1]["route"])
		assert.EqualValues(t, len("device page"), lines[1]["bytes"])
	}
}
