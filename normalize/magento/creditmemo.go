package magento

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/fixedpoint"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/wire"
)

// DecodeRefund decodes a Magento credit memo (GET /V1/creditmemo/{id}),
// Magento's record of a refund, into a refund naming its order by entity id (the credit memo's order_id,
// which is the order's PlatformOrderID). Apply it with
// normalize.Order.ApplyRefund. The package documentation lists the rules
// it follows.
func (d Decoder) DecodeRefund(body []byte) (normalize.Refund, error) {
	var w creditMemo
	if err := normalize.Unmarshal(normalize.Magento, body, &w); err != nil {
		return normalize.Refund{}, err
	}
	r := newReader(w.OrderID.String(), "")
	unsupported := func(what string) (normalize.Refund, error) {
		return normalize.Refund{}, &normalize.Error{Platform: normalize.Magento, OrderID: r.OrderID, Offset: -1,
			Err: fmt.Errorf("%w: %s, not a credit memo", normalize.ErrUnsupported, what)}
	}
	isMemo := present(w.CreditmemoStatus) || present(w.Adjustment) || present(w.AdjustmentPositive) || present(w.AdjustmentNegative) ||
		present(w.BaseAdjustment) || present(w.BaseAdjustmentPositive) || present(w.BaseAdjustmentNegative)
	switch {
	case isMemo:
	case present(w.Arguments):
		return unsupported("a refund request (its response is only the credit memo's id)")
	case present(w.CanVoidFlag) || present(w.TotalQty):
		return unsupported("an invoice")
	case !isSet(w.OrderID) && present(w.IncrementID):
		return unsupported("an order")
	default:
		return unsupported("a body without a credit memo's adjustment fields")
	}
	if !isSet(w.OrderID) {
		r.Fail("", "order_id", fmt.Errorf("%w: order_id", normalize.ErrMissing))
		return normalize.Refund{}, r.Err
	}
	if !isSet(w.EntityID) {
		r.Fail("", "entity_id", fmt.Errorf("%w: entity_id", normalize.ErrMissing))
		return normalize.Refund{}, r.Err
	}
	if w.State.String() == "3" {
		return unsupported("a cancelled credit memo (state 3), which returned nothing")
	}
	if w.BaseCurrencyCode == "" {
		r.Fail("", "base_currency_code", fmt.Errorf("%w: base_currency_code", normalize.ErrMissing))
		return normalize.Refund{}, r.Err
	}
	digits, ok := normalize.MinorUnits(w.BaseCurrencyCode)
	if !ok {
		r.Fail("", "base_currency_code", fmt.Errorf("%w: unknown currency %q", normalize.ErrInvalid, w.BaseCurrencyCode))
		return normalize.Refund{}, r.Err
	}
	r.digits = digits
	rf := normalize.Refund{
		Platform: normalize.Magento,
		Store:    d.Store,
		OrderID:  w.OrderID.String(),
		Currency: w.BaseCurrencyCode,
		RefundID: w.EntityID.String(),
		TS:       r.Time("created_at", w.CreatedAt),
		Shipping: r.amount("", wire.At("base_shipping_amount"), w.BaseShipping),
		Amount:   r.amount("", wire.At("base_grand_total"), w.BaseGrandTotal),
	}

	type memoLine struct {
		index                    int
		id                       string
		qty                      int64
		row, discount, tax, comp decimal.Decimal
	}
	var lines []memoLine
	pre, post := decimal.Zero, decimal.Zero
	for i := range w.Items {
		it := &w.Items[i]
		path := func(f string) string { return wire.Path("items", i, f) }
		at := func(f string) func() string { return func() string { return path(f) } }
		id := it.OrderItemID.String()
		if id == "" {
			r.Fail("", path("order_item_id"), fmt.Errorf("%w: order_item_id", normalize.ErrMissing))
			break
		}
		if !it.BaseRowTotal.IsSet() {
			continue // a dummy item: Magento computes no totals for it (configurable child, dynamic bundle parent)
		}
		l := memoLine{
			index:    i,
			id:       id,
			qty:      r.Qty(id, at("qty"), it.Qty),
			row:      r.amount(id, at("base_row_total"), it.BaseRowTotal),
			discount: r.amount(id, at("base_discount_amount"), it.BaseDiscount),
			tax:      r.amount(id, at("base_tax_amount"), it.BaseTax),
			comp:     r.amount(id, at("base_discount_tax_compensation_amount"), it.BaseDiscountComp),
		}
		pre = fixedpoint.Add(pre, l.row)
		post = fixedpoint.Add(fixedpoint.Add(post, l.row), l.discount)
		lines = append(lines, l)
	}
	preDiscount := true
	if w.BaseSubtotal.IsSet() && r.Err == nil {
		subtotal := r.amount("", wire.At("base_subtotal"), w.BaseSubtotal)
		switch {
		case pre.Equal(subtotal):
		case post.Equal(subtotal):
			preDiscount = false
		default:
			r.Fail("", "base_subtotal", fmt.Errorf("%w: base_subtotal %s is neither the items' row totals %s nor those plus their discounts %s",
				normalize.ErrUnreconciled, subtotal, pre, post))
		}
	}
	if r.Err != nil {
		return normalize.Refund{}, r.Err
	}
	for _, l := range lines {
		gross := l.row
		if !preDiscount {
			gross = fixedpoint.Add(gross, l.discount)
		}
		net := fixedpoint.Add(fixedpoint.Sub(gross, l.discount), l.comp)
		if net.IsNegative() {
			r.Fail(l.id, wire.Path("items", l.index, "base_discount_amount"), fmt.Errorf("%w: discount %s exceeds the refunded row %s", normalize.ErrInvalid, l.discount, gross))
			return normalize.Refund{}, r.Err
		}
		if l.qty == 0 {
			if net.IsZero() && l.tax.IsZero() {
				continue // listed but not refunded: Magento lists every order item
			}
			r.Fail(l.id, wire.Path("items", l.index, "qty"), fmt.Errorf("%w: refunds %s net and %s tax for zero units", normalize.ErrInvalid, net, l.tax))
			return normalize.Refund{}, r.Err
		}
		rf.Items = append(rf.Items, normalize.RefundLine{LineID: l.id, Qty: l.qty, Net: net, Tax: l.tax})
	}
	if err := normalize.ValidateRefund(&rf); err != nil {
		return normalize.Refund{}, err
	}
	return rf, nil
}
