package normalize

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/jsondec"
	"github.com/uplinehq/upline/internal/strictjson"
)

// maxExponent bounds the exponent of a number in scientific notation and
// maxDigits the length of any number: no amount needs more, and an
// unbounded exponent lets a tiny body demand gigabytes of digits.
const (
	maxExponent = 30
	maxDigits   = 64
)

// ParseAmount parses a plain decimal ("-12.50", "3", "1e2") exactly.
// Hexadecimal, infinities, NaN, thousands separators and oversized
// numbers are refused with ErrInvalid.
func ParseAmount(s string) (decimal.Decimal, error) {
	if v, exp, ok := plainAmount(s); ok {
		return decimal.New(v, exp), nil
	}
	return parseAmount(s)
}

// plainAmount reads the form nearly every amount has, an optional sign,
// digits and an optional point, with at most 18 digits (so they fit an
// int64), into the coefficient and exponent decimal.NewFromString gives
// it: "-12.50" is -1250 and -2, "5." is 5 and 0. It reports false for
// anything else, exponents included, which parseAmount reads.
func plainAmount(s string) (v int64, exp int32, ok bool) {
	i, neg := 0, false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		i, neg = 1, s[0] == '-'
	}
	digits, dot := 0, -1
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9' && digits < 18:
			v = v*10 + int64(c-'0')
			digits++
		case c == '.' && dot < 0:
			dot = i
		default:
			return 0, 0, false
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	if dot >= 0 {
		exp = -int32(len(s) - 1 - dot)
	}
	if neg {
		v = -v
	}
	return v, exp, true
}

// parseAmount is ParseAmount for every form: it checks what
// decimal.NewFromString would accept beyond a plain decimal, then parses
// with it.
func parseAmount(s string) (decimal.Decimal, error) {
	bad := func(why string) (decimal.Decimal, error) {
		return decimal.Zero, fmt.Errorf("%w: amount %q %s", ErrInvalid, s, why)
	}
	if len(s) == 0 || len(s) > maxDigits {
		return bad("has no digits or too many")
	}
	i := 0
	if s[i] == '-' || s[i] == '+' {
		i++
	}
	digits, dot, exp := 0, false, -1
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && exp < 0:
			dot = true
		case (c == 'e' || c == 'E') && exp < 0 && digits > 0:
			exp = i
		default:
			return bad("is not a decimal number")
		}
		if exp >= 0 {
			break
		}
	}
	if digits == 0 {
		return bad("has no digits")
	}
	if exp >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(s[exp+1:], "+"))
		if err != nil || e > maxExponent || e < -maxExponent {
			return bad("has an exponent out of range")
		}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return bad("is not a decimal number")
	}
	return d, nil
}

// ParseTime reads an instant. Strings with a zone or offset (RFC 3339) keep
// it; strings without one ("2025-08-28T08:11:04", "2025-08-28 08:11:04")
// are UTC, as WooCommerce's *_gmt and Magento's created_at are. The result
// is always in UTC.
func ParseTime(s string) (time.Time, error) {
	if t, ok := plainTime(s); ok {
		return t, nil
	}
	return parseTime(s)
}

// plainTime reads the forms platforms send, "2006-01-02T15:04:05" with an
// optional fraction of up to nine digits and "Z" or an offset such as
// "-04:00", and "2006-01-02 15:04:05" or "2006-01-02T15:04:05" without a
// zone (UTC), from 1970 on, to the instant parseTime gives. It reports
// false for anything else — surrounding space, a comma before the
// fraction, a field out of range — which parseTime reads or refuses.
func plainTime(s string) (time.Time, bool) {
	if len(s) < len("2006-01-02T15:04:05") || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits4(s[0:4])
	month, ok2 := digits2(s[5:7])
	day, ok3 := digits2(s[8:10])
	hour, ok4 := digits2(s[11:13])
	minute, ok5 := digits2(s[14:16])
	sec, ok6 := digits2(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	if day > 28 && day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	rest := s[19:]
	nsec := 0
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
			nsec = nsec*10 + int(rest[n]-'0')
			n++
		}
		if n == 1 || n > 10 {
			return time.Time{}, false
		}
		for i := n; i < 10; i++ {
			nsec *= 10
		}
		rest = rest[n:]
	}
	offset := 0
	switch {
	case rest == "":
	case s[10] != 'T':
		return time.Time{}, false
	case rest == "Z":
	case len(rest) == len("-07:00") && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		hh, ok1 := digits2(rest[1:3])
		mm, ok2 := digits2(rest[4:6])
		if !ok1 || !ok2 || hh > 23 || mm > 59 {
			return time.Time{}, false
		}
		offset = (hh*60 + mm) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

func digits2(s string) (int, bool) {
	a, b := s[0]-'0', s[1]-'0'
	return int(a)*10 + int(b), a <= 9 && b <= 9
}

func digits4(s string) (int, bool) {
	hi, ok1 := digits2(s[0:2])
	lo, ok2 := digits2(s[2:4])
	return hi*100 + lo, ok1 && ok2
}

// parseTime is ParseTime for every form it accepts.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1970 || t.Year() > 9999 {
				break
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: time %q is not RFC 3339 or \"YYYY-MM-DD hh:mm:ss\" from 1970 on", ErrInvalid, s)
}

// Unmarshal decodes body into v with encoding/json and turns its errors
// into an *Error of kind ErrMalformed naming the byte offset and, for type
// errors, the field path. Text that is not valid Unicode is refused with
// its path rather than turned into U+FFFD, so two different ids never
// become one. Decoders of other platforms can use it too.
func Unmarshal(platform Platform, body []byte, v any) error {
	if jsondec.Decode(body, v) { // only on text strictjson.Check accepts
		return nil
	}
	if err := strictjson.Check(body); err != nil {
		return jsonError(platform, err)
	}
	return jsonError(platform, json.Unmarshal(body, v))
}

// UnmarshalStrict is Unmarshal for forms upline defines itself: a key v
// does not declare, a key given twice, a key that differs from a field's
// name only in case, or anything after the JSON value is an error too, so
// a misspelt or repeated field never silently becomes zero or replaces
// the real one.
func UnmarshalStrict(platform Platform, body []byte, v any) error {
	return jsonError(platform, strictjson.Decode(body, v))
}

func jsonError(platform Platform, err error) error {
	if err == nil {
		return nil
	}
	var own *Error
	if errors.As(err, &own) {
		return own // from an UnmarshalJSON of this package: already says where
	}
	e := strictjson.Explain(err)
	return &Error{Platform: platform, Path: e.Path, Offset: e.Offset, Err: fmt.Errorf("%w: %s", ErrMalformed, e.Why)}
}
