package shopify

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/fixedpoint"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/wire"
)

// DecodeRefund decodes a refunds/create body (or the Admin REST API's
// {"refund": {...}}) into a refund that names its order: Platform, Store,
// OrderID and Currency are set, and it has passed
// normalize.ValidateRefund. Apply it to its order with Order.ApplyRefund,
// which checks it against what the order's lines sold. An order body is
// refused with normalize.ErrUnsupported.
//
// A refund body does not say whether the shop's prices include tax; set
// Decoder.TaxesIncluded for shops where they do.
func (d Decoder) DecodeRefund(body []byte) (normalize.Refund, error) {
	var env refundBody
	if err := normalize.Unmarshal(normalize.Shopify, body, &env); err != nil {
		return normalize.Refund{}, err
	}
	b := &env
	if env.Refund != nil {
		b = env.Refund
	}
	s := newState(b.OrderID.String())
	switch {
	case b.RefundLineItems != nil:
	case env.LineItems != nil:
		s.OrderID = ""
		s.Fail("", "", fmt.Errorf("%w: an order (line_items), not a refund: use DecodeOrder", normalize.ErrUnsupported))
		return normalize.Refund{}, s.Err
	case b.ID == "":
		s.Fail("", "", fmt.Errorf("%w: neither a refund (id, refund_line_items) nor an order", normalize.ErrUnsupported))
		return normalize.Refund{}, s.Err
	}
	if s.OrderID == "" {
		s.Fail("", "order_id", fmt.Errorf("%w: order_id", normalize.ErrMissing))
		return normalize.Refund{}, s.Err
	}
	if !s.setCurrency(refundCurrency(&s, b)) {
		return normalize.Refund{}, s.Err
	}
	r := s.refund(b, "", d.TaxesIncluded, func(string) *lineState { return nil })
	if s.Err != nil {
		return normalize.Refund{}, s.Err
	}
	r.Platform, r.Store, r.OrderID, r.Currency = normalize.Shopify, d.Store, s.OrderID, s.currency
	if err := normalize.ValidateRefund(&r); err != nil {
		return normalize.Refund{}, err
	}
	return r, nil
}

// refundCurrency finds the shop currency a refund body is in: refund
// bodies carry no currency field, but every shop_money says it, and they
// must agree. Transactions are not consulted: they move money in the
// buyer's (presentment) currency.
func refundCurrency(s *state, b *refundBody) string {
	found, where := "", ""
	see := func(c, path string) {
		c = strings.TrimSpace(c)
		switch {
		case c == "" || s.Err != nil:
		case found == "":
			found, where = c, path
		case c != found:
			s.Fail("", path, fmt.Errorf("%w: shop money in %s, but %s is in %s", normalize.ErrInvalid, c, where, found))
		}
	}
	for i := range b.RefundLineItems {
		see(b.RefundLineItems[i].SubtotalSet.Shop.CurrencyCode, wire.Path("refund_line_items", i, "subtotal_set.shop_money.currency_code"))
		see(b.RefundLineItems[i].TotalTaxSet.Shop.CurrencyCode, wire.Path("refund_line_items", i, "total_tax_set.shop_money.currency_code"))
	}
	for i := range b.RefundShippingLines {
		see(b.RefundShippingLines[i].SubtotalAmountSet.Shop.CurrencyCode, wire.Path("refund_shipping_lines", i, "subtotal_amount_set.shop_money.currency_code"))
	}
	for i := range b.OrderAdjustments {
		see(b.OrderAdjustments[i].AmountSet.Shop.CurrencyCode, wire.Path("order_adjustments", i, "amount_set.shop_money.currency_code"))
	}
	if found == "" && s.Err == nil {
		s.Fail("", "refund_line_items", fmt.Errorf("%w: currency: no shop_money in the refund names one", normalize.ErrMissing))
	}
	return found
}

// lineState is what refunds of one order line are checked against and
// have taken so far.
type lineState struct {
	qty int64
	// discounted is the line's price × quantity less Shopify's own
	// allocations, on the price's tax basis: what the subtotals of refunds
	// that take back every unit add up to.
	discounted decimal.Decimal
	// share is the line's part of an order-level discount that ComputeNets
	// spread; refunds take it back in proportion to the units they refund.
	share decimal.Decimal

	refQty   int64
	refSub   decimal.Decimal
	refShare decimal.Decimal
}

