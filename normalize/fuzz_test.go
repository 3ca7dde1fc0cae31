package normalize_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
)

// FuzzDecodeJSON: whatever the body, decoding never panics, and an order it
// accepts re-encodes to a canonical form that decodes to the same bytes,
// with nets within gross and refunds within what was bought.
func FuzzDecodeJSON(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "canonical", "*.json"))
	for _, name := range files {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
		for _, c := range ordertest.Corrupt(body) {
			f.Add(c)
		}
	}
	f.Add([]byte(minimal))
	f.Add([]byte(strings.Replace(minimal, `"total":"20.00"`, `"total":"20.00","total":"0.01"`, 1)))
	f.Add([]byte(strings.Replace(minimal, `"total":"20.00"`, `"total":"20.00","TOTAL":"0.01"`, 1)))
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := normalize.DecodeJSON(body)
		if err != nil {
			return
		}
		ordertest.Strict(t, body)
		ordertest.Check(t, o)
	})
}

// FuzzAllocate: the parts always sum exactly to the total, and each part is
// within one minor unit of its exact proportional share.
func FuzzAllocate(f *testing.F) {
	f.Add(int64(1000), uint32(1), uint32(1), uint32(1))
	f.Add(int64(-7), uint32(0), uint32(5), uint32(9))
	f.Add(int64(2910), uint32(9900), uint32(6600), uint32(0))
	f.Fuzz(func(t *testing.T, units int64, a, b, c uint32) {
		weights := []decimal.Decimal{decimal.NewFromInt(int64(a)), decimal.NewFromInt(int64(b)), decimal.NewFromInt(int64(c))}
		total := decimal.New(units, -2)
		parts, err := normalize.Allocate(total, weights, 2)
		if a == 0 && b == 0 && c == 0 {
			if (err == nil) != (units == 0) {
				t.Fatalf("all-zero weights, total %s: err = %v", total, err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		sum := decimal.Zero
		w := weights[0].Add(weights[1]).Add(weights[2])
		for i, p := range parts {
			sum = sum.Add(p)
			exact := total.Mul(weights[i]).DivRound(w, 12)
			if p.Sub(exact).Abs().GreaterThanOrEqual(decimal.New(1, -2)) {
				t.Fatalf("part %d = %s, exact share %s", i, p, exact)
			}
		}
		if !sum.Equal(total) {
			t.Fatalf("parts %v sum to %s, want %s", parts, sum, total)
		}
	})
}
