package promwebhook_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/uplinehq/upline/adapters/webhook"
	"github.com/uplinehq/upline/adapters/webhook/promwebhook"
)

func TestObserve(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := promwebhook.New(reg)
	for _, o := range []webhook.Observation{
		{Source: "shopify", Outcome: "posted", Status: 200, Duration: 2 * time.Millisecond},
		{Source: "shopify", Outcome: "posted", Status: 200, Duration: 3 * time.Millisecond},
		{Source: "woocommerce", Outcome: "held", Reason: webhook.ReasonUnknownSKU, Status: 200, Duration: time.Millisecond},
		{Source: "woocommerce", Outcome: "posted", Redrive: true, Duration: time.Millisecond},
	} {
		m.Observe(o)
	}
	want := `
# HELP upline_webhook_deliveries_total Webhook deliveries and re-drives by platform, outcome and HTTP status (0 for a re-drive).
# TYPE upline_webhook_deliveries_total counter
upline_webhook_deliveries_total{outcome="held",platform="woocommerce",status="200"} 1
upline_webhook_deliveries_total{outcome="posted",platform="shopify",status="200"} 2
upline_webhook_deliveries_total{outcome="posted",platform="woocommerce",status="0"} 1
# HELP upline_webhook_held_total Deliveries and re-drives that ended held, by platform and reason.
# TYPE upline_webhook_held_total counter
upline_webhook_held_total{platform="woocommerce",reason="unknown_sku"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "upline_webhook_deliveries_total", "upline_webhook_held_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(reg, "upline_webhook_duration_seconds"); n != 3 {
		t.Errorf("%d latency series, want 3", n)
	}
}
