package woocommerce

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/fixedpoint"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/wire"
)

// Decoder holds the options for decoding WooCommerce bodies. The zero
// Decoder is ready to use.
type Decoder struct {
	// Store names the shop in the order's key (normalize.Key). WooCommerce
	// bodies do not name their site, so the caller says which it is, e.g.
	// "shop.example.com".
	Store string
	// RefKeys are the meta_data keys a distributor reference is read from,
	// most specific first; nil means normalize.DefaultRefKeys().
	RefKeys []string
	// RefFromCoupon makes the first coupon code the distributor reference
	// when no meta_data entry names one, for shops that give each
	// distributor a coupon code.
	RefFromCoupon bool
	// ShopCurrency is the shop's own currency. When set, an order in any
	// other currency (a multi-currency plugin's order) is refused with
	// ErrUnsupported rather than mixed in; see the package documentation.
	ShopCurrency string
	// Statuses maps custom order statuses (from plugins, without the "wc-"
	// prefix) onto canonical ones. It is consulted before the built-in
	// table, so it can also override it.
	Statuses map[string]normalize.Status

	// OrderID and Currency are what a refund object does not say about
	// itself: the order it belongs to and that order's currency. See
	// DecodeRefund.
	OrderID  string
	Currency string
}

// wooPaymentsShopCurrency is the meta key WooPayments' multi-currency
// feature stores the shop's default currency under on orders placed in
// another currency.
const wooPaymentsShopCurrency = "_wcpay_multi_currency_order_default_currency"

// DecodeOrder decodes one order: an order.created / order.updated webhook
// body, or one element of GET /wp-json/wc/v3/orders. The order has passed
// normalize.Validate and normalize.Reconcile.
func (d Decoder) DecodeOrder(body []byte) (normalize.Order, error) {
	if err := notAnObject(body, "order"); err != nil {
		return normalize.Order{}, err
	}
	var b orderBody
	if err := normalize.Unmarshal(normalize.WooCommerce, body, &b); err != nil {
		return normalize.Order{}, err
	}
	if b.ID == "" && len(b.Data) > 0 {
		return normalize.Order{}, fail("", "data", fmt.Errorf("%w: a {\"data\": ...} envelope (the WordPress.com API proxy); decode the object inside it", normalize.ErrUnsupported))
	}
	if b.Status == "" && b.Amount.IsSet() {
		return normalize.Order{}, fail("", "amount", fmt.Errorf("%w: a refund object (it has an amount and no status); use DecodeRefund", normalize.ErrUnsupported))
	}
	s := orderState{Reader: wire.Reader{Platform: normalize.WooCommerce, OrderID: b.ID.String()}, d: d, b: &b}
	o, err := s.decode()
	if err != nil {
		return normalize.Order{}, err
	}
	return o, nil
}

// notAnObject refuses, with a clear message, the bodies a WooCommerce
// endpoint sends that are not one JSON object: the webhook_id=N ping and
// REST list responses.
func notAnObject(body []byte, what string) error {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] == '{' {
		return nil
	}
	if t[0] == '[' {
		return fail("", "", fmt.Errorf("%w: a JSON array (a REST list response); decode each element as an %s", normalize.ErrUnsupported, what))
	}
	if id, ok := IsPing("", body); ok {
		return fail("", "", fmt.Errorf("%w: the webhook_id=%s ping WooCommerce sends when a webhook is created; answer it with 200 and decode nothing", normalize.ErrUnsupported, id))
	}
	return nil
}

// orderState decodes one order body, keeping the first error.
type orderState struct {
	wire.Reader
	d      Decoder
	b      *orderBody
	o      normalize.Order
	digits int32
}

// amount reads a money field, rounded to the currency's minor unit.
func (s *orderState) amount(line string, path func() string, n wire.Num) decimal.Decimal {
	return toMinor(s.Decimal(line, path, n), s.digits)
}

