package web

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ContentSecurityPolicy is the policy of every page: everything from the page's own origin,
// no inline script or style, no plug-ins, no framing, forms posting to the same origin only.
// Images may also be data: URLs (the QR codes drawn inline).
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Secure wraps next with the headers every page sends and refuses unsafe cross-origin
// requests (a form posted from another site) with 403, as http.CrossOriginProtection decides.
// Pages never send a Referer: their URLs may carry a secret (a code, a requester link).
func Secure(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	return cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(self), microphone=(self), geolocation=()")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	}))
}

// ClientIP is the address a request came from: its connection's remote address, without the
// port. Behind a proxy, wrap the handler with one that rewrites RemoteAddr from a header the
// proxy sets; trusting such headers by default would let any client choose its address.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Limiter allows each client (by ClientIP) a steady rate of requests with bursts, and
// forgets clients idle for ten minutes. The zero value is not usable: use NewLimiter.
type Limiter struct {
	per   rate.Limit
	burst int
	now   func() time.Time

	mu      sync.Mutex
	clients map[string]*client
	swept   time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewLimiter returns a Limiter allowing each client perMinute requests a minute on average
// and burst at once.
func NewLimiter(perMinute float64, burst int) *Limiter {
	return &Limiter{per: rate.Limit(perMinute / 60), burst: burst, now: time.Now, clients: map[string]*client{}}
}

// Allow reports whether the client key may make a request now, and counts it.
func (l *Limiter) Allow(key string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, c := range l.clients {
			if now.Sub(c.seen) > 10*time.Minute {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c, ok := l.clients[key]
	if !ok {
		c = &client{lim: rate.NewLimiter(l.per, l.burst)}
		l.clients[key] = c
	}
	c.seen = now
	return c.lim.AllowN(now, 1)
}

// statusWriter remembers the status a handler wrote, and counts the bytes of the body.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// AccessLog logs every request to logger once it is served: method, route pattern (as
// "GET /c/{token}", never the path, which may carry a code or a link's secret), status,
// duration, bytes and, within Trace, the request ID. Requests that match no route log the
// pattern "". Within a Trace that logs, it logs nothing itself and hands Trace its route
// pattern instead, so that each request is logged once, by the route that served it.
func AccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, _ := r.Context().Value(traceKey{}).(*trace)
		if t != nil && t.logs {
			next.ServeHTTP(w, r)
			t.setRoute(r.Pattern)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if t != nil {
			t.setRoute(r.Pattern)
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("route", r.Pattern),
			slog.Int("status", sw.status), slog.Duration("took", time.Since(start)),
			slog.Int64("bytes", sw.bytes), slog.String("request_id", RequestID(r.Context())))
	})
}
