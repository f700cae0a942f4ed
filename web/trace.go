package web

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"time"
)

// RequestIDHeader is the header that carries a request's ID, from the client or a proxy in
// front, and back on the response.
const RequestIDHeader = "X-Request-ID"

// maxRequestID bounds the length of a request ID taken from a request.
const maxRequestID = 128

// Served is what Trace tells of one request once it is answered.
type Served struct {
	Method string
	// Route is the pattern of the route that served the request, as "GET /c/{token}" (never
	// the path, which may carry a code or a link's secret); "" when no route matched.
	Route     string
	Status    int
	Bytes     int64
	Duration  time.Duration
	RequestID string
}

// trace is what Trace keeps in a request's context.
type trace struct {
	id string
	// route is the innermost route pattern, recorded by an AccessLog within.
	route string
	// logs says Trace logs the request, so the AccessLogs within stay silent.
	logs bool
}

// setRoute records the pattern that served the request, unless an AccessLog nearer the
// route (which returns first) already did.
func (t *trace) setRoute(pattern string) {
	if t.route == "" {
		t.route = pattern
	}
}

type traceKey struct{}

// RequestID returns the ID Trace gave the request of ctx, or "" outside Trace.
func RequestID(ctx context.Context) string {
	if t, ok := ctx.Value(traceKey{}).(*trace); ok {
		return t.id
	}
	return ""
}

// saneRequestID reports whether id, taken from a request, may be logged and sent back as
// it is: 1 to 128 letters, digits and . _ : - only (no spaces, quotes or control
// characters that could forge a log line or a header).
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// Trace wraps a whole site (the mux of every handler) for its operator. It gives each request
// an ID: the request's X-Request-ID when sane (1 to 128 of A-Z a-z 0-9 . _ : -), else a new
// random one; it sets the ID on the response and in the request's context (RequestID, and
// every record of a logger wrapped by LogRequestIDs). Once the request is answered, it logs
// one line to logger, unless logger is nil (method, route, status, duration_ms, bytes,
// request_id), and calls each of observe with what was served (the metrics of web/ops).
//
// The route is the pattern of the innermost ServeMux that matched: the handlers' own
// AccessLog records it for Trace (and, with a logger here, logs nothing itself, so that each
// request is logged once).
func Trace(logger *slog.Logger, next http.Handler, observe ...func(*http.Request, Served)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !saneRequestID(id) {
			id = rand.Text()
		}
		w.Header().Set(RequestIDHeader, id)
		t := &trace{id: id, logs: logger != nil}
		r = r.WithContext(context.WithValue(r.Context(), traceKey{}, t))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s := Served{Method: r.Method, Route: t.route, Status: sw.status, Bytes: sw.bytes,
			Duration: time.Since(start), RequestID: id}
		if s.Route == "" {
			// A mux shares the request with the handler it picked, so the innermost pattern
			// is on r when no handler within made a copy.
			s.Route = r.Pattern
		}
		if s.Status == 0 {
			s.Status = http.StatusOK
		}
		if logger != nil {
			logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", s.Method), slog.String("route", s.Route), slog.Int("status", s.Status),
				slog.Float64("duration_ms", float64(s.Duration.Microseconds())/1000), slog.Int64("bytes", s.Bytes),
				slog.String("request_id", s.RequestID))
		}
		for _, o := range observe {
			o(r, s)
		}
	})
}

// LogRequestIDs wraps h so that every record logged with the context of a request within
// Trace carries its request_id: a handler's ErrorContext line is found beside the request's.
func LogRequestIDs(h slog.Handler) slog.Handler { return requestIDHandler{h} }

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if t, ok := ctx.Value(traceKey{}).(*trace); ok && !hasRequestID(r) {
		r = r.Clone()
		r.AddAttrs(slog.String("request_id", t.id))
	}
	return h.Handler.Handle(ctx, r)
}

// hasRequestID reports whether r names its request ID already (Trace's own line does).
func hasRequestID(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == "request_id"
		return !found
	})
	return found
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
