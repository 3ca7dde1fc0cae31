package fixedpoint_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/fixedpoint"
)

var dec = decimal.RequireFromString

// TestFromDecimalAndMinor: FromDecimal and Minor on edge values, including
// exponents far beyond any int64 (no panic, no long loop).
func TestFromDecimalAndMinor(t *testing.T) {
	for _, tc := range []struct {
		d     decimal.Decimal
		v     int64
		scale int
		ok    bool
	}{
		{dec("0"), 0, 0, true},
		{decimal.Decimal{}, 0, 0, true},
		{dec("1.50"), 150, 2, true},
		{dec("1e3"), 1000, 0, true},
		{dec("0e-30"), 0, 18, true},
		{decimal.New(0, 2_000_000_000), 0, 0, true},
		{decimal.New(0, -2_000_000_000), 0, 18, true},
		{decimal.New(7, 2_000_000_000), 0, 0, false},
		{dec("1000e-21"), 1, 18, true},
		{dec("1e-19"), 0, 0, false},
		{dec("123456789012345678"), 123456789012345678, 0, true},
		{dec("1234567890123456789"), 0, 0, false}, // 19 digits
		{dec("1e18"), 1e18, 0, true},
		{dec("1e19"), 0, 0, false},
		{dec("-2.5"), -25, 1, true},
	} {
		if v, scale, ok := fixedpoint.FromDecimal(tc.d); v != tc.v || scale != tc.scale || ok != tc.ok {
			t.Errorf("FromDecimal(%s) = %d, %d, %v; want %d, %d, %v", tc.d, v, scale, ok, tc.v, tc.scale, tc.ok)
		}
	}
	for _, tc := range []struct {
		net    decimal.Decimal
		digits int32
		minor  int64
		ok     bool
	}{
		{dec("12.3"), 2, 1230, true},
		{dec("12.30"), 2, 1230, true},
		{dec("12.345"), 2, 0, false},
		{dec("1200"), 0, 1200, true},
		{dec("12e2"), 0, 1200, true},
		{dec("0.5"), 0, 0, false},
		{dec("1.000"), 3, 1000, true},
		{decimal.Decimal{}, 2, 0, true},
		{dec("92233720368547758.07"), 2, 9223372036854775807, true},
		{dec("92233720368547758.08"), 2, 0, false},
		{decimal.New(1, 2_000_000_000), 2, 0, false},
		{decimal.New(1, -2_147_483_647), 2, 0, false},
		{dec("12340000000000000000000e-22"), 2, 0, false},  // 1.234 with a long coefficient: not whole cents
		{dec("12000000000000000000000e-22"), 2, 120, true}, // 1.2 with a long coefficient
		{decimal.Decimal{}, 2_000_000_000, 0, true},
	} {
		if minor, ok := fixedpoint.Minor(tc.net, tc.digits); ok != tc.ok || ok && minor != tc.minor {
			t.Errorf("Minor(%s, %d) = %d, %v; want %d, %v", tc.net, tc.digits, minor, ok, tc.minor, tc.ok)
		}
	}
}

// TestExactAndRescale: Exact takes a long coefficient that trailing zeros
// make fit; Rescale is exact or refuses.
func TestExactAndRescale(t *testing.T) {
	for _, tc := range []struct {
		d     decimal.Decimal
		v     int64
		scale int
		ok    bool
	}{
		{dec("1.50"), 150, 2, true},
		{dec("12000000000000000000000e-22"), 12, 1, true},
		{dec("1234567890123456789"), 0, 0, false},
	} {
		if v, scale, ok := fixedpoint.Exact(tc.d); v != tc.v || scale != tc.scale || ok != tc.ok {
			t.Errorf("Exact(%s) = %d, %d, %v; want %d, %d, %v", tc.d, v, scale, ok, tc.v, tc.scale, tc.ok)
		}
	}
	for _, tc := range []struct {
		v        int64
		from, to int
		want     int64
		ok       bool
	}{
		{15, 1, 2, 150, true},
		{150, 2, 1, 15, true},
		{155, 2, 1, 0, false},
		{1 << 62, 0, 1, 0, false},
		{-25, 1, 3, -2500, true},
	} {
		if got, ok := fixedpoint.Rescale(tc.v, tc.from, tc.to); got != tc.want || ok != tc.ok {
			t.Errorf("Rescale(%d, %d, %d) = %d, %v; want %d, %v", tc.v, tc.from, tc.to, got, ok, tc.want, tc.ok)
		}
	}
}

// sameDecimal fails t unless got has want's coefficient and exponent:
// the same Decimal, not only an equal value.
func sameDecimal(t *testing.T, what string, got, want decimal.Decimal) {
	t.Helper()
	if got.Exponent() != want.Exponent() || got.Coefficient().Cmp(want.Coefficient()) != 0 {
		t.Errorf("%s = %s (%se%d), want %s (%se%d)", what, got, got.Coefficient(), got.Exponent(), want, want.Coefficient(), want.Exponent())
	}
}

