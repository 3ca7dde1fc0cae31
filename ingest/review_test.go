package ingest_test

import (
	"context"
	"sync"

	"strings"
	"testing"

	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/woocommerce"

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

// pausing wraps a Memory store: once armed, the next read of stream
// returns what it read only after release is closed.
type pausing struct {
	*ledger.Memory
	mu      sync.Mutex
	stream  string
	armed   bool
	read    chan struct{}
	release chan struct{}
}

func (p *pausing) Stream(c context.Context, s string) ([]ledger.Entry, int, error) {
	es, v, err := p.Memory.Stream(c, s)
	p.pause(s)
	return es, v, err
}

// StreamAfter pauses as Stream does: a post reads an order it posted
// before through its tail.
func (p *pausing) StreamAfter(c context.Context, s string, seq int) ([]ledger.Entry, int, error) {
	es, v, err := p.Memory.StreamAfter(c, s, seq)
	p.pause(s)
	return es, v, err
}

func (p *pausing) pause(s string) {
	p.mu.Lock()
	hold := p.armed && s == p.stream
	if hold {
		p.armed = false
	}
	p.mu.Unlock()
	if hold {
		close(p.read)
		<-p.release
	}
}

func wooUnitRefund(id, ts string) []byte {
	return []byte(`{"id": ` + id + `, "date_created_gmt": "` + ts + `", "amount": "29.22",
  "line_items": [{"id": 9` + id + `, "product_id": 201, "quantity": -1, "subtotal": "-26.99", "total": "-26.99", "total_tax": "-2.23",
    "meta_data": [{"id": 1` + id + `, "key": "_refunded_item_id", "value": "101"}], "sku": "SHAKE-VAN"}],
  "_links": {"up": [{"href": "https://shop.example.com/wp-json/wc/v3/orders/5012"}]}}`)
}

// TestReviewWooRefundsRacing: two WooCommerce refund objects, each for one
// of line 101's two units, delivered at once to an order with a negative
// fee. Delivered one after the other, both are posted (the second returns
// the line's last unit and takes back exactly what is left). When the
// second one's Fit reads the order before the first is posted — what two
// concurrent deliveries do — it is fitted as if it were not the last
// unit, takes back more than is left, and is Held: a nil error, so the
// platform does not retry, and the clawback is lost until an operator
// notices.
func TestReviewWooRefundsRacing(t *testing.T) {
	w := newWorld(t)
	order := wooDelivery(wooWithNegativeFee(t), wooSecret)
	refund := func(b []byte) ingest.Delivery {
		d := wooDelivery(b, wooSecret)
		d.Header.Set("X-WC-Webhook-Topic", "refund.created")
		return d
	}
	r1, r2 := refund(wooUnitRefund("7101", "2025-03-20T10:00:00")), refund(wooUnitRefund("7102", "2025-03-20T10:00:01"))

	seq, _ := w.service()
	for _, d := range []ingest.Delivery{order, r1, r2} {
		if res, err := seq.Deliver(ctx, d, at); err != nil || res.Outcome != ingest.Posted {
			t.Fatalf("one after the other, %s: %s %v %v", res.Kind, res.Outcome, res.Reason, err)
		}
	}

	store := &pausing{Memory: ledger.NewMemory(), stream: ledger.OrderStream(normalize.Key{Platform: normalize.WooCommerce, Store: "shop.example.com", OrderID: "5012"}),
		read: make(chan struct{}), release: make(chan struct{})}
	svc := ingest.New(ledger.New(store, w.engine),
		ingest.WooCommerce{Decoder: woocommerce.Decoder{Store: "shop.example.com", ShopCurrency: "USD"}, Secret: wooSecret})
	if res, err := svc.Deliver(ctx, order, at); err != nil || res.Outcome != ingest.Posted {
		t.Fatalf("order: %s %v %v", res.Outcome, res.Reason, err)
	}
	store.mu.Lock()
	store.armed = true
	store.mu.Unlock()
	type out struct {
		res ingest.Result
		err error
	}
	second := make(chan out, 1)
	go func() {
		res, err := svc.Deliver(ctx, r2, at)
		second <- out{res, err}
	}()
	<-store.read // r2's Fit has read the order
	if res, err := svc.Deliver(ctx, r1, at); err != nil || res.Outcome != ingest.Posted {
		t.Fatalf("r1: %s %v %v", res.Outcome, res.Reason, err)
	}
	close(store.release)
	o := <-second
	if o.err != nil || o.res.Outcome != ingest.Posted {
		t.Errorf("r2, delivered alongside r1: %s %v %v; want posted, as one after the other", o.res.Outcome, o.res.Reason, o.err)
	}
}
