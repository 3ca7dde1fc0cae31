package normalize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// The canonical JSON form. Amounts are strings with exactly the currency's
// minor-unit digits ("54.00", JPY "1200") so golden files are stable; ids
// are strings; instants are RFC 3339 in UTC. DESIGN.md shows an example.

type orderJSON struct {
	Platform            Platform        `json:"platform"`
	Store               string          `json:"store"`
	PlatformOrderID     string          `json:"platform_order_id"`
	OrderNumber         string          `json:"order_number,omitempty"`
	ReplacesOrderID     string          `json:"replaces_order_id,omitempty"`
	Version             string          `json:"version,omitempty"`
	OrderTS             string          `json:"order_ts"`
	Status              Status          `json:"status"`
	Currency            string          `json:"currency"`
	PresentmentCurrency string          `json:"presentment_currency,omitempty"`
	PresentmentTotal    json.RawMessage `json:"presentment_total,omitempty"`
	DistributorRef      string          `json:"distributor_ref,omitempty"`
	CustomerRef         string          `json:"customer_ref,omitempty"`
	GrossIncludesTax    bool            `json:"gross_includes_tax,omitempty"`
	Items               []lineJSON      `json:"items"`
	Shipping            json.RawMessage `json:"shipping,omitempty"`
	Fees                json.RawMessage `json:"fees,omitempty"`
	Tax                 json.RawMessage `json:"tax,omitempty"`
	Discount            json.RawMessage `json:"discount,omitempty"`
	Total               json.RawMessage `json:"total"`
	Refunds             []refundJSON    `json:"refunds,omitempty"`
}

type lineJSON struct {
	LineID       string          `json:"line_id"`
	PlatformSKU  string          `json:"platform_sku,omitempty"`
	VariantID    string          `json:"variant_id,omitempty"`
	ProductID    string          `json:"product_id,omitempty"`
	ParentLineID string          `json:"parent_line_id,omitempty"`
	Name         string          `json:"name,omitempty"`
	Qty          json.RawMessage `json:"qty"`
	UnitPrice    json.RawMessage `json:"unit_price"`
	Gross        json.RawMessage `json:"gross,omitempty"`
	Discount     json.RawMessage `json:"discount,omitempty"`
	Tax          json.RawMessage `json:"tax,omitempty"`
	Net          json.RawMessage `json:"net,omitempty"`
}

type refundJSON struct {
	Platform  Platform         `json:"platform,omitempty"`
	Store     string           `json:"store,omitempty"`
	OrderID   string           `json:"order_id,omitempty"`
	Currency  string           `json:"currency,omitempty"`
	RefundID  string           `json:"refund_id"`
	TS        string           `json:"ts"`
	Items     []refundLineJSON `json:"items"`
	Shipping  json.RawMessage  `json:"shipping,omitempty"`
	Amount    json.RawMessage  `json:"amount,omitempty"`
	CapToLine bool             `json:"cap_to_line,omitempty"`
}

type refundLineJSON struct {
	LineID string          `json:"line_id"`
	Qty    json.RawMessage `json:"qty"`
	Net    json.RawMessage `json:"net"`
	Tax    json.RawMessage `json:"tax,omitempty"`
}

// MarshalJSON writes the canonical JSON form.
func (o Order) MarshalJSON() ([]byte, error) {
	digits, ok := MinorUnits(o.Currency)
	if !ok {
		return nil, errorf(&o, "", "currency", fmt.Errorf("%w: unknown currency %q", ErrInvalid, o.Currency))
	}
	j := orderJSON{
		Platform:            o.Platform,
		Store:               o.Store,
		PlatformOrderID:     o.PlatformOrderID,
		OrderNumber:         o.OrderNumber,
		ReplacesOrderID:     o.ReplacesOrderID,
		Version:             formatTime(o.Version),
		OrderTS:             formatTime(o.OrderTS),
		Status:              o.Status,
		Currency:            o.Currency,
		PresentmentCurrency: o.PresentmentCurrency,
		DistributorRef:      o.DistributorRef,
		CustomerRef:         o.CustomerRef,
		GrossIncludesTax:    o.GrossIncludesTax,
		Items:               make([]lineJSON, len(o.Items)),
		Shipping:            amountJSON(o.Shipping, digits),
		Fees:                amountJSON(o.Fees, digits),
		Tax:                 amountJSON(o.Tax, digits),
		Discount:            amountJSON(o.Discount(), digits),
		Total:               amountJSON(o.Total, digits),
	}
	if o.PresentmentCurrency != "" {
		pd, ok := MinorUnits(o.PresentmentCurrency)
		if !ok {
			return nil, errorf(&o, "", "presentment_currency", fmt.Errorf("%w: unknown currency %q", ErrInvalid, o.PresentmentCurrency))
		}
		j.PresentmentTotal = amountJSON(o.PresentmentTotal, pd)
	}
	for i, l := range o.Items {
		j.Items[i] = lineJSON{
			LineID:       l.LineID,
			PlatformSKU:  l.PlatformSKU,
			VariantID:    l.VariantID,
			ProductID:    l.ProductID,
			ParentLineID: l.ParentLineID,
			Name:         l.Name,
			Qty:          json.RawMessage(strconv.FormatInt(l.Qty, 10)),
			UnitPrice:    amountJSON(l.UnitPrice, digits),
			Gross:        amountJSON(l.Gross, digits),
			Discount:     amountJSON(l.Discount, digits),
			Tax:          amountJSON(l.Tax, digits),
			Net:          amountJSON(l.Net, digits),
		}
	}
	for _, r := range o.Refunds {
		j.Refunds = append(j.Refunds, r.toJSON(digits))
	}
	return json.Marshal(j)
}

