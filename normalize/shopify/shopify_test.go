package shopify_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/uplinehq/upline/internal/golden"
	"github.com/uplinehq/upline/normalize"
	_ "github.com/uplinehq/upline/normalize/internal/corpus" // -corpus is a known flag
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/shopify"
)

const store = "upline-test.myshopify.com"

// TestGoldenOrders decodes every order fixture and compares its canonical
// JSON with testdata/golden/<fixture>.
func TestGoldenOrders(t *testing.T) {
	files, err := filepath.Glob("testdata/order_*.json")
	if err != nil || len(files) < 8 {
		t.Fatalf("want at least 8 order fixtures, have %d (%v)", len(files), err)
	}
	d := shopify.Decoder{Store: store}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			o, err := d.DecodeOrder(ordertest.Fixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			got := ordertest.Canonical(t, o)
			golden.Check(t, filepath.Join("testdata", "golden", name), got)
			// The canonical form reads back to the same order.
			back, err := normalize.DecodeJSON(got)
			if err != nil {
				t.Fatalf("canonical JSON does not decode: %v", err)
			}
			if again := ordertest.Canonical(t, back); string(again) != string(got) {
				t.Errorf("canonical JSON is not stable:\n%s\nthen\n%s", got, again)
			}
		})
	}
}

// TestGoldenRefunds decodes the refunds/create fixtures on their own.
func TestGoldenRefunds(t *testing.T) {
	for _, tc := range []struct {
		name string
		dec  shopify.Decoder
	}{
		{"refund_partial.json", shopify.Decoder{Store: store}},
		{"refund_shipping_only.json", shopify.Decoder{Store: store}},
		{"refund_tax_inclusive_gbp.json", shopify.Decoder{Store: store, TaxesIncluded: true}},
	} {
		t.Run(strings.TrimSuffix(tc.name, ".json"), func(t *testing.T) {
			r, err := tc.dec.DecodeRefund(ordertest.Fixture(t, tc.name))
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "golden", tc.name), ordertest.Canonical(t, r))
		})
	}
}
