package normalize

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/fixedpoint"
)

// Validate checks that o is a well-formed canonical order: identity, times,
// a known currency, lines that can be mapped, amounts that are never
// negative and carry no more digits than the currency's minor unit, nets
// that follow from gross, discount and tax, and refunds that never take
// back more than a line sold. It does not check the order's total; see
// Reconcile. Errors are *Error values naming the order, line and path.
func Validate(o *Order) error {
	if o.Platform == "" {
		return errorf(o, "", "platform", fmt.Errorf("%w: platform", ErrMissing))
	}
	if o.PlatformOrderID == "" {
		return errorf(o, "", "platform_order_id", fmt.Errorf("%w: platform_order_id", ErrMissing))
	}
	if o.OrderTS.IsZero() {
		return errorf(o, "", "order_ts", fmt.Errorf("%w: order_ts", ErrMissing))
	}
	if err := checkInstant(o.OrderTS); err != nil {
		return errorf(o, "", "order_ts", err)
	}
	if o.Version.IsZero() {
		return errorf(o, "", "version", fmt.Errorf("%w: version", ErrMissing))
	}
	if err := checkInstant(o.Version); err != nil {
		return errorf(o, "", "version", err)
	}
	if !o.Status.Valid() {
		return errorf(o, "", "status", fmt.Errorf("%w: unknown status %q", ErrInvalid, o.Status))
	}
	digits, ok := MinorUnits(o.Currency)
	if !ok {
		return errorf(o, "", "currency", fmt.Errorf("%w: unknown currency %q", ErrInvalid, o.Currency))
	}
	if o.PresentmentCurrency != "" {
		pd, ok := MinorUnits(o.PresentmentCurrency)
		if !ok {
			return errorf(o, "", "presentment_currency", fmt.Errorf("%w: unknown currency %q", ErrInvalid, o.PresentmentCurrency))
		}
		if err := checkAmount(o.PresentmentTotal, pd); err != nil {
			return errorf(o, "", "presentment_total", err)
		}
	} else if !o.PresentmentTotal.IsZero() {
		return errorf(o, "", "presentment_total", fmt.Errorf("%w: presentment_total without presentment_currency", ErrInvalid))
	}
	for _, f := range []struct {
		path string
		v    decimal.Decimal
	}{{"shipping", o.Shipping}, {"fees", o.Fees}, {"tax", o.Tax}, {"total", o.Total}} {
		if err := checkAmount(f.v, digits); err != nil {
			return errorf(o, "", f.path, err)
		}
	}

	var lines map[string]int // line id → index, for many lines or any refund
	if len(o.Items) > 8 || len(o.Refunds) > 0 {
		lines = make(map[string]int, len(o.Items))
	}
	for i := range o.Items {
		l := &o.Items[i]
		path := func() string { return fmt.Sprintf("items[%d]", i) } // only for an error
		if l.LineID == "" {
			return errorf(o, "", path()+".line_id", fmt.Errorf("%w: line_id", ErrMissing))
		}
		if dupLine(o.Items[:i], lines, l.LineID) {
			return errorf(o, l.LineID, path()+".line_id", fmt.Errorf("%w: duplicate line_id %q", ErrInvalid, l.LineID))
		}
		if lines != nil {
			lines[l.LineID] = i
		}
		if l.PlatformSKU == "" && l.VariantID == "" {
			return errorf(o, l.LineID, path(), fmt.Errorf("%w: platform_sku or variant_id (lines are never mapped by name)", ErrMissing))
		}
		if l.Qty < 0 {
			return errorf(o, l.LineID, path()+".qty", fmt.Errorf("%w: negative quantity %d", ErrInvalid, l.Qty))
		}
		if l.UnitPrice.IsNegative() {
			return errorf(o, l.LineID, path()+".unit_price", fmt.Errorf("%w: negative amount %s", ErrInvalid, l.UnitPrice))
		}
		if lineHolds(l, o.GrossIncludesTax, digits) {
			continue
		}
		for _, f := range []struct {
			name string
			v    decimal.Decimal
		}{{"gross", l.Gross}, {"discount", l.Discount}, {"tax", l.Tax}, {"net", l.Net}} {
			if err := checkAmount(f.v, digits); err != nil {
				return errorf(o, l.LineID, path()+"."+f.name, err)
			}
		}
		if want := lineNet(l, o.GrossIncludesTax); !l.Net.Equal(want) {
			return errorf(o, l.LineID, path()+".net", fmt.Errorf("%w: net %s does not follow from gross %s, discount %s and tax %s (want %s)",
				ErrInvalid, l.Net, l.Gross, l.Discount, l.Tax, want))
		}
	}

	if len(o.Refunds) == 0 {
		return nil
	}
	refundIDs := make(map[string]bool, len(o.Refunds))
	qty := make([]int64, len(o.Items))
	net := make([]decimal.Decimal, len(o.Items))
	for i := range net {
		net[i] = decimal.Zero
	}
	for ri := range o.Refunds {
		r := &o.Refunds[ri]
		path := fmt.Sprintf("refunds[%d]", ri)
		if err := validateRefund(o, r, path, digits); err != nil {
			return err
		}
		if refundIDs[r.RefundID] {
			return errorf(o, "", path+".refund_id", fmt.Errorf("%w: duplicate refund_id %q", ErrInvalid, r.RefundID))
		}
		refundIDs[r.RefundID] = true
		for k, rl := range r.Items {
			lpath := fmt.Sprintf("%s.items[%d]", path, k)
			i, ok := lines[rl.LineID]
			if !ok {
				return errorf(o, rl.LineID, lpath+".line_id", fmt.Errorf("%w: refund names line %q that the order does not have", ErrInvalid, rl.LineID))
			}
			qty[i] += rl.Qty
			net[i] = fixedpoint.Add(net[i], rl.Net)
			if qty[i] > o.Items[i].Qty {
				return errorf(o, rl.LineID, lpath+".qty", fmt.Errorf("%w: refunds take back %d units of a line that sold %d", ErrRefundExceeds, qty[i], o.Items[i].Qty))
			}
			if net[i].GreaterThan(o.Items[i].Net) {
				return errorf(o, rl.LineID, lpath+".net", fmt.Errorf("%w: refunds take back net %s of a line whose net is %s", ErrRefundExceeds, net[i], o.Items[i].Net))
			}
		}
	}
	return nil
}

