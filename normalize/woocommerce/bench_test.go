package woocommerce_test

import (
	"testing"

	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/woocommerce"
)

// BenchmarkDecodeOrder decodes a typical order: three lines, a coupon,
// line and shipping taxes with 6-decimal breakdowns, meta_data.
func BenchmarkDecodeOrder(b *testing.B) {
	body := ordertest.Fixture(b, "order-coupon-tax-exclusive.json")
	d := woocommerce.Decoder{Store: "shop.example.com"}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.DecodeOrder(body); err != nil {
			b.Fatal(err)
		}
	}
}
