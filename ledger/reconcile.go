package ledger

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/normalize"
)

// ShareDigits is how many decimal places a reconciliation's delta share is
// reported with. A share of exactly zero is reported as "0".
const ShareDigits = 12

// SlotDelta is one slot whose posted sum differs from what is desired.
type SlotDelta struct {
	LineID      string
	Component   string
	Rule        string
	Beneficiary string
	Level       int
	Desired     decimal.Decimal
	Posted      decimal.Decimal
}

// OrderDelta compares one order's desired and posted events.
type OrderDelta struct {
	Order    normalize.Key
	Currency string
	// Desired and Posted are the sums over the order's slots; Delta is
	// Σ |posted − desired| per slot.
	Desired, Posted, Delta decimal.Decimal
	// Slots are the differing slots, in slot order.
	Slots []SlotDelta
}

// HeldOrder is a platform order reconciliation could not calculate.
type HeldOrder struct {
	Order  normalize.Key
	Reason string
}

// CurrencyTotal sums one currency over every order reconciled.
type CurrencyTotal struct {
	Currency string
	// Desired is Σ |desired| per slot, Posted Σ |posted| per slot, Delta
	// Σ |posted − desired| per slot.
	Desired, Posted, Delta decimal.Decimal
	// Share is Delta / Desired to ShareDigits places: "0" when nothing
	// differs, "inf" when something was posted and nothing is desired.
	Share string
}

// Reconciliation compares the platform's orders with what the ledger
// posted for them, per order and in total. Lists are sorted by order key.
type Reconciliation struct {
	Period Period
	// Orders is how many distinct platform orders were given; Matched how
	// many of them are posted exactly as desired.
	Orders, Matched int
	// Missing orders should have posted something and posted nothing.
	Missing []OrderDelta
	// Extra orders have commissions effective in the period but are not
	// among the platform's orders.
	Extra []OrderDelta
	// Differing orders are posted, but not as desired.
	Differing []OrderDelta
	// Held orders could not be calculated (see HeldError); they are not
	// in the totals.
	Held []HeldOrder
	// Totals are per currency, sorted by currency.
	Totals []CurrencyTotal
	// Share is the largest share among Totals ("0" when there are none).
	Share string
}

type slotSums struct {
	keys    []commission.Slot
	desired map[commission.Slot]decimal.Decimal
	posted  map[commission.Slot]decimal.Decimal
}

func (s *slotSums) add(e *commission.Event, posted bool) {
	k := e.Slot()
	_, d := s.desired[k]
	_, p := s.posted[k]
	if !d && !p {
		s.keys = append(s.keys, k)
	}
	if posted {
		s.posted[k] = s.posted[k].Add(e.Amount())
	} else {
		s.desired[k] = s.desired[k].Add(e.Amount())
	}
}

