package magento

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/fixedpoint"
	"github.com/uplinehq/upline/internal/jsondec"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/wire"
)

// Decoder decodes Magento 2 / Adobe Commerce bodies. The zero Decoder is
// ready to use: it leaves Store empty and reads the distributor reference
// under normalize.DefaultRefKeys.
type Decoder struct {
	// Store names the Magento installation (its base URL, say) in every
	// order's key: order bodies do not name it.
	Store string
	// RefKeys are the attribute names a distributor reference is read
	// from, most specific first; nil means normalize.DefaultRefKeys().
	RefKeys []string
}

// DecodeOrder decodes one Magento sales order — the REST entity of GET
// /V1/orders/{id}, or the order inside an Adobe Commerce webhook body —
// into a validated, reconciled canonical order. The package documentation
// lists the rules it follows.
func (d Decoder) DecodeOrder(body []byte) (normalize.Order, error) {
	var w order
	if err := normalize.Unmarshal(normalize.Magento, body, &w); err != nil {
		return normalize.Order{}, err
	}
	prefix := ""
	if !isSet(w.EntityID) && len(w.Items) == 0 {
		var env envelope
		if err := normalize.Unmarshal(normalize.Magento, body, &env); err != nil {
			return normalize.Order{}, err
		}
		inner := env.Order
		prefix = "order"
		if env.Data != nil && present(env.Data.Order) {
			inner, prefix = env.Data.Order, "data.order"
		}
		if present(inner) {
			w = order{}
			if err := normalize.Unmarshal(normalize.Magento, inner, &w); err != nil {
				if e, ok := err.(*normalize.Error); ok {
					e.Path = joinPath(prefix, e.Path)
					e.Offset = -1 // the offset was inside the inner object
				}
				return normalize.Order{}, err
			}
		} else {
			prefix = ""
		}
	}
	return d.order(&w, prefix)
}

func joinPath(prefix, p string) string {
	if p == "" {
		return prefix
	}
	return prefix + "." + p
}

// isSet reports whether the id was in the body.
func isSet(id wire.ID) bool { return id != "" }

// line is a counted item with its figures on the tax-exclusive basis, before
// the canonical line is built.
type line struct {
	index    int // in the body's items
	it       *item
	qty      int64
	rowTotal decimal.Decimal
	discount decimal.Decimal
	tax      decimal.Decimal
	comp     decimal.Decimal
	variant  *item // a configurable parent's child: the variant bought
	parentID string
}

