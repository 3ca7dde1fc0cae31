package shopify_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/shopify"
)

func seed(f *testing.F, pattern string) {
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds for %s: %v", pattern, err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		for _, c := range ordertest.Corrupt(b) {
			f.Add(c)
		}
	}
}

// FuzzDecodeOrder: any body either fails with a classified *normalize.Error
// or gives an order whose canonical JSON reads back to the same bytes,
// whose line nets never exceed their gross, whose refunds never exceed what
// a line sold, and which reconciles.
func FuzzDecodeOrder(f *testing.F) {
	seed(f, "order_*.json")
	f.Add([]byte(`{"order":{"id":1,"line_items":[]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := shopify.Decoder{Store: "s"}.DecodeOrder(body)
		if err != nil {
			classified(t, err)
			return
		}
		ordertest.Unicode(t, body)
		if o.Platform != normalize.Shopify || o.Store != "s" {
			t.Fatalf("key %v", o.Key())
		}
		sold := map[string]normalize.Line{}
		for _, l := range o.Items {
			if l.Net.GreaterThan(l.Gross) || l.Net.IsNegative() {
				t.Fatalf("line %s: net %s, gross %s", l.LineID, l.Net, l.Gross)
			}
			sold[l.LineID] = l
		}
		taken := map[string]normalize.RefundLine{}
		for _, r := range o.Refunds {
			for _, rl := range r.Items {
				acc := taken[rl.LineID]
				acc.Qty += rl.Qty
				acc.Net = acc.Net.Add(rl.Net)
				taken[rl.LineID] = acc
				if l := sold[rl.LineID]; acc.Qty > l.Qty || acc.Net.GreaterThan(l.Net) {
					t.Fatalf("line %s: refunds take %d / %s of %d / %s", rl.LineID, acc.Qty, acc.Net, l.Qty, l.Net)
				}
			}
		}
		if err := normalize.Reconcile(&o); err != nil {
			t.Fatal(err)
		}
		stable(t, o)
	})
}

// FuzzDecodeRefund: a refund decoded on its own names its order and
// currency, never takes back a negative amount, and survives its canonical
// JSON unchanged.
func FuzzDecodeRefund(f *testing.F) {
	seed(f, "refund_*.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, d := range []shopify.Decoder{{}, {TaxesIncluded: true}} {
			r, err := d.DecodeRefund(body)
			if err != nil {
				classified(t, err)
				continue
			}
			ordertest.Unicode(t, body)
			if r.OrderID == "" || r.Currency == "" || r.Platform != normalize.Shopify {
				t.Fatalf("refund names no order: %+v", r)
			}
			for _, rl := range r.Items {
				if rl.Net.IsNegative() || rl.Tax.IsNegative() || rl.Qty < 0 {
					t.Fatalf("line %s takes back %d / %s / %s", rl.LineID, rl.Qty, rl.Net, rl.Tax)
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
			b2, err := json.Marshal(back)
			if err != nil || !bytes.Equal(b, b2) {
				t.Fatalf("canonical refund is not stable (%v):\n%s\n%s", err, b, b2)
			}
		}
	})
}

// FuzzVerify: only the right signature of the exact body verifies, and
// every failure is ErrSignature.
func FuzzVerify(f *testing.F) {
	body, err := os.ReadFile("testdata/order_zero_total.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body, sign(body, "k"), "k")
	f.Add([]byte("{}"), "", "k")
	f.Add([]byte("{}"), "AAAA", "")
	f.Fuzz(func(t *testing.T, body []byte, header, secret string) {
		err := shopify.Verify(body, header, secret)
		if err != nil && !errors.Is(err, normalize.ErrSignature) {
			t.Fatalf("error %v is not ErrSignature", err)
		}
		if secret == "" {
			if err == nil {
				t.Fatal("verified without a secret")
			}
			return
		}
		good := sign(body, secret)
		if err := shopify.Verify(body, good, secret); err != nil {
			t.Fatalf("the right signature fails: %v", err)
		}
		if canon := strings.NewReplacer("\r", "", "\n", "").Replace(strings.TrimSpace(header)); err == nil && canon != good {
			t.Fatalf("header %q verified, the signature is %q", header, good)
		}
		if len(body) > 0 {
			other := append([]byte{}, body...)
			other[0] ^= 0x80
			if shopify.Verify(other, good, secret) == nil {
				t.Fatal("a changed body verified")
			}
		}
	})
}

func classified(t *testing.T, err error) {
	t.Helper()
	var e *normalize.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *normalize.Error", err)
	}
	for _, kind := range []error{normalize.ErrMalformed, normalize.ErrMissing, normalize.ErrInvalid,
		normalize.ErrUnreconciled, normalize.ErrRefundExceeds, normalize.ErrUnsupported} {
		if errors.Is(err, kind) {
			return
		}
	}
	t.Fatalf("error %v wraps no kind", err)
}

func stable(t *testing.T, o normalize.Order) {
	t.Helper()
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	back, err := normalize.DecodeJSON(b)
	if err != nil {
		t.Fatalf("canonical JSON does not decode: %v\n%s", err, b)
	}
	b2, err := json.Marshal(back)
	if err != nil || !bytes.Equal(b, b2) {
		t.Fatalf("canonical JSON is not stable (%v):\n%s\n%s", err, b, b2)
	}
}
