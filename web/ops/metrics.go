package ops

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// BacklogReader is what Metrics reads its gauges from: *helpdesk.Desk is one (Desk.Backlog).
type BacklogReader interface {
	// Backlog counts the work waiting, failed rows of the last failedWithin included.
	Backlog(ctx context.Context, failedWithin time.Duration) (storage.Backlog, error)
}

// MetricsConfig tunes Metrics. The zero value is ready to use.
type MetricsConfig struct {
	// FailedWithin is how far back failed notifications and webhook deliveries are counted
	// (by their creation). Defaults to 24 hours.
	FailedWithin time.Duration
	// BacklogEvery is the least time between two counts of the backlog (see ReadBacklog): a
	// scrape in between reports the last count. Defaults to 15 seconds.
	BacklogEvery time.Duration
	// Now returns the current time, for BacklogEvery. Defaults to time.Now.
	Now func() time.Time
}

// Metrics is the Prometheus metrics of a helpdesk: it is the Desk's helpdesk.Observer
// (Config.Observer), Trace's observer of requests (ObserveRequest) and a
// prometheus.Collector of the backlog's gauges. Handler serves them all, with the Go
// runtime's and the process's. Its series:
//
//	helpdesk_deliveries_total{channel,outcome}             counter: delivery attempts (channel email, sms, push or webhook; outcome sent, retry or failed)
//	helpdesk_timer_lag_seconds{kind}                        histogram: when a timer fired less when it was due
//	helpdesk_http_request_duration_seconds{method,route,code} histogram: requests by route pattern (never the path)
//	helpdesk_outbox_depth{channel,status}                   gauge: notifications and webhook deliveries waiting (status due, scheduled) or failed (of the last FailedWithin)
//	helpdesk_timers_due{kind}                               gauge: timers due and not yet claimed
//	helpdesk_backlog_up                                     gauge: 1 when the last count of the backlog succeeded
//
// Its methods are safe for concurrent use.
type Metrics struct {
	cfg        MetricsConfig
	reg        *prometheus.Registry
	deliveries *prometheus.CounterVec
	timerLag   *prometheus.HistogramVec
	requests   *prometheus.HistogramVec

	depthDesc, timersDesc, upDesc *prometheus.Desc

	mu      sync.Mutex
	backlog BacklogReader
	counted time.Time
	last    storage.Backlog
	lastErr error
	// seen are the label pairs reported: every channel and timer kind of the Desk from the
	// start, and any other once it had rows; they stay, as 0, when their rows are gone.
	seenDepth  map[[2]string]bool
	seenTimers map[ticket.TimerKind]bool
}

var (
	_ helpdesk.Observer    = (*Metrics)(nil)
	_ prometheus.Collector = (*Metrics)(nil)
)