// Reconcile recalculates each platform order (its newest revision among
// orders) as Post would calculate it: merged with the newest revision the
// ledger recorded (refunds delivered on their own are carried forward), at
// the lock recorded when it was first posted (or the lock of the order it
// replaces, or, for an order never posted, with the genealogy as known at
// at). It compares the desired events with what is posted, per slot, and
// looks for orders with commissions effective in period p that the
// platform did not list. An order that was replaced is desired at zero.
func (l *Ledger) Reconcile(ctx context.Context, p Period, orders []normalize.Order, at time.Time) (*Reconciliation, error) {
	if l.calc == nil {
		return nil, fmt.Errorf("%w: the ledger has no calculator", ErrInvalid)
	}
	newest := make(map[normalize.Key]*normalize.Order, len(orders))
	for i := range orders {
		k := orders[i].Key()
		if o, ok := newest[k]; !ok || orders[i].Version.After(o.Version) {
			newest[k] = &orders[i]
		}
	}
	r := &Reconciliation{Period: p, Orders: len(newest)}
	totals := make(map[string]*CurrencyTotal)
	total := func(cur string) *CurrencyTotal {
		t := totals[cur]
		if t == nil {
			t = &CurrencyTotal{Currency: cur}
			totals[cur] = t
		}
		return t
	}
	compare := func(k normalize.Key, currency string, desired, posted []commission.Event) bool {
		s := slotSums{desired: make(map[commission.Slot]decimal.Decimal), posted: make(map[commission.Slot]decimal.Decimal)}
		for i := range desired {
			s.add(&desired[i], false)
		}
		for i := range posted {
			s.add(&posted[i], true)
			currency = posted[i].Currency
		}
		d := OrderDelta{Order: k, Currency: currency}
		t := total(currency)
		for _, sk := range s.keys {
			want, got := s.desired[sk], s.posted[sk]
			d.Desired, d.Posted = d.Desired.Add(want), d.Posted.Add(got)
			t.Desired, t.Posted = t.Desired.Add(want.Abs()), t.Posted.Add(got.Abs())
			if diff := got.Sub(want); !diff.IsZero() {
				d.Delta = d.Delta.Add(diff.Abs())
				d.Slots = append(d.Slots, SlotDelta{LineID: sk.LineID, Component: sk.Component, Rule: sk.Rule,
					Beneficiary: sk.Beneficiary, Level: sk.Level, Desired: want, Posted: got})
			}
		}
		t.Delta = t.Delta.Add(d.Delta)
		switch {
		case d.Delta.IsZero():
			return true
		case len(posted) == 0:
			r.Missing = append(r.Missing, d)
		case desired == nil:
			r.Extra = append(r.Extra, d)
		default:
			r.Differing = append(r.Differing, d)
		}
		return false
	}
	for _, k := range slices.SortedFunc(maps.Keys(newest), compareKeys) {
		st, err := l.readState(ctx, k)
		if err != nil {
			return nil, err
		}
		desired, why, err := l.desired(ctx, newest[k], &st, at.UTC())
		if err != nil {
			return nil, err
		}
		if why != "" {
			r.Held = append(r.Held, HeldOrder{Order: k, Reason: why})
			continue
		}
		if compare(k, newest[k].Currency, desired, st.events) {
			r.Matched++
		}
	}
	extra := make(map[normalize.Key]bool)
	err := l.store.Scan(ctx, Filter{Types: []Type{TypeCommission}, From: p.From, To: p.To}, func(e *Entry) error {
		if _, ok := newest[e.Order]; !ok {
			extra[e.Order] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, k := range slices.SortedFunc(maps.Keys(extra), compareKeys) {
		st, err := l.readState(ctx, k)
		if err != nil {
			return nil, err
		}
		compare(k, "", nil, st.events)
	}
	r.Share = "0"
	var worst decimal.Decimal
	for _, c := range slices.Sorted(maps.Keys(totals)) {
		t := totals[c]
		switch {
		case t.Delta.IsZero():
			t.Share = "0"
		case t.Desired.IsZero():
			t.Share = "inf"
			r.Share = "inf"
		default:
			s := t.Delta.DivRound(t.Desired, ShareDigits)
			t.Share = s.String()
			if r.Share != "inf" && s.GreaterThan(worst) {
				worst, r.Share = s, t.Share
			}
		}
		r.Totals = append(r.Totals, *t)
	}
	return r, nil
}

// desired returns what order st should have posted, given o, the newest
// body the platform lists: the newer of o and the body the ledger holds,
// merged with every refund recorded (and o's), calculated on the order's
// basis, as Post would; nothing for a replaced order. why is the reason
// the order cannot be calculated, when it cannot.
func (l *Ledger) desired(ctx context.Context, o *normalize.Order, st *orderState, at time.Time) (events []commission.Event, why string, err error) {
	if st.replacedBy != (normalize.Key{}) {
		return []commission.Event{}, "", nil
	}
	if st.frozen != nil {
		return nil, frozenError(st, o.Version.UTC()).Error(), nil
	}
	body, refunds := o, st.refunds
	if st.body != nil && st.body.Version.After(o.Version) {
		body = st.body
		refunds = append(slices.Clip(refunds), o.Refunds...)
	}
	m, err := merge(body, refunds)
	if err != nil {
		return nil, err.Error(), nil
	}
	b, _, err := l.basisFor(ctx, o, st, at)
	for range l.attempts {
		if !errors.Is(err, errReread) {
			break
		}
		if *st, err = l.readState(ctx, st.key); err == nil {
			b, _, err = l.basisFor(ctx, o, st, at)
		}
	}
	var held *HeldError
	if errors.As(err, &held) {
		return nil, err.Error(), nil
	} else if err != nil {
		return nil, "", err
	}
	m.OrderTS = b.placed
	calc, err := l.calc.Calculate(&m, b.lock)
	if err != nil {
		return nil, err.Error(), nil
	}
	if calc.Events == nil {
		return []commission.Event{}, "", nil
	}
	return calc.Events, "", nil
}

func compareKeys(a, b normalize.Key) int {
	return cmp.Or(cmp.Compare(a.Platform, b.Platform), cmp.Compare(a.Store, b.Store), cmp.Compare(a.OrderID, b.OrderID))
}

// money formats d with the currency's minor-unit digits, or exactly when
// the currency is unknown or d has more digits (the ledger never rounds).
func money(d decimal.Decimal, currency string) string {
	digits, ok := normalize.MinorUnits(currency)
	if !ok || -d.Exponent() > digits {
		return d.String()
	}
	return d.StringFixed(digits)
}

type jsonSlot struct {
	LineID      string `json:"line_id"`
	Component   string `json:"component,omitempty"`
	Rule        string `json:"rule"`
	Beneficiary string `json:"beneficiary"`
	Level       int    `json:"level"`
	Desired     string `json:"desired"`
	Posted      string `json:"posted"`
}

type jsonKey struct {
	Platform string `json:"platform"`
	Store    string `json:"store"`
	OrderID  string `json:"order_id"`
}

type jsonDelta struct {
	Order    jsonKey    `json:"order"`
	Currency string     `json:"currency"`
	Desired  string     `json:"desired"`
	Posted   string     `json:"posted"`
	Delta    string     `json:"delta"`
	Slots    []jsonSlot `json:"slots"`
}

func deltasJSON(ds []OrderDelta) []jsonDelta {
	out := make([]jsonDelta, 0, len(ds))
	for _, d := range ds {
		j := jsonDelta{Order: jsonKey{string(d.Order.Platform), d.Order.Store, d.Order.OrderID}, Currency: d.Currency,
			Desired: money(d.Desired, d.Currency), Posted: money(d.Posted, d.Currency), Delta: money(d.Delta, d.Currency),
			Slots: make([]jsonSlot, 0, len(d.Slots))}
		for _, s := range d.Slots {
			j.Slots = append(j.Slots, jsonSlot{s.LineID, s.Component, s.Rule, s.Beneficiary, s.Level,
				money(s.Desired, d.Currency), money(s.Posted, d.Currency)})
		}
		out = append(out, j)
	}
	return out
}

// MarshalJSON writes the report with amounts as strings in each currency's
// minor unit, instants in RFC 3339 UTC and every list present (possibly
// empty).
func (r *Reconciliation) MarshalJSON() ([]byte, error) {
	type jsonTotal struct {
		Currency string `json:"currency"`
		Desired  string `json:"desired"`
		Posted   string `json:"posted"`
		Delta    string `json:"delta"`
		Share    string `json:"share"`
	}
	var w struct {
		Period struct {
			From string `json:"from"`
			To   string `json:"to"`
		} `json:"period"`
		Orders    int         `json:"orders"`
		Matched   int         `json:"matched"`
		Share     string      `json:"delta_share"`
		Totals    []jsonTotal `json:"totals"`
		Missing   []jsonDelta `json:"missing"`
		Extra     []jsonDelta `json:"extra"`
		Differing []jsonDelta `json:"differing"`
		Held      []jsonHeld  `json:"held"`
	}
	w.Period.From, w.Period.To = r.Period.From.UTC().Format(time.RFC3339Nano), r.Period.To.UTC().Format(time.RFC3339Nano)
	w.Orders, w.Matched, w.Share = r.Orders, r.Matched, r.Share
	w.Totals = make([]jsonTotal, 0, len(r.Totals))
	for _, t := range r.Totals {
		w.Totals = append(w.Totals, jsonTotal{t.Currency, money(t.Desired, t.Currency), money(t.Posted, t.Currency),
			money(t.Delta, t.Currency), t.Share})
	}
	w.Missing, w.Extra, w.Differing = deltasJSON(r.Missing), deltasJSON(r.Extra), deltasJSON(r.Differing)
	w.Held = heldJSON(r.Held)
	return indentJSON(w)
}

// WriteTable writes the report as a readable table: the totals per
// currency, then one row per order that does not match, with its
// differing slots.
func (r *Reconciliation) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "reconciliation %s – %s: %d orders, %d matched, %d missing, %d extra, %d differing, %d held, delta share %s\n",
		r.Period.From.UTC().Format(time.RFC3339), r.Period.To.UTC().Format(time.RFC3339), r.Orders, r.Matched,
		len(r.Missing), len(r.Extra), len(r.Differing), len(r.Held), r.Share)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\ncurrency\tdesired\tposted\tdelta\tshare\t")
	for _, t := range r.Totals {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", t.Currency, money(t.Desired, t.Currency), money(t.Posted, t.Currency),
			money(t.Delta, t.Currency), t.Share)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Missing)+len(r.Extra)+len(r.Differing) > 0 {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "\nstatus\torder\tslot\tdesired\tposted\tdelta\t")
		rows := func(status string, ds []OrderDelta) {
			for _, d := range ds {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", status, d.Order, d.Currency, money(d.Desired, d.Currency),
					money(d.Posted, d.Currency), money(d.Delta, d.Currency))
				for _, s := range d.Slots {
					slot := "line " + s.LineID
					if s.Component != "" {
						slot += "/" + s.Component
					}
					slot += " " + s.Rule + " " + s.Beneficiary + " L" + strconv.Itoa(s.Level)
					fmt.Fprintf(tw, "\t\t%s\t%s\t%s\t%s\t\n", slot, money(s.Desired, d.Currency), money(s.Posted, d.Currency),
						money(s.Posted.Sub(s.Desired), d.Currency))
				}
			}
		}
		rows("missing", r.Missing)
		rows("extra", r.Extra)
		rows("differing", r.Differing)
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.Held) > 0 {
		fmt.Fprintln(w, "\nheld (not in the totals):")
		for _, h := range r.Held {
			fmt.Fprintf(w, "  %s: %s\n", h.Order, h.Reason)
		}
	}
	return nil
}

type jsonHeld struct {
	Order  jsonKey `json:"order"`
	Reason string  `json:"reason"`
}

// heldJSON is the JSON form of a report's held orders, never null.
func heldJSON(hs []HeldOrder) []jsonHeld {
	out := make([]jsonHeld, 0, len(hs))
	for _, h := range hs {
		out = append(out, jsonHeld{jsonKey{string(h.Order.Platform), h.Order.Store, h.Order.OrderID}, h.Reason})
	}
	return out
}

// indentJSON writes a report as JSON indented by two spaces, without HTML
// escaping and without a final newline.
func indentJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
