package magento_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/magento"
)

func seedFixtures(f *testing.F, pattern string) {
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds for %s: %v", pattern, err)
	}
	for _, name := range files {
		b := ordertest.Fixture(f, filepath.Base(name))
		f.Add(b)
		for _, c := range ordertest.Corrupt(b) {
			f.Add(c)
		}
	}
}

// FuzzDecodeOrder: whatever the body, decoding never panics; an order it
// accepts has nets within gross, reconciles, and survives the canonical
// JSON round trip byte for byte.
func FuzzDecodeOrder(f *testing.F) {
	seedFixtures(f, "order-*.json")
	f.Add([]byte(`{"data":{"order":{"entity_id":1}}}`))
	// Small bodies let the mutator reach the rules rather than JSON syntax.
	f.Add([]byte(`{"entity_id":1,"base_currency_code":"USD","created_at":"2025-01-01 00:00:00","state":"processing",` +
		`"base_subtotal":20,"base_discount_amount":-3,"base_shipping_amount":5,"base_shipping_discount_amount":1,"base_tax_amount":1.5,` +
		`"base_grand_total":22.5,"total_qty_ordered":2,"extension_attributes":{"ref":"X"},"items":[` +
		`{"item_id":1,"sku":"A","product_type":"configurable","qty_ordered":2,"base_price":10,"base_row_total":20,"base_discount_amount":2,"base_tax_amount":1.5},` +
		`{"item_id":2,"parent_item_id":1,"sku":"A-1","product_id":9,"qty_ordered":2,"base_price":0,"base_row_total":0}]}`))
	f.Add([]byte(`{"entity_id":2,"increment_id":"7-1","relation_parent_id":1,"base_currency_code":"JPY","order_currency_code":"EUR","grand_total":1.5,` +
		`"created_at":"2025-01-01T00:00:00Z","state":"complete","base_subtotal":100,"base_tax_amount":10.4,"base_grand_total":110.4,` +
		`"items":[{"item_id":1,"sku":"B","product_type":"bundle","qty_ordered":1,"base_price":100,"base_row_total":100},` +
		`{"item_id":3,"parent_item_id":1,"sku":"C","qty_ordered":1,"base_price":100,"base_row_total":100,"base_tax_amount":10.4,"base_discount_tax_compensation_amount":0.5,"base_price_incl_tax":110}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := magento.Decoder{Store: store}.DecodeOrder(body)
		if err != nil {
			var e *normalize.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not a *normalize.Error: %v", err, err)
			}
			return
		}
		ordertest.Unicode(t, body)
		for _, l := range o.Items {
			if l.Net.GreaterThan(l.Gross) || l.Net.IsNegative() {
				t.Fatalf("line %s: net %s outside 0..gross %s", l.LineID, l.Net, l.Gross)
			}
		}
		if err := normalize.Reconcile(&o); err != nil {
			t.Fatalf("accepted an order that does not reconcile: %v", err)
		}
		roundTrip(t, o)
	})
}

func roundTrip(t *testing.T, o normalize.Order) {
	t.Helper()
	first, err := json.Marshal(o)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	back, err := normalize.DecodeJSON(first)
	if err != nil {
		t.Fatalf("canonical JSON does not decode: %v\n%s", err, first)
	}
	second, err := json.Marshal(back)
	if err != nil {
		t.Fatalf("marshal again: %v", err)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("canonical JSON is not stable:\n%s\n%s", first, second)
	}
}

// FuzzDecodeRefund: a credit memo it accepts takes back positive
// quantities and amounts; applied to its order, it is either refused or
// leaves no line refunded beyond what it sold, and the order still round
// trips.
func FuzzDecodeRefund(f *testing.F) {
	seedFixtures(f, "creditmemo-*.json")
	f.Add([]byte(`{"entity_id":9,"order_id":301,"creditmemo_status":2,"base_currency_code":"USD","created_at":"2025-04-01 00:00:00",` +
		`"base_subtotal":15,"base_grand_total":14.58,"items":[{"order_item_id":113,"qty":1,"base_row_total":15,"base_discount_amount":1.5,"base_tax_amount":1.08},` +
		`{"order_item_id":112,"qty":1}]}`))
	order, err := magento.Decoder{Store: store}.DecodeOrder(ordertest.Fixture(f, "order-refunded.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := magento.Decoder{Store: store}.DecodeRefund(body)
		if err != nil {
			var e *normalize.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not a *normalize.Error: %v", err, err)
			}
			return
		}
		ordertest.Unicode(t, body)
		for _, rl := range r.Items {
			if rl.Qty <= 0 || rl.Net.IsNegative() || rl.Tax.IsNegative() {
				t.Fatalf("refund line %+v takes back nothing or a negative amount", rl)
			}
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		back, err := normalize.DecodeRefundJSON(b)
		if err != nil {
			t.Fatalf("canonical refund does not decode: %v\n%s", err, b)
		}
		if b2, _ := json.Marshal(back); !bytes.Equal(b, b2) {
			t.Fatalf("canonical refund JSON is not stable:\n%s\n%s", b, b2)
		}
		o, err := order.ApplyRefund(r)
		if err != nil {
			return
		}
		taken := map[string]int64{}
		for _, x := range o.Refunds {
			for _, rl := range x.Items {
				taken[rl.LineID] += rl.Qty
			}
		}
		for i, l := range o.Items {
			if taken[l.LineID] > l.Qty {
				t.Fatalf("line %s: refunds take back %d of %d units", l.LineID, taken[l.LineID], l.Qty)
			}
			if c := normalize.Commissionable(&o)[i]; c.IsNegative() || c.GreaterThan(l.Net) {
				t.Fatalf("line %s: commissionable %s outside 0..net %s", l.LineID, c, l.Net)
			}
		}
		roundTrip(t, o)
	})
}

// FuzzVerify: PKCS #1 v1.5 signatures are deterministic, so a header
// verifies exactly when it is the base64 of the body's one signature; any
// refusal wraps ErrSignature.
func FuzzVerify(f *testing.F) {
	priv, pub := testKey(f)
	key, err := magento.ParsePublicKey(pub)
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range []string{"order-jpy.json", "creditmemo-partial.json"} {
		body := ordertest.Fixture(f, name)
		f.Add(body, sign(f, priv, body))
	}
	f.Add([]byte("{}"), "")
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		err := magento.VerifyKey(body, header, key)
		if err != nil && !errors.Is(err, normalize.ErrSignature) {
			t.Fatalf("error %v does not wrap ErrSignature", err)
		}
		if err != nil {
			return
		}
		sig, decErr := base64.StdEncoding.DecodeString(string(bytes.TrimSpace([]byte(header))))
		want, _ := base64.StdEncoding.DecodeString(sign(t, priv, body))
		if decErr != nil || !bytes.Equal(sig, want) {
			t.Fatalf("accepted a header that is not the body's signature: %q", header)
		}
	})
}