func (d Decoder) order(w *order, prefix string) (normalize.Order, error) {
	r := newReader(w.EntityID.String(), prefix)
	unsupported := func(what string) (normalize.Order, error) {
		// The body is not an order: its entity_id names something else.
		return normalize.Order{}, &normalize.Error{Platform: normalize.Magento, Path: prefix, Offset: -1,
			Err: fmt.Errorf("%w: %s, not an order", normalize.ErrUnsupported, what)}
	}
	switch {
	case present(w.SearchCriteria):
		return unsupported("a search result (decode each of its items)")
	case present(w.Arguments):
		return unsupported("a refund or invoice request")
	case present(w.OrderID):
		return unsupported("a document of an order (invoice, credit memo or shipment)")
	}
	for i := range w.Items {
		if present(w.Items[i].OrderItemID) && !isSet(w.Items[i].ItemID) {
			return unsupported("a body whose items point at order items (an invoice, credit memo or request)")
		}
	}
	if !isSet(w.EntityID) {
		r.Fail("", "entity_id", fmt.Errorf("%w: entity_id", normalize.ErrMissing))
		return normalize.Order{}, r.Err
	}
	o := normalize.Order{
		Platform:        normalize.Magento,
		Store:           d.Store,
		PlatformOrderID: w.EntityID.String(),
		OrderNumber:     w.IncrementID.String(),
		Currency:        w.BaseCurrencyCode,
	}
	if o.Currency == "" {
		r.Fail("", "base_currency_code", fmt.Errorf("%w: base_currency_code", normalize.ErrMissing))
		return normalize.Order{}, r.Err
	}
	digits, ok := normalize.MinorUnits(o.Currency)
	if !ok {
		r.Fail("", "base_currency_code", fmt.Errorf("%w: unknown currency %q", normalize.ErrInvalid, o.Currency))
		return normalize.Order{}, r.Err
	}
	r.digits = digits

	o.OrderTS = r.Time("created_at", w.CreatedAt)
	o.Version = o.OrderTS
	if strings.TrimSpace(w.UpdatedAt) != "" {
		o.Version = r.Time("updated_at", w.UpdatedAt)
	}
	o.ReplacesOrderID = replaces(r, w)
	if !isGuest(w) {
		o.CustomerRef = w.CustomerID.String()
	}
	o.DistributorRef = normalize.FindRef(d.refKeys(), attributes(w))

	lines := countedLines(r, w)
	if r.Err != nil {
		return normalize.Order{}, r.Err
	}
	if len(lines) == 0 {
		r.Fail("", "items", fmt.Errorf("%w: items (an order sells at least one item)", normalize.ErrMissing))
		return normalize.Order{}, r.Err
	}
	checkComplete(r, w, lines)
	preDiscount := rowTotalBasis(r, w, lines)

	refunded := r.amount("", wire.At("base_total_refunded"), w.BaseTotalRefunded)
	o.Status = status(r, w, refunded)
	if o.Status != normalize.StatusCancelled {
		for _, l := range lines {
			if q := r.Qty(l.it.ItemID.String(), itemAt(l.index, "qty_canceled"), l.it.QtyCanceled); q > 0 && r.Err == nil {
				r.Fail(l.it.ItemID.String(), itemPath(l.index, "qty_canceled"), fmt.Errorf(
					"%w: %d of %d units cancelled in an order that stands (partial cancellation is not decoded)", normalize.ErrUnsupported, q, l.qty))
			}
		}
	}

	// Discounts applied to tax-inclusive prices leave a discount tax
	// compensation: then gross and discount are stated with tax.
	for _, l := range lines {
		if !l.comp.IsZero() {
			o.GrossIncludesTax = true
		}
	}
	itemDiscounts := decimal.Zero
	o.Items = make([]normalize.Line, len(lines))
	for k, l := range lines {
		id := l.it.ItemID.String()
		gross := l.rowTotal
		if !preDiscount {
			gross = fixedpoint.Add(gross, l.discount)
		}
		nl := normalize.Line{
			LineID:       id,
			PlatformSKU:  l.it.SKU,
			ProductID:    l.it.ProductID.String(),
			ParentLineID: l.parentID,
			Name:         l.it.Name,
			Qty:          l.qty,
			UnitPrice:    r.exact(id, itemAt(l.index, "base_price"), l.it.BasePrice),
			Gross:        gross,
			Discount:     l.discount,
			Tax:          l.tax,
		}
		if l.variant != nil {
			if l.variant.SKU != "" {
				nl.PlatformSKU = l.variant.SKU
			}
			nl.VariantID = l.variant.ProductID.String()
		}
		if o.GrossIncludesTax {
			nl.Gross = fixedpoint.Add(fixedpoint.Add(gross, l.tax), l.comp)
			nl.UnitPrice = r.exact(id, itemAt(l.index, "base_price_incl_tax"), l.it.BasePriceInclTax)
			if !l.it.BasePriceInclTax.IsSet() {
				r.Fail(id, itemPath(l.index, "base_price_incl_tax"), fmt.Errorf("%w: base_price_incl_tax (prices include tax)", normalize.ErrMissing))
			}
		}
		itemDiscounts = fixedpoint.Add(itemDiscounts, l.discount)
		o.Items[k] = nl
	}

	orderDiscount := r.signed("", wire.At("base_discount_amount"), w.BaseDiscount)
	if orderDiscount.IsPositive() {
		r.Fail("", "base_discount_amount", fmt.Errorf("%w: order-level discount %s is positive (Magento writes it negative)", normalize.ErrInvalid, orderDiscount))
	}
	shipping := r.amount("", wire.At("base_shipping_amount"), w.BaseShipping)
	shipDiscount := r.amount("", wire.At("base_shipping_discount_amount"), w.BaseShipDiscount)
	shipComp := r.amount("", wire.At("base_shipping_discount_tax_compensation_amnt"), w.BaseShipDiscountComp)
	if !w.BaseShipDiscountComp.IsSet() {
		shipComp = r.amount("", wire.At("base_shipping_discount_tax_compensation_amount"), w.BaseShipDiscountCompLong)
	}
	o.Shipping = fixedpoint.Add(fixedpoint.Sub(shipping, shipDiscount), shipComp)
	if o.Shipping.IsNegative() && r.Err == nil {
		r.Fail("", "base_shipping_discount_amount", fmt.Errorf("%w: shipping discount %s exceeds shipping %s", normalize.ErrInvalid, shipDiscount, shipping))
	}
	o.Tax = r.amount("", wire.At("base_tax_amount"), w.BaseTax)
	o.Total = r.amount("", wire.At("base_grand_total"), w.BaseGrandTotal).
		Add(r.amount("", wire.At("base_gift_cards_amount"), w.BaseGiftCards)).
		Add(r.amount("", wire.At("base_customer_balance_amount"), w.BaseCustomerBalance)).
		Add(r.amount("", wire.At("base_reward_currency_amount"), w.BaseRewardCurrency))
	if !w.BaseGrandTotal.IsSet() {
		r.Fail("", "base_grand_total", fmt.Errorf("%w: base_grand_total", normalize.ErrMissing))
	}
	if w.OrderCurrencyCode != "" && w.OrderCurrencyCode != o.Currency {
		o.PresentmentCurrency = w.OrderCurrencyCode
		pr := newReader(r.OrderID, prefix)
		if pd, ok := normalize.MinorUnits(o.PresentmentCurrency); ok {
			pr.digits = pd
			o.PresentmentTotal = pr.amount("", wire.At("grand_total"), w.GrandTotal)
		} else {
			pr.Fail("", "order_currency_code", fmt.Errorf("%w: unknown currency %q", normalize.ErrInvalid, o.PresentmentCurrency))
		}
		if r.Err == nil {
			r.Err = pr.Err
		}
	}
	if r.Err != nil {
		return normalize.Order{}, r.Err
	}

	// Magento allocates its discounts to the items and to shipping; what
	// the order-level figure holds beyond them (extensions' discounts) is
	// spread over the lines.
	unallocated := fixedpoint.Sub(fixedpoint.Sub(orderDiscount.Neg(), itemDiscounts), shipDiscount)
	if unallocated.IsNegative() {
		r.Fail("", "base_discount_amount", fmt.Errorf("%w: order-level discount %s is less than the items' discounts %s and the shipping discount %s together",
			normalize.ErrUnreconciled, orderDiscount.Neg(), itemDiscounts, shipDiscount))
		return normalize.Order{}, r.Err
	}
	if err := normalize.ComputeNets(&o, unallocated, r.Path("base_discount_amount")); err != nil {
		return normalize.Order{}, err
	}
	if err := normalize.Reconcile(&o); err != nil {
		return normalize.Order{}, err
	}
	return o, nil
}

