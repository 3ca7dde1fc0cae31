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
	if err := strictjson.Check(body); err != nil {
		return jsonError(platform, err)
	}
	if jsondec.Decode(body, v) {
		return nil
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
