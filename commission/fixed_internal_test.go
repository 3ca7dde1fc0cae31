package commission

import (
	"math"
	"math/big"
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

// TestRounder: mulRound (and so every rounder) rounds b × rate exactly as
// big-integer arithmetic does, for every scale, currency digits and mode,
// on exact ties, overflows, negative inputs and random values; a rounder
// built once gives what mulRound gives each time.
func TestRounder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	vs := []int64{0, 1, 5, 15, 25, 125, 1e9, 5e8, math.MaxInt64, -1, math.MinInt64}
	rates := []int64{0, 1, 5, 5e8, rateOne, 15e8, maxRate, -1}
	for range 25 {
		vs = append(vs, r.Int64(), r.Int64N(1e9), r.Int64N(1e4)*5)
		rates = append(rates, r.Int64N(maxRate+1), r.Int64N(rateOne)/1000*1000+500)
	}
	maxInt := big.NewInt(math.MaxInt64)
	// exact is round(v × rate × 10^-(scale+9-digits)) by big.Int, or false.
	exact := func(v, rate int64, scale int8, digits int32, mode Rounding) (int64, bool) {
		if v < 0 || rate < 0 {
			return 0, false
		}
		p := new(big.Int).Mul(big.NewInt(v), big.NewInt(rate))
		s := int64(scale) + rateDigits - int64(digits)
		if s <= 0 {
			p.Mul(p, new(big.Int).Exp(big.NewInt(10), big.NewInt(-s), nil))
		} else {
			d := new(big.Int).Exp(big.NewInt(10), big.NewInt(s), nil)
			q, rem := new(big.Int).QuoRem(p, d, new(big.Int))
			switch c := new(big.Int).Mul(rem, big.NewInt(2)).Cmp(d); {
			case c > 0, c == 0 && (mode == HalfUp || q.Bit(0) == 1):
				q.Add(q, big.NewInt(1))
			}
			p = q
		}
		if p.Cmp(maxInt) > 0 {
			return 0, false
		}
		return p.Int64(), true
	}
	n := 0
	for scale := int8(0); scale <= maxScale; scale++ {
		for digits := int32(0); digits <= 4; digits++ {
			for _, mode := range []Rounding{HalfUp, HalfEven} {
				for _, v := range vs {
					b := fixed{v: v, scale: scale}
					rd := newRounder(b, digits, mode)
					for _, rate := range rates {
						want, wantOK := exact(v, rate, scale, digits, mode)
						got, gotOK := mulRound(b, rate, digits, mode)
						again, againOK := rd.round(rate)
						if got != want || gotOK != wantOK || again != got || againOK != gotOK {
							t.Fatalf("%d×10^-%d × %d, %d digits, %v: mulRound %d %v, reused rounder %d %v, want %d %v",
								v, scale, rate, digits, mode, got, gotOK, again, againOK, want, wantOK)
						}
						n++
					}
				}
			}
		}
	}
	if n < 900_000 {
		t.Fatalf("only %d cases", n)
	}
}
