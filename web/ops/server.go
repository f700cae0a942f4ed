package ops

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/deskkit/helpdesk/web"
)

// Mount adds the operator's routes to mux: GET /healthz (Healthz), GET /readyz (Readyz of r)
// and, when m is not nil, GET /metrics (m.Handler).
func Mount(mux *http.ServeMux, r Readier, m *Metrics) {
	mux.Handle("GET /healthz", Healthz())
	mux.Handle("GET /readyz", Readyz(r))
	if m != nil {
		mux.Handle("GET /metrics", m.Handler())
	}
}

// NewLogger returns a logger writing to w in format "json" (one JSON object a line, for log
// collectors) or "text" (key=value, for people), at level and above, that adds the request ID
// to every record logged with a request's context (web.LogRequestIDs). It returns an error
// for any other format.
func NewLogger(w io.Writer, format string, level slog.Leveler) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch format {
	case "json":
		h = slog.NewJSONHandler(w, opts)
	case "text":
		h = slog.NewTextHandler(w, opts)
	default:
		return nil, fmt.Errorf("log format %q: want json or text", format)
	}
	return slog.New(web.LogRequestIDs(h)), nil
}
