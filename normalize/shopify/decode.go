package shopify

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/wire"
)

// Decoder turns Shopify webhook bodies into canonical orders and refunds.
// The zero Decoder is ready to use; the package-level functions use it.
type Decoder struct {
	// Store is the order key's store, such as "acme.myshopify.com".
	// Shopify bodies do not name their shop (the X-Shopify-Shop-Domain
	// header does), so the caller says it.
	Store string
	// RefKeys are the note attribute and landing-page query parameter
	// names a distributor reference is read from, most specific first;
	// nil means normalize.DefaultRefKeys().
	RefKeys []string
	// TaxesIncluded is the shop's taxes_included setting, for refunds
	// decoded on their own: a refunds/create body does not say whether the
	// shop's prices include tax, and when they do a refund line's subtotal
	// includes its tax, which Net must not. Orders carry the setting
	// themselves and ignore this field.
	TaxesIncluded bool
}

// DecodeOrder decodes an orders/create, orders/paid, orders/updated or
// orders/cancelled body with the zero Decoder.
func DecodeOrder(body []byte) (normalize.Order, error) {
	var d Decoder
	return d.DecodeOrder(body)
}

// DecodeRefund decodes a refunds/create body with the zero Decoder.
func DecodeRefund(body []byte) (normalize.Refund, error) {
	var d Decoder
	return d.DecodeRefund(body)
}

// state carries what every amount needs to be read and every error needs
// to say where it is, and keeps the first error.
type state struct {
	orderID  string
	currency string
	digits   int32
	err      error
}

func (s *state) fail(line, path string, err error) {
	if s.err == nil {
		s.err = &normalize.Error{Platform: normalize.Shopify, OrderID: s.orderID, Line: line, Path: path, Offset: -1, Err: err}
	}
}

// money reads a money string in shop currency. Shopify formats shop money
// to the currency's minor unit, so more digits mean the body is not what
// it claims to be: refused, never rounded.
func (s *state) money(n wire.Num, line string, path func() string) decimal.Decimal {
	if s.err != nil {
		return decimal.Zero
	}
	d, err := n.Decimal()
	if err != nil {
		s.fail(line, path(), err)
		return decimal.Zero
	}
	if d.Exponent() < -s.digits {
		if !d.Shift(s.digits).IsInteger() {
			s.fail(line, path(), fmt.Errorf("%w: amount %s has more digits than %s's minor unit (%d)",
				normalize.ErrInvalid, n.Raw(), s.currency, s.digits))
			return decimal.Zero
		}
		d = d.Round(s.digits) // only trailing zeros ("800.0" yen): exact
	}
	return d
}

// numberMoney reads refund_line_items[].subtotal and total_tax, which
// Shopify sends as JSON numbers serialised from binary floats: digits
// beyond the minor unit are representation noise, so the value is rounded
// once, half-up, to the minor unit. It is used only when the exact string
// twin in *_set.shop_money is absent.
func (s *state) numberMoney(n wire.Num, line string, path func() string) decimal.Decimal {
	if s.err != nil {
		return decimal.Zero
	}
	d, err := n.Decimal()
	if err != nil {
		s.fail(line, path(), err)
		return decimal.Zero
	}
	return d.Round(s.digits) // half away from zero: half-up for the non-negative amounts Validate accepts
}

// qty reads a quantity, which must be present.
func (s *state) qty(n wire.Num, line string, path func() string) int64 {
	if s.err != nil {
		return 0
	}
	if !n.IsSet() {
		s.fail(line, path(), fmt.Errorf("%w: quantity", normalize.ErrMissing))
		return 0
	}
	q, err := n.Qty()
	if err != nil {
		s.fail(line, path(), err)
	}
	return q
}

// time reads an instant; Shopify's carry an offset, ParseTime makes them UTC.
func (s *state) time(v, path string) time.Time {
	if s.err != nil {
		return time.Time{}
	}
	if strings.TrimSpace(v) == "" {
		s.fail("", path, fmt.Errorf("%w: %s", normalize.ErrMissing, path))
		return time.Time{}
	}
	t, err := normalize.ParseTime(v)
	if err != nil {
		s.fail("", path, err)
	}
	return t
}

// sum adds the amounts of a list of allocations or tax lines.
func (s *state) allocations(list []allocation, line string, path func(i int) string) decimal.Decimal {
	sum := decimal.Zero
	for i := range list {
		if !list[i].Amount.IsSet() {
			s.fail(line, path(i), fmt.Errorf("%w: amount", normalize.ErrMissing))
			return sum
		}
		sum = sum.Add(s.money(list[i].Amount, line, func() string { return path(i) }))
	}
	return sum
}

func (s *state) taxes(list []taxLine, line string, path func(i int) string) decimal.Decimal {
	sum := decimal.Zero
	for i := range list {
		sum = sum.Add(s.money(list[i].Price, line, func() string { return path(i) }))
	}
	return sum
}

// lineDiscount is what Shopify allocated to a line: the sum of its
// discount_allocations. total_discount is often "0.00" even when
// allocations exist, so it is read only from bodies older than
// discount_allocations (the key absent altogether).
func (s *state) lineDiscount(allocs *[]allocation, total wire.Num, line string, path func(field string, i int) string) decimal.Decimal {
	if allocs == nil {
		return s.money(total, line, func() string { return path("total_discount", -1) })
	}
	return s.allocations(*allocs, line, func(i int) string { return path("discount_allocations", i) })
}

// currency checks the shop currency the body names.
func (s *state) setCurrency(c string) bool {
	c = strings.TrimSpace(c)
	if c == "" {
		s.fail("", "currency", fmt.Errorf("%w: currency", normalize.ErrMissing))
		return false
	}
	digits, ok := normalize.MinorUnits(c)
	if !ok {
		s.fail("", "currency", fmt.Errorf("%w: unknown currency %q", normalize.ErrInvalid, c))
		return false
	}
	s.currency, s.digits = c, digits
	return true
}
