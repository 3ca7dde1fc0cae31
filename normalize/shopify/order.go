package shopify

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/fixedpoint"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/wire"
)

// DecodeOrder decodes an orders/create, orders/paid, orders/updated or
// orders/cancelled body (or the Admin REST API's {"order": {...}}) into a
// canonical order that has passed normalize.Validate and
// normalize.Reconcile. A refunds/create body is refused with
// normalize.ErrUnsupported.
func (d Decoder) DecodeOrder(body []byte) (normalize.Order, error) {
	var env orderBody
	if err := normalize.Unmarshal(normalize.Shopify, body, &env); err != nil {
		return normalize.Order{}, err
	}
	b := &env
	if env.Order != nil {
		b = env.Order
	}
	s := newState(b.ID.String())
	if b.LineItems == nil {
		s.OrderID = ""
		switch {
		case env.RefundLineItems != nil:
			s.Fail("", "", fmt.Errorf("%w: a refund (refund_line_items), not an order: use DecodeRefund", normalize.ErrUnsupported))
		case b.ID == "":
			s.Fail("", "", fmt.Errorf("%w: neither an order (id, line_items) nor a refund", normalize.ErrUnsupported))
		default:
			s.Fail("", "line_items", fmt.Errorf("%w: line_items", normalize.ErrMissing))
		}
		return normalize.Order{}, s.Err
	}
	if b.ID == "" {
		s.Fail("", "id", fmt.Errorf("%w: id", normalize.ErrMissing))
		return normalize.Order{}, s.Err
	}
	if !s.setCurrency(b.Currency) {
		return normalize.Order{}, s.Err
	}
	o, err := d.order(&s, b)
	if err != nil {
		return normalize.Order{}, err
	}
	return o, nil
}