// NewMetrics returns the metrics, registered with a registry of their own beside the Go
// runtime's and the process's collectors (Handler serves it). cfg nil means the zero value.
func NewMetrics(cfg *MetricsConfig) *Metrics {
	var c MetricsConfig
	if cfg != nil {
		c = *cfg
	}
	if c.FailedWithin <= 0 {
		c.FailedWithin = 24 * time.Hour
	}
	if c.BacklogEvery <= 0 {
		c.BacklogEvery = 15 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	m := &Metrics{cfg: c, reg: prometheus.NewRegistry(),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "helpdesk_deliveries_total",
			Help: "Delivery attempts of notifications (by channel) and webhooks (channel webhook), by outcome: sent, retry, failed."},
			[]string{"channel", "outcome"}),
		timerLag: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "helpdesk_timer_lag_seconds",
			Help:    "How late timers fired: the firing time less the due time, by timer kind.",
			Buckets: []float64{0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}}, []string{"kind"}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "helpdesk_http_request_duration_seconds",
			Help:    "HTTP requests by route pattern (never the path), method and status code.",
			Buckets: prometheus.DefBuckets}, []string{"method", "route", "code"}),
		depthDesc: prometheus.NewDesc("helpdesk_outbox_depth",
			"Notifications and webhook deliveries (channel webhook) waiting by status: due (waiting for a dispatcher), scheduled (a retry later, or being sent), failed (created within the failed window).",
			[]string{"channel", "status"}, nil),
		timersDesc: prometheus.NewDesc("helpdesk_timers_due", "Timers due and not yet claimed, by kind.", []string{"kind"}, nil),
		upDesc:     prometheus.NewDesc("helpdesk_backlog_up", "1 when the last count of the backlog succeeded, else 0.", nil, nil),
		seenDepth:  map[[2]string]bool{}, seenTimers: map[ticket.TimerKind]bool{},
	}
	// The series an alert may watch exist from the start, at 0.
	for _, ch := range []string{"email", "sms", "push", helpdesk.WebhookChannel} {
		for _, st := range []string{storage.BacklogDue, storage.BacklogScheduled, storage.BacklogFailed} {
			m.seenDepth[[2]string{ch, st}] = true
		}
	}
	for _, kind := range []ticket.TimerKind{ticket.TimerInvitationExpiry, ticket.TimerReminder, ticket.TimerPlannedEnd,
		ticket.TimerAcknowledgment, ticket.TimerExpiration, ticket.TimerOfferTimeout} {
		m.seenTimers[kind] = true
	}
	m.reg.MustRegister(m, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ReadBacklog makes the metrics report the gauges of the outboxes and the timers, read from
// r (the Desk these metrics observe) at most once per MetricsConfig.BacklogEvery, whatever
// the scrapes. Without it, there are no such gauges.
func (m *Metrics) ReadBacklog(r BacklogReader) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.backlog = r
}

// Delivered counts a delivery attempt. See helpdesk.Observer.
func (m *Metrics) Delivered(channel string, outcome helpdesk.Outcome) {
	m.deliveries.WithLabelValues(channel, string(outcome)).Inc()
}

// TimerFired observes a timer's lag. See helpdesk.Observer.
func (m *Metrics) TimerFired(kind ticket.TimerKind, lag time.Duration) {
	m.timerLag.WithLabelValues(string(kind)).Observe(lag.Seconds())
}

// ObserveRequest observes a served request's duration by its route pattern: pass it to
// web.Trace. A request no route matched counts under the route "unmatched".
func (m *Metrics) ObserveRequest(_ *http.Request, s web.Served) {
	route := s.Route
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(s.Method, route, strconv.Itoa(s.Status)).Observe(s.Duration.Seconds())
}

// Handler serves the metrics in Prometheus's formats: mount it at /metrics, where only the
// operator's scraper reaches (it reveals no record, but the site's traffic).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Describe sends the descriptions of every series. See prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.deliveries.Describe(ch)
	m.timerLag.Describe(ch)
	m.requests.Describe(ch)
	ch <- m.depthDesc
	ch <- m.timersDesc
	ch <- m.upDesc
}

// Collect sends every series, counting the backlog when the last count is older than
// BacklogEvery. See prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.deliveries.Collect(ch)
	m.timerLag.Collect(ch)
	m.requests.Collect(ch)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.backlog == nil {
		return
	}
	if now := m.cfg.Now(); m.counted.IsZero() || now.Sub(m.counted) >= m.cfg.BacklogEvery {
		ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
		m.last, m.lastErr = m.backlog.Backlog(ctx, m.cfg.FailedWithin)
		cancel()
		m.counted = now
	}
	if m.lastErr != nil {
		ch <- prometheus.MustNewConstMetric(m.upDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(m.upDesc, prometheus.GaugeValue, 1)
	depth := map[[2]string]int{}
	for _, c := range slices.Concat(m.last.Notifications, m.last.Webhooks) {
		k := [2]string{c.Channel, c.Status}
		depth[k] += c.Count
		m.seenDepth[k] = true
	}
	for k := range m.seenDepth {
		ch <- prometheus.MustNewConstMetric(m.depthDesc, prometheus.GaugeValue, float64(depth[k]), k[0], k[1])
	}
	for kind := range m.last.TimersDue {
		m.seenTimers[kind] = true
	}
	for kind := range m.seenTimers {
		ch <- prometheus.MustNewConstMetric(m.timersDesc, prometheus.GaugeValue, float64(m.last.TimersDue[kind]), string(kind))
	}
}
