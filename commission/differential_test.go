package commission_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

var cases = flag.Int("cases", 300, "random cases for the differential test")

// world is one random genealogy, catalog and plan.
type world struct {
	g        *hierarchy.Genealogy
	c        *sku.Catalog
	plan     refPlan
	enrolled map[string]time.Time
	members  []string
	codes    []string
	skus     []string
}

var statuses = []string{"active", "inactive", "suspended", "terminated"}

func randRate(r *rand.Rand) decimal.Decimal {
	switch r.IntN(4) {
	case 0:
		return decimal.Zero
	case 1:
		return decimal.New(int64(r.IntN(30)), -2)
	case 2:
		return decimal.New(int64(r.IntN(30000)), -5)
	}
	return decimal.New(int64(r.IntN(1_000_000)), -7)
}

func randRates(r *rand.Rand, n int) []decimal.Decimal {
	out := make([]decimal.Decimal, n)
	for i := range out {
		out[i] = randRate(r)
	}
	return out
}

func newWorld(t testing.TB, r *rand.Rand) *world {
	t.Helper()
	w := &world{enrolled: map[string]time.Time{}}
	var changes []hierarchy.Change
	n := 5 + r.IntN(40)
	rec := jan
	var dists []string
	for i := range n {
		id := "M" + strconv.Itoa(i)
		at := jan.Add(time.Duration(r.IntN(200*24)) * time.Hour)
		if i == 0 {
			at = jan
		}
		kind, sponsor := hierarchy.Distributor, ""
		if len(dists) > 0 {
			sponsor = dists[r.IntN(len(dists))]
			if w.enrolled[sponsor].After(at) {
				at = w.enrolled[sponsor]
			}
			if r.IntN(4) == 0 {
				kind = hierarchy.Retail
			}
		}
		paid := hierarchy.Rank(r.IntN(4))
		changes = append(changes, hierarchy.Change{Op: hierarchy.OpEnroll, Member: id, Kind: kind, Sponsor: sponsor,
			Status: hierarchy.Status(1 + r.IntN(4)), PaidAs: paid, Highest: paid + hierarchy.Rank(r.IntN(2)), Effective: at, Recorded: rec})
		w.enrolled[id] = at
		w.members = append(w.members, id)
		if kind == hierarchy.Distributor {
			dists = append(dists, id)
			if r.IntN(2) == 0 {
				code := "C" + id
				changes = append(changes, hierarchy.Change{Op: hierarchy.OpCode, Member: id, Code: code, Effective: at, Recorded: rec})
				w.codes = append(w.codes, code)
			}
		}
	}
	// Some status changes recorded after the knowledge instant must not show.
	for range r.IntN(5) {
		changes = append(changes, hierarchy.Change{Op: hierarchy.OpStatus, Member: w.members[r.IntN(n)],
			Status: hierarchy.Status(1 + r.IntN(4)), Effective: jan.AddDate(0, 7, 0), Recorded: known.Add(time.Hour)})
	}
	var err error
	if w.g, err = hierarchy.Build(changes); err != nil {
		t.Fatal(err)
	}

	classes := []string{"consumable", "starter_kit", "service"}
	vol := func() decimal.Decimal { return decimal.New(int64(r.IntN(100000)), -int32(r.IntN(4))) }
	var data sku.Data
	for i := range 4 {
		id := "S" + strconv.Itoa(i)
		data.SKUs = append(data.SKUs, sku.Version{ID: id, EffectiveFrom: jan, Class: classes[r.IntN(3)], PV: vol(), QV: vol(), CV: vol()})
		if r.IntN(2) == 0 { // a later version, in force for some orders
			data.SKUs = append(data.SKUs, sku.Version{ID: id, EffectiveFrom: jan.AddDate(0, 4, 0), Class: classes[r.IntN(3)], PV: vol(), QV: vol(), CV: vol()})
		}
		w.skus = append(w.skus, id)
	}
	data.SKUs = append(data.SKUs,
		sku.Version{ID: "NC", EffectiveFrom: jan, Class: "gift", NonCommissionable: true, PV: decimal.Zero, QV: decimal.Zero, CV: decimal.Zero},
		sku.Version{ID: "KIT", EffectiveFrom: jan, Class: "starter_kit", PV: vol(), QV: vol(), CV: vol(),
			Components: []sku.Component{{SKU: "S0", Qty: 2, Share: decimal.RequireFromString("0.7")}, {SKU: "S1", Qty: 1, Share: decimal.RequireFromString("0.3")}}})
	w.skus = append(w.skus, "NC", "KIT")
	for _, id := range w.skus {
		data.Keys = append(data.Keys, sku.Binding{Key: sku.Key{Platform: normalize.Shopify, Kind: sku.KindSKU, Value: id}, SKU: id})
	}
	if w.c, err = sku.New(data); err != nil {
		t.Fatal(err)
	}

	p := refPlan{id: "rand", version: 1, from: jan, halfEven: r.IntN(2) == 0}
	if r.IntN(2) == 0 {
		p.share = decimal.New(int64(r.IntN(101)), -2)
	}
	bases := []string{"net", "pv", "qv", "cv"}
	qual := func(rr *refRule) {
		rr.statuses = nil
		for _, s := range statuses {
			if s == "active" || r.IntN(3) == 0 {
				rr.statuses = append(rr.statuses, s)
			}
		}
		rr.minRank = r.IntN(3)
	}
	for i := range 1 + r.IntN(4) {
		var rr refRule
		rr.name = "r" + strconv.Itoa(i)
		rr.basis = bases[r.IntN(4)]
		qual(&rr)
		switch r.IntN(4) {
		case 0:
			rr.typ = "unilevel"
			rr.rates = map[string][]decimal.Decimal{"*": randRates(r, 1+r.IntN(10))}
			if r.IntN(2) == 0 {
				rr.rates[classes[r.IntN(3)]] = randRates(r, 1+r.IntN(5))
			}
			if r.IntN(2) == 0 {
				rr.ratesByRank = map[int]map[string][]decimal.Decimal{1 + r.IntN(3): {"*": randRates(r, 1+r.IntN(10))}}
			}
			if r.IntN(2) == 0 {
				rr.depth = map[int]int{0: r.IntN(3), 2: 1 + r.IntN(10)}
			}
			rr.compression = r.IntN(2) == 0
			rr.rollup = !rr.compression && r.IntN(2) == 0
		case 1:
			rr.typ = "rank_differential"
			rr.rankRates = map[int]decimal.Decimal{}
			for k := range 4 {
				if r.IntN(2) == 0 {
					rr.rankRates[k] = randRate(r)
				}
			}
			switch r.IntN(4) {
			case 0:
				rr.includeSelf = true
			case 1:
				rr.startLevel, rr.deduct = 2+r.IntN(4), r.IntN(2) == 0
			}
		case 2:
			rr.typ = "retail_profit"
			rr.retail = map[string]decimal.Decimal{"*": randRate(r), classes[r.IntN(3)]: randRate(r)}
		case 3:
			rr.typ = "fast_start"
			rr.days = 1 + r.IntN(90)
			if r.IntN(2) == 0 {
				rr.fsRates = randRates(r, 1+r.IntN(3))
			} else {
				rr.fsByRank = map[int][]decimal.Decimal{}
				for k := range 4 {
					if r.IntN(2) == 0 {
						rr.fsByRank[k] = randRates(r, r.IntN(4))
					}
				}
				if len(rr.fsByRank) == 0 {
					rr.fsByRank[1+r.IntN(3)] = randRates(r, 1+r.IntN(3))
				}
			}
		}
		p.rules = append(p.rules, rr)
	}
	w.plan = p
	return w
}

