package commission

import (
	"math"
	"math/bits"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/fixedpoint"
)

// The engine computes in exact integer fixed point and converts to
// decimal.Decimal only at the API edge. A rate is an int64 count of 10^-9;
// a basis is an int64 count of 10^-scale; an amount is an int64 count of the
// currency's minor unit.

const (
	rateDigits = 9
	rateOne    = 1_000_000_000
	// maxRate bounds a rate at 1000 (100000%): more is certainly a typo.
	maxRate = 1000 * rateOne
	// maxScale is the most decimal places a basis may carry.
	maxScale = fixedpoint.MaxScale
)

var pow10 = [...]uint64{
	1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
}

// Rounding is how an event's exact amount is rounded to the currency's
// minor unit.
type Rounding uint8

const (
	// HalfUp rounds halves away from zero: 0.125 → 0.13. The default.
	HalfUp Rounding = iota
	// HalfEven rounds halves to the even neighbour: 0.125 → 0.12,
	// 0.135 → 0.14 (banker's rounding).
	HalfEven
)

// String returns the plan's name for r: "half_up" or "half_even".
func (r Rounding) String() string {
	if r == HalfEven {
		return "half_even"
	}
	return "half_up"
}

// fixed is a non-negative or negative exact decimal v × 10^-scale.
type fixed struct {
	v     int64
	scale int8
}

// toFixed converts d exactly; ok is false when it does not fit.
func toFixed(d decimal.Decimal) (fixed, bool) {
	v, s, ok := fixedpoint.Exact(d)
	return fixed{v: v, scale: int8(s)}, ok
}

// rescale returns f's value in units of 10^-digits, exactly.
func rescale(f fixed, digits int32) (int64, bool) {
	return fixedpoint.Rescale(f.v, int(f.scale), int(digits))
}

func (f fixed) decimal() decimal.Decimal { return decimal.New(f.v, -int32(f.scale)) }

// appendFixed appends v × 10^-scale with exactly scale places.
func appendFixed(b []byte, v int64, scale int) []byte {
	u := uint64(v)
	if v < 0 {
		b = append(b, '-')
		u = -u
	}
	var tmp [24]byte
	s := strconv.AppendUint(tmp[:0], u, 10)
	if scale <= 0 {
		return append(b, s...)
	}
	if len(s) <= scale {
		b = append(b, '0', '.')
		for range scale - len(s) {
			b = append(b, '0')
		}
		return append(b, s...)
	}
	b = append(b, s[:len(s)-scale]...)
	b = append(b, '.')
	return append(b, s[len(s)-scale:]...)
}

// appendTrimmed appends v × 10^-scale without trailing zeros after the
// point, as decimal.Decimal.String writes it.
func appendTrimmed(b []byte, v int64, scale int) []byte {
	for scale > 0 && v%10 == 0 {
		v /= 10
		scale--
	}
	return appendFixed(b, v, scale)
}

// mulRound returns round(b × r × 10^-rateDigits) in units of 10^-digits,
// with the rounding mode. ok is false when b or r is negative or the
// result overflows int64.
func mulRound(b fixed, r int64, digits int32, mode Rounding) (int64, bool) {
	rd := newRounder(b, digits, mode)
	return rd.round(r)
}

// rounder is mulRound for one basis: the places to drop and the rounding
// worked out once, for the many rates a rule applies to a line's basis.
type rounder struct {
	b    fixed
	s    int    // places to drop: b.scale + rateDigits - digits
	pow  uint64 // 10^s when 1 ≤ s ≤ 19 (one division suffices); 0 otherwise
	half uint64 // pow / 2
	mode Rounding
}

func newRounder(b fixed, digits int32, mode Rounding) rounder {
	r := rounder{b: b, s: int(b.scale) + rateDigits - int(digits), mode: mode}
	if r.s >= 1 && r.s <= 19 {
		r.pow = pow10[r.s]
		r.half = r.pow / 2
	}
	return r
}

