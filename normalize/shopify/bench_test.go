package shopify_test

import (
	"testing"

	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/shopify"
)

// BenchmarkDecodeOrder decodes a typical orders/create webhook: three
// lines, a code and an automatic discount, a shipping discount, taxes and a
// tip, about 12 KB of JSON.
func BenchmarkDecodeOrder(b *testing.B) {
	body := ordertest.Fixture(b, "order_discounts_tax_exclusive.json")
	d := shopify.Decoder{Store: store}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.DecodeOrder(body); err != nil {
			b.Fatal(err)
		}
	}
}
