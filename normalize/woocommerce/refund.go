package woocommerce

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/fixedpoint"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/wire"
)

// DecodeRefund decodes one refund object: the response of
// POST/GET /wp-json/wc/v3/orders/{order}/refunds/{id}, or one element of
// the refunds list. WooCommerce writes its line quantities and totals as
// negative numbers and points each line back at the order line through
// the meta _refunded_item_id; the canonical refund has positive figures
// and the order line's id.
//
// A refund object does not always name its order. The order id is, in
// this order: d.OrderID (the caller knows which order it asked about),
// else the body's order_id or parent_id, else the order in the
// _links.up href (".../orders/723"). When d.OrderID and the body disagree
// the refund is refused. Nor does it name a currency: d.Currency, else a
// currency field in the body.
//
// Each line's Net is WooCommerce's refunded line total (after discounts,
// without tax), which can exceed what the canonical line earns when the
// order's lines carry a share of a negative fee; the refund is therefore
// CapToLine, so that normalize.Order.ApplyRefund fits it to its order
// (see ApplyRefund) whenever it is applied.
func (d Decoder) DecodeRefund(body []byte) (normalize.Refund, error) {
	if err := notAnObject(body, "refund"); err != nil {
		return normalize.Refund{}, err
	}
	var b refundBody
	if err := normalize.Unmarshal(normalize.WooCommerce, body, &b); err != nil {
		return normalize.Refund{}, err
	}
	if b.ID == "" && len(b.Data) > 0 {
		return normalize.Refund{}, fail("", "data", fmt.Errorf("%w: a {\"data\": ...} envelope (the WordPress.com API proxy); decode the object inside it", normalize.ErrUnsupported))
	}
	if b.Status != "" {
		return normalize.Refund{}, wire.Reader{Platform: normalize.WooCommerce, OrderID: b.ID.String()}.Error("", "status",
			fmt.Errorf("%w: an order (it has a status); use DecodeOrder", normalize.ErrUnsupported))
	}
	r := normalize.Refund{
		Platform: normalize.WooCommerce,
		Store:    d.Store,
		RefundID: b.ID.String(),
	}
	rd := wire.Reader{Platform: normalize.WooCommerce}
	bad := func(line, path string, err error) (normalize.Refund, error) {
		return normalize.Refund{}, rd.Error(line, path, err)
	}

	orderID, path := refundOrder(&b)
	switch {
	case d.OrderID != "" && orderID != "" && orderID != d.OrderID:
		return bad("", path, fmt.Errorf("%w: refund %s is for order %s, not order %s", normalize.ErrInvalid, r.RefundID, orderID, d.OrderID))
	case d.OrderID != "":
		orderID = d.OrderID
	case orderID == "":
		return bad("", "order_id", fmt.Errorf("%w: the refund names no order (no order_id, parent_id or _links.up); set Decoder.OrderID", normalize.ErrMissing))
	}
	r.OrderID = orderID
	rd.OrderID = orderID

	r.Currency = d.Currency
	switch {
	case d.Currency != "" && b.Currency != "" && !strings.EqualFold(d.Currency, b.Currency):
		return bad("", "currency", fmt.Errorf("%w: refund is in %s, not %s", normalize.ErrInvalid, b.Currency, d.Currency))
	case r.Currency == "":
		r.Currency = b.Currency
	}
	if r.Currency == "" {
		return bad("", "currency", fmt.Errorf("%w: a WooCommerce refund names no currency; set Decoder.Currency to its order's", normalize.ErrMissing))
	}
	digits, ok := normalize.MinorUnits(r.Currency)
	if !ok {
		return bad("", "currency", fmt.Errorf("%w: unknown currency %q", normalize.ErrInvalid, r.Currency))
	}
	if r.RefundID == "" {
		return bad("", "id", fmt.Errorf("%w: id", normalize.ErrMissing))
	}
	if b.DateCreatedGMT == "" {
		return bad("", "date_created_gmt", fmt.Errorf("%w: date_created_gmt", normalize.ErrMissing))
	}
	ts, err := normalize.ParseTime(b.DateCreatedGMT)
	if err != nil {
		return bad("", "date_created_gmt", err)
	}
	r.TS = ts

	// neg reads a figure WooCommerce writes as negative (or zero) and
	// returns its magnitude at the minor unit.
	neg := func(line, path string, n wire.Num) (decimal.Decimal, error) {
		v, err := n.Decimal()
		if err != nil {
			return decimal.Zero, rd.Error(line, path, err)
		}
		if v.IsPositive() {
			return decimal.Zero, rd.Error(line, path, fmt.Errorf("%w: %s is positive; WooCommerce writes refunded figures as negative numbers", normalize.ErrInvalid, v))
		}
		return toMinor(v.Neg(), digits), nil
	}

	amount, err := b.Amount.Decimal()
	if err != nil {
		return bad("", "amount", err)
	}
	if amount.IsNegative() {
		return bad("", "amount", fmt.Errorf("%w: refund amount %s is negative; a refund object's amount is positive", normalize.ErrInvalid, amount))
	}
	r.Amount = toMinor(amount, digits)

	r.Shipping = decimal.Zero
	for i, sl := range b.ShippingLines {
		v, err := neg("", wire.Path("shipping_lines", i, "total"), sl.Total)
		if err != nil {
			return normalize.Refund{}, err
		}
		r.Shipping = fixedpoint.Add(r.Shipping, v)
	}

	r.Items = make([]normalize.RefundLine, 0, len(b.LineItems))
	for i, l := range b.LineItems {
		path := wire.Path("line_items", i)
		lineID, ok := metaText(l.MetaData, "_refunded_item_id")
		lineID = strings.TrimSpace(lineID)
		if !ok || lineID == "" {
			return bad(l.ID.String(), path+".meta_data", fmt.Errorf("%w: _refunded_item_id (the order line this refund line takes back)", normalize.ErrMissing))
		}
		q, err := neg(lineID, path+".quantity", l.Quantity)
		if err != nil {
			return normalize.Refund{}, err
		}
		qty, err := wire.NumOf(q.String()).Qty()
		if err != nil {
			return bad(lineID, path+".quantity", err)
		}
		net, err := neg(lineID, path+".total", l.Total)
		if err != nil {
			return normalize.Refund{}, err
		}
		tax, err := neg(lineID, path+".total_tax", l.TotalTax)
		if err != nil {
			return normalize.Refund{}, err
		}
		r.Items = append(r.Items, normalize.RefundLine{LineID: lineID, Qty: qty, Net: net, Tax: tax})
	}
	r.CapToLine = true
	if err := normalize.ValidateRefund(&r); err != nil {
		return normalize.Refund{}, err
	}
	return r, nil
}

