package magento

import (
	"encoding/json"
	"testing"

	"github.com/uplinehq/upline/internal/jsondec"
	"github.com/uplinehq/upline/internal/strictjson"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
)

// BenchmarkUnmarshal reads the typical body (BenchmarkDecodeOrder's) into
// the wire structs the way DecodeOrder does (the Unicode check, then
// jsondec) and, side by side, the way it did before: the Unicode check,
// then encoding/json.
func BenchmarkUnmarshal(b *testing.B) {
	body := ordertest.Fixture(b, "order-tax-exclusive-coupon.json")
	b.Run("jsondec", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var env order
			if strictjson.Check(body) != nil || !jsondec.Decode(body, &env) {
				b.Fatal("fell back")
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var env order
			if err := strictjson.Check(body); err != nil {
				b.Fatal(err)
			}
			if err := json.Unmarshal(body, &env); err != nil {
				b.Fatal(err)
			}
		}
	})
}
