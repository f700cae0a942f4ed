package ops

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Readier is what Readyz asks: *helpdesk.Desk is one (Desk.Ready).
type Readier interface {
	// Ready returns nil when the service can serve, and an error saying why not otherwise.
	Ready(ctx context.Context) error
}

// readyTimeout bounds one readiness check: a database that takes longer is not ready.
const readyTimeout = 3 * time.Second

// status is the JSON body of Healthz and Readyz.
type status struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// Healthz answers 200 {"status":"ok"} to every request while the process serves: a liveness
// check. It reads nothing, so a database outage never makes an orchestrator restart the
// process (Readyz takes it out of the load balancer instead).
func Healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeStatus(w, http.StatusOK, status{Status: "ok"})
	})
}

// Readyz answers 200 {"status":"ready"} while r is ready, and 503 {"status":"unavailable",
// "reason":"…"} otherwise (the database does not answer within 3 seconds, migrations are
// pending): a readiness check for a load balancer. The reason names no secret: a database
// error is the driver's text, a DSN's password never in it.
func Readyz(r Readier) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), readyTimeout)
		defer cancel()
		if err := r.Ready(ctx); err != nil {
			writeStatus(w, http.StatusServiceUnavailable, status{Status: "unavailable", Reason: err.Error()})
			return
		}
		writeStatus(w, http.StatusOK, status{Status: "ready"})
	})
}

func writeStatus(w http.ResponseWriter, code int, s status) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(s)
}
