package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/internal/testworld"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// The property test below generates random order histories — body
// revisions, refunds delivered on their own or inside later bodies,
// chains of edits, two edits of one order, currency changes — delivers
// them in random orders with random repeats, and requires that the
// ledger ends as if they had arrived in the order the platform produced
// them, and as an independent calculation of the platform's final orders
// says it must.

// propAt is every post's instant: the lock (the genealogy as known then)
// must not depend on the delivery order.
var propAt = ledgerworld.Placed

const propStore = "ledgertest.myshopify.com"

// propMove is when C moves from B to A in movingWorld: after every
// original is placed, before any edit of one is, so that an edit
// calculated at its own OrderTS instead of its original's pays other
// members.
var propMove = ledgerworld.Placed.Add(12 * time.Hour)

// movingWorld is ledgertest's World, but C's sponsor changes from B to A
// at propMove (known since January).
func movingWorld(t testing.TB) *ledgerworld.World {
	g, err := testworld.Genealogy(testworld.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.ChangeSponsor("C", "A", propMove, ledgerworld.Jan); err != nil {
		t.Fatal(err)
	}
	e, err := ledgerworld.EngineOver(g)
	if err != nil {
		t.Fatal(err)
	}
	return &ledgerworld.World{Engine: e, Members: []string{"A", "B", "C", "ROOT", "U", "ZERO"}}
}

// kind is what a family of orders exercises.
type kind uint8

const (
	// plainOrder: pending, paid, refunds on their own and in later bodies,
	// perhaps a cancellation.
	plainOrder kind = iota
	// chainOfEdits: X ← X-1 (← X-2), each naming its direct parent, with
	// different lines; the last may be refunded.
	chainOfEdits
	// twoEdits: both name X. Ambiguous: the first delivered
	// pays, the other is held with ErrAmbiguousReplacement.
	twoEdits
	// currencyChange: a body in another currency. Ambiguous: the order
	// is frozen at zero with ErrCurrencyChanged.
	currencyChange
)

var kindNames = [...]string{"plain", "chain", "two edits", "currency"}

// delivery is one webhook: an order body or a refund delivered on its own.
type delivery struct {
	name   string
	family int
	order  normalize.Key
	body   *normalize.Order
	refund *normalize.Refund
}

// family is a set of orders whose deliveries depend on each other.
type family struct {
	kind kind
	// orders are the family's orders, first the original.
	orders []normalize.Key
	// pays maps each order that may pay in the end to its final state: its
	// newest body with every refund applied, OrderTS the instant the chain
	// is read at. For twoEdits both edits are here; whichever is
	// delivered first pays. A currency change pays nothing.
	pays map[normalize.Key]normalize.Order
}

// propCase is one generated history.
type propCase struct {
	seed       uint64
	deliveries []delivery // per family, in the order the platform produced them
	families   []family
	bodies     []normalize.Order // every body, for Reconcile (it takes each order's newest)
}

// spec is an order's fixed parts; body renders it at one revision.
type spec struct {
	id, replaces, ref, currency string
	placed                      time.Time
	lines                       []normalize.Line
	shipping, tax               decimal.Decimal
}

func (s *spec) key() normalize.Key {
	return normalize.Key{Platform: normalize.Shopify, Store: propStore, OrderID: s.id}
}

func (s *spec) body(version time.Time, status normalize.Status, refunds []normalize.Refund) normalize.Order {
	total := s.shipping.Add(s.tax)
	for _, l := range s.lines {
		total = total.Add(l.Net)
	}
	return normalize.Order{Platform: normalize.Shopify, Store: propStore, PlatformOrderID: s.id, ReplacesOrderID: s.replaces,
		Version: version, OrderTS: s.placed, Status: status, Currency: s.currency, DistributorRef: s.ref,
		Items: slices.Clone(s.lines), Shipping: s.shipping, Tax: s.tax, Total: total, Refunds: refunds}
}

// refundOn returns r as delivered on its own for s.
func (s *spec) refundOn(r normalize.Refund) normalize.Refund {
	r.Platform, r.Store, r.OrderID, r.Currency = normalize.Shopify, propStore, s.id, s.currency
	return r
}

var (
	propSKUs   = []string{"VIT-C-90", "PROT-1KG"}
	propPrices = []string{"19.99", "45.50", "7.25", "120.00", "0.99"}
	propRefs   = []string{"C", "B", "A", "U"}
)

func newSpec(rng *rand.Rand, id, replaces, ref, currency string, placed time.Time) spec {
	s := spec{id: id, replaces: replaces, ref: ref, currency: currency, placed: placed,
		shipping: decimal.New(int64(rng.IntN(3))*250, -2), tax: decimal.New(int64(rng.IntN(900)), -2)}
	for i := range 1 + rng.IntN(3) {
		unit := decimal.RequireFromString(propPrices[rng.IntN(len(propPrices))])
		qty := int64(1 + rng.IntN(4))
		gross := unit.Mul(decimal.NewFromInt(qty))
		s.lines = append(s.lines, normalize.Line{LineID: fmt.Sprint(i + 1), PlatformSKU: propSKUs[rng.IntN(len(propSKUs))],
			Qty: qty, UnitPrice: unit, Gross: gross, Net: gross})
	}
	return s
}

// refunds returns up to n refunds of s's lines, five days apart after
// from, never more than a line sold.
func (s *spec) refunds(rng *rand.Rand, n int, from time.Time) []normalize.Refund {
	left := make([]int64, len(s.lines))
	for i, l := range s.lines {
		left[i] = l.Qty
	}
	var out []normalize.Refund
	for k := range n {
		i := rng.IntN(len(s.lines))
		if left[i] == 0 {
			continue
		}
		q := 1 + rng.Int64N(left[i])
		left[i] -= q
		net := s.lines[i].UnitPrice.Mul(decimal.NewFromInt(q))
		out = append(out, normalize.Refund{RefundID: fmt.Sprintf("%s-r%d", s.id, k+1), TS: from.Add(time.Duration(k+1) * 5 * 24 * time.Hour),
			Items: []normalize.RefundLine{{LineID: s.lines[i].LineID, Qty: q, Net: net}}, Amount: net})
	}
	return out
}

// listing styles: how a platform's later bodies list earlier refunds.
const (
	withLines   = iota // Shopify: every refund with its lines
	amountsOnly        // WooCommerce: by amount only
	notListed          // Magento: not at all
)

// gen builds one family's deliveries into c.
type gen struct {
	c   *propCase
	rng *rand.Rand
	f   int
}

func (g *gen) add(name string, k normalize.Key, body *normalize.Order, refund *normalize.Refund) {
	g.c.deliveries = append(g.c.deliveries, delivery{name: name, family: g.f, order: k, body: body, refund: refund})
	if body != nil {
		g.c.bodies = append(g.c.bodies, *body)
	}
}

func (g *gen) addBody(s *spec, what string, o normalize.Order) *normalize.Order {
	g.add(fmt.Sprintf("%s body %s %s v%s", s.id, what, o.Currency, o.Version.Sub(s.placed)), s.key(), &o, nil)
	return &o
}

// addRefund delivers r on its own: to PostRefund, or, as an integration
// may, applied to the paid body it kept and posted as a body (which is no
// body of the platform's).
func (g *gen) addRefund(s *spec, paid *normalize.Order, r normalize.Refund) error {
	r = s.refundOn(r)
	if g.rng.IntN(3) > 0 {
		g.add(fmt.Sprintf("%s refund %s alone", s.id, r.RefundID), s.key(), nil, &r)
		return nil
	}
	o, err := paid.ApplyRefund(r)
	if err != nil {
		return err
	}
	g.c.deliveries = append(g.c.deliveries, delivery{name: fmt.Sprintf("%s refund %s applied to the paid body", s.id, r.RefundID),
		family: g.f, order: s.key(), body: &o})
	return nil
}

// life delivers s's pending (sometimes) and paid bodies, then n refunds,
// each on its own, in a later body, or both, then sometimes a
// cancellation. It returns s's final state: its newest body with every
// refund applied.
func (g *gen) life(s *spec, refunds int, cancel bool) (normalize.Order, error) {
	rng := g.rng
	if rng.IntN(2) == 0 {
		g.addBody(s, "pending", s.body(s.placed, normalize.StatusPending, nil))
	}
	paid := g.addBody(s, "paid", s.body(s.placed.Add(time.Minute), normalize.StatusPaid, nil))
	newest := paid
	rs := s.refunds(rng, refunds, s.placed)
	style := rng.IntN(3)
	for k, r := range rs {
		alone := style != withLines || rng.IntN(2) == 0
		if alone {
			if err := g.addRefund(s, paid, r); err != nil {
				return normalize.Order{}, err
			}
		}
		if alone && rng.IntN(2) == 0 {
			continue
		}
		var listed []normalize.Refund
		for _, p := range rs[:k+1] {
			switch style {
			case withLines:
				listed = append(listed, p)
			case amountsOnly:
				listed = append(listed, normalize.Refund{RefundID: p.RefundID, TS: p.TS, Amount: p.Amount})
			}
		}
		v := r.TS
		if rng.IntN(2) == 0 {
			v = v.Add(time.Hour)
		}
		newest = g.addBody(s, "refunded "+r.RefundID, s.body(v, normalize.StatusPartiallyRefunded, listed))
	}
	if cancel {
		c := *newest
		c.Status, c.Version = normalize.StatusCancelled, s.placed.Add(30*24*time.Hour)
		newest = g.addBody(s, "cancelled", c)
	}
	final := *newest
	for _, r := range rs {
		var err error
		if final, err = final.ApplyRefund(r); err != nil {
			return normalize.Order{}, err
		}
	}
	return final, nil
}

// generate returns a history of 2 to 5 families.
func generate(seed uint64) (*propCase, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	c := &propCase{seed: seed}
	for f := range 2 + rng.IntN(4) {
		g := &gen{c: c, rng: rng, f: f}
		id := fmt.Sprint(1000 + 10*f)
		ref := propRefs[rng.IntN(len(propRefs))]
		placed := ledgerworld.Placed.Add(time.Duration(f) * time.Hour)
		fam := family{kind: kind(rng.IntN(len(kindNames))), pays: make(map[normalize.Key]normalize.Order)}
		switch fam.kind {
		case plainOrder:
			s := newSpec(rng, id, "", ref, "USD", placed)
			final, err := g.life(&s, rng.IntN(3), rng.IntN(5) == 0)
			if err != nil {
				return nil, err
			}
			fam.orders, fam.pays[s.key()] = []normalize.Key{s.key()}, final
		case chainOfEdits:
			links := 2 + rng.IntN(2)
			var specs []spec
			for k := range links {
				lid, parent := id, ""
				if k > 0 {
					lid, parent = fmt.Sprintf("%s-%d", id, k), specs[k-1].id
				}
				specs = append(specs, newSpec(rng, lid, parent, ref, "USD", placed.Add(time.Duration(k)*24*time.Hour)))
				fam.orders = append(fam.orders, specs[k].key())
			}
			for k := range specs {
				s := &specs[k]
				if k < links-1 {
					last := g.addBody(s, "paid", s.body(s.placed.Add(time.Minute), normalize.StatusPaid, nil))
					if rng.IntN(2) == 0 { // the platform cancels the original when it is edited
						c := *last
						c.Status, c.Version = normalize.StatusCancelled, specs[k+1].placed
						g.addBody(s, "cancelled", c)
					}
					continue
				}
				final, err := g.life(s, rng.IntN(3), false)
				if err != nil {
					return nil, err
				}
				final.OrderTS = specs[0].placed // the sale was made when X was placed
				fam.pays[s.key()] = final
			}
		case twoEdits:
			x := newSpec(rng, id, "", ref, "USD", placed)
			g.addBody(&x, "paid", x.body(placed.Add(time.Minute), normalize.StatusPaid, nil))
			fam.orders = []normalize.Key{x.key()}
			for k := 1; k <= 2; k++ {
				e := newSpec(rng, fmt.Sprintf("%s-%d", id, k), x.id, ref, "USD", placed.Add(time.Duration(k)*24*time.Hour))
				final, err := g.life(&e, 0, false)
				if err != nil {
					return nil, err
				}
				final.OrderTS = placed
				fam.orders, fam.pays[e.key()] = append(fam.orders, e.key()), final
			}
		case currencyChange:
			// Every body carries money: a body without any (pending,
			// cancelled) in another currency is left out, see
			// TestCurrencyChangeAfterBodyWithoutMoney.
			s := newSpec(rng, id, "", ref, "USD", placed)
			from, to := "USD", "EUR"
			if rng.IntN(2) == 0 {
				from, to = to, from
			}
			change := 1 + rng.IntN(2)
			for i, v := range []time.Duration{time.Minute, 24 * time.Hour, 48 * time.Hour} {
				s.currency = from
				if i >= change {
					s.currency = to
				}
				if i > 0 { // a later update credits another distributor
					s.ref = propRefs[rng.IntN(len(propRefs))]
				}
				g.addBody(&s, "paid", s.body(placed.Add(v), normalize.StatusPaid, nil))
			}
			fam.orders = []normalize.Key{s.key()}
		}
		c.families = append(c.families, fam)
	}
	return c, nil
}

func (c *propCase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d:", c.seed)
	for i, f := range c.families {
		fmt.Fprintf(&b, " [%d %s %v]", i, kindNames[f.kind], f.orders)
	}
	return b.String()
}

// outcome is what the ledger ends with after a sequence of deliveries.
type outcome struct {
	money, volumes, balances []string
	// winners are, per twoEdits family, the edit delivered first.
	winners map[int]normalize.Key
	// problems are properties single deliveries broke.
	problems []string
	// counts tallies what the deliveries did, to show what was exercised.
	counts map[string]int
}

// deliver posts the deliveries seq (indexes into c.deliveries) one by one
// to a new memory ledger, checking each delivery's result as it goes.
func (c *propCase) deliver(t testing.TB, w *ledgerworld.World, seq []int) *outcome {
	l := ledger.New(ledger.NewMemory(), w.Engine)
	out := &outcome{winners: make(map[int]normalize.Key), counts: make(map[string]int)}
	seen := make(map[int]bool)
	for n, i := range seq {
		d := &c.deliveries[i]
		f := &c.families[d.family]
		var res ledger.Result
		var err error
		if d.body != nil {
			res, err = l.Post(ctx, d.body, propAt)
		} else {
			res, err = l.PostRefund(ctx, *d.refund, propAt)
		}
		problem := func(format string, args ...any) {
			out.problems = append(out.problems, fmt.Sprintf("delivery %d (%s): ", n, d.name)+fmt.Sprintf(format, args...))
		}
		if _, rival := f.pays[d.order]; f.kind == twoEdits && rival {
			if _, ok := out.winners[d.family]; !ok {
				out.winners[d.family] = d.order
			}
		}
		var held *ledger.HeldError
		heldFor := errors.As(err, &held) && held.Order == d.order
		switch {
		case f.kind == twoEdits && d.order != f.orders[0] && d.order != out.winners[d.family]:
			if !heldFor || !errors.Is(err, ledger.ErrAmbiguousReplacement) {
				problem("%v, %s; want a *HeldError wrapping ErrAmbiguousReplacement: %s replaced %s already",
					err, res.Outcome, out.winners[d.family], f.orders[0])
			}
			if len(res.Entries) > 0 {
				problem("appended %d entries", len(res.Entries))
			}
			out.counts["held: ambiguous replacement"]++
		case f.kind == currencyChange && err != nil:
			if !heldFor || !errors.Is(err, ledger.ErrCurrencyChanged) {
				problem("%v; want a *HeldError wrapping ErrCurrencyChanged", err)
			}
			out.counts["held: currency changed"]++
		case err != nil:
			problem("%v", err)
		default:
			out.counts[res.Outcome.String()]++
			if res.Outcome == ledger.Stale && len(res.Entries) > 0 {
				out.counts["stale, chain re-based"]++
			}
		}
		if seen[i] && (res.Outcome == ledger.Posted || len(res.Entries) > 0) {
			problem("delivered before, yet %s with %d entries appended", res.Outcome, len(res.Entries))
		}
		seen[i] = true
	}
	out.money, out.volumes = ledgerSlots(t, l.Store())
	// A member whose entries sum to zero has a balance of zero, listed or
	// not; which entries exist depends on the delivery order.
	for _, b := range ledgerworld.Balances(t, l, far) {
		if !strings.HasSuffix(b, " 0.00") {
			out.balances = append(out.balances, b)
		}
	}
	for f, fam := range c.families {
		if fam.kind != currencyChange {
			continue
		}
		currencies := make(map[string]bool)
		for _, i := range seq {
			if d := &c.deliveries[i]; d.family == f {
				currencies[d.body.Currency] = true
			}
		}
		es, _, err := l.Store().Stream(ctx, ledger.OrderStream(fam.orders[0]))
		if err != nil {
			t.Fatal(err)
		}
		frozen := slices.ContainsFunc(es, func(e ledger.Entry) bool { return e.Type == ledger.TypeFrozen })
		if frozen != (len(currencies) > 1) {
			out.problems = append(out.problems, fmt.Sprintf("order %s: frozen %v after bodies in %v", fam.orders[0].OrderID, frozen,
				slices.Sorted(maps.Keys(currencies))))
		}
	}
	if len(seq) > 0 && len(c.deliveries) == len(slices.Compact(slices.Sorted(slices.Values(seq)))) {
		c.reconcile(t, l, out)
	}
	return out
}

// reconcile checks, once every delivery has arrived, that reconciling
// against the platform's newest bodies finds every cent where it belongs,
// and holds exactly the ambiguous orders, each for its reason.
func (c *propCase) reconcile(t testing.TB, l *ledger.Ledger, out *outcome) {
	rec, err := l.Reconcile(ctx, ledger.Year(2025), c.bodies, far)
	if err != nil {
		t.Fatal(err)
	}
	want := make(map[normalize.Key]error)
	for f, fam := range c.families {
		switch fam.kind {
		case twoEdits:
			for k := range fam.pays {
				if k != out.winners[f] {
					want[k] = ledger.ErrAmbiguousReplacement
				}
			}
		case currencyChange:
			want[fam.orders[0]] = ledger.ErrCurrencyChanged
		}
	}
	for _, h := range rec.Held {
		if why, ok := want[h.Order]; !ok || !strings.Contains(h.Reason, why.Error()) {
			out.problems = append(out.problems, fmt.Sprintf("reconciliation holds %s: %s", h.Order.OrderID, h.Reason))
		}
		delete(want, h.Order)
	}
	for k, why := range want {
		out.problems = append(out.problems, fmt.Sprintf("reconciliation does not hold %s (want %v)", k.OrderID, why))
	}
	if rec.Share != "0" || rec.Matched != rec.Orders-len(rec.Held) || len(rec.Missing)+len(rec.Extra)+len(rec.Differing) != 0 {
		out.problems = append(out.problems, fmt.Sprintf("reconciliation: share %s, %d of %d matched, %d held, %d missing, %d extra, %d differing",
			rec.Share, rec.Matched, rec.Orders, len(rec.Held), len(rec.Missing), len(rec.Extra), len(rec.Differing)))
	}
}

// ledgerSlots renders a store's non-zero per-slot sums, sorted: money
// (commissions and corrections) per order, line, component, rule,
// beneficiary and level; volumes per member, order, line and component.
func ledgerSlots(t testing.TB, s ledger.Store) (money, volumes []string) {
	var m slotTally
	err := s.Scan(ctx, ledger.Filter{Types: []ledger.Type{ledger.TypeCommission, ledger.TypeCorrection, ledger.TypeVolume}}, func(e *ledger.Entry) error {
		if e.Volume != nil {
			m.volume(e.Member, e.Order, e.Currency, e.Volume)
			return nil
		}
		m.money(e.Event, e.Amount)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m.render()
}

// slotTally sums money and volumes per slot.
type slotTally struct {
	m map[string]decimal.Decimal
	v map[string]*ledger.Volume
}

func (s *slotTally) money(ev *commission.Event, amount decimal.Decimal) {
	if s.m == nil {
		s.m = make(map[string]decimal.Decimal)
	}
	k := fmt.Sprintf("%s line %s/%s %s %s L%d %s", ev.Order.OrderID, ev.LineID, ev.Component, ev.Rule, ev.Beneficiary, ev.Level, ev.Currency)
	s.m[k] = s.m[k].Add(amount)
}

func (s *slotTally) volume(member string, order normalize.Key, currency string, v *ledger.Volume) {
	if s.v == nil {
		s.v = make(map[string]*ledger.Volume)
	}
	k := fmt.Sprintf("%s %s line %s/%s %s", member, order.OrderID, v.LineID, v.Component, currency)
	sum := s.v[k]
	if sum == nil {
		sum = &ledger.Volume{}
		s.v[k] = sum
	}
	sum.PV, sum.QV, sum.CV, sum.Net = sum.PV.Add(v.PV), sum.QV.Add(v.QV), sum.CV.Add(v.CV), sum.Net.Add(v.Net)
}

func (s *slotTally) render() (money, volumes []string) {
	money, volumes = []string{}, []string{}
	for k, v := range s.m {
		if !v.IsZero() {
			money = append(money, k+" "+v.StringFixed(2))
		}
	}
	for k, v := range s.v {
		if !(v.PV.IsZero() && v.QV.IsZero() && v.CV.IsZero() && v.Net.IsZero()) {
			volumes = append(volumes, fmt.Sprintf("%s PV %s QV %s CV %s net %s", k, v.PV, v.QV, v.CV, v.Net.StringFixed(2)))
		}
	}
	slices.Sort(money)
	slices.Sort(volumes)
	return money, volumes
}

// expected calculates, without the ledger, what the platform's final
// orders pay: each family's paying order (for twoEdits, the winner) in
// its final state, with the lock at propAt; everything else nothing.
func (c *propCase) expected(t testing.TB, w *ledgerworld.World, winners map[int]normalize.Key) (money, volumes []string) {
	var s slotTally
	for f, fam := range c.families {
		for k, o := range fam.pays {
			if fam.kind == twoEdits && k != winners[f] {
				continue
			}
			calc, err := w.Engine.Calculate(&o, commission.Lock{Known: propAt})
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			for i := range calc.Events {
				s.money(&calc.Events[i], calc.Events[i].Amount())
			}
			for i := range calc.Lines {
				m := &calc.Lines[i]
				comp := ""
				if m.Component >= 0 {
					comp = m.SKU.ID
				}
				s.volume(calc.Snapshot.Credited.Member, k, o.Currency, &ledger.Volume{LineID: m.LineID, Component: comp, PV: m.PV, QV: m.QV, CV: m.CV, Net: m.Net})
			}
		}
	}
	return s.render()
}

// inOrder returns the distinct deliveries of seq in the order the
// platform produced them, except that of two edits of one order the one
// seq delivers first comes first: that is the order in which it pays.
func (c *propCase) inOrder(seq []int) []int {
	first := make(map[normalize.Key]int)
	for n, i := range slices.Backward(seq) {
		first[c.deliveries[i].order] = n
	}
	rank := func(i int) int {
		d := &c.deliveries[i]
		f := &c.families[d.family]
		if f.kind != twoEdits || d.order == f.orders[0] {
			return i
		}
		other := f.orders[1]
		if other == d.order {
			other = f.orders[2]
		}
		if at, ok := first[other]; ok && at < first[d.order] {
			return i + len(c.deliveries) // after its rival
		}
		return i
	}
	out := slices.Compact(slices.Sorted(slices.Values(seq)))
	slices.SortStableFunc(out, func(a, b int) int { return rank(a) - rank(b) })
	return out
}

// compare returns how the ledger after seq differs from the ledger after
// the same deliveries in order.
func (c *propCase) compare(t testing.TB, w *ledgerworld.World, seq []int) (got *outcome, problems []string) {
	got = c.deliver(t, w, seq)
	want := c.deliver(t, w, c.inOrder(seq))
	problems = append(problems, got.problems...)
	for _, p := range want.problems {
		problems = append(problems, "in order: "+p)
	}
	for _, x := range []struct {
		what      string
		want, got []string
	}{{"money per slot", want.money, got.money}, {"volumes per slot", want.volumes, got.volumes}, {"balances", want.balances, got.balances}} {
		if d := cmp.Diff(x.want, x.got); d != "" {
			problems = append(problems, fmt.Sprintf("%s differ from in-order delivery (-in order +shuffled):\n%s", x.what, d))
		}
	}
	return got, problems
}

// minimise drops deliveries from seq while the ledger after it still
// differs from in-order delivery, and returns what is left: first whole
// families, then every repeat of a delivery, then single deliveries.
func (c *propCase) minimise(t testing.TB, w *ledgerworld.World, seq []int) []int {
	fails := func(try []int) bool {
		_, p := c.compare(t, w, try)
		return len(p) > 0
	}
	for f := range c.families {
		try := slices.DeleteFunc(slices.Clone(seq), func(i int) bool { return c.deliveries[i].family == f })
		if fails(try) {
			seq = try
		}
	}
	for i := range c.deliveries {
		try := slices.DeleteFunc(slices.Clone(seq), func(j int) bool { return j == i })
		if len(try) < len(seq) && fails(try) {
			seq = try
		}
	}
	for shrunk := true; shrunk; {
		shrunk = false
		for i := 0; i < len(seq); i++ {
			if try := slices.Delete(slices.Clone(seq), i, i+1); fails(try) {
				seq, shrunk = try, true
				i--
			}
		}
	}
	return seq
}

func (c *propCase) describe(seq []int) string {
	var b strings.Builder
	for n, i := range seq {
		fmt.Fprintf(&b, "\n  %2d. %s", n, c.deliveries[i].name)
	}
	return b.String()
}

func TestDeliveryOrderProperty(t *testing.T) {
	cases, perms := 120, 6
	if testing.Short() {
		cases, perms = 30, 4
	}
	w := movingWorld(t)
	counts := make(map[string]int)
	failed := 0
	for seed := range uint64(cases) {
		c, err := generate(seed)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		all := make([]int, len(c.deliveries))
		for i := range all {
			all[i] = i
		}
		// The platform's own order: the reference, checked against an
		// independent calculation of the final orders.
		ref := c.deliver(t, w, all)
		if len(ref.problems) > 0 {
			t.Errorf("%s, in order:\n%s", c, strings.Join(ref.problems, "\n"))
		}
		money, volumes := c.expected(t, w, ref.winners)
		if d := cmp.Diff(money, ref.money); d != "" {
			t.Errorf("%s: in-order money per slot differs from the final orders calculated (-calculated +ledger):\n%s", c, d)
		}
		if d := cmp.Diff(volumes, ref.volumes); d != "" {
			t.Errorf("%s: in-order volumes per slot differ from the final orders calculated (-calculated +ledger):\n%s", c, d)
		}
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		for p := range perms {
			// Every other permutation loses some deliveries: it must still
			// end as the deliveries it has, in order, end.
			lossy := p%2 == 1
			var seq []int
			for _, i := range all {
				if lossy && rng.IntN(5) == 0 {
					continue
				}
				for range 1 + rng.IntN(3)*rng.IntN(2) { // once, or up to three times
					seq = append(seq, i)
				}
			}
			rng.Shuffle(len(seq), func(i, j int) { seq[i], seq[j] = seq[j], seq[i] })
			got, problems := c.compare(t, w, seq)
			for k, n := range got.counts {
				counts[k] += n
			}
			if !lossy || len(c.inOrder(seq)) == len(all) {
				money, volumes := c.expected(t, w, got.winners)
				if d := cmp.Diff(money, got.money); d != "" {
					problems = append(problems, fmt.Sprintf("money per slot differs from the final orders calculated (-calculated +ledger):\n%s", d))
				}
				if d := cmp.Diff(volumes, got.volumes); d != "" {
					problems = append(problems, fmt.Sprintf("volumes per slot differ from the final orders calculated (-calculated +ledger):\n%s", d))
				}
			}
			if len(problems) == 0 {
				continue
			}
			if failed++; failed > 3 {
				t.Fatalf("%s, permutation %d: %s\nmore than 3 permutations fail; stopping", c, p, strings.Join(problems, "\n"))
			}
			small := c.minimise(t, w, seq)
			_, smallProblems := c.compare(t, w, small)
			t.Errorf("%s, permutation %d:%s\n%s\nminimal delivery order:%s\n%s", c, p, c.describe(seq), strings.Join(problems, "\n"),
				c.describe(small), strings.Join(smallProblems, "\n"))
		}
	}
	// The generator must have reached every path it is meant to.
	for _, k := range []string{"posted", "duplicate", "stale", "waiting", "stale, chain re-based", "held: ambiguous replacement", "held: currency changed"} {
		if counts[k] == 0 {
			t.Errorf("no delivery was %s: %v", k, counts)
		}
	}
	t.Logf("outcomes: %v", counts)
}

// TestCurrencyChangeAfterBodyWithoutMoney: an order's currency is that of
// its first body or refund, also when they posted no money (a pending or
// cancelled body, a refund waiting for its order): a later delivery in
// another currency freezes the order at zero, in every delivery order.
func TestCurrencyChangeAfterBodyWithoutMoney(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	usd := w.Life(t, "1", "C", ledgerworld.Placed)
	pending, paid := usd[0], usd[1]
	pending.Currency = "EUR"
	cancelled := paid
	cancelled.Currency, cancelled.Status, cancelled.Version = "EUR", normalize.StatusCancelled, paid.Version.Add(time.Hour)
	eur := paid
	eur.Currency, eur.Version = "EUR", paid.Version.Add(time.Hour)
	refund := usd[2].Refunds[0]
	refund.Platform, refund.Store, refund.OrderID, refund.Currency = paid.Platform, paid.Store, paid.PlatformOrderID, "USD"
	for _, c := range []struct {
		name       string
		deliveries []any // *normalize.Order or normalize.Refund
	}{
		{"a pending body in EUR, then the paid body in USD", []any{&pending, &paid}},
		{"a cancelled body in EUR, then the older paid body in USD", []any{&cancelled, &paid}},
		{"a refund in USD, a body in EUR, the paid body in USD", []any{refund, &eur, &paid}},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := ledger.New(ledger.NewMemory(), w.Engine)
			changed := false
			for _, d := range c.deliveries {
				var err error
				switch d := d.(type) {
				case *normalize.Order:
					_, err = l.Post(ctx, d, propAt)
				case normalize.Refund:
					_, err = l.PostRefund(ctx, d, propAt)
				}
				changed = changed || errors.Is(err, ledger.ErrCurrencyChanged)
			}
			if !changed {
				t.Errorf("no delivery was held with ErrCurrencyChanged")
			}
			for _, b := range ledgerworld.Balances(t, l, far) {
				if !strings.HasSuffix(b, " 0.00") {
					t.Errorf("balance %s, want the order frozen at zero", b)
				}
			}
		})
	}
}

// gate stops the first post of one order at one point until released.
type gate struct {
	order   normalize.Key
	once    sync.Once
	stopped chan struct{} // closed when the post has stopped
	release chan struct{} // closed to let it go on
}

func newGate(k normalize.Key) *gate {
	return &gate{order: k, stopped: make(chan struct{}), release: make(chan struct{})}
}

func (g *gate) pass(k normalize.Key) {
	if k == g.order {
		g.once.Do(func() {
			close(g.stopped)
			<-g.release
		})
	}
}

// gatedCalculator stops in Calculate.
type gatedCalculator struct {
	ledger.Calculator
	*gate
}

func (c gatedCalculator) Calculate(o *normalize.Order, lock commission.Lock) (*commission.Calculation, error) {
	c.pass(o.Key())
	return c.Calculator.Calculate(o, lock)
}

// gatedStore stops in Append to the order's stream.
type gatedStore struct {
	ledger.Store
	*gate
}

func (s gatedStore) Append(ctx context.Context, stream string, v int, es []ledger.Entry) error {
	if stream == ledger.OrderStream(s.order) {
		s.pass(s.order)
	}
	return s.Store.Append(ctx, stream, v, es)
}

// TestLargeOrderDoesNotBlockOthers posts a 10,000-line order and stops it
// while it is calculated, and while it is appended; meanwhile another
// goroutine's posts of small orders must complete. Were posts serialized,
// the test would never end.
func TestLargeOrderDoesNotBlockOthers(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	large := ledgerworld.LargeOrder("L", 10000)
	var smalls []normalize.Order
	for i := range 10 {
		smalls = append(smalls, w.Life(t, fmt.Sprint("S", i), "C", ledgerworld.Placed)[1])
	}
	for _, where := range []string{"calculating", "appending"} {
		t.Run(where, func(t *testing.T) {
			g := newGate(large.Key())
			var l *ledger.Ledger
			if where == "calculating" {
				l = ledger.New(ledger.NewMemory(), gatedCalculator{w.Engine, g})
			} else {
				l = ledger.New(gatedStore{ledger.NewMemory(), g}, w.Engine)
			}
			type result struct {
				r   ledger.Result
				err error
			}
			done := make(chan result, 1)
			go func() {
				r, err := l.Post(ctx, &large, propAt)
				done <- result{r, err}
			}()
			<-g.stopped

			small := make(chan error, 1)
			go func() {
				for _, o := range smalls {
					r, err := l.Post(ctx, &o, propAt)
					if err == nil && r.Outcome != ledger.Posted {
						err = fmt.Errorf("small order %s: %s", o.Key(), r.Outcome)
					}
					if err != nil {
						small <- err
						return
					}
				}
				small <- nil
			}()
			if err := <-small; err != nil {
				t.Fatal(err)
			}
			select {
			case res := <-done:
				t.Fatalf("the large order's post ended while stopped: %s, %v", res.r.Outcome, res.err)
			default:
			}
			close(g.release)
			res := <-done
			if res.err != nil || res.r.Outcome != ledger.Posted || len(res.r.Entries) != 50001 {
				t.Fatalf("large order: %s, %d entries, %v; want posted, 40000 commissions, 10000 volumes and a record",
					res.r.Outcome, len(res.r.Entries), res.err)
			}
			// The large order: 5,000 lines of 20.00 (CV 20) and 5,000 of 50.00
			// (CV 30) credited to C; each small one B 16.30, A 7.55, ROOT 3.02.
			want := []string{"A USD 17575.50", "B USD 37663.00", "ROOT USD 7030.20"}
			if d := cmp.Diff(want, ledgerworld.Balances(t, l, far)); d != "" {
				t.Errorf("balances (-want +got):\n%s", d)
			}
		})
	}
}
