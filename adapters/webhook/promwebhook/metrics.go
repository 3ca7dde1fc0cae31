// Package promwebhook counts package webhook's deliveries with Prometheus:
// deliveries by platform and outcome, held deliveries by reason, and the
// latency of each. It is a module of its own so that upline's core never
// downloads client_golang.
//
//	m := promwebhook.New(prometheus.DefaultRegisterer)
//	h := webhook.New(svc, inbox, webhook.Options{Observe: m.Observe})
//	http.Handle("/metrics", promhttp.Handler())
package promwebhook

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/uplinehq/upline/adapters/webhook"
)

// Metrics are the handler's Prometheus metrics.
type Metrics struct {
	deliveries *prometheus.CounterVec
	held       *prometheus.CounterVec
	latency    *prometheus.HistogramVec
}

// New registers the metrics with reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "upline", Subsystem: "webhook", Name: "deliveries_total",
			Help: "Webhook deliveries and re-drives by platform, outcome and HTTP status (0 for a re-drive).",
		}, []string{"platform", "outcome", "status"}),
		held: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "upline", Subsystem: "webhook", Name: "held_total",
			Help: "Deliveries and re-drives that ended held, by platform and reason.",
		}, []string{"platform", "reason"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "upline", Subsystem: "webhook", Name: "duration_seconds",
			Help: "Time from a request's arrival to its answer (or a re-drive's), by platform.",
			// The article's targets: great ≤ 120 ms, good ≤ 300 ms.
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .12, .3, 1, 5},
		}, []string{"platform", "redrive"}),
	}
	reg.MustRegister(m.deliveries, m.held, m.latency)
	return m
}

// Observe counts one observation: pass it as webhook.Options.Observe.
func (m *Metrics) Observe(o webhook.Observation) {
	m.deliveries.WithLabelValues(o.Source, o.Outcome, strconv.Itoa(o.Status)).Inc()
	if o.Reason != "" {
		m.held.WithLabelValues(o.Source, o.Reason).Inc()
	}
	m.latency.WithLabelValues(o.Source, strconv.FormatBool(o.Redrive)).Observe(o.Duration.Seconds())
}
