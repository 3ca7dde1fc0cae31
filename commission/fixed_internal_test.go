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

// TestRounder: a rounder rounds exactly as mulRound does, for every scale,
// currency digits and mode, on exact ties, overflows and random values.
func TestRounder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	vs := []int64{0, 1, 5, 15, 25, 125, 1e9, 5e8, math.MaxInt64}
	rates := []int64{0, 1, 5, 5e8, rateOne, 15e8, maxRate}
	for range 100 {
		vs = append(vs, r.Int64(), r.Int64N(1e9), r.Int64N(1e4)*5)
		rates = append(rates, r.Int64N(maxRate+1), r.Int64N(rateOne)/1000*1000+500)
	}
	n := 0
	for scale := int8(0); scale <= maxScale; scale++ {
		for digits := int32(0); digits <= 4; digits++ {
			for _, mode := range []Rounding{HalfUp, HalfEven} {
				for _, v := range vs {
					b := fixed{v: v, scale: scale}
					rd := newRounder(b, digits, mode)
					for _, rate := range rates {
						got, gotOK := rd.round(rate)
						want, wantOK := mulRound(b, rate, digits, mode)
						if got != want || gotOK != wantOK {
							t.Fatalf("%d×10^-%d × %d, %d digits, %v: rounder %d %v, mulRound %d %v",
								v, scale, rate, digits, mode, got, gotOK, want, wantOK)
						}
						n++
					}
				}
			}
		}
	}
	if n < 1_000_000 {
		t.Fatalf("only %d cases", n)
	}
}
