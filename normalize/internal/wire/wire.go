// Package wire holds the small pieces every platform decoder needs to read
// JSON exactly: amounts and ids that arrive as strings or as numbers, JSON
// paths for error messages, and Reader, which keeps a body's first error
// as a *normalize.Error saying where it is.
package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
)

// Num is a JSON amount, rate or quantity kept as the text the platform sent,
// whether it came as a string ("10.00") or a number (10.00). It is turned
// into a decimal only by Decimal, which never goes through float64.
//
// A Num decoded from a body holds its text in the body's own memory, not
// a copy: a decoder reads dozens of amounts a body and keeps none of
// them, only the decimals they give. So a Num must not outlive the body
// it was read from; Raw returns a copy.
type Num struct {
	raw string
}

// WantJSON names what a Num accepts, for decoding errors.
func (Num) WantJSON() string { return "a number or a numeric string" }

// UnmarshalJSON accepts a JSON number, a string or null.
func (n *Num) UnmarshalJSON(b []byte) error {
	switch {
	case bytes.Equal(b, []byte("null")):
		n.raw = ""
	case len(b) > 0 && b[0] == '"':
		s, err := "", error(nil)
		if inner, ok := plainText(b); ok {
			s = unsafe.String(unsafe.SliceData(inner), len(inner))
		} else if s, err = Text(b); err != nil {
			return err
		}
		if s != "" && (s[0] <= ' ' || s[0] >= utf8.RuneSelf || s[len(s)-1] <= ' ' || s[len(s)-1] >= utf8.RuneSelf) {
			s = strings.TrimSpace(s) // Unicode spaces too, such as U+00A0
		}
		n.raw = s
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		n.raw = unsafe.String(unsafe.SliceData(b), len(b))
	default:
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[Num]()}
	}
	return nil
}

// NumOf returns a Num holding s, for tests and for values built in code.
func NumOf(s string) Num { return Num{raw: s} }

// IsSet reports whether the body carried a non-null, non-empty value.
func (n Num) IsSet() bool { return n.raw != "" }

// Raw returns a copy of the text as sent.
func (n Num) Raw() string { return strings.Clone(n.raw) }

// Decimal returns the exact value; an absent, null or empty value is zero.
func (n Num) Decimal() (decimal.Decimal, error) {
	if n.raw == "" {
		return decimal.Zero, nil
	}
	return normalize.ParseAmount(n.raw)
}

// Qty returns the value as a whole quantity. Platforms that send "2.0000"
// mean 2; a fraction, a negative or a number beyond int64 is refused.
func (n Num) Qty() (int64, error) {
	if q, ok := plainQty(n.raw); ok {
		return q, nil
	}
	return n.qty()
}

// qty is Qty for every form.
func (n Num) qty() (int64, error) {
	d, err := n.Decimal()
	if err != nil {
		return 0, err
	}
	if !d.IsInteger() || d.IsNegative() || d.GreaterThan(decimal.NewFromInt(1<<53)) {
		return 0, fmt.Errorf("%w: quantity %q is not a whole number from 0 to 2^53", normalize.ErrInvalid, n.raw)
	}
	return d.IntPart(), nil
}

// plainQty reads the quantities platforms send, up to 15 digits (below
// 2^53) with an optional point and zeros after it ("2", "2.0000"), as Qty
// would; it reports false for anything else, which Qty reads or refuses.
func plainQty(s string) (int64, bool) {
	if len(s) > 20 {
		return 0, false
	}
	var q int64
	i := 0
	for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		q = q*10 + int64(s[i]-'0')
	}
	if i == 0 || i > 15 {
		return 0, false
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] == '0'; i++ {
		}
	}
	return q, i == len(s)
}

// ID is a platform id kept exactly as text, whether sent as a string or as
// a JSON number: ids above 2^53 must never pass through float64.
type ID string

// WantJSON names what an ID accepts, for decoding errors.
func (ID) WantJSON() string { return "an integer or a string id" }

// UnmarshalJSON accepts an integer JSON number, a string or null.
func (id *ID) UnmarshalJSON(b []byte) error {
	switch {
	case bytes.Equal(b, []byte("null")):
		*id = ""
	case len(b) > 0 && b[0] == '"':
		s, err := Text(b)
		if err != nil {
			return err
		}
		*id = ID(s)
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		if !integer(b) {
			return &json.UnmarshalTypeError{Value: "number " + string(b), Type: reflect.TypeFor[ID]()}
		}
		*id = ID(b)
	default:
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[ID]()}
	}
	return nil
}

// integer reports whether the JSON number b has no fraction or exponent.
func integer(b []byte) bool {
	for _, c := range b {
		if c == '.' || c == 'e' || c == 'E' {
			return false
		}
	}
	return true
}

// String returns the id's text.
func (id ID) String() string { return string(id) }

// Path joins JSON path parts: strings become ".name" (the first without the
// dot) and ints become "[i]". Path("line_items", 2, "price") is
// "line_items[2].price".
func Path(parts ...any) string {
	n := 0 // the length, so the path is built in one allocation
	for _, p := range parts {
		switch v := p.(type) {
		case int:
			n += 2 + digits(v)
		case string:
			n += 1 + len(v)
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range parts {
		switch v := p.(type) {
		case int:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(v))
			b.WriteByte(']')
		case string:
			if b.Len() > 0 && v != "" {
				b.WriteByte('.')
			}
			b.WriteString(v)
		default:
			panic(fmt.Sprintf("wire.Path: unsupported part %T", p)) // a programming error, never input
		}
	}
	return b.String()
}

// digits returns the length of v in decimal.
func digits(v int) int {
	n := 1
	if v < 0 {
		n++
	}
	for v >= 10 || v <= -10 {
		v /= 10
		n++
	}
	return n
}

// Text returns the text of the JSON string b. Amounts, ids and most
// attribute values are plain ASCII: those are read directly, anything
// else by encoding/json.
func Text(b []byte) (string, error) {
	if inner, ok := plainText(b); ok {
		return string(inner), nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// plainText returns the text inside the JSON string b when it is plain
// ASCII, without escapes: the text as it is.
func plainText(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil, false
	}
	inner := b[1 : len(b)-1]
	for _, c := range inner {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return nil, false
		}
	}
	return inner, true
}

func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case '"':
		return "string"
	}
	return "value"
}