// itemAt is itemPath in the form the reader's methods take it.
func itemAt(i int, field string) func() string {
	return func() string { return itemPath(i, field) }
}

func itemPath(i int, field string) string { return wire.Path("items", i, field) }

func (d Decoder) refKeys() []string {
	if d.RefKeys == nil {
		return normalize.DefaultRefKeys()
	}
	return d.RefKeys
}

func isGuest(w *order) bool {
	g, err := w.CustomerIsGuest.Decimal()
	return err == nil && !g.IsZero()
}

// replaces names the order an edited order replaces: relation_parent_id,
// the parent's entity id. An edit is also recognisable by
// relation_parent_real_id or by core Magento's increment number
// "000000013-1"; without the parent's entity id such a body is refused,
// because the replacement must never count as a second sale.
func replaces(r *reader, w *order) string {
	if isSet(w.RelationParentID) {
		return w.RelationParentID.String()
	}
	parent := w.RelationParentRealID.String()
	if parent == "" {
		parent = editedFrom(w.IncrementID.String())
	}
	if parent != "" {
		r.Fail("", "relation_parent_id", fmt.Errorf("%w: relation_parent_id (order %s is an edit of order %s, whose entity_id the body does not give)",
			normalize.ErrMissing, w.IncrementID, parent))
	}
	return ""
}

