package magento_test

import (
	"testing"

	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/magento"
)

// BenchmarkDecodeOrder decodes a typical order: three lines, a coupon with
// a shipping discount, taxes.
func BenchmarkDecodeOrder(b *testing.B) {
	body := ordertest.Fixture(b, "order-tax-exclusive-coupon.json")
	d := magento.Decoder{Store: store}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.DecodeOrder(body); err != nil {
			b.Fatal(err)
		}
	}
}
