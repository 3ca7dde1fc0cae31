package shopify

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/fixedpoint"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/wire"
)

// Decoder turns Shopify webhook bodies into canonical orders and refunds.
// The zero Decoder is ready to use.
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

// state carries what every amount needs to be read and keeps the first
// error with where it is.
type state struct {
	wire.Reader
	currency string
	digits   int32
}

func newState(orderID string) state {
	return state{Reader: wire.Reader{Platform: normalize.Shopify, OrderID: orderID}}
}

// decimal reads an amount exactly. path is called only for an error:
// building every amount's path would cost more than reading it.
func (s *state) decimal(n wire.Num, line string, path func() string) (decimal.Decimal, bool) {
	if s.Err != nil {
		return decimal.Zero, false
	}
	d, err := n.Decimal()
	if err != nil {
		s.Fail(line, path(), err)
		return decimal.Zero, false
	}
	return d, true
}

// money reads a money string in shop currency. Shopify formats shop money
// to the currency's minor unit, so more digits mean the body is not what
// it claims to be: refused, never rounded.
func (s *state) money(n wire.Num, line string, path func() string) decimal.Decimal {
	d, ok := s.decimal(n, line, path)
	if !ok {
		return decimal.Zero
	}
	if d.Exponent() < -s.digits {
		if !d.Shift(s.digits).IsInteger() {
			s.Fail(line, path(), fmt.Errorf("%w: amount %s has more digits than %s's minor unit (%d)",
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
	d, _ := s.decimal(n, line, path)
	return d.Round(s.digits) // half away from zero: half-up for the non-negative amounts Validate accepts
}

// qty reads a quantity, which must be present.
func (s *state) qty(n wire.Num, line string, path func() string) int64 {
	if s.Err != nil {
		return 0
	}
	if !n.IsSet() {
		s.Fail(line, path(), fmt.Errorf("%w: quantity", normalize.ErrMissing))
		return 0
	}
	q, err := n.Qty()
	if err != nil {
		s.Fail(line, path(), err)
	}
	return q
}

// sum adds the amounts of a list of allocations or tax lines.
func (s *state) allocations(list []allocation, line string, path func(i int) string) decimal.Decimal {
	sum := decimal.Zero
	for i := range list {
		if !list[i].Amount.IsSet() {
			s.Fail(line, path(i), fmt.Errorf("%w: amount", normalize.ErrMissing))
			return sum
		}
		sum = fixedpoint.Add(sum, s.money(list[i].Amount, line, func() string { return path(i) }))
	}
	return sum
}

func (s *state) taxes(list []taxLine, line string, path func(i int) string) decimal.Decimal {
	sum := decimal.Zero
	for i := range list {
		sum = fixedpoint.Add(sum, s.money(list[i].Price, line, func() string { return path(i) }))
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
		s.Fail("", "currency", fmt.Errorf("%w: currency", normalize.ErrMissing))
		return false
	}
	digits, ok := normalize.MinorUnits(c)
	if !ok {
		s.Fail("", "currency", fmt.Errorf("%w: unknown currency %q", normalize.ErrInvalid, c))
		return false
	}
	s.currency, s.digits = c, digits
	return true
}