func (s *orderState) decode() (normalize.Order, error) {
	b := s.b
	s.o = normalize.Order{
		Platform:        normalize.WooCommerce,
		Store:           s.d.Store,
		PlatformOrderID: b.ID.String(),
		OrderNumber:     b.Number.String(),
		Currency:        b.Currency,
	}
	o := &s.o
	if o.PlatformOrderID == "" {
		return normalize.Order{}, s.Error("", "id", fmt.Errorf("%w: id", normalize.ErrMissing))
	}
	if b.Currency == "" {
		return normalize.Order{}, s.Error("", "currency", fmt.Errorf("%w: currency", normalize.ErrMissing))
	}
	digits, ok := normalize.MinorUnits(b.Currency)
	if !ok {
		return normalize.Order{}, s.Error("", "currency", fmt.Errorf("%w: unknown currency %q", normalize.ErrInvalid, b.Currency))
	}
	s.digits = digits
	if err := s.checkCurrency(); err != nil {
		return normalize.Order{}, err
	}

	if b.DateCreatedGMT == "" {
		return normalize.Order{}, s.Error("", "date_created_gmt", fmt.Errorf("%w: date_created_gmt (date_created is the site's local time without a zone and is not used)", normalize.ErrMissing))
	}
	o.OrderTS = s.Time("date_created_gmt", b.DateCreatedGMT)
	o.Version = o.OrderTS
	if b.DateModifiedGMT != "" {
		o.Version = s.Time("date_modified_gmt", b.DateModifiedGMT)
	}
	o.Status = s.status()
	o.CustomerRef = b.CustomerID.String()
	if o.CustomerRef == "0" { // a guest checkout
		o.CustomerRef = ""
	}
	o.DistributorRef = s.distributorRef()

	// prices_include_tax changes nothing: WooCommerce's line subtotal and
	// total exclude tax even then, so GrossIncludesTax stays false.
	s.lines()

	var orderDiscount decimal.Decimal
	o.Fees, orderDiscount = s.fees()
	o.Shipping = s.amount("", wire.At("shipping_total"), b.ShippingTotal)
	o.Tax = s.amount("", wire.At("total_tax"), b.TotalTax)
	o.Total = s.amount("", wire.At("total"), b.Total)
	s.refunds()
	if s.Err != nil {
		return normalize.Order{}, s.Err
	}
	if err := normalize.ComputeNets(o, orderDiscount, "fee_lines"); err != nil {
		return normalize.Order{}, err
	}
	if err := normalize.Reconcile(o); err != nil {
		return normalize.Order{}, err
	}
	return *o, nil
}

// checkCurrency refuses orders placed in another currency than the
// shop's: WooCommerce keeps no exact shop-currency figures for them.
func (s *orderState) checkCurrency() error {
	shop, path := s.d.ShopCurrency, "currency"
	if shop == "" {
		for i, m := range s.b.MetaData {
			if m.Key == wooPaymentsShopCurrency {
				if v, ok := m.text(); ok {
					shop, path = strings.ToUpper(strings.TrimSpace(v)), wire.Path("meta_data", i, "value")
				}
				break
			}
		}
	}
	if shop == "" || strings.EqualFold(shop, s.o.Currency) {
		return nil
	}
	return s.Error("", path, fmt.Errorf("%w: the order is in %s but the shop's currency is %s; WooCommerce holds no exact %s amounts for it (convert upstream or decode with ShopCurrency %q)",
		normalize.ErrUnsupported, s.o.Currency, shop, shop, s.o.Currency))
}

// status maps the WooCommerce status; see the table in doc.go.
func (s *orderState) status() normalize.Status {
	raw := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s.b.Status)), "wc-")
	if raw == "" {
		s.Fail("", "status", fmt.Errorf("%w: status", normalize.ErrMissing))
		return ""
	}
	st, ok := s.d.Statuses[raw]
	if !ok {
		st, ok = statuses[raw]
	}
	if !ok || !st.Valid() {
		s.Fail("", "status", fmt.Errorf("%w: unknown WooCommerce status %q (map it with Decoder.Statuses)", normalize.ErrInvalid, s.b.Status))
		return ""
	}
	if st == normalize.StatusPaid && len(s.b.Refunds) > 0 {
		st = normalize.StatusPartiallyRefunded
	}
	return st
}

var statuses = map[string]normalize.Status{
	"pending":        normalize.StatusPending,
	"on-hold":        normalize.StatusPending,
	"checkout-draft": normalize.StatusPending,
	"draft":          normalize.StatusPending,
	"processing":     normalize.StatusPaid,
	"completed":      normalize.StatusPaid,
	"refunded":       normalize.StatusRefunded,
	"cancelled":      normalize.StatusCancelled,
	"trash":          normalize.StatusCancelled,
	"failed":         normalize.StatusVoided,
}