// MarshalJSON writes a refund in the canonical form. A refund decoded on
// its own carries its order's key and currency; one nested in an order
// leaves them out.
func (r Refund) MarshalJSON() ([]byte, error) {
	digits, ok := MinorUnits(r.Currency)
	if !ok {
		return nil, errorf(&Order{Platform: r.Platform, PlatformOrderID: r.OrderID}, "", "currency",
			fmt.Errorf("%w: unknown currency %q", ErrInvalid, r.Currency))
	}
	return json.Marshal(r.toJSON(digits))
}

func (r Refund) toJSON(digits int32) refundJSON {
	j := refundJSON{
		Platform:  r.Platform,
		Store:     r.Store,
		OrderID:   r.OrderID,
		Currency:  r.Currency,
		RefundID:  r.RefundID,
		TS:        formatTime(r.TS),
		Items:     make([]refundLineJSON, len(r.Items)),
		Shipping:  amountJSON(r.Shipping, digits),
		Amount:    amountJSON(r.Amount, digits),
		CapToLine: r.CapToLine,
	}
	for i, rl := range r.Items {
		j.Items[i] = refundLineJSON{
			LineID: rl.LineID,
			Qty:    json.RawMessage(strconv.FormatInt(rl.Qty, 10)),
			Net:    amountJSON(rl.Net, digits),
			Tax:    amountJSON(rl.Tax, digits),
		}
	}
	return j
}

// DecodeJSON reads one order in the canonical JSON form, or in the
// article's shorter form of it. Unknown fields, keys given twice, keys
// that differ from a field only in case and text that is not valid UTF-8
// are refused with ErrMalformed and the JSON path, so a misspelt or
// repeated field never silently becomes zero or replaces the real one. Amounts may be strings or JSON
// numbers. What the short form leaves out is derived: version defaults to
// order_ts, a line's line_id to its 1-based position, gross to qty ×
// unit_price, discount and tax to zero, net from the rest; a net or
// discount that is present must agree with what it is derived from. The
// order must pass Validate and Reconcile.
func DecodeJSON(body []byte) (Order, error) {
	var o Order
	if err := Unmarshal("", body, &o); err != nil {
		return Order{}, err
	}
	return o, nil
}

// UnmarshalJSON reads the canonical JSON form; see DecodeJSON.
func (o *Order) UnmarshalJSON(b []byte) error {
	var j orderJSON
	if err := UnmarshalStrict("", b, &j); err != nil {
		return err
	}
	r := reader{o: &Order{Platform: j.Platform, PlatformOrderID: j.PlatformOrderID}}
	n := Order{
		Platform:            j.Platform,
		Store:               j.Store,
		PlatformOrderID:     j.PlatformOrderID,
		OrderNumber:         j.OrderNumber,
		ReplacesOrderID:     j.ReplacesOrderID,
		OrderTS:             r.time("order_ts", j.OrderTS),
		Status:              j.Status,
		Currency:            j.Currency,
		PresentmentCurrency: j.PresentmentCurrency,
		PresentmentTotal:    r.amount("", "presentment_total", j.PresentmentTotal),
		DistributorRef:      j.DistributorRef,
		CustomerRef:         j.CustomerRef,
		GrossIncludesTax:    j.GrossIncludesTax,
		Items:               make([]Line, len(j.Items)),
		Shipping:            r.amount("", "shipping", j.Shipping),
		Fees:                r.amount("", "fees", j.Fees),
		Tax:                 r.amount("", "tax", j.Tax),
		Total:               r.amount("", "total", j.Total),
	}
	n.Version = n.OrderTS
	if j.Version != "" {
		n.Version = r.time("version", j.Version)
	}
	for i, lj := range j.Items {
		path := fmt.Sprintf("items[%d]", i)
		l := Line{
			LineID:       lj.LineID,
			PlatformSKU:  lj.PlatformSKU,
			VariantID:    lj.VariantID,
			ProductID:    lj.ProductID,
			ParentLineID: lj.ParentLineID,
			Name:         lj.Name,
		}
		if l.LineID == "" {
			l.LineID = strconv.Itoa(i + 1)
		}
		l.Qty = r.qty(l.LineID, path+".qty", lj.Qty)
		l.UnitPrice = r.amount(l.LineID, path+".unit_price", lj.UnitPrice)
		l.Gross = l.UnitPrice.Mul(decimal.NewFromInt(l.Qty))
		if lj.Gross != nil {
			l.Gross = r.amount(l.LineID, path+".gross", lj.Gross)
		}
		l.Discount = r.amount(l.LineID, path+".discount", lj.Discount)
		l.Tax = r.amount(l.LineID, path+".tax", lj.Tax)
		l.Net = lineNet(&l, n.GrossIncludesTax)
		if lj.Net != nil {
			l.Net = r.amount(l.LineID, path+".net", lj.Net)
		}
		n.Items[i] = l
	}
	for i, rj := range j.Refunds {
		n.Refunds = append(n.Refunds, r.refund(fmt.Sprintf("refunds[%d]", i), rj))
	}
	if r.err != nil {
		return r.err
	}
	if j.Discount != nil {
		if d := r.amount("", "discount", j.Discount); r.err == nil && !d.Equal(n.Discount()) {
			r.fail("", "discount", fmt.Errorf("%w: discount %s is not the sum of the lines' discounts %s", ErrInvalid, d, n.Discount()))
		}
		if r.err != nil {
			return r.err
		}
	}
	if err := Validate(&n); err != nil {
		return err
	}
	if err := Reconcile(&n); err != nil {
		return err
	}
	*o = n
	return nil
}