// TestAddSub: Add and Sub give exactly what decimal's Add and Sub give,
// on the int64 path and off it (long coefficients, overflow, far
// exponents).
func TestAddSub(t *testing.T) {
	for _, tc := range []struct {
		a, b       decimal.Decimal
		add, sub   string // want, with their exponents checked below
		addE, subE int32
	}{
		{dec("1.50"), dec("2"), "3.5", "-0.5", -2, -2},
		{decimal.Zero, dec("4.99"), "4.99", "-4.99", -2, -2},
		{decimal.Zero, decimal.Zero, "0", "0", 0, 0},
		{decimal.Decimal{}, dec("-0.000001"), "-0.000001", "0.000001", -6, -6},
		{dec("1e3"), dec("1e2"), "1100", "900", 2, 2},
		{dec("-0.00"), dec("0"), "0", "0", -2, -2},
		{dec("9223372036854775807"), dec("1"), "9223372036854775808", "9223372036854775806", 0, 0},
		{dec("999999999999999999"), dec("999999999999999999"), "1999999999999999998", "0", 0, 0},
		{dec("-999999999999999999"), dec("-0.1"), "-999999999999999999.1", "-999999999999999998.9", -1, -1},
		{dec("1e18"), dec("1e-18"), "1000000000000000000.000000000000000001", "999999999999999999.999999999999999999", -18, -18},
		{decimal.New(1, 40), dec("1"), "10000000000000000000000000000000000000001", "9999999999999999999999999999999999999999", 0, 0},
	} {
		add, sub := fixedpoint.Add(tc.a, tc.b), fixedpoint.Sub(tc.a, tc.b)
		sameDecimal(t, "Add("+tc.a.String()+", "+tc.b.String()+")", add, tc.a.Add(tc.b))
		sameDecimal(t, "Sub("+tc.a.String()+", "+tc.b.String()+")", sub, tc.a.Sub(tc.b))
		if want := decimal.RequireFromString(tc.add); !add.Equal(want) || add.Exponent() != tc.addE {
			t.Errorf("Add(%s, %s) = %s e%d, want %s e%d", tc.a, tc.b, add, add.Exponent(), tc.add, tc.addE)
		}
		if want := decimal.RequireFromString(tc.sub); !sub.Equal(want) || sub.Exponent() != tc.subE {
			t.Errorf("Sub(%s, %s) = %s e%d, want %s e%d", tc.a, tc.b, sub, sub.Exponent(), tc.sub, tc.subE)
		}
	}
}

// FuzzAddSub: Add and Sub against decimal's own, the reference, on any
// coefficients and exponents.
func FuzzAddSub(f *testing.F) {
	f.Add(int64(150), int32(-2), int64(2), int32(0))
	f.Add(int64(-999999999999999999), int32(0), int64(-1), int32(-1))
	f.Add(int64(1), int32(18), int64(1), int32(-18))
	f.Add(int64(0), int32(1), int64(0), int32(-30))
	f.Fuzz(func(t *testing.T, x int64, ex int32, y int64, ey int32) {
		ex, ey = ex%64, ey%64 // decimal's own Add would take too long beyond
		a, b := decimal.New(x, ex), decimal.New(y, ey)
		sameDecimal(t, "Add", fixedpoint.Add(a, b), a.Add(b))
		sameDecimal(t, "Sub", fixedpoint.Sub(a, b), a.Sub(b))
	})
}

// TestDivRound: DivRound gives exactly what decimal's DivRound gives.
func TestDivRound(t *testing.T) {
	for _, tc := range []struct {
		d      decimal.Decimal
		n      int64
		places int32
		want   string
	}{
		{dec("10.00"), 3, 2, "3.33"},
		{dec("20.00"), 3, 2, "6.67"},
		{dec("-20.00"), 3, 2, "-6.67"},
		{dec("0.05"), 2, 2, "0.03"}, // half away from zero
		{dec("-0.05"), 2, 2, "-0.03"},
		{dec("0.05"), -2, 2, "-0.03"},
		{dec("100"), 4, 0, "25"},
		{dec("1e3"), 7, 3, "142.857"},
		{dec("0"), 5, 2, "0"},
		{decimal.Decimal{}, 5, 2, "0"},
		{dec("999999999999999999"), 1, 2, "999999999999999999"},
		{dec("12345678901234567890.5"), 2, 1, "6172839450617283945.3"},
	} {
		got := fixedpoint.DivRound(tc.d, tc.n, tc.places)
		sameDecimal(t, "DivRound("+tc.d.String()+")", got, tc.d.DivRound(decimal.NewFromInt(tc.n), tc.places))
		if !got.Equal(dec(tc.want)) || got.Exponent() != -tc.places {
			t.Errorf("DivRound(%s, %d, %d) = %s e%d, want %s e%d", tc.d, tc.n, tc.places, got, got.Exponent(), tc.want, -tc.places)
		}
	}
}

// FuzzDivRound: DivRound against decimal's own.
func FuzzDivRound(f *testing.F) {
	f.Add(int64(1000), int32(-2), int64(3), int32(2))
	f.Add(int64(-5), int32(-2), int64(2), int32(2))
	f.Add(int64(999999999999999999), int32(0), int64(-7), int32(18))
	f.Fuzz(func(t *testing.T, x int64, ex int32, n int64, places int32) {
		if n == 0 {
			return // decimal panics
		}
		ex, places = ex%40, places%40
		d := decimal.New(x, ex)
		sameDecimal(t, "DivRound", fixedpoint.DivRound(d, n, places), d.DivRound(decimal.NewFromInt(n), places))
	})
}