// distributorRef looks in order meta_data, then line meta_data, then (if
// asked) coupon codes.
func (s *orderState) distributorRef() string {
	keys := s.d.RefKeys
	if keys == nil {
		keys = normalize.DefaultRefKeys()
	}
	if ref := normalize.FindRef(keys, attrs(s.b.MetaData)); ref != "" {
		return ref
	}
	for _, l := range s.b.LineItems {
		if ref := normalize.FindRef(keys, attrs(l.MetaData)); ref != "" {
			return ref
		}
	}
	if s.d.RefFromCoupon {
		for _, c := range s.b.CouponLines {
			if code := strings.TrimSpace(c.Code); code != "" {
				return code
			}
		}
	}
	return ""
}

// attrs turns meta_data into attributes. WordPress hides meta whose key
// starts with "_", and plugins store private fields that way, so such a
// key also matches without its underscore.
func attrs(ms []metaBody) []normalize.Attr {
	as := make([]normalize.Attr, 0, 2*len(ms)) // room for each hidden key twice
	for _, m := range ms {
		v, ok := m.text()
		if !ok {
			continue
		}
		as = append(as, normalize.Attr{Name: m.Key, Value: v})
		if k, hidden := strings.CutPrefix(m.Key, "_"); hidden {
			as = append(as, normalize.Attr{Name: k, Value: v})
		}
	}
	return as
}

// lineFigures are one body line's amounts.
type lineFigures struct {
	qty                            int64
	subtotal, total, tax, discount decimal.Decimal
	parent                         int // index of the bundle/composite parent, or -1
	zero                           bool
}

// lines fills the order's lines, applying the bundle and composite rule:
// a component line that carries no amount is the parent's sale and is
// left out; a parent that carries no amount while a component does is
// left out in favour of its components.
func (s *orderState) lines() {
	b := s.b
	index := make(map[string]int, len(b.LineItems))
	var cartKeys map[string]int // made for the first bundle or composite
	for i, l := range b.LineItems {
		if _, dup := index[l.ID.String()]; !dup {
			index[l.ID.String()] = i
		}
		for _, k := range []string{"_bundle_cart_key", "_composite_cart_key"} {
			if v, ok := metaText(l.MetaData, k); ok && v != "" {
				if cartKeys == nil {
					cartKeys = make(map[string]int)
				}
				cartKeys[v] = i
			}
		}
	}
	figs := make([]lineFigures, len(b.LineItems))
	discount := decimal.Zero
	for i, l := range b.LineItems {
		path := func(field string) string { return wire.Path("line_items", i, field) } // only for an error
		at := func(field string) func() string { return func() string { return path(field) } }
		id := l.ID.String()
		if id == "" {
			s.Fail("", path("id"), fmt.Errorf("%w: line id", normalize.ErrMissing))
			return
		}
		if index[id] != i { // the first line with this id is another
			s.Fail(id, path("id"), fmt.Errorf("%w: duplicate line id %q", normalize.ErrInvalid, id))
			return
		}
		qty, err := l.Quantity.Qty()
		if err != nil {
			s.Fail(id, path("quantity"), err)
			return
		}
		f := lineFigures{
			qty:      qty,
			subtotal: s.amount(id, at("subtotal"), l.Subtotal),
			total:    s.amount(id, at("total"), l.Total),
			tax:      s.amount(id, at("total_tax"), l.TotalTax),
			parent:   -1,
		}
		subTax := s.amount(id, at("subtotal_tax"), l.SubtotalTax)
		f.zero = f.subtotal.IsZero() && f.total.IsZero() && f.tax.IsZero() && subTax.IsZero()
		f.parent = parentOf(l, index, cartKeys)
		if f.parent == i {
			f.parent = -1
		}
		if f.total.GreaterThan(f.subtotal) {
			s.Fail(id, path("total"), fmt.Errorf("%w: total %s after discounts exceeds subtotal %s before them", normalize.ErrInvalid, f.total, f.subtotal))
			return
		}
		f.discount = fixedpoint.Sub(f.subtotal, f.total)
		discount = fixedpoint.Add(discount, f.discount)
		figs[i] = f
	}
	if s.Err != nil {
		return
	}
	if b.DiscountTotal.IsSet() {
		if want := s.amount("", wire.At("discount_total"), b.DiscountTotal); s.Err == nil && !want.Equal(discount) {
			s.Fail("", "discount_total", fmt.Errorf("%w: the lines' subtotal − total add to %s but discount_total is %s", normalize.ErrUnreconciled, discount, want))
			return
		}
	}

	pricedChild := make([]bool, len(figs))
	for _, f := range figs {
		if f.parent >= 0 && !f.zero {
			pricedChild[f.parent] = true
		}
	}
	for i, l := range b.LineItems {
		f := figs[i]
		if f.parent >= 0 && f.zero {
			continue // a component the parent line sold
		}
		if f.parent < 0 && f.zero && pricedChild[i] {
			continue // a parent whose components carry the amounts
		}
		line := normalize.Line{
			LineID:    l.ID.String(),
			ProductID: zeroless(l.ProductID),
			VariantID: zeroless(l.VariationID),
			Name:      l.Name,
			Qty:       f.qty,
			Gross:     f.subtotal,
			Discount:  f.discount,
			Tax:       f.tax,
		}
		line.PlatformSKU = strings.TrimSpace(l.SKU)
		if line.VariantID == "" {
			line.VariantID = line.ProductID
		}
		if f.parent >= 0 {
			line.ParentLineID = b.LineItems[f.parent].ID.String()
		}
		line.UnitPrice = unitPrice(f.subtotal, f.qty, s.digits)
		if s.o.Items == nil {
			s.o.Items = make([]normalize.Line, 0, len(b.LineItems)-i)
		}
		s.o.Items = append(s.o.Items, line)
	}
}

