// Package fixedpoint reads decimals as exact int64 fixed point, v × 10^-scale,
// for the hot loops of sku and commission, which compute in integers and
// convert to decimal.Decimal only at their API. It is the one place that
// conversion is written.
package fixedpoint

import (
	"math"

	"github.com/shopspring/decimal"
)

// MaxScale is the most decimal places a fixed-point value carries.
const MaxScale = 18

// FromDecimal returns d as v × 10^-scale exactly, with 0 ≤ scale ≤ MaxScale:
// v is d's coefficient and scale minus its exponent; a positive exponent is
// multiplied into v (scale 0), and beyond MaxScale places trailing zeros are
// dropped. ok is false when the coefficient has more than 18 digits, v
// overflows or d needs more than MaxScale places. It does not allocate.
func FromDecimal(d decimal.Decimal) (v int64, scale int, ok bool) {
	if d.NumDigits() > 18 {
		return 0, 0, false
	}
	v, exp := d.CoefficientInt64(), d.Exponent()
	if v == 0 {
		return 0, int(min(max(-exp, 0), MaxScale)), true
	}
	for ; exp > 0; exp-- {
		if v > math.MaxInt64/10 || v < math.MinInt64/10 {
			return 0, 0, false
		}
		v *= 10
	}
	for ; exp < -MaxScale && v%10 == 0; exp++ {
		v /= 10
	}
	if exp < -MaxScale {
		return 0, 0, false
	}
	return v, int(-exp), true
}

// Exact is FromDecimal that also takes a coefficient of more than 18
// digits when dropping its trailing zeros (as a division leaves them) makes
// it fit; only then does it allocate.
func Exact(d decimal.Decimal) (v int64, scale int, ok bool) {
	if d.NumDigits() > 18 {
		t, err := decimal.NewFromString(d.String())
		if err != nil || t.NumDigits() > 18 {
			return 0, 0, false
		}
		d = t
	}
	return FromDecimal(d)
}

// Rescale returns v × 10^-from in units of 10^-to, if that is exact and
// fits an int64.
func Rescale(v int64, from, to int) (int64, bool) {
	s := from
	for ; s < to; s++ {
		if v > math.MaxInt64/10 || v < math.MinInt64/10 {
			return 0, false
		}
		v *= 10
	}
	for ; s > to; s-- {
		if v%10 != 0 {
			return 0, false
		}
		v /= 10
	}
	return v, true
}

// Minor returns d in units of 10^-digits (a currency's minor unit), if that
// is exact and fits an int64. It does not allocate unless d's coefficient
// has more than 18 digits or places beyond MaxScale.
func Minor(d decimal.Decimal, digits int32) (int64, bool) {
	v, scale, ok := FromDecimal(d)
	if !ok {
		// Rare: a long coefficient, or places beyond MaxScale. A non-zero
		// value (FromDecimal takes zeros) × 10^e with e > 18 is beyond an
		// int64, and with 10^-e above its coefficient is not whole.
		if e := int64(d.Exponent()) + int64(digits); e > 18 || e < 0 && -e >= int64(d.NumDigits()) {
			return 0, false
		}
		s := d.Shift(digits)
		if !s.IsInteger() {
			return 0, false
		}
		b := s.BigInt()
		return b.Int64(), b.IsInt64()
	}
	if v == 0 {
		return 0, true
	}
	return Rescale(v, scale, int(digits))
}

// Add returns a + b with the value and exponent a.Add(b) gives (the
// smaller of the two exponents), computed in an int64 when both
// coefficients and the sum fit one, so it allocates only the result.
func Add(a, b decimal.Decimal) decimal.Decimal {
	if v, exp, ok := sum(a, b, false); ok {
		return decimal.New(v, exp)
	}
	return a.Add(b)
}

// Sub returns a − b as a.Sub(b) does; see Add.
func Sub(a, b decimal.Decimal) decimal.Decimal {
	if v, exp, ok := sum(a, b, true); ok {
		return decimal.New(v, exp)
	}
	return a.Sub(b)
}

// sum is a + b, or a − b when negate, as a coefficient at the smaller
// exponent, if every step fits an int64.
func sum(a, b decimal.Decimal, negate bool) (int64, int32, bool) {
	if a.NumDigits() > 18 || b.NumDigits() > 18 {
		return 0, 0, false
	}
	ea, eb := a.Exponent(), b.Exponent()
	exp := min(ea, eb)
	if int64(ea)-int64(exp) > 18 || int64(eb)-int64(exp) > 18 {
		return 0, 0, false
	}
	x, ok1 := Rescale(a.CoefficientInt64(), 0, int(ea-exp))
	y, ok2 := Rescale(b.CoefficientInt64(), 0, int(eb-exp))
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	if negate {
		y = -y // |y| < 2^63: Rescale keeps it within ±MaxInt64
	}
	s := x + y
	if (x >= 0) == (y >= 0) && (s >= 0) != (x >= 0) {
		return 0, 0, false // overflow
	}
	return s, exp, true
}

// DivRound returns d ÷ n rounded to places decimal places, half away
// from zero, with the value and exponent d.DivRound(decimal.NewFromInt(n),
// places) gives, computed in int64 when everything fits one.
func DivRound(d decimal.Decimal, n int64, places int32) decimal.Decimal {
	if q, ok := divRound(d, n, places); ok {
		return decimal.New(q, -places)
	}
	return d.DivRound(decimal.NewFromInt(n), places)
}

func divRound(d decimal.Decimal, n int64, places int32) (int64, bool) {
	if n == 0 || n == math.MinInt64 || d.NumDigits() > 18 || places < 0 || places > MaxScale {
		return 0, false
	}
	e := int64(d.Exponent()) + int64(places) // d × 10^places = a × 10^e
	if e > MaxScale || e < -MaxScale {
		return 0, false
	}
	a, b, ok := d.CoefficientInt64(), n, true
	if e >= 0 {
		a, ok = Rescale(a, 0, int(e))
	} else {
		b, ok = Rescale(b, 0, int(-e))
	}
	if !ok || b == math.MinInt64 {
		return 0, false
	}
	q, r := a/b, a%b
	if r < 0 {
		r = -r
	}
	if b < 0 {
		b = -b
	}
	if r >= b-r { // 2|r| ≥ |b|: away from zero
		if (a < 0) != (n < 0) {
			q--
		} else {
			q++
		}
	}
	return q, true
}