// order makes a random paid order placed after jan.
func (w *world) order(r *rand.Rand, id int) normalize.Order {
	o := normalize.Order{Platform: normalize.Shopify, Store: "s", PlatformOrderID: strconv.Itoa(id), Status: normalize.StatusPaid,
		Currency: []string{"USD", "JPY", "KWD"}[r.IntN(3)]}
	o.OrderTS = jan.Add(time.Duration(r.Int64N(int64(240 * 24 * time.Hour))))
	o.Version = o.OrderTS
	digits, _ := normalize.MinorUnits(o.Currency)
	switch r.IntN(4) {
	case 0:
		o.CustomerRef = w.members[r.IntN(len(w.members))]
	case 1:
		if len(w.codes) > 0 {
			o.DistributorRef = w.codes[r.IntN(len(w.codes))]
		}
	default:
		o.DistributorRef = w.members[r.IntN(len(w.members))]
	}
	total := decimal.Zero
	for i := range 1 + r.IntN(4) {
		qty := int64(1 + r.IntN(5))
		price := decimal.New(int64(r.IntN(20000)), -digits)
		gross := price.Mul(decimal.NewFromInt(qty))
		l := normalize.Line{LineID: strconv.Itoa(i + 1), PlatformSKU: w.skus[r.IntN(len(w.skus))], Qty: qty,
			UnitPrice: price, Gross: gross, Discount: decimal.Zero, Tax: decimal.Zero}
		o.Items = append(o.Items, l)
		total = total.Add(gross)
	}
	o.Shipping, o.Fees, o.Tax, o.Total = decimal.Zero, decimal.Zero, decimal.Zero, total
	if err := normalize.ComputeNets(&o, decimal.Zero, ""); err != nil {
		panic(err)
	}
	return o
}

