package sku

import (
	"strconv"
	"strings"
	"time"

	"github.com/uplinehq/upline/normalize"
)

// LoadError says where in a catalog's records a problem is. Fields that do
// not apply are empty; Line is 0 and Offset -1 when unknown.
type LoadError struct {
	// File is "skus.csv" or "keys.csv" for LoadCSV, "json" for LoadJSON
	// and empty for New.
	File string
	// Line is the 1-based CSV line (the header is line 1).
	Line int
	// Column is the CSV column, such as "pv".
	Column string
	// Path is the record and field, such as "skus[3].components[1].share":
	// a JSON path for LoadJSON, the index into Data for New, and the
	// same for LoadCSV counting data rows from 0.
	Path string
	// Offset is the byte offset of a JSON syntax or type error.
	Offset int64
	// Err wraps one of ErrMalformed, ErrInvalid, ErrDuplicate,
	// ErrUnknownSKU or ErrNotInForce with the detail.
	Err error
}

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString("sku: load")
	if e.File != "" {
		b.WriteString(" ")
		b.WriteString(e.File)
	}
	if e.Line > 0 {
		b.WriteString(" line ")
		b.WriteString(strconv.Itoa(e.Line))
	}
	if e.Column != "" {
		b.WriteString(" column ")
		b.WriteString(e.Column)
	}
	if e.Path != "" {
		b.WriteString(" ")
		b.WriteString(e.Path)
	}
	if e.Offset >= 0 {
		b.WriteString(" at byte ")
		b.WriteString(strconv.FormatInt(e.Offset, 10))
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *LoadError) Unwrap() error { return e.Err }

// NoComponent is Mapped.Component and MapError.Component for a line that
// is not a kit.
const NoComponent = -1

// MapError says which order line did not map, and why. Map holds the
// whole order back when any line fails: an order is never half-paid.
type MapError struct {
	Platform normalize.Platform
	Store    string
	OrderID  string
	// LineID is the platform line id; Line its index in Order.Items.
	LineID string
	Line   int
	// Key is the key that did not map: for ErrNotInForce the key found in
	// the catalog, for ErrUnknownSKU the line's most specific key.
	Key Key
	// Tried lists, for ErrUnknownSKU, every key looked up, most specific
	// first.
	Tried []Key
	// At is the instant looked up: the order's OrderTS.
	At time.Time
	// Err wraps ErrUnknownSKU, ErrNotInForce, or normalize.ErrInvalid for
	// an order Map cannot compute (an unknown currency, a quantity that
	// overflows).
	Err error
}

func (e *MapError) Error() string {
	var b strings.Builder
	b.WriteString("sku: order ")
	b.WriteString(normalize.Key{Platform: e.Platform, Store: e.Store, OrderID: e.OrderID}.String())
	b.WriteString(" line ")
	b.WriteString(strconv.Quote(e.LineID))
	b.WriteString(" (items[")
	b.WriteString(strconv.Itoa(e.Line))
	b.WriteString("])")
	if e.Key != (Key{}) {
		b.WriteString(" key ")
		b.WriteString(e.Key.String())
	}
	if len(e.Tried) > 1 {
		b.WriteString(" (tried")
		for _, k := range e.Tried {
			b.WriteString(" ")
			b.WriteString(k.String())
		}
		b.WriteString(")")
	}
	if !e.At.IsZero() {
		b.WriteString(" at ")
		b.WriteString(formatTime(e.At))
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *MapError) Unwrap() error { return e.Err }