// editedFrom returns "000000013" for core Magento's edited increment number
// "000000013-1" and "" for anything else: stores with custom increment
// formats may use dashes of their own, so only digits-dash-digits counts.
func editedFrom(inc string) string {
	base, n, ok := strings.Cut(inc, "-")
	if !ok || !allDigits(base) || !allDigits(n) {
		return ""
	}
	return base
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// status maps Magento's order state (the fixed state machine; status is a
// store-configurable label) onto the canonical statuses. A body without a
// state falls back to the default status of the same name.
func status(r *reader, w *order, refunded decimal.Decimal) normalize.Status {
	s, path := w.State.String(), "state"
	if s == "" {
		s, path = w.Status.String(), "status"
	}
	paid := normalize.StatusPaid
	if refunded.IsPositive() {
		paid = normalize.StatusPartiallyRefunded
	}
	switch s {
	case "new", "pending", "pending_payment", "payment_review", "fraud", "holded":
		return normalize.StatusPending
	case "processing", "complete":
		return paid
	case "closed":
		return normalize.StatusRefunded
	case "canceled":
		return normalize.StatusCancelled
	case "":
		r.Fail("", "state", fmt.Errorf("%w: state", normalize.ErrMissing))
	default:
		r.Fail("", path, fmt.Errorf("%w: unknown order %s %q", normalize.ErrInvalid, path, s))
	}
	return ""
}

// countedLines picks the items that carry the amounts. A parent item and
// its children are one product: a configurable parent carries the amounts
// and its child only names the variant bought; a dynamic bundle's children
// carry the amounts and its parent none; a fixed bundle's parent carries
// them. The rule is read from the base amounts themselves: whichever side
// carries them is counted and the other skipped; both sides carrying
// amounts is refused.
func countedLines(r *reader, w *order) []line {
	index := make(map[wire.ID]int, len(w.Items))
	children := make(map[wire.ID][]int)
	for i := range w.Items {
		it := &w.Items[i]
		if !isSet(it.ItemID) {
			r.Fail("", itemPath(i, "item_id"), fmt.Errorf("%w: item_id", normalize.ErrMissing))
			return nil
		}
		if _, dup := index[it.ItemID]; dup {
			r.Fail(it.ItemID.String(), itemPath(i, "item_id"), fmt.Errorf("%w: duplicate item_id %s", normalize.ErrInvalid, it.ItemID))
			return nil
		}
		index[it.ItemID] = i
	}
	for i := range w.Items {
		it := &w.Items[i]
		if !isSet(it.ParentItemID) {
			continue
		}
		p, ok := index[it.ParentItemID]
		if !ok {
			r.Fail(it.ItemID.String(), itemPath(i, "parent_item_id"), fmt.Errorf("%w: parent item %s is not among the items", normalize.ErrInvalid, it.ParentItemID))
			return nil
		}
		if isSet(w.Items[p].ParentItemID) {
			r.Fail(it.ItemID.String(), itemPath(i, "parent_item_id"), fmt.Errorf("%w: parent item %s is itself a child", normalize.ErrInvalid, it.ParentItemID))
			return nil
		}
		children[it.ParentItemID] = append(children[it.ParentItemID], i)
	}
	read := func(i int) line {
		it := &w.Items[i]
		id := it.ItemID.String()
		return line{
			index:    i,
			it:       it,
			qty:      r.Qty(id, itemAt(i, "qty_ordered"), it.QtyOrdered),
			rowTotal: r.amount(id, itemAt(i, "base_row_total"), it.BaseRowTotal),
			discount: r.amount(id, itemAt(i, "base_discount_amount"), it.BaseDiscount),
			tax:      r.amount(id, itemAt(i, "base_tax_amount"), it.BaseTax),
			comp:     r.amount(id, itemAt(i, "base_discount_tax_compensation_amount"), it.BaseDiscountComp),
		}
	}
	var out []line
	for i := range w.Items {
		it := &w.Items[i]
		if isSet(it.ParentItemID) {
			continue // taken with its parent below
		}
		parent := read(i)
		kids := children[it.ItemID]
		if len(kids) == 0 {
			out = append(out, parent)
			continue
		}
		var ks []line
		kidsCarry := false
		for _, c := range kids {
			k := read(c)
			k.parentID = it.ItemID.String()
			if carries(r, &w.Items[c], k) {
				kidsCarry = true
			}
			ks = append(ks, k)
		}
		switch {
		case kidsCarry && carries(r, it, parent) && it.ProductType != "bundle":
			r.Fail(it.ItemID.String(), itemPath(i, "base_row_total"), fmt.Errorf(
				"%w: both the %s item and its children carry amounts; counting both would count the product twice", normalize.ErrInvalid, it.ProductType))
		case kidsCarry:
			// A dynamic bundle: Magento also states the parent's price
			// (the children's sum); the children's rows are what sold.
			out = append(out, ks...)
		default:
			if len(ks) == 1 && it.ProductType == "configurable" {
				parent.variant = ks[0].it
			}
			out = append(out, parent)
		}
	}
	return out
}

// carries reports whether an item states any base amount of its own.
func carries(r *reader, it *item, l line) bool {
	price := r.exact(l.it.ItemID.String(), itemAt(l.index, "base_price"), it.BasePrice)
	return !price.IsZero() || !l.rowTotal.IsZero() || !l.discount.IsZero() || !l.tax.IsZero()
}

// checkComplete compares the counted quantity with total_qty_ordered, which
// Magento sets to the sum of its top-level items' quantities: a body that
// lists fewer (documentation samples elide items) is incomplete.
func checkComplete(r *reader, w *order, lines []line) {
	if !w.TotalQtyOrdered.IsSet() || r.Err != nil {
		return
	}
	want, err := w.TotalQtyOrdered.Decimal()
	if err != nil {
		r.Fail("", "total_qty_ordered", err)
		return
	}
	got := decimal.Zero
	for i := range w.Items {
		if !isSet(w.Items[i].ParentItemID) {
			q, _ := w.Items[i].QtyOrdered.Decimal() // read and checked with its line
			got = fixedpoint.Add(got, q)
		}
	}
	if !got.Equal(want) {
		r.Fail("", "items", fmt.Errorf("%w: items: the body lists %s units of top-level items but total_qty_ordered is %s (items left out?)",
			normalize.ErrMissing, got, want))
	}
}

// rowTotalBasis reports whether row totals are before discount. Core
// Magento writes base_row_total before discount and base_subtotal as their
// sum; some installations write it after discount. The body decides: the
// counted rows must sum to base_subtotal either as they are or with their
// discounts added back.
func rowTotalBasis(r *reader, w *order, lines []line) bool {
	if !w.BaseSubtotal.IsSet() || r.Err != nil {
		return true
	}
	subtotal := r.amount("", wire.At("base_subtotal"), w.BaseSubtotal)
	pre, post := decimal.Zero, decimal.Zero
	for _, l := range lines {
		pre = fixedpoint.Add(pre, l.rowTotal)
		post = fixedpoint.Add(fixedpoint.Add(post, l.rowTotal), l.discount)
	}
	switch {
	case pre.Equal(subtotal):
		return true
	case post.Equal(subtotal):
		return false
	}
	r.Fail("", "base_subtotal", fmt.Errorf("%w: base_subtotal %s is neither the counted items' row totals %s nor those plus their discounts %s",
		normalize.ErrUnreconciled, subtotal, pre, post))
	return true
}

// attributes collects the name/value pairs a store attached to the order,
// in the order they are searched: extension_attributes, then
// custom_attributes (EAV form), then custom_attributes_serializable
// (Adobe Commerce webhook form). Only string and number values count.
func attributes(w *order) []normalize.Attr {
	attrs := objectAttrs(w.ExtensionAttributes, nil)
	for _, c := range w.CustomAttributes {
		if v, ok := scalar(c.Value); ok {
			attrs = append(attrs, normalize.Attr{Name: c.AttributeCode, Value: v})
		}
	}
	return objectAttrs(w.CustomAttributesSerializable, attrs)
}

// objectAttrs appends a JSON object's scalar members in document order.
// Anything that is not an object (Magento writes an empty one as []) adds
// nothing.
func objectAttrs(raw json.RawMessage, attrs []normalize.Attr) []normalize.Attr {
	if !present(raw) || bytes.TrimSpace(raw)[0] != '{' {
		return attrs
	}
	n := len(attrs)
	if jsondec.Members(raw, func(name string, v []byte) {
		if s, ok := scalar(v); ok {
			attrs = append(attrs, normalize.Attr{Name: name, Value: s})
		}
	}) {
		return attrs
	}
	attrs = attrs[:n]
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // {
		return attrs
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return attrs
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return attrs
		}
		if s, ok := scalar(v); ok {
			attrs = append(attrs, normalize.Attr{Name: name, Value: s})
		}
	}
	return attrs
}

// scalar returns a JSON string's text or a number's digits.
func scalar(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch {
	case raw[0] == '"':
		s, err := wire.Text(raw)
		return s, err == nil
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		return string(raw), true
	}
	return "", false
}