// refund makes a random refund of what is left on o.
func refund(r *rand.Rand, o normalize.Order, n int, full bool) normalize.Refund {
	digits, _ := normalize.MinorUnits(o.Currency)
	rf := normalize.Refund{RefundID: "r" + strconv.Itoa(n), TS: o.Version.Add(time.Duration(1+r.IntN(1000)) * time.Hour)}
	nets := normalize.Commissionable(&o)
	for i, l := range o.Items {
		left := nets[i]
		var units int64
		for _, x := range o.Refunds {
			for _, rl := range x.Items {
				if rl.LineID == l.LineID {
					units += rl.Qty
				}
			}
		}
		leftQty := l.Qty - units
		if left.IsZero() && leftQty == 0 {
			continue
		}
		if full {
			rf.Items = append(rf.Items, normalize.RefundLine{LineID: l.LineID, Qty: leftQty, Net: left})
			continue
		}
		if r.IntN(2) == 0 {
			continue
		}
		cents := left.Shift(digits).IntPart()
		take := decimal.New(r.Int64N(cents+1), -digits)
		rf.Items = append(rf.Items, normalize.RefundLine{LineID: l.LineID, Qty: r.Int64N(leftQty + 1), Net: take})
	}
	return rf
}

func sumBySlot(evs []commission.Event) map[string]int64 {
	m := map[string]int64{}
	for i := range evs {
		e := &evs[i]
		m[fmt.Sprint(e.LineID, "|", e.Component, "|", e.Rule, "|", e.Beneficiary, "|", e.Level)] += e.AmountMinor()
	}
	return m
}

