package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
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
// errors, the field path. Decoders of other platforms can use it too.
func Unmarshal(platform Platform, body []byte, v any) error {
	return jsonError(platform, json.Unmarshal(body, v))
}

// UnmarshalStrict is Unmarshal for forms upline defines itself: a field v
// does not know, or anything after the JSON value, is an error too, so a
// misspelt field never silently becomes zero.
func UnmarshalStrict(platform Platform, body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return jsonError(platform, err)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &Error{Platform: platform, Offset: end, Err: fmt.Errorf("%w: data after the JSON value", ErrMalformed)}
	}
	return nil
}

func jsonError(platform Platform, err error) error {
	if err == nil {
		return nil
	}
	var own *Error
	if errors.As(err, &own) {
		return own // from an UnmarshalJSON of this package: already says where
	}
	e := &Error{Platform: platform, Offset: -1}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		e.Offset = syn.Offset
		e.Err = fmt.Errorf("%w: %v", ErrMalformed, syn)
	case errors.As(err, &typ):
		if typ.Offset > 0 { // encoding/json leaves 0 for errors of UnmarshalJSON methods
			e.Offset = typ.Offset
		}
		e.Path = typ.Field
		e.Err = fmt.Errorf("%w: got JSON %s, want %s", ErrMalformed, typ.Value, typeName(typ.Type))
	default:
		e.Err = fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return e
}

// typeName says in words what a Go type accepts. Types of the decoders'
// own can say it themselves with a WantJSON method.
func typeName(t reflect.Type) string {
	if t == nil {
		return "something else"
	}
	if w, ok := reflect.Zero(t).Interface().(interface{ WantJSON() string }); ok {
		return w.WantJSON()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Bool:
		return "a boolean"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	}
	return t.String()
}
