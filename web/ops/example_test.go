package ops_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/web"
	"github.com/deskkit/helpdesk/web/ops"
)

// A server mounts the health checks and the metrics beside its pages, wraps the whole mux
// with web.Trace, and gives the Desk the metrics as its observer.
func Example() {
	ctx := context.Background()
	store, err := bunstore.Open(ctx, "sqlite::memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.MigrateUp(ctx); err != nil {
		log.Fatal(err)
	}
	cfg := &helpdesk.Config{SecretKeys: [][]byte{[]byte("an example key of at least 32 bytes!")}}
	metrics := ops.NewMetrics(nil)
	cfg.Observer = metrics
	desk, err := helpdesk.New(store, cfg)
	if err != nil {
		log.Fatal(err)
	}

	metrics.ReadBacklog(desk)

	mux := http.NewServeMux()
	ops.Mount(mux, desk, metrics) // GET /healthz, /readyz, /metrics
	site := web.Trace(nil, mux, metrics.ObserveRequest)

	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		w := httptest.NewRecorder()
		site.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		first, _, _ := strings.Cut(w.Body.String(), "\n")
		fmt.Println(path, w.Code, first[:min(len(first), 20)])
	}
	w := httptest.NewRecorder()
	site.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if strings.HasPrefix(line, `helpdesk_http_request_duration_seconds_count{code="200",method="GET",route="GET /readyz"}`) {
			fmt.Println(line)
		}
	}
	// Output:
	// /healthz 200 {"status":"ok"}
	// /readyz 200 {"status":"ready"}
	// /metrics 200 # HELP go_gc_duratio
	// helpdesk_http_request_duration_seconds_count{code="200",method="GET",route="GET /readyz"} 1
}