// ValidateRefund checks a refund decoded on its own: it names its order, a
// known currency, and amounts that are never negative. Whether it exceeds
// what was bought is known only against its order; see Order.ApplyRefund.
func ValidateRefund(r *Refund) error {
	o := &Order{Platform: r.Platform, PlatformOrderID: r.OrderID}
	if r.OrderID == "" {
		return errorf(o, "", "order_id", fmt.Errorf("%w: order_id", ErrMissing))
	}
	digits, ok := MinorUnits(r.Currency)
	if !ok {
		return errorf(o, "", "currency", fmt.Errorf("%w: unknown currency %q", ErrInvalid, r.Currency))
	}
	return validateRefund(o, r, "", digits)
}

func validateRefund(o *Order, r *Refund, path string, digits int32) error {
	join := func(field string) string {
		if path == "" {
			return field
		}
		return path + "." + field
	}
	if r.RefundID == "" {
		return errorf(o, "", join("refund_id"), fmt.Errorf("%w: refund_id", ErrMissing))
	}
	if r.TS.IsZero() {
		return errorf(o, "", join("ts"), fmt.Errorf("%w: ts", ErrMissing))
	}
	if err := checkInstant(r.TS); err != nil {
		return errorf(o, "", join("ts"), err)
	}
	if err := checkAmount(r.Shipping, digits); err != nil {
		return errorf(o, "", join("shipping"), err)
	}
	if err := checkAmount(r.Amount, digits); err != nil {
		return errorf(o, "", join("amount"), err)
	}
	for k, rl := range r.Items {
		lpath := join(fmt.Sprintf("items[%d]", k))
		if rl.LineID == "" {
			return errorf(o, "", lpath+".line_id", fmt.Errorf("%w: line_id", ErrMissing))
		}
		if rl.Qty < 0 {
			return errorf(o, rl.LineID, lpath+".qty", fmt.Errorf("%w: negative quantity %d", ErrInvalid, rl.Qty))
		}
		if err := checkAmount(rl.Net, digits); err != nil {
			return errorf(o, rl.LineID, lpath+".net", err)
		}
		if err := checkAmount(rl.Tax, digits); err != nil {
			return errorf(o, rl.LineID, lpath+".tax", err)
		}
	}
	return nil
}