// TestDifferential requires byte-identical events from the engine and the
// reference over random genealogies, catalogs, plans, orders and refunds, and
// checks the invariants: the cap holds, corrections never overshoot, a full
// refund zeroes every slot, replays are byte-identical.
func TestDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	compared, failed, events, corrections := 0, 0, 0, 0
	var reused commission.Calculation
	for c := range *cases {
		w := newWorld(t, r)
		plan, err := commission.LoadPlan([]byte(w.plan.JSON()))
		if err != nil {
			t.Fatalf("case %d: %v\n%s", c, err, w.plan.JSON())
		}
		e, err := commission.New(w.c, w.g, plan)
		if err != nil {
			t.Fatal(err)
		}
		ref := &reference{g: w.g, c: w.c, plan: w.plan, enrolled: func(id string) time.Time { return w.enrolled[id] }}
		for k := range 5 {
			o := w.order(r, k)
			lock := commission.Lock{Known: known}
			calc, err := e.Calculate(&o, lock)
			want, rerr := ref.calc(&o, known)
			if (err != nil) != (rerr != nil) {
				t.Fatalf("case %d order %d: engine %v, reference %v", c, k, err, rerr)
			}
			// CalculateInto, reusing one Calculation (and its working
			// memory) across cases, engines and failed orders, fails as
			// Calculate does and otherwise gives the same bytes (below).
			intoErr := e.CalculateInto(&reused, &o, lock)
			if fmt.Sprint(intoErr) != fmt.Sprint(err) {
				t.Fatalf("case %d order %d: CalculateInto: %v, Calculate: %v", c, k, intoErr, err)
			}
			if err != nil {
				if len(reused.Events) != 0 {
					t.Fatalf("case %d order %d: a failed CalculateInto left %d events", c, k, len(reused.Events))
				}
				failed++
				continue
			}
			got := commission.MarshalEvents(calc.Events)
			if !bytes.Equal(got, want) {
				t.Fatalf("case %d order %d: plan %s\nengine:\n%s\nreference:\n%s", c, k, w.plan.JSON(), got, want)
			}
			again, _ := e.Calculate(&o, lock)
			if !bytes.Equal(commission.MarshalEvents(again.Events), got) {
				t.Fatalf("case %d order %d: replay differs", c, k)
			}
			if into := commission.MarshalEvents(reused.Events); !bytes.Equal(into, got) || reused.Capped != calc.Capped ||
				!reused.Cap().Equal(calc.Cap()) || len(reused.Breakage) != len(calc.Breakage) {
				t.Fatalf("case %d order %d: CalculateInto differs:\n%s\n%s", c, k, into, got)
			}
			compared++
			events += len(calc.Events)
			checkCap(t, w, &o, calc)

			// Lifecycle: partial refunds, then a full one.
			posted := calc.Events
			lock = calc.Lock
			cur := o
			for n := range 1 + r.IntN(3) {
				full := n == 2 || r.IntN(4) == 0
				rf := refund(r, cur, n, full)
				next, err := cur.ApplyRefund(rf)
				if err != nil {
					t.Fatalf("case %d order %d refund %d: %v", c, k, n, err)
				}
				next.Status = normalize.StatusPartiallyRefunded
				if full {
					next.Status = normalize.StatusRefunded
				}
				rc, err := e.Calculate(&next, lock)
				if err != nil {
					t.Fatal(err)
				}
				if rc.Lock != lock {
					t.Fatalf("lock moved: %+v → %+v", lock, rc.Lock)
				}
				want, _ := ref.calc(&next, known)
				if got := commission.MarshalEvents(rc.Events); !bytes.Equal(got, want) {
					t.Fatalf("case %d order %d refund %d:\nengine:\n%s\nreference:\n%s", c, k, n, got, want)
				}
				corr := commission.Corrections(posted, rc.Events, next.Version)
				if !bytes.Equal(commission.MarshalEvents(corr), commission.MarshalEvents(commission.Corrections(posted, rc.Events, next.Version))) {
					t.Fatal("corrections not deterministic")
				}
				before := sumBySlot(posted)
				posted = append(posted[:len(posted):len(posted)], corr...)
				corrections += len(corr)
				after, desired := sumBySlot(posted), sumBySlot(rc.Events)
				for slot, v := range after {
					if v != desired[slot] {
						t.Fatalf("case %d: slot %s posted %d, desired %d", c, slot, v, desired[slot])
					}
					// Without a cap a refund only ever lowers a slot; with one,
					// the cap is re-applied to the smaller basis and may move
					// money between slots, but never below zero.
					if v < 0 || (w.plan.share.IsZero() && v > before[slot]) {
						t.Fatalf("case %d: slot %s overshoots: %d after %d", c, slot, v, before[slot])
					}
				}
				if dup := commission.Corrections(posted, rc.Events, next.Version); len(dup) != 0 {
					t.Fatalf("a duplicate revision posts %d events", len(dup))
				}
				if full {
					for slot, v := range after {
						if v != 0 {
							t.Fatalf("case %d: after a full refund slot %s holds %d", c, slot, v)
						}
					}
					break
				}
				cur = next
			}
		}
	}
	if compared < *cases || failed == 0 || events == 0 || corrections == 0 {
		t.Errorf("too few comparisons: %d orders (%d failing), %d events, %d corrections", compared, failed, events, corrections)
	}
	t.Logf("%d orders (and %d failing), %d events, %d corrections compared", compared, failed, events, corrections)
}

func checkCap(t *testing.T, w *world, o *normalize.Order, calc *commission.Calculation) {
	t.Helper()
	if w.plan.share.IsZero() {
		return
	}
	total := decimal.Zero
	for i := range calc.Events {
		total = total.Add(calc.Events[i].Amount())
	}
	net := decimal.Zero
	for _, n := range normalize.Commissionable(o) {
		net = net.Add(n)
	}
	if total.GreaterThan(net.Mul(w.plan.share)) {
		t.Fatalf("order %s pays %s, more than %s of %s", o.PlatformOrderID, total, w.plan.share, net)
	}
	if calc.Capped && !total.Equal(calc.Cap()) {
		t.Fatalf("capped total %s is not the cap %s", total, calc.Cap())
	}
	// Capped events explain themselves: their uncapped amounts and the
	// snapshot's cap, which survive a JSON round trip.
	k := calc.Snapshot.Cap
	if !calc.Capped {
		if k != nil {
			t.Fatalf("order %s not capped, but its snapshot records a cap %+v", o.PlatformOrderID, k)
		}
		for i := range calc.Events {
			if _, ok := calc.Events[i].Uncapped(); ok {
				t.Fatalf("order %s not capped, but an event records an uncapped amount", o.PlatformOrderID)
			}
		}
		return
	}
	lines, err := w.c.Map(o)
	if err != nil {
		t.Fatal(err)
	}
	mapped := decimal.Zero // non-commissionable lines map with zero net
	for _, l := range lines {
		mapped = mapped.Add(l.Net)
	}
	if k == nil || !k.Amount.Equal(calc.Cap()) || !k.Basis.Equal(mapped) || !k.Share.Equal(w.plan.share) || !k.Uncapped.GreaterThan(k.Amount) {
		t.Fatalf("order %s: snapshot cap %+v, cap %s, net %s", o.PlatformOrderID, k, calc.Cap(), net)
	}
	for i := range calc.Events {
		e := &calc.Events[i]
		u, ok := e.Uncapped()
		if !ok || u.LessThan(e.Amount()) {
			t.Fatalf("order %s: capped event pays %s of uncapped %s, %v", o.PlatformOrderID, e.Amount(), u, ok)
		}
		js := e.AppendJSON(nil)
		var back commission.Event
		if err := back.UnmarshalJSON(js); err != nil {
			t.Fatal(err)
		}
		if again := back.AppendJSON(nil); !bytes.Equal(again, js) {
			t.Fatalf("round trip:\n%s\n%s", js, again)
		}
	}
}

