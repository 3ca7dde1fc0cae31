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
