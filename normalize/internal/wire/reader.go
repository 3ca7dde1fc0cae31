package wire

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
)

// Reader turns one body's wire values into canonical ones and keeps the
// first error, as a *normalize.Error that names the platform, the order,
// the line and the JSON path. Every platform decoder reads through one,
// so their errors say where they are in the same way. After the first
// error, reads return zero values: the first error is the cause, and the
// decoder returns it once it has read what it can.
type Reader struct {
	Platform normalize.Platform
	// OrderID is the platform order id, once the body has named it.
	OrderID string
	// Prefix is the JSON path of the order inside the body, such as
	// "data.order"; "" when the order is the body.
	Prefix string
	// Err is the first error, nil while there is none.
	Err error
}

// Error returns the *normalize.Error for err at path (below Prefix)
// without keeping it, for decoders that stop at once.
func (r Reader) Error(line, path string, err error) *normalize.Error {
	return &normalize.Error{Platform: r.Platform, OrderID: r.OrderID, Line: line, Path: r.Path(path), Offset: -1, Err: err}
}

// Path returns the body's JSON path of path, a path within the order.
func (r Reader) Path(path string) string {
	switch {
	case r.Prefix == "":
		return path
	case path == "":
		return r.Prefix
	}
	return r.Prefix + "." + path
}

// Fail keeps err at path unless an error is already kept.
func (r *Reader) Fail(line, path string, err error) {
	if r.Err == nil {
		r.Err = r.Error(line, path, err)
	}
}

// At returns path in the form Decimal and Qty take it.
func At(path string) func() string {
	return func() string { return path }
}

// Decimal reads an amount exactly; absent or null is zero. path (below
// Prefix) is called only for an error: building every amount's path would
// cost more than reading it.
func (r *Reader) Decimal(line string, path func() string, n Num) decimal.Decimal {
	if r.Err != nil {
		return decimal.Zero
	}
	d, err := n.Decimal()
	if err != nil {
		r.Fail(line, path(), err)
		return decimal.Zero
	}
	return d
}

// Qty reads a whole quantity; absent or null is zero. path is as for
// Decimal.
func (r *Reader) Qty(line string, path func() string, n Num) int64 {
	if r.Err != nil {
		return 0
	}
	q, err := n.Qty()
	if err != nil {
		r.Fail(line, path(), err)
	}
	return q
}

// Time reads an instant that must be present; see normalize.ParseTime.
func (r *Reader) Time(path, s string) time.Time {
	if r.Err != nil {
		return time.Time{}
	}
	if strings.TrimSpace(s) == "" {
		r.Fail("", path, fmt.Errorf("%w: %s", normalize.ErrMissing, path))
		return time.Time{}
	}
	t, err := normalize.ParseTime(s)
	if err != nil {
		r.Fail("", path, err)
	}
	return t
}