// round returns round(r.b × rate × 10^-rateDigits) in the rounder's
// units; ok is false when r.b or rate is negative or the result overflows.
func (r *rounder) round(rate int64) (int64, bool) {
	if r.b.v < 0 || rate < 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(r.b.v), uint64(rate))
	if hi != 0 || r.pow == 0 {
		return divRound(hi, lo, r.s, r.mode)
	}
	// One 64-bit division; pow ≥ 10, so q < 2^61 fits.
	q := lo / r.pow
	if rem := lo - q*r.pow; rem > r.half || rem == r.half && (r.mode == HalfUp || q&1 == 1) {
		q++
	}
	return int64(q), true
}

// divRound returns round((hi,lo) / 10^s) with the rounding mode; s may be
// negative (a multiplication).
func divRound(hi, lo uint64, s int, mode Rounding) (int64, bool) {
	if s <= 0 {
		if hi != 0 || -s >= len(pow10) {
			return 0, false
		}
		h, l := bits.Mul64(lo, pow10[-s])
		if h != 0 || l > math.MaxInt64 {
			return 0, false
		}
		return int64(l), true
	}
	if s > 38 {
		return 0, false
	}
	// Divide by 10^a first, then by 10^c with c ≤ 19 the most significant
	// discarded digits, which decide the rounding; the lower remainder only
	// breaks an exact tie.
	c := min(s, 19)
	a := s - c
	var lowRem uint64
	if a > 0 {
		hi, lo, lowRem = div128(hi, lo, pow10[a])
	}
	var q, rem uint64
	if hi == 0 { // the usual case: a division by a constant, a multiply
		q, rem = divPow10(lo, c)
	} else {
		var qhi uint64
		qhi, q, rem = div128(hi, lo, pow10[c])
		if qhi != 0 {
			return 0, false
		}
	}
	half := 5 * pow10[c-1]
	switch {
	case rem > half, rem == half && lowRem != 0:
		q++
	case rem == half:
		if mode == HalfUp || q&1 == 1 {
			q++
		}
	}
	if q > math.MaxInt64 {
		return 0, false
	}
	return int64(q), true
}

// divPow10 returns x / 10^c and x % 10^c for 1 ≤ c ≤ 19, each case a
// division by a constant, which the compiler turns into a multiplication.
func divPow10(x uint64, c int) (q, r uint64) {
	switch c {
	case 1:
		q = x / 1e1
	case 2:
		q = x / 1e2
	case 3:
		q = x / 1e3
	case 4:
		q = x / 1e4
	case 5:
		q = x / 1e5
	case 6:
		q = x / 1e6
	case 7:
		q = x / 1e7
	case 8:
		q = x / 1e8
	case 9:
		q = x / 1e9
	case 10:
		q = x / 1e10
	case 11:
		q = x / 1e11
	case 12:
		q = x / 1e12
	case 13:
		q = x / 1e13
	case 14:
		q = x / 1e14
	case 15:
		q = x / 1e15
	case 16:
		q = x / 1e16
	case 17:
		q = x / 1e17
	case 18:
		q = x / 1e18
	default:
		q = x / 1e19
	}
	return q, x - q*pow10[c]
}

// div128 divides (hi,lo) by d.
func div128(hi, lo, d uint64) (qhi, qlo, r uint64) {
	if hi == 0 { // the usual case: one 64-bit division
		return 0, lo / d, lo % d
	}
	qhi, r = hi/d, hi%d
	qlo, r = bits.Div64(r, lo, d)
	return qhi, qlo, r
}

// parseRate reads a plan rate: a plain decimal from 0 to 1000 with at most 9
// places.
func parseRate(s string) (int64, bool) {
	d, err := decimal.NewFromString(s)
	if err != nil || d.IsNegative() || len(s) > 40 {
		return 0, false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' {
			return 0, false
		}
	}
	f, ok := toFixed(d)
	if !ok || f.scale > rateDigits {
		return 0, false
	}
	v := f.v
	for range rateDigits - int(f.scale) {
		if v > maxRate {
			return 0, false
		}
		v *= 10
	}
	if v > maxRate {
		return 0, false
	}
	return v, true
}