// DecodeRefundJSON reads one refund in the canonical JSON form, as decoded
// on its own: it must name its order and currency.
func DecodeRefundJSON(body []byte) (Refund, error) {
	var r Refund
	if err := Unmarshal("", body, &r); err != nil {
		return Refund{}, err
	}
	return r, nil
}

// UnmarshalJSON reads a refund in the canonical JSON form. A refund that
// names no order (as inside an order's refunds) is checked by its order.
func (r *Refund) UnmarshalJSON(b []byte) error {
	var j refundJSON
	if err := UnmarshalStrict("", b, &j); err != nil {
		return err
	}
	rd := reader{o: &Order{Platform: j.Platform, PlatformOrderID: j.OrderID}}
	n := rd.refund("", j)
	if rd.err != nil {
		return rd.err
	}
	if n.OrderID != "" {
		if err := ValidateRefund(&n); err != nil {
			return err
		}
	}
	*r = n
	return nil
}

// reader converts the canonical form's raw fields, keeping the first error.
type reader struct {
	o   *Order
	err error
}

func (r *reader) fail(line, path string, err error) {
	if r.err == nil {
		r.err = errorf(r.o, line, path, err)
	}
}

func (r *reader) amount(line, path string, raw json.RawMessage) decimal.Decimal {
	s, ok := r.text(line, path, raw)
	if !ok || s == "" {
		return decimal.Zero
	}
	d, err := ParseAmount(s)
	if err != nil {
		r.fail(line, path, err)
		return decimal.Zero
	}
	return d
}

func (r *reader) qty(line, path string, raw json.RawMessage) int64 {
	d := r.amount(line, path, raw)
	if !d.IsInteger() || d.IsNegative() || d.GreaterThan(decimal.NewFromInt(1<<53)) {
		r.fail(line, path, fmt.Errorf("%w: quantity %s is not a whole number from 0 to 2^53", ErrInvalid, d))
		return 0
	}
	return d.IntPart()
}

// text returns a raw JSON string's content or a JSON number's digits.
func (r *reader) text(line, path string, raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
		return "", true
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			r.fail(line, path, fmt.Errorf("%w: %v", ErrMalformed, err))
			return "", false
		}
		return s, true
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		return string(raw), true
	}
	r.fail(line, path, fmt.Errorf("%w: got JSON %s, want a number or a numeric string", ErrMalformed, raw))
	return "", false
}

func (r *reader) time(path, s string) time.Time {
	if s == "" {
		return time.Time{} // Validate names what is missing
	}
	t, err := ParseTime(s)
	if err != nil {
		r.fail("", path, err)
	}
	return t
}

func (r *reader) refund(path string, j refundJSON) Refund {
	join := func(field string) string {
		if path == "" {
			return field
		}
		return path + "." + field
	}
	n := Refund{
		Platform:  j.Platform,
		Store:     j.Store,
		OrderID:   j.OrderID,
		Currency:  j.Currency,
		RefundID:  j.RefundID,
		TS:        r.time(join("ts"), j.TS),
		Items:     make([]RefundLine, len(j.Items)),
		Shipping:  r.amount("", join("shipping"), j.Shipping),
		Amount:    r.amount("", join("amount"), j.Amount),
		CapToLine: j.CapToLine,
	}
	for i, lj := range j.Items {
		lpath := join(fmt.Sprintf("items[%d]", i))
		n.Items[i] = RefundLine{
			LineID: lj.LineID,
			Qty:    r.qty(lj.LineID, lpath+".qty", lj.Qty),
			Net:    r.amount(lj.LineID, lpath+".net", lj.Net),
			Tax:    r.amount(lj.LineID, lpath+".tax", lj.Tax),
		}
	}
	return n
}

// amountJSON formats an amount with the currency's minor-unit digits, or
// with all of its own digits if it has more, so encoding never rounds.
func amountJSON(d decimal.Decimal, digits int32) json.RawMessage {
	places := max(digits, -d.Exponent())
	return json.RawMessage(strconv.Quote(d.StringFixed(places)))
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