// refund decodes one refund. Each refund line takes back its subtotal (the
// refunded units' price less their discounts, in shop money), less its tax
// where prices include tax, less its units' part of any spread order
// discount: so refunds that take back every unit of a line take back
// exactly the line's Net. Transactions (money moved) and order_adjustments
// (discrepancies) never claw back commission.
func (s *state) refund(b *refundBody, prefix string, taxesIncluded bool, lookup func(id string) *lineState) normalize.Refund {
	r := normalize.Refund{RefundID: b.ID.String(), Shipping: decimal.Zero, Amount: decimal.Zero}
	if b.CreatedAt != "" {
		r.TS = s.Time(prefix+"created_at", b.CreatedAt)
	} else {
		r.TS = s.Time(prefix+"processed_at", b.ProcessedAt)
	}
	r.Items = make([]normalize.RefundLine, 0, len(b.RefundLineItems))
	for i := range b.RefundLineItems {
		rl := &b.RefundLineItems[i]
		id := rl.LineItemID.String()
		at := func(field string) func() string {
			return func() string { return prefix + wire.Path("refund_line_items", i, field) }
		}
		if id == "" && s.Err == nil {
			s.Fail("", at("line_item_id")(), fmt.Errorf("%w: line_item_id", normalize.ErrMissing))
		}
		q := s.qty(rl.Quantity, id, at("quantity"))
		sub := s.exact(rl.Subtotal, rl.SubtotalSet.Shop.Amount, id, at("subtotal"), at("subtotal_set.shop_money.amount"))
		tax := s.exact(rl.TotalTax, rl.TotalTaxSet.Shop.Amount, id, at("total_tax"), at("total_tax_set.shop_money.amount"))
		net := sub
		if taxesIncluded {
			net = fixedpoint.Sub(net, tax)
		}
		ls := lookup(id)
		if ls == nil && rl.LineItem != nil {
			ls = s.embeddedLine(rl.LineItem, id, func(field string) string { return at("line_item." + field)() })
		}
		if ls != nil && s.Err == nil {
			ls.refQty += q
			ls.refSub = fixedpoint.Add(ls.refSub, sub)
			if ls.refQty == ls.qty && !ls.refSub.Equal(ls.discounted) {
				s.Fail(id, at("subtotal")(), fmt.Errorf("%w: refunds take back all %d units with subtotals of %s, but the line's price less its discounts is %s",
					normalize.ErrUnreconciled, ls.qty, ls.refSub, ls.discounted))
			}
			if !ls.share.IsZero() && ls.qty > 0 && ls.refQty <= ls.qty {
				// The spread share taken so far, rounded half-up once on
				// the cumulative quantity, so the parts sum to the share.
				taken := ls.share.Mul(decimal.NewFromInt(ls.refQty)).DivRound(decimal.NewFromInt(ls.qty), s.digits)
				net = fixedpoint.Sub(net, fixedpoint.Sub(taken, ls.refShare))
				ls.refShare = taken
			}
		}
		r.Items = append(r.Items, normalize.RefundLine{LineID: id, Qty: q, Net: net, Tax: tax})
	}
	r.Shipping = s.refundShipping(b, prefix)
	r.Amount = s.refundAmount(b, prefix)
	return r
}

// exact reads a refund line amount from its exact shop-money string when
// present, else from the float-serialised number; when both are present
// they must agree to the minor unit.
func (s *state) exact(number, shop wire.Num, line string, numberPath, shopPath func() string) decimal.Decimal {
	if !shop.IsSet() {
		return s.numberMoney(number, line, numberPath)
	}
	v := s.money(shop, line, shopPath)
	if number.IsSet() {
		if n := s.numberMoney(number, line, numberPath); s.Err == nil && !n.Equal(v) {
			s.Fail(line, numberPath(), fmt.Errorf("%w: %s, but its shop money is %s", normalize.ErrUnreconciled, number.Raw(), v))
		}
	}
	return v
}

// embeddedLine builds, for a refund decoded on its own, the check of a
// full refund from the order line Shopify embeds in the refund line.
func (s *state) embeddedLine(li *refundedLine, id string, path func(field string) string) *lineState {
	if !li.Quantity.IsSet() || !li.Price.IsSet() {
		return nil
	}
	q := s.qty(li.Quantity, id, func() string { return path("quantity") })
	price := s.money(li.Price, id, func() string { return path("price") })
	disc := s.lineDiscount(li.DiscountAllocations, li.TotalDiscount, id, func(field string, k int) string {
		if k < 0 {
			return path(field)
		}
		return path(wire.Path(field, k, "amount"))
	})
	return &lineState{
		qty:        q,
		discounted: fixedpoint.Sub(price.Mul(decimal.NewFromInt(q)), disc),
		share:      decimal.Zero,
		refSub:     decimal.Zero,
		refShare:   decimal.Zero,
	}
}

// refundShipping is refunded shipping without tax: refund_shipping_lines
// (API 2024-10 on), else the shipping_refund order adjustments of older
// versions, whose amount is negative. Never both: bodies that carry both
// describe the same shipping refund twice.
func (s *state) refundShipping(b *refundBody, prefix string) decimal.Decimal {
	sum := decimal.Zero
	if len(b.RefundShippingLines) > 0 {
		for i := range b.RefundShippingLines {
			sum = sum.Add(s.money(b.RefundShippingLines[i].SubtotalAmountSet.Shop.Amount, "", func() string {
				return prefix + wire.Path("refund_shipping_lines", i, "subtotal_amount_set.shop_money.amount")
			}))
		}
		return sum
	}
	for i := range b.OrderAdjustments {
		if b.OrderAdjustments[i].Kind == "shipping_refund" {
			sum = fixedpoint.Sub(sum, s.money(b.OrderAdjustments[i].Amount, "", func() string { return prefix + wire.Path("order_adjustments", i, "amount") }))
		}
	}
	return sum
}

// refundAmount is the money returned: successful refund transactions. A
// transaction in another currency than the shop's (the buyer's) leaves the
// amount unknown in shop money, so zero: it is informational only.
func (s *state) refundAmount(b *refundBody, prefix string) decimal.Decimal {
	sum := decimal.Zero
	for i := range b.Transactions {
		t := &b.Transactions[i]
		if t.Kind != "refund" || t.Status != "success" {
			continue
		}
		if c := strings.TrimSpace(t.Currency); c != "" && c != s.currency {
			return decimal.Zero
		}
		sum = fixedpoint.Add(sum, s.money(t.Amount, "", func() string { return prefix + wire.Path("transactions", i, "amount") }))
	}
	return sum
}
