package ingest_test

import (
	"strings"
	"testing"

	"github.com/uplinehq/upline/ingest"
)

// wooWithNegativeFee is the quickstart's WooCommerce order with a -5.00
// fee (a discount as a fee), which DecodeOrder spreads over the lines, so
// that each line's Net is below WooCommerce's line total.
func wooWithNegativeFee(t *testing.T) []byte {
	t.Helper()
	b := string(payload(t, "woocommerce-order.json"))
	out := strings.Replace(b, `"fee_lines": [],`, `"fee_lines": [{"id": 401, "name": "Loyalty", "tax_class": "", "tax_status": "none", "total": "-5.00", "total_tax": "0.00", "taxes": [], "meta_data": []}],`, 1)
	out = strings.Replace(out, `"total": "101.48",`, `"total": "96.48",`, 1)
	if out == b {
		t.Fatal("could not edit the body")
	}
	return []byte(out)
}

func TestReviewWooRefundBeforeOrderWithNegativeFee(t *testing.T) {
	w := newWorld(t)
	order := wooDelivery(wooWithNegativeFee(t), wooSecret)
	refund := wooDelivery(readFile(t, "testdata/woocommerce-refund-5012.json"), wooSecret)
	refund.Header.Set("X-WC-Webhook-Topic", "refund.created")

	// Order first, then the refund: the refund is fitted to the order.
	inOrder, inStore := w.service()
	for _, d := range []ingest.Delivery{order, refund} {
		res, err := inOrder.Deliver(ctx, d, at)
		if err != nil || res.Outcome != ingest.Posted {
			t.Fatalf("in order, %s: %s %v %v", res.Kind, res.Outcome, res.Reason, err)
		}
	}
	// Refund first, then the order: the order should be posted net of the refund.
	svc, store := w.service()
	for _, d := range []ingest.Delivery{refund, order, refund, order} {
		res, err := svc.Deliver(ctx, d, at)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s", summary(res))
		if res.Outcome == ingest.Held {
			t.Errorf("refund first: the %s is held: %v", res.Kind, res.Reason)
		}
	}
	if got, want := slotSums(t, store), slotSums(t, inStore); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("refund first ends in\n%s\nin order ends in\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
