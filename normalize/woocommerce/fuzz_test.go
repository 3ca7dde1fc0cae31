package woocommerce_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/woocommerce"
)

func seed(f *testing.F, prefix string) {
	files, err := filepath.Glob(filepath.Join("testdata", prefix+"*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no %s fixtures: %v", prefix, err)
	}
	for _, name := range files {
		b := ordertest.Fixture(f, filepath.Base(name))
		f.Add(b)
		for _, c := range ordertest.Corrupt(b) {
			f.Add(c)
		}
	}
}

// isError requires every failure to be a *normalize.Error.
func isError(t *testing.T, err error) {
	t.Helper()
	var e *normalize.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %q is not a *normalize.Error", err, err)
	}
}

// checkOrder holds a decoded order to the properties every decoder owes.
func checkOrder(t *testing.T, o normalize.Order) {
	t.Helper()
	if err := normalize.Validate(&o); err != nil {
		t.Fatalf("decoded order does not validate: %v", err)
	}
	if err := normalize.Reconcile(&o); err != nil {
		t.Fatalf("decoded order does not reconcile: %v", err)
	}
	bought := map[string]normalize.Line{}
	for _, l := range o.Items {
		if l.Net.GreaterThan(l.Gross) || l.Net.IsNegative() {
			t.Fatalf("line %s: net %s outside 0..gross %s", l.LineID, l.Net, l.Gross)
		}
		bought[l.LineID] = l
	}
	qty := map[string]int64{}
	net := map[string]decimal.Decimal{}
	for _, r := range o.Refunds {
		for _, rl := range r.Items {
			qty[rl.LineID] += rl.Qty
			net[rl.LineID] = net[rl.LineID].Add(rl.Net)
			l := bought[rl.LineID]
			if qty[rl.LineID] > l.Qty || net[rl.LineID].GreaterThan(l.Net) {
				t.Fatalf("refunds take back %d / %s of line %s, which sold %d / %s", qty[rl.LineID], net[rl.LineID], rl.LineID, l.Qty, l.Net)
			}
		}
	}
	for i, n := range normalize.Commissionable(&o) {
		if n.IsNegative() || n.GreaterThan(o.Items[i].Net) {
			t.Fatalf("line %s: commissionable %s outside 0..net %s", o.Items[i].LineID, n, o.Items[i].Net)
		}
	}
	// decode → canonical JSON → DecodeJSON → canonical JSON is stable.
	b1, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	o2, err := normalize.DecodeJSON(b1)
	if err != nil {
		t.Fatalf("canonical JSON does not decode: %v\n%s", err, b1)
	}
	b2, err := json.MarshalIndent(o2, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1, b2) {
		t.Fatalf("canonical JSON is not stable:\n%s\n%s", b1, b2)
	}
}

func FuzzDecodeOrder(f *testing.F) {
	seed(f, "order-")
	f.Add([]byte("webhook_id=1"))
	f.Add([]byte(`{"id":1,"status":"processing","currency":"USD","date_created_gmt":"2025-01-01T00:00:00","total":"0.00","line_items":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := woocommerce.Decoder{Store: "s"}.DecodeOrder(body)
		if err != nil {
			isError(t, err)
			return
		}
		ordertest.Unicode(t, body)
		checkOrder(t, o)
	})
}

func FuzzDecodeRefund(f *testing.F) {
	seed(f, "refund-")
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := woocommerce.Decoder{Currency: "USD"}.DecodeRefund(body)
		if err != nil {
			isError(t, err)
			return
		}
		ordertest.Unicode(t, body)
		if err := normalize.ValidateRefund(&r); err != nil {
			t.Fatalf("decoded refund does not validate: %v", err)
		}
		b1, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := normalize.DecodeRefundJSON(b1)
		if err != nil {
			t.Fatalf("canonical JSON does not decode: %v\n%s", err, b1)
		}
		b2, err := json.Marshal(r2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b1, b2) {
			t.Fatalf("canonical JSON is not stable:\n%s\n%s", b1, b2)
		}
	})
}

// FuzzApplyRefund applies arbitrary refund bodies to the order whose line
// nets carry a negative fee's share: whatever is applied, refunds never
// take back more than was bought.
func FuzzApplyRefund(f *testing.F) {
	seed(f, "refund-")
	o, err := shop.DecodeOrder(ordertest.Fixture(f, "order-partially-refunded.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := shop.ApplyRefund(o, body)
		if err != nil {
			isError(t, err)
			return
		}
		ordertest.Unicode(t, body)
		checkOrder(t, n)
		// And once more on top: a second, possibly different, refund.
		if n2, err := shop.ApplyRefund(n, bytes.ReplaceAll(body, []byte(`"id": 92`), []byte(`"id": 93`))); err == nil {
			checkOrder(t, n2)
		}
	})
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte("secret"), ordertest.Fixture(f, "order-zero-total.json"), "")
	f.Add([]byte("secret"), []byte("{}"), sign([]byte("secret"), []byte("{}")))
	f.Add([]byte(""), []byte("{}"), "AAAA")
	f.Fuzz(func(t *testing.T, secret, body []byte, signature string) {
		err := woocommerce.Verify(body, signature, string(secret))
		if err != nil && !errors.Is(err, normalize.ErrSignature) {
			t.Fatalf("error %v does not wrap ErrSignature", err)
		}
		good := sign(secret, body)
		if err == nil && (len(secret) == 0 || strings.TrimSpace(signature) != good) {
			// base64 decoding may accept other spellings of the same bytes
			// only if they decode to the same digest.
			if len(secret) == 0 || !sameDigest(signature, good) {
				t.Fatalf("Verify accepted %q for a body whose signature is %q", signature, good)
			}
		}
		if len(secret) > 0 {
			if err := woocommerce.Verify(body, good, string(secret)); err != nil {
				t.Fatalf("Verify refused the right signature: %v", err)
			}
		}
	})
}

func sameDigest(a, b string) bool {
	x, err1 := decodeB64(a)
	y, err2 := decodeB64(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func decodeB64(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.TrimSpace(s))
}