func (d Decoder) order(s *state, b *orderBody) (normalize.Order, error) {
	o := normalize.Order{
		Platform:         normalize.Shopify,
		Store:            d.Store,
		PlatformOrderID:  s.OrderID,
		OrderNumber:      b.Name,
		Currency:         s.currency,
		CustomerRef:      b.Customer.ID.String(),
		GrossIncludesTax: b.TaxesIncluded,
		DistributorRef:   d.ref(b),
	}
	if o.OrderNumber == "" {
		o.OrderNumber = b.OrderNumber.String()
	}
	o.Status = s.status(b.FinancialStatus, b.CancelledAt)
	o.Version = s.Time("updated_at", b.UpdatedAt)
	if b.ProcessedAt != "" {
		o.OrderTS = s.Time("processed_at", b.ProcessedAt)
	} else {
		o.OrderTS = s.Time("created_at", b.CreatedAt)
	}
	if c := b.TotalPriceSet.Shop.CurrencyCode; c != "" && c != s.currency && s.Err == nil {
		s.Fail("", "total_price_set.shop_money.currency_code", fmt.Errorf("%w: shop money in %s, but the order's currency is %s", normalize.ErrInvalid, c, s.currency))
	}
	if pc := strings.TrimSpace(b.PresentmentCurrency); pc != "" && pc != s.currency {
		s.presentment(&o, pc, b.TotalPriceSet.Presentment)
	}

	// Lines, with Shopify's own figures. platform[i] is what Shopify
	// allocated to line i, before ComputeNets adds any spread share.
	o.Items = make([]normalize.Line, len(b.LineItems))
	platform := make([]decimal.Decimal, len(b.LineItems))
	lineDiscounts, lineTax, afterAllocations := decimal.Zero, decimal.Zero, decimal.Zero
	for i := range b.LineItems {
		li := &b.LineItems[i]
		id := li.ID.String()
		if id == "" && s.Err == nil {
			s.Fail("", wire.Path("line_items", i, "id"), fmt.Errorf("%w: id", normalize.ErrMissing))
		}
		at := func(field string, k int) string {
			if k < 0 {
				return wire.Path("line_items", i, field)
			}
			return wire.Path("line_items", i, field, k, "amount")
		}
		if !li.Price.IsSet() && s.Err == nil {
			s.Fail(id, at("price", -1), fmt.Errorf("%w: price", normalize.ErrMissing))
		}
		l := normalize.Line{
			LineID:      id,
			PlatformSKU: strings.TrimSpace(li.SKU),
			VariantID:   li.VariantID.String(),
			ProductID:   li.ProductID.String(),
			Name:        li.Name,
			Qty:         s.qty(li.Quantity, id, func() string { return at("quantity", -1) }),
			UnitPrice:   s.money(li.Price, id, func() string { return at("price", -1) }),
		}
		l.Gross = l.UnitPrice.Mul(decimal.NewFromInt(l.Qty))
		l.Discount = s.lineDiscount(li.DiscountAllocations, li.TotalDiscount, id, at)
		l.Tax = s.taxes(li.TaxLines, id, func(k int) string { return wire.Path("line_items", i, "tax_lines", k, "price") })
		platform[i] = l.Discount
		lineDiscounts = fixedpoint.Add(lineDiscounts, l.Discount)
		lineTax = fixedpoint.Add(lineTax, l.Tax)
		afterAllocations = fixedpoint.Add(afterAllocations, fixedpoint.Sub(l.Gross, l.Discount))
		o.Items[i] = l
	}

	// Shipping after its discounts, without tax; its tax joins the order's.
	shipDiscounts, shipTax := decimal.Zero, decimal.Zero
	o.Shipping = decimal.Zero
	for i := range b.ShippingLines {
		sl := &b.ShippingLines[i]
		price := s.money(sl.Price, "", func() string { return wire.Path("shipping_lines", i, "price") })
		alloc := s.allocations(sl.DiscountAllocations, "", func(k int) string { return wire.Path("shipping_lines", i, "discount_allocations", k, "amount") })
		tax := s.taxes(sl.TaxLines, "", func(k int) string { return wire.Path("shipping_lines", i, "tax_lines", k, "price") })
		paid := fixedpoint.Sub(price, alloc)
		if sl.DiscountedPrice.IsSet() {
			paid = s.money(sl.DiscountedPrice, "", func() string { return wire.Path("shipping_lines", i, "discounted_price") })
		}
		if b.TaxesIncluded {
			paid = fixedpoint.Sub(paid, tax)
		}
		shipDiscounts = fixedpoint.Add(shipDiscounts, alloc)
		shipTax = fixedpoint.Add(shipTax, tax)
		o.Shipping = fixedpoint.Add(o.Shipping, paid)
	}

	// Tips, duties and additional fees are fees: they never earn.
	o.Fees = s.money(b.TotalTipReceived, "", func() string { return "total_tip_received" }).
		Add(s.money(b.OriginalTotalDutiesSet.Shop.Amount, "", func() string { return "original_total_duties_set.shop_money.amount" })).
		Add(s.money(b.OriginalTotalAdditionalFeesSet.Shop.Amount, "", func() string { return "original_total_additional_fees_set.shop_money.amount" }))

	o.Tax = fixedpoint.Add(lineTax, shipTax)
	if b.TotalTax.IsSet() {
		total := s.money(b.TotalTax, "", func() string { return "total_tax" })
		if s.Err == nil && !total.Equal(o.Tax) {
			s.Fail("", "total_tax", fmt.Errorf("%w: total_tax %s is not the lines' tax %s plus the shipping tax %s",
				normalize.ErrUnreconciled, total, lineTax, shipTax))
		}
	}
	if !b.TotalPrice.IsSet() && s.Err == nil {
		s.Fail("", "total_price", fmt.Errorf("%w: total_price", normalize.ErrMissing))
	}
	o.Total = s.money(b.TotalPrice, "", func() string { return "total_price" })
	unallocated := s.unallocated(b, lineDiscounts, shipDiscounts, afterAllocations)
	if s.Err != nil {
		return normalize.Order{}, s.Err
	}
	if err := normalize.ComputeNets(&o, unallocated, "total_discounts"); err != nil {
		return normalize.Order{}, err
	}

	lines := make(map[string]*lineState, len(o.Items))
	for i := range o.Items {
		l := &o.Items[i]
		lines[l.LineID] = &lineState{
			qty:        l.Qty,
			discounted: fixedpoint.Sub(l.Gross, platform[i]),
			share:      fixedpoint.Sub(l.Discount, platform[i]),
			refSub:     decimal.Zero,
			refShare:   decimal.Zero,
		}
	}
	for i := range b.Refunds {
		rb := &b.Refunds[i]
		prefix := wire.Path("refunds", i) + "."
		if oid := rb.OrderID.String(); oid != "" && oid != s.OrderID && s.Err == nil {
			s.Fail("", prefix+"order_id", fmt.Errorf("%w: refund %s names order %s", normalize.ErrInvalid, rb.ID, oid))
		}
		r := s.refund(rb, prefix, b.TaxesIncluded, func(id string) *lineState { return lines[id] })
		o.Refunds = append(o.Refunds, r)
	}
	if s.Err != nil {
		return normalize.Order{}, s.Err
	}
	if err := normalize.Validate(&o); err != nil {
		return normalize.Order{}, err
	}
	if o.Status != normalize.StatusCancelled {
		s.currentQuantities(b, lines)
		if s.Err != nil {
			return normalize.Order{}, s.Err
		}
	}
	if err := normalize.Reconcile(&o); err != nil {
		return normalize.Order{}, err
	}
	return o, nil
}