// checkInstant holds an instant to the years ParseTime accepts, 1970 to
// 9999: event ids carry milliseconds since 1970, and nothing before it is
// an order.
func checkInstant(t time.Time) error {
	if y := t.UTC().Year(); y < 1970 || y > 9999 {
		return fmt.Errorf("%w: instant %s is outside 1970-9999", ErrInvalid, t.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// checkAmount holds an amount to the canonical form: not negative, and no
// more digits than the currency's minor unit.
func checkAmount(v decimal.Decimal, digits int32) error {
	if v.IsNegative() {
		return fmt.Errorf("%w: negative amount %s", ErrInvalid, v)
	}
	if !v.Shift(digits).IsInteger() {
		return fmt.Errorf("%w: amount %s has more digits than the currency's minor unit (%d)", ErrInvalid, v, digits)
	}
	return nil
}

// Reconcile checks that the order's parts add up to the platform's own
// total to the minor unit: Σ line Net + Shipping + Fees + Tax = Total. A
// decoder that cannot make a payload reconcile rejects it with
// ErrUnreconciled rather than commission on numbers it cannot explain.
func Reconcile(o *Order) error {
	if reconciled(o) {
		return nil
	}
	sum := fixedpoint.Add(fixedpoint.Add(o.Shipping, o.Fees), o.Tax)
	for i := range o.Items {
		sum = fixedpoint.Add(sum, o.Items[i].Net)
	}
	if !sum.Equal(o.Total) {
		return errorf(o, "", "total", fmt.Errorf("%w: Σ net %s + shipping %s + fees %s + tax %s = %s, but the total is %s (off by %s)",
			ErrUnreconciled, sum.Sub(o.Shipping).Sub(o.Fees).Sub(o.Tax), o.Shipping, o.Fees, o.Tax, sum, o.Total, o.Total.Sub(sum)))
	}
	return nil
}

// dupLine reports whether id is the id of one of before, the lines before
// it, looked up in lines when there is that map.
func dupLine(before []Line, lines map[string]int, id string) bool {
	if lines != nil {
		_, dup := lines[id]
		return dup
	}
	for i := range before {
		if before[i].LineID == id {
			return true
		}
	}
	return false
}

// lineHolds reports, without allocating, that l's gross, discount, tax
// and net pass checkAmount and that its net is lineNet's, in int64 minor
// units when all four are whole minor units of an int64, none negative.
// false says only that the checks must be run on the decimals to say
// what, if anything, is wrong.
func lineHolds(l *Line, grossIncludesTax bool, digits int32) bool {
	g, ok1 := fixedpoint.Minor(l.Gross, digits)
	d, ok2 := fixedpoint.Minor(l.Discount, digits)
	t, ok3 := fixedpoint.Minor(l.Tax, digits)
	n, ok4 := fixedpoint.Minor(l.Net, digits)
	const limit = 1 << 61
	if !ok1 || !ok2 || !ok3 || !ok4 || min(g, d, t, n) < 0 || max(g, d, t) > limit {
		return false
	}
	want := g - d
	if grossIncludesTax {
		want -= t
	}
	return n == want
}

// reconciled is Reconcile's check in int64 minor units, for the orders
// whose amounts all fit one: most, and without a decimal allocated. false
// means unreconciled or not known here.
func reconciled(o *Order) bool {
	digits, ok := MinorUnits(o.Currency)
	if !ok {
		return false
	}
	var sum int64
	add := func(d decimal.Decimal) bool {
		v, ok := fixedpoint.Minor(d, digits)
		if !ok || v > 1<<61 || v < -1<<61 || sum > 1<<61 || sum < -1<<61 {
			return false
		}
		sum += v
		return true
	}
	if !add(o.Shipping) || !add(o.Fees) || !add(o.Tax) {
		return false
	}
	for i := range o.Items {
		if !add(o.Items[i].Net) {
			return false
		}
	}
	total, ok := fixedpoint.Minor(o.Total, digits)
	return ok && total == sum
}

// ApplyRefund returns a copy of o with r among its refunds: the order as it
// stands after the refund, with Version moved up to the refund's instant if
// that is later. A refund with CapToLine is first fitted to o's lines (see
// Refund.CapToLine). A refund already present (same RefundID) is a duplicate
// delivery and returns o unchanged — unless the one present is a summary
// without lines (as an order body's refund list gives) and r has lines:
// then r replaces it in place. The refund must name o's platform,
// store and order (where it names them) and be in o's currency, and
// together with the refunds before it must not take back more than a line
// sold; otherwise ApplyRefund returns an error and the zero Order.
func (o Order) ApplyRefund(r Refund) (Order, error) {
	if (r.Platform != "" && r.Platform != o.Platform) || (r.Store != "" && r.Store != o.Store) ||
		(r.OrderID != "" && r.OrderID != o.PlatformOrderID) {
		return Order{}, errorf(&o, "", "order_id", fmt.Errorf("%w: refund %s is for order %s", ErrInvalid, r.RefundID,
			Key{Platform: r.Platform, Store: r.Store, OrderID: r.OrderID}))
	}
	if r.Currency != "" && r.Currency != o.Currency {
		return Order{}, errorf(&o, "", "currency", fmt.Errorf("%w: refund %s is in %s, the order in %s", ErrInvalid, r.RefundID, r.Currency, o.Currency))
	}
	r.Platform, r.Store, r.OrderID, r.Currency = "", "", "", ""
	if r.CapToLine {
		r.Items = o.capToLines(&r)
	}
	refunds := make([]Refund, len(o.Refunds), len(o.Refunds)+1)
	copy(refunds, o.Refunds)
	replaced := false
	for i, have := range refunds {
		if have.RefundID != r.RefundID {
			continue
		}
		if len(have.Items) > 0 || len(r.Items) == 0 {
			return o, nil
		}
		refunds[i], replaced = r, true
	}
	if !replaced {
		refunds = append(refunds, r)
	}
	o.Refunds = refunds
	if r.TS.After(o.Version) {
		o.Version = r.TS
	}
	if err := Validate(&o); err != nil {
		return Order{}, err
	}
	return o, nil
}

// capToLines returns r's lines fitted to o's as Refund.CapToLine says,
// given the refunds o holds besides r.
func (o *Order) capToLines(r *Refund) []RefundLine {
	index := make(map[string]int, len(o.Items))
	for i := range o.Items {
		index[o.Items[i].LineID] = i
	}
	qty := make([]int64, len(o.Items))
	net := make([]decimal.Decimal, len(o.Items))
	for _, have := range o.Refunds {
		if have.RefundID == r.RefundID {
			continue
		}
		for _, rl := range have.Items {
			if i, ok := index[rl.LineID]; ok {
				qty[i] += rl.Qty
				net[i] = fixedpoint.Add(net[i], rl.Net)
			}
		}
	}
	items := make([]RefundLine, 0, len(r.Items))
	for _, rl := range r.Items {
		i, ok := index[rl.LineID]
		if !ok {
			if !rl.Net.IsZero() || !rl.Tax.IsZero() {
				items = append(items, rl) // Validate names the line the order lacks
			}
			continue
		}
		left := fixedpoint.Sub(o.Items[i].Net, net[i])
		qty[i] += rl.Qty
		switch {
		case qty[i] == o.Items[i].Qty && rl.Qty > 0 && !left.IsNegative():
			rl.Net = left
		case rl.Net.GreaterThan(left) && !left.IsNegative():
			rl.Net = left
		}
		net[i] = fixedpoint.Add(net[i], rl.Net)
		items = append(items, rl)
	}
	return items
}
