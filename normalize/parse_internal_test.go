package normalize

import (
	"testing"
	"time"
)

// TestPlainAmount: the amounts plainAmount reads, to the coefficient and
// exponent, and the ones it leaves to parseAmount; each it reads is what
// parseAmount gives.
func TestPlainAmount(t *testing.T) {
	for _, tt := range []struct {
		in  string
		v   int64
		exp int32
		ok  bool
	}{
		{"0", 0, 0, true}, {"-0", 0, 0, true}, {"-0.00", 0, -2, true}, {"+5", 5, 0, true},
		{"10.00", 1000, -2, true}, {"-12.50", -1250, -2, true}, {"5.", 5, 0, true}, {".5", 5, -1, true},
		{"-.5", -5, -1, true}, {"007.50", 750, -2, true}, {"0.000001", 1, -6, true},
		{"10.799999999999999", 10799999999999999, -15, true},
		{"123456789012345678", 123456789012345678, 0, true}, {"-999999999999999999", -999999999999999999, 0, true},
		{"1234567890123456789", 0, 0, false}, {"0000000000000000001", 0, 0, false}, // 19 digits
		{"1e2", 0, 0, false}, {"2.5E-1", 0, 0, false}, {"", 0, 0, false}, {"-", 0, 0, false}, {".", 0, 0, false},
		{"+", 0, 0, false}, {"1.2.3", 0, 0, false}, {" 1", 0, 0, false}, {"1 ", 0, 0, false}, {"--1", 0, 0, false},
		{"1-", 0, 0, false}, {"0x10", 0, 0, false}, {"NaN", 0, 0, false}, {"\u22121", 0, 0, false}, {"１", 0, 0, false},
	} {
		v, exp, ok := plainAmount(tt.in)
		if v != tt.v || exp != tt.exp || ok != tt.ok {
			t.Errorf("plainAmount(%q) = %d, %d, %v; want %d, %d, %v", tt.in, v, exp, ok, tt.v, tt.exp, tt.ok)
		}
		sameAmount(t, tt.in)
	}
}

// sameAmount fails t unless ParseAmount reads s as parseAmount, the
// general path, does: the same coefficient and exponent, or the same error.
func sameAmount(t *testing.T, s string) {
	t.Helper()
	got, gerr := ParseAmount(s)
	want, werr := parseAmount(s)
	switch {
	case (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error():
		t.Fatalf("ParseAmount(%q) err = %v, general path %v", s, gerr, werr)
	case gerr == nil && (got.Exponent() != want.Exponent() || got.Coefficient().Cmp(want.Coefficient()) != 0):
		t.Fatalf("ParseAmount(%q) = %se%d, general path %se%d", s, got.Coefficient(), got.Exponent(), want.Coefficient(), want.Exponent())
	}
	if _, _, ok := plainAmount(s); ok && werr != nil {
		t.Fatalf("plainAmount read %q, which the general path refuses: %v", s, werr)
	}
}

// FuzzParseAmount: ParseAmount, with its plain fast path, against the
// general path (decimal.NewFromString behind ParseAmount's checks).
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"0", "-0.00", "10.00", "5.", ".5", "+7", "1e2", "1.5E-3", "123456789012345678", "1234567890123456789", "1.2.3", "-", " 1", "0x1"} {
		f.Add(s)
	}
	f.Fuzz(sameAmount)
}