// parentOf finds a bundle or composite component's parent line: by the
// REST fields bundled_by / composite_parent (line ids), else by the
// meta _bundled_by / _composite_parent (the parent's cart key).
func parentOf(l lineBody, index, cartKeys map[string]int) int {
	for _, id := range []wire.ID{l.BundledBy, l.CompositeParent} {
		if id == "" {
			continue
		}
		if p, ok := index[id.String()]; ok {
			return p
		}
	}
	for _, k := range []string{"_bundled_by", "_composite_parent"} {
		if v, ok := metaText(l.MetaData, k); ok && v != "" {
			if p, ok := cartKeys[v]; ok {
				return p
			}
		}
	}
	return -1
}

func zeroless(id wire.ID) string {
	if id == "0" {
		return ""
	}
	return id.String()
}

// unitPrice is subtotal ÷ qty: exact when it divides, else rounded half-up
// to the minor unit. It is informational; Gross is the line's amount.
func unitPrice(subtotal decimal.Decimal, qty int64, digits int32) decimal.Decimal {
	if qty == 0 {
		return decimal.Zero
	}
	return fixedpoint.DivRound(subtotal, qty, digits)
}

// fees splits fee_lines into positive fees (never commissionable) and
// negative fees, which are discounts the platform did not allocate to any
// line: ComputeNets spreads them.
func (s *orderState) fees() (fees, discount decimal.Decimal) {
	fees, discount = decimal.Zero, decimal.Zero
	for i, f := range s.b.FeeLines {
		v := s.amount("", func() string { return wire.Path("fee_lines", i, "total") }, f.Total)
		if v.IsNegative() {
			discount = fixedpoint.Sub(discount, v)
		} else {
			fees = fixedpoint.Add(fees, v)
		}
	}
	return fees, discount
}

// refunds turns the order's refunds list into amount-only refunds: the
// list says only id, reason and total, so they name no lines. See the
// package documentation for why and for how their lines arrive.
func (s *orderState) refunds() {
	for i, r := range s.b.Refunds {
		path := wire.Path("refunds", i)
		if r.ID == "" {
			s.Fail("", path+".id", fmt.Errorf("%w: refund id", normalize.ErrMissing))
			return
		}
		total := s.amount("", func() string { return path + ".total" }, r.Total)
		if total.IsPositive() {
			s.Fail("", path+".total", fmt.Errorf("%w: refund total %s is positive; WooCommerce lists refunds on an order as negative totals", normalize.ErrInvalid, total))
			return
		}
		s.o.Refunds = append(s.o.Refunds, normalize.Refund{
			RefundID: r.ID.String(),
			TS:       s.o.Version,
			Amount:   total.Neg(),
		})
	}
}

// toMinor rounds an amount that carries more digits than the currency's
// minor unit, once, half away from zero (half-up on the magnitude, as
// PHP's round() that WooCommerce totals with).
func toMinor(v decimal.Decimal, digits int32) decimal.Decimal {
	if v.Shift(digits).IsInteger() {
		return v
	}
	return v.Round(digits)
}

// fail builds a *normalize.Error for a body that names no order.
func fail(line, path string, err error) *normalize.Error {
	return wire.Reader{Platform: normalize.WooCommerce}.Error(line, path, err)
}
