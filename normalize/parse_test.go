package normalize_test

import (
	"errors"
	"testing"
	"time"

	"github.com/uplinehq/upline/normalize"
)

func TestParseAmount(t *testing.T) {
	ok := []struct{ in, want string }{
		{"0", "0"}, {"10.00", "10"}, {"-12.50", "-12.5"}, {"+3", "3"}, {"1e2", "100"}, {"2.5E-1", "0.25"},
		{"10.799999999999999", "10.799999999999999"}, {"0.000001", "0.000001"},
		{"123456789012345678901234567890.01", "123456789012345678901234567890.01"},
	}
	for _, tt := range ok {
		got, err := normalize.ParseAmount(tt.in)
		if err != nil || got.String() != tt.want {
			t.Errorf("ParseAmount(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	bad := []struct{ in, why string }{
		{"", "has no digits or too many"},
		{"abc", "is not a decimal number"},
		{"1,000.00", "is not a decimal number"},
		{"0x10", "is not a decimal number"},
		{"NaN", "is not a decimal number"},
		{"Infinity", "is not a decimal number"},
		{".", "has no digits"},
		{"-", "has no digits"},
		{"1e", "has an exponent out of range"},
		{"1e31", "has an exponent out of range"},
		{"1e-31", "has an exponent out of range"},
		{"1.2.3", "is not a decimal number"},
		{" 1", "is not a decimal number"},
		{"12345678901234567890123456789012345678901234567890123456789012345", "has no digits or too many"},
	}
	for _, tt := range bad {
		_, err := normalize.ParseAmount(tt.in)
		if want := "normalize: invalid value: amount \"" + tt.in + "\" " + tt.why; !errors.Is(err, normalize.ErrInvalid) || err.Error() != want {
			t.Errorf("ParseAmount(%q) err = %v, want %s", tt.in, err, want)
		}
	}
}

func TestParseTime(t *testing.T) {
	ok := []struct{ in, want string }{
		{"2025-08-28T08:11:04Z", "2025-08-28T08:11:04Z"},
		{"2025-08-28T04:11:04-04:00", "2025-08-28T08:11:04Z"},
		{"2025-08-28T08:11:04.123+00:00", "2025-08-28T08:11:04.123Z"},
		{"2025-08-28T08:11:04", "2025-08-28T08:11:04Z"},
		{"2025-08-28 08:11:04", "2025-08-28T08:11:04Z"},
		{" 2025-08-28 08:11:04 ", "2025-08-28T08:11:04Z"},
	}
	for _, tt := range ok {
		got, err := normalize.ParseTime(tt.in)
		if err != nil || got.Format(time.RFC3339Nano) != tt.want || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %s, %v; want %s UTC", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "2025-08-28", "28/08/2025 08:11", "1969-12-31T23:59:59Z", "2025-02-30T00:00:00Z"} {
		if _, err := normalize.ParseTime(in); !errors.Is(err, normalize.ErrInvalid) {
			t.Errorf("ParseTime(%q) err = %v, want ErrInvalid", in, err)
		}
	}
}

func TestMinorUnits(t *testing.T) {
	tests := []struct {
		code   string
		digits int32
		ok     bool
	}{
		{"USD", 2, true}, {"EUR", 2, true}, {"HKD", 2, true}, {"JPY", 0, true}, {"KRW", 0, true},
		{"KWD", 3, true}, {"BHD", 3, true}, {"CLF", 4, true}, {"AED", 2, true}, {"ZWL", 2, true},
		{"usd", 0, false}, {"XXX", 0, false}, {"US", 0, false}, {"D A", 0, false}, {"", 0, false}, {"USDD", 0, false},
	}
	for _, tt := range tests {
		digits, ok := normalize.MinorUnits(tt.code)
		if ok != tt.ok || (ok && digits != tt.digits) {
			t.Errorf("MinorUnits(%q) = %d, %v; want %d, %v", tt.code, digits, ok, tt.digits, tt.ok)
		}
	}
}

func TestFindRef(t *testing.T) {
	attrs := []normalize.Attr{
		{Name: "gift_note", Value: "hi"},
		{Name: " REF ", Value: " abc123 "},
		{Name: "Distributor", Value: ""},
		{Name: "referrer", Value: "R-9"},
		{Name: "ref", Value: "second"},
	}
	tests := []struct {
		keys []string
		want string
	}{
		{normalize.DefaultRefKeys(), "R-9"}, // referrer outranks ref; the empty distributor is skipped
		{[]string{"ref"}, "abc123"},         // trimmed, case-insensitive, the first of equal names
		{[]string{"sponsor"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := normalize.FindRef(tt.keys, attrs); got != tt.want {
			t.Errorf("FindRef(%q) = %q, want %q", tt.keys, got, tt.want)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	e := &normalize.Error{Platform: normalize.Magento, OrderID: "000000013-1", Line: "16", Path: "items[0].base_price", Offset: 120, Err: normalize.ErrInvalid}
	if want := "magento: order 000000013-1: line 16: items[0].base_price: at byte 120: normalize: invalid value"; e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
	if !errors.Is(e, normalize.ErrInvalid) || errors.Is(e, normalize.ErrMissing) {
		t.Errorf("Error does not unwrap to exactly its kind")
	}
}

func BenchmarkMinorUnits(b *testing.B) {
	codes := []string{"USD", "JPY", "KWD", "EUR", "ZWL", "XXX"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		normalize.MinorUnits(codes[i%len(codes)])
		i++
	}
}