// TestPlainTime: the instants plainTime reads and the forms it leaves to
// parseTime; each it reads is the instant parseTime gives, in UTC.
func TestPlainTime(t *testing.T) {
	for _, tt := range []struct {
		in, want string // want "" when plainTime leaves it
	}{
		{"2025-08-28T08:11:04Z", "2025-08-28T08:11:04Z"},
		{"2025-08-28T08:11:04", "2025-08-28T08:11:04Z"},       // WooCommerce *_gmt: no zone, UTC
		{"2025-08-28 08:11:04", "2025-08-28T08:11:04Z"},       // Magento created_at
		{"2025-03-14T10:21:07-04:00", "2025-03-14T14:21:07Z"}, // Shopify
		{"2025-08-28T05:41:04+05:30", "2025-08-28T00:11:04Z"}, // a half-hour offset
		{"2025-08-28T08:11:04-00:00", "2025-08-28T08:11:04Z"}, // RFC 3339's unknown offset
		{"2025-08-28T08:11:04+23:59", "2025-08-27T08:12:04Z"}, // the largest offset
		{"2025-08-28T08:11:04.5Z", "2025-08-28T08:11:04.5Z"},  // fractions
		{"2025-08-28T08:11:04.123456789+00:00", "2025-08-28T08:11:04.123456789Z"},
		{"2025-08-28 08:11:04.250", "2025-08-28T08:11:04.25Z"},
		{"2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"},      // a leap day
		{"1970-01-01T00:30:00+01:00", "1969-12-31T23:30:00Z"}, // 1970 where it was written
		{"9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"},
		{"2025-08-28T08:11:04.1234567891Z", ""},                       // ten fraction digits
		{"2025-08-28T08:11:04,5Z", ""}, {"2025-08-28T08:11:04.Z", ""}, // comma, no digits
		{"2025-08-28 08:11:04Z", ""}, {"2025-08-28t08:11:04z", ""}, // a zone after a space, lower case
		{" 2025-08-28T08:11:04Z", ""}, {"2025-08-28T08:11:04Z ", ""}, // space around
		{"2025-08-28T08:11:04+0530", ""}, {"2025-08-28T08:11:04+24:00", ""}, {"2025-08-28T08:11:04+05:60", ""},
		{"2025-02-29T00:00:00Z", ""}, {"2025-04-31T00:00:00Z", ""}, {"2025-13-01T00:00:00Z", ""}, {"2025-00-01T00:00:00Z", ""},
		{"2025-08-00T00:00:00Z", ""}, {"2025-08-28T24:00:00Z", ""}, {"2025-08-28T08:60:00Z", ""}, {"2025-08-28T08:11:60Z", ""},
		{"1969-12-31T23:59:59Z", ""}, {"0000-01-01T00:00:00Z", ""}, {"2025-8-28T08:11:04Z", ""}, {"2025-08-28T8:11:04Z", ""},
		{"2025-08-28", ""}, {"", ""}, {"+2025-08-28T08:11:04Z", ""}, {"2025-08-28T08:11:04 UTC", ""},
	} {
		got, ok := plainTime(tt.in)
		switch {
		case tt.want == "" && ok:
			t.Errorf("plainTime(%q) = %s; want it left to parseTime", tt.in, got)
		case tt.want != "" && (!ok || got.Format(time.RFC3339Nano) != tt.want || got.Location() != time.UTC):
			t.Errorf("plainTime(%q) = %s, %v; want %s UTC", tt.in, got, ok, tt.want)
		}
		sameTime(t, tt.in)
	}
}

// sameTime fails t unless ParseTime reads s as parseTime, the general
// path, does: the identical time.Time (==: instant and location), or the
// same error.
func sameTime(t *testing.T, s string) {
	t.Helper()
	got, gerr := ParseTime(s)
	want, werr := parseTime(s)
	switch {
	case (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error():
		t.Fatalf("ParseTime(%q) err = %v, general path %v", s, gerr, werr)
	case got != want:
		t.Fatalf("ParseTime(%q) = %#v, general path %#v", s, got, want)
	}
	if _, ok := plainTime(s); ok && werr != nil {
		t.Fatalf("plainTime read %q, which the general path refuses: %v", s, werr)
	}
}

// FuzzParseTime: ParseTime, with its plain fast path, against the general
// path (time.Parse with the three layouts).
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2025-08-28T08:11:04Z", "2025-08-28T08:11:04", "2025-08-28 08:11:04", "2025-03-14T10:21:07-04:00",
		"2025-08-28T08:11:04.123456789+05:30", "2024-02-29T00:00:00Z", "1970-01-01T00:30:00+01:00", "2025-08-28T08:11:04.1234567891Z",
		"2025-08-28T24:00:00Z", " 2025-08-28 08:11:04 ", "2025-08-28T08:11:04,5Z"} {
		f.Add(s)
	}
	f.Fuzz(sameTime)
}
