package shopify_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/uplinehq/upline/internal/golden"
	_ "github.com/uplinehq/upline/normalize/internal/corpus" // -corpus is a known flag
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/shopify"
)

const store = "upline-test.myshopify.com"

// TestGoldenOrders decodes every order fixture and compares its canonical
// JSON with testdata/golden/<fixture>.
func TestGoldenOrders(t *testing.T) {
	ordertest.GoldenOrders(t, "order_*.json", shopify.Decoder{Store: store}.DecodeOrder)
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
