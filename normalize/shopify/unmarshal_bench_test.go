package shopify

import (
	"testing"

	"github.com/uplinehq/upline/normalize/internal/ordertest"
)

// BenchmarkUnmarshal reads the typical body (BenchmarkDecodeOrder's) into
// the wire structs the way DecodeOrder does and, side by side, the way it
// did before (see ordertest.BenchUnmarshal).
func BenchmarkUnmarshal(b *testing.B) {
	ordertest.BenchUnmarshal[orderBody](b, ordertest.Fixture(b, "order_discounts_tax_exclusive.json"))
}
