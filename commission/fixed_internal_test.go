package commission

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDivPow10: every case is x / 10^c and x % 10^c, on edge values and
// random ones.
func TestDivPow10(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	xs := []uint64{0, 1, 9, 10, 11, 99, 100, 1e9 - 1, 1e9, 1e18, 1e19 - 1, 1e19, math.MaxInt64, math.MaxUint64 - 1, math.MaxUint64}
	for range 2000 {
		xs = append(xs, r.Uint64(), r.Uint64()>>r.IntN(64))
	}
	for c := 1; c <= 19; c++ {
		for _, x := range xs {
			q, rem := divPow10(x, c)
			if q != x/pow10[c] || rem != x%pow10[c] {
				t.Fatalf("divPow10(%d, %d) = %d, %d; want %d, %d", x, c, q, rem, x/pow10[c], x%pow10[c])
			}
		}
	}
}