// status maps financial_status and cancelled_at onto the canonical
// statuses; see the table in the package documentation.
func (s *state) status(financial, cancelledAt string) normalize.Status {
	if strings.TrimSpace(cancelledAt) != "" {
		return normalize.StatusCancelled
	}
	switch financial {
	case "pending", "authorized", "partially_paid":
		return normalize.StatusPending
	case "paid":
		return normalize.StatusPaid
	case "partially_refunded":
		return normalize.StatusPartiallyRefunded
	case "refunded":
		return normalize.StatusRefunded
	case "voided", "expired":
		return normalize.StatusVoided
	case "":
		s.Fail("", "financial_status", fmt.Errorf("%w: financial_status", normalize.ErrMissing))
	default:
		s.Fail("", "financial_status", fmt.Errorf("%w: unknown financial_status %q", normalize.ErrInvalid, financial))
	}
	return ""
}

// presentment keeps the buyer's currency and total beside the shop's.
func (s *state) presentment(o *normalize.Order, currency string, m money) {
	if s.Err != nil {
		return
	}
	if c := m.CurrencyCode; c != "" && c != currency {
		s.Fail("", "total_price_set.presentment_money.currency_code", fmt.Errorf("%w: %s, but presentment_currency is %s", normalize.ErrInvalid, c, currency))
		return
	}
	if !m.Amount.IsSet() {
		s.Fail("", "total_price_set.presentment_money.amount", fmt.Errorf("%w: the buyer's total in %s", normalize.ErrMissing, currency))
		return
	}
	v, err := m.Amount.Decimal()
	if err != nil {
		s.Fail("", "total_price_set.presentment_money.amount", err)
		return
	}
	o.PresentmentCurrency, o.PresentmentTotal = currency, v
}

// unallocated is the order-level discount Shopify did not allocate to
// lines or shipping: total_discounts less every allocation. Current
// Shopify allocates every discount, so this is zero; a positive remainder
// is spread over the lines only when subtotal_price (the lines after all
// discounts) confirms it, because total_discounts alone has been seen
// claiming discounts that the rest of the body does not show.
func (s *state) unallocated(b *orderBody, lineDiscounts, shipDiscounts, afterAllocations decimal.Decimal) decimal.Decimal {
	if s.Err != nil || !b.TotalDiscounts.IsSet() {
		return decimal.Zero
	}
	total := s.money(b.TotalDiscounts, "", func() string { return "total_discounts" })
	rest := fixedpoint.Sub(fixedpoint.Sub(total, lineDiscounts), shipDiscounts)
	switch {
	case rest.IsZero() || (rest.IsNegative() && total.Equal(lineDiscounts)):
		return decimal.Zero // the second: a total_discounts that leaves shipping discounts out
	case rest.IsNegative():
		s.Fail("", "total_discounts", fmt.Errorf("%w: total_discounts %s is less than the discounts allocated to lines %s and shipping %s",
			normalize.ErrUnreconciled, total, lineDiscounts, shipDiscounts))
		return decimal.Zero
	}
	if !b.SubtotalPrice.IsSet() {
		s.Fail("", "subtotal_price", fmt.Errorf("%w: subtotal_price, needed to confirm %s of total_discounts that no line or shipping line is allocated",
			normalize.ErrMissing, rest))
		return decimal.Zero
	}
	subtotal := s.money(b.SubtotalPrice, "", func() string { return "subtotal_price" })
	if want := fixedpoint.Sub(afterAllocations, rest); s.Err == nil && !subtotal.Equal(want) {
		s.Fail("", "total_discounts", fmt.Errorf("%w: total_discounts %s leaves %s allocated to no line or shipping line, but subtotal_price %s is not the lines after their allocations %s less it (%s)",
			normalize.ErrUnreconciled, total, rest, subtotal, afterAllocations, want))
		return decimal.Zero
	}
	return rest
}

// currentQuantities checks Shopify's current_quantity against the model
// this package uses: Qty is the quantity ordered and every unit taken off
// since is a refund line (order edits that remove units create refund
// lines with restock_type "cancel"). A current_quantity that disagrees
// means units left the order by a way these refunds do not show, and the
// order is refused rather than paid on units the buyer no longer has.
func (s *state) currentQuantities(b *orderBody, lines map[string]*lineState) {
	for i := range b.LineItems {
		li := &b.LineItems[i]
		if !li.CurrentQuantity.IsSet() {
			continue // bodies from before API 2023-01 do not carry it
		}
		id := li.ID.String()
		path := func() string { return wire.Path("line_items", i, "current_quantity") }
		cur := s.qty(li.CurrentQuantity, id, path)
		ls := lines[id]
		if s.Err != nil || ls == nil {
			return
		}
		if want := ls.qty - ls.refQty; cur != want {
			s.Fail(id, path(), fmt.Errorf("%w: current_quantity %d, but quantity %d less %d refunded is %d",
				normalize.ErrUnreconciled, cur, ls.qty, ls.refQty, want))
			return
		}
	}
}