// refundOrder returns the order a refund body names, and where.
func refundOrder(b *refundBody) (id, path string) {
	if b.OrderID != "" && b.OrderID != "0" {
		return b.OrderID.String(), "order_id"
	}
	if b.ParentID != "" && b.ParentID != "0" {
		return b.ParentID.String(), "parent_id"
	}
	for i, up := range b.Links.Up {
		href := strings.TrimRight(up.Href, "/")
		k := strings.LastIndex(href, "/orders/")
		if k < 0 {
			continue
		}
		id := href[k+len("/orders/"):]
		if id != "" && strings.Trim(id, "0123456789") == "" {
			return id, wire.Path("_links", "up", i, "href")
		}
	}
	return "", ""
}

// ApplyRefund decodes a refund object for order o (taking the order id
// and currency from o where d leaves them empty) and returns the order as
// it stands after it, through normalize.Order.ApplyRefund.
//
// The refund is CapToLine, so normalize.Order.ApplyRefund fits it to o:
//   - Nets follow o's lines: each refund line takes back WooCommerce's
//     refunded line total, capped at what is left of the line's Net, and
//     the refund that returns a line's last unit takes back exactly what
//     is left. A line whose Net carries a share of a negative fee is so
//     taken back in full by a full refund, never beyond.
//   - The amount-only refund DecodeOrder made from the order's refunds
//     list (same id, no lines) is replaced by this one with its lines,
//     instead of this one being ignored as a duplicate.
//   - A refund line naming a line DecodeOrder left out (a bundle or
//     composite component without amounts) is dropped when it takes back
//     nothing; with a net or tax it is refused.
//
// A paid order becomes partially_refunded.
func (d Decoder) ApplyRefund(o normalize.Order, body []byte) (normalize.Order, error) {
	if d.OrderID == "" {
		d.OrderID = o.PlatformOrderID
	}
	if d.Currency == "" {
		d.Currency = o.Currency
	}
	if d.Store == "" {
		d.Store = o.Store
	}
	r, err := d.DecodeRefund(body)
	if err != nil {
		return normalize.Order{}, err
	}
	has := make(map[string]bool, len(o.Items))
	for i := range o.Items {
		has[o.Items[i].LineID] = true
	}
	for k, rl := range r.Items {
		if !has[rl.LineID] && (!rl.Net.IsZero() || !rl.Tax.IsZero()) {
			return normalize.Order{}, wire.Reader{Platform: normalize.WooCommerce, OrderID: o.PlatformOrderID}.Error(rl.LineID, wire.Path("line_items", k),
				fmt.Errorf("%w: refund %s takes back net %s and tax %s from line %q that the order does not have", normalize.ErrInvalid, r.RefundID, rl.Net, rl.Tax, rl.LineID))
		}
	}
	n, err := o.ApplyRefund(r)
	if err != nil {
		return normalize.Order{}, err
	}
	if n.Status == normalize.StatusPaid {
		n.Status = normalize.StatusPartiallyRefunded
	}
	return n, nil
}