// TestCalculateEach: a batch through CalculateEach gives, order by order,
// the events, errors, cap and breakage Calculate gives; an error from fn
// stops it.
func TestCalculateEach(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	lock := commission.Lock{Known: known}
	for c := range 40 {
		w := newWorld(t, r)
		plan, err := commission.LoadPlan([]byte(w.plan.JSON()))
		if err != nil {
			t.Fatal(err)
		}
		e, err := commission.New(w.c, w.g, plan)
		if err != nil {
			t.Fatal(err)
		}
		orders := make([]normalize.Order, 37) // more than two read-ahead groups
		for k := range orders {
			orders[k] = w.order(r, k)
		}
		calls := 0
		err = e.CalculateEach(orders, lock, func(i int, got *commission.Calculation, gotErr error) error {
			if i != calls {
				t.Fatalf("case %d: called for order %d, want %d", c, i, calls)
			}
			calls++
			want, wantErr := e.Calculate(&orders[i], lock)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("case %d order %d: CalculateEach error %v, Calculate %v", c, i, gotErr, wantErr)
			}
			if wantErr != nil {
				if len(got.Events) != 0 {
					t.Fatalf("case %d order %d: %d events with an error", c, i, len(got.Events))
				}
				return nil
			}
			if g, w := commission.MarshalEvents(got.Events), commission.MarshalEvents(want.Events); !bytes.Equal(g, w) ||
				got.Capped != want.Capped || !got.Cap().Equal(want.Cap()) || breakage(got) != breakage(want) {
				t.Fatalf("case %d order %d: CalculateEach differs:\n%s%s\n%s%s", c, i, g, breakage(got), w, breakage(want))
			}
			return nil
		})
		if err != nil || calls != len(orders) {
			t.Fatalf("case %d: %v after %d calls", c, err, calls)
		}
	}

	// Every batch size around the read-ahead groups of 16 calls fn once
	// per order, in order; fn's error at any index stops the batch there.
	w := newWorld(t, r)
	plan, _ := commission.LoadPlan([]byte(w.plan.JSON()))
	e, _ := commission.New(w.c, w.g, plan)
	all := make([]normalize.Order, 49)
	for k := range all {
		all[k] = w.order(r, k)
	}
	for _, n := range []int{0, 1, 15, 16, 17, 31, 32, 33, 48, 49} {
		var got []int
		err := e.CalculateEach(all[:n], lock, func(i int, _ *commission.Calculation, _ error) error {
			got = append(got, i)
			return nil
		})
		if err != nil || len(got) != n {
			t.Fatalf("%d orders: %v, fn called for %v", n, err, got)
		}
		for i, k := range got {
			if i != k {
				t.Fatalf("%d orders: fn called for %v", n, got)
			}
		}
	}
	stop := errors.New("stop")
	for at := range 33 {
		calls := 0
		err := e.CalculateEach(all[:33], lock, func(i int, _ *commission.Calculation, _ error) error {
			calls++
			if i == at {
				return stop
			}
			return nil
		})
		if err != stop || calls != at+1 {
			t.Fatalf("stopping at order %d: %v after %d calls", at, err, calls)
		}
	}
}

// breakage renders a calculation's breakage for comparison.
func breakage(c *commission.Calculation) string {
	var b strings.Builder
	for _, x := range c.Breakage {
		fmt.Fprintf(&b, "breakage %s/%s %s L%d %q %s\n", x.LineID, x.Component, x.Rule, x.Level, x.Member, x.Amount().String())
	}
	return b.String()
}
