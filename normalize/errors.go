package normalize

import (
	"errors"
	"strconv"
	"strings"
)

// Error kinds. Every error a decoder or Validate returns wraps exactly one
// of them, so callers can classify with errors.Is, and is an *Error that
// says where the problem is.
var (
	// ErrMalformed: the body is not JSON, or a field has the wrong JSON type.
	ErrMalformed = errors.New("normalize: malformed payload")
	// ErrMissing: a field the canonical order needs is absent or empty.
	ErrMissing = errors.New("normalize: missing field")
	// ErrInvalid: a field is present but its value cannot be right (a bad
	// amount, a negative quantity, an unknown currency, a net that does not
	// follow from gross, discount and tax).
	ErrInvalid = errors.New("normalize: invalid value")
	// ErrUnreconciled: the order's parts do not add up to the platform's
	// own total to the minor unit.
	ErrUnreconciled = errors.New("normalize: parts do not add up to the total")
	// ErrRefundExceeds: refunds take back more quantity or net than a line
	// sold.
	ErrRefundExceeds = errors.New("normalize: refund exceeds what was bought")
	// ErrUnsupported: the body is a well-formed payload of a kind this
	// decoder does not turn into an order (a ping, an invoice, another
	// resource).
	ErrUnsupported = errors.New("normalize: unsupported payload")
	// ErrSignature: a webhook signature is missing, malformed or wrong.
	ErrSignature = errors.New("normalize: invalid webhook signature")
)

// Error says which order, which line and which JSON path a problem is at.
// Fields that are not known are empty; Offset is -1 when no byte offset in
// the body is known.
type Error struct {
	Platform Platform
	// OrderID is the platform order id, when the body got far enough to
	// name it.
	OrderID string
	// Line is the platform line id the problem concerns, if any.
	Line string
	// Path is the JSON path in the body, such as "line_items[2].price".
	Path string
	// Offset is the byte offset in the body, for syntax and type errors.
	Offset int64
	// Err wraps one of the Err* kinds above with the detail.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Platform != "" {
		b.WriteString(string(e.Platform))
		b.WriteString(": ")
	}
	if e.OrderID != "" {
		b.WriteString("order ")
		b.WriteString(e.OrderID)
		b.WriteString(": ")
	}
	if e.Line != "" {
		b.WriteString("line ")
		b.WriteString(e.Line)
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	if e.Offset >= 0 {
		b.WriteString("at byte ")
		b.WriteString(strconv.FormatInt(e.Offset, 10))
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// errorf is the package's shorthand for an *Error without a byte offset.
func errorf(o *Order, line, path string, err error) *Error {
	e := &Error{Path: path, Line: line, Offset: -1, Err: err}
	if o != nil {
		e.Platform = o.Platform
		e.OrderID = o.PlatformOrderID
	}
	return e
}
