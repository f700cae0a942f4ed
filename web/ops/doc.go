// Package ops serves what the operator of a helpdesk needs beside its pages: health checks
// for a load balancer or an orchestrator, and Prometheus metrics. It is importable: an
// embedding application mounts its handlers in its own mux, as the example servers do.
//
// # Health
//
// [Healthz] answers 200 while the process serves (liveness: it reads nothing). [Readyz]
// answers 200 while the Desk is ready ([helpdesk.Desk.Ready]: the database answers and every
// migration of this release is applied) and 503 with the reason in JSON otherwise
// (readiness: take the instance out of the load balancer, do not restart it).
//
// # Metrics
//
// [Metrics] is at once the Desk's observer (helpdesk.Config.Observer: delivery outcomes by
// channel, timer firing lag), the observer of web.Trace (request latency by route pattern,
// never the path) and a collector of gauges read from [helpdesk.Desk.Backlog] (outbox depth by
// channel and status, timers due), counted at most once per MetricsConfig.BacklogEvery
// whatever the number of scrapers. The counts read only the pending rows' indexes and the
// recent failed rows, so a scrape costs the same at a million sent notifications as at none.
// [Metrics.Handler] serves them with the Go runtime's and the process's series.
//
// Every instance serves its own counters and histograms (each counts what it did) and the
// same gauges (the database's backlog): sum the former across instances, and take any one
// (max) of the latter.
package ops
