package ledger_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/internal/testworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// The reference period close: deliberately simple, in decimals, with a
// loop over every member's ancestors, from the generated members and
// orders themselves rather than from the genealogy or the ledger.

type refMember struct {
	id      string
	sponsor int // index, -1 for a root
	retail  bool
	status  hierarchy.Status
	prev    hierarchy.Ranks
}

type refLine struct {
	pv       decimal.Decimal // per unit
	qty      int64
	refunded int64
}

type refOrder struct {
	id     string
	buyer  int // the member placing it
	placed time.Time
	lines  []refLine
}

type refReq struct {
	rank     hierarchy.Rank
	pv, gv   decimal.Decimal
	ogv      decimal.Decimal
	share    decimal.Decimal // zero: no cap
	capOwn   bool
	legs     []commission.LegRequirement
	enrolled int
	active   bool
}

// refPlan is the differential test's plan, as the reference reads it; its
// JSON is refPlanJSON.
var refPlan = struct {
	activePV  decimal.Decimal
	breakaway hierarchy.Rank
	ranks     []refReq
}{
	activePV:  decimal.RequireFromString("25"),
	breakaway: 3,
	ranks: []refReq{
		{rank: 1, pv: decimal.RequireFromString("50"), active: true},
		{rank: 2, pv: decimal.RequireFromString("50"), gv: decimal.RequireFromString("300"), share: decimal.RequireFromString("0.5"), active: true},
		{rank: 3, pv: decimal.RequireFromString("50"), gv: decimal.RequireFromString("800"), share: decimal.RequireFromString("0.4"), capOwn: true,
			legs: []commission.LegRequirement{{Count: 2, Rank: 2}}, enrolled: 1},
		{rank: 4, ogv: decimal.RequireFromString("2000"), share: decimal.RequireFromString("0.35"), legs: []commission.LegRequirement{{Count: 3, Rank: 1}}},
	},
}

const refPlanJSON = `{"id":"ref","version":1,"effective_from":"2025-01-01T00:00:00Z",
 "rules":[{"type":"unilevel","name":"unilevel","basis":"net","rates":{"*":["0.10","0.05"]}}],
 "period":{"length":"month","currency":"USD","active_pv":"25","breakaway_rank":3,
  "ranks":[{"rank":1,"pv":"50","active":true},
           {"rank":2,"pv":"50","gv":"300","max_leg_share":"0.5","active":true},
           {"rank":3,"pv":"50","gv":"800","max_leg_share":"0.4","cap_own":true,"legs":[{"count":2,"rank":2}],"enrolled":1},
           {"rank":4,"ogv":"2000","max_leg_share":"0.35","legs":[{"count":3,"rank":1}]}],
  "rules":[{"type":"pv_bonus","name":"pv_bonus"}]}}`

type refResult struct {
	pv, gv, ogv []decimal.Decimal
	rank        []hierarchy.Rank
	highest     []hierarchy.Rank
	awards      []string // "member amount"
}

func referenceClose(ms []refMember, orders []refOrder, per commission.Period, awards bool) refResult {
	n := len(ms)
	r := refResult{pv: make([]decimal.Decimal, n), gv: make([]decimal.Decimal, n), ogv: make([]decimal.Decimal, n),
		rank: make([]hierarchy.Rank, n), highest: make([]hierarchy.Rank, n)}
	for _, o := range orders {
		if !per.Contains(o.placed) {
			continue
		}
		credited := o.buyer
		if ms[credited].retail {
			credited = ms[credited].sponsor
		}
		for _, l := range o.lines {
			r.pv[credited] = r.pv[credited].Add(l.pv.Mul(decimal.NewFromInt(l.qty - l.refunded)))
		}
	}
	depth := func(m int) int {
		d := 0
		for a := ms[m].sponsor; a >= 0; a = ms[a].sponsor {
			d++
		}
		return d
	}
	isAncestor := func(a, m int) bool { // a is m or above it
		for x := m; x >= 0; x = ms[x].sponsor {
			if x == a {
				return true
			}
		}
		return false
	}
	active := make([]bool, n)
	enrolled := make([]int, n)
	for m := range ms {
		active[m] = !ms[m].retail && ms[m].status == hierarchy.Active && r.pv[m].GreaterThanOrEqual(refPlan.activePV)
	}
	for m := range ms {
		if active[m] && ms[m].sponsor >= 0 {
			enrolled[ms[m].sponsor]++
		}
	}
	// Members deepest first: a member's downline is qualified before it.
	idx := make([]int, 0, n)
	for m := range ms {
		if !ms[m].retail {
			idx = append(idx, m)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return depth(b) - depth(a) })
	kids := func(m int) []int {
		var out []int
		for c := range ms {
			if !ms[c].retail && ms[c].sponsor == m {
				out = append(out, c)
			}
		}
		return out
	}
	// ogvOf sums own PV over the subtree; gvOf stops below members paid
	// as the breakaway rank (their own volume included).
	ogvOf := func(m int) decimal.Decimal {
		s := decimal.Zero
		for y := range ms {
			if !ms[y].retail && isAncestor(m, y) {
				s = s.Add(r.pv[y])
			}
		}
		return s
	}
	gvOf := func(m int) decimal.Decimal {
		s := decimal.Zero
		for y := range ms {
			if ms[y].retail || !isAncestor(m, y) {
				continue
			}
			broke := false
			for x := y; x != m; x = ms[x].sponsor {
				if r.rank[x] >= refPlan.breakaway {
					broke = true
				}
			}
			if !broke {
				s = s.Add(r.pv[y])
			}
		}
		return s
	}
	legRank := func(c int) hierarchy.Rank {
		var h hierarchy.Rank
		for y := range ms {
			if !ms[y].retail && isAncestor(c, y) && r.rank[y] > h {
				h = r.rank[y]
			}
		}
		return h
	}
	for _, m := range idx {
		r.ogv[m], r.gv[m] = ogvOf(m), gvOf(m)
		r.rank[m] = 0
		for i := len(refPlan.ranks) - 1; i >= 0; i-- {
			q := &refPlan.ranks[i]
			ok := (!q.active || active[m]) && r.pv[m].GreaterThanOrEqual(q.pv) && enrolled[m] >= q.enrolled
			for _, l := range q.legs {
				c := 0
				for _, k := range kids(m) {
					if legRank(k) >= l.Rank {
						c++
					}
				}
				ok = ok && c >= l.Count
			}
			counted := func(req decimal.Decimal, org bool) decimal.Decimal {
				if q.share.IsZero() {
					if org {
						return r.ogv[m]
					}
					return r.gv[m]
				}
				capAt := req.Mul(q.share).Truncate(6)
				own := r.pv[m]
				if q.capOwn {
					own = decimal.Min(own, capAt)
				}
				s := own
				for _, k := range kids(m) {
					v := ogvOf(k)
					if !org {
						v = gvOf(k)
						if r.rank[k] >= refPlan.breakaway {
							v = decimal.Zero
						}
					}
					s = s.Add(decimal.Min(v, capAt))
				}
				return s
			}
			if !q.gv.IsZero() {
				ok = ok && counted(q.gv, false).GreaterThanOrEqual(q.gv)
			}
			if !q.ogv.IsZero() {
				ok = ok && counted(q.ogv, true).GreaterThanOrEqual(q.ogv)
			}
			if ok {
				r.rank[m] = q.rank
				break
			}
		}
		r.highest[m] = max(r.rank[m], ms[m].prev.Highest)
	}
	for m := range ms {
		if awards && !ms[m].retail && !r.pv[m].IsZero() {
			r.awards = append(r.awards, ms[m].id+" "+r.pv[m].Mul(decimal.RequireFromString("0.10")).Round(2).StringFixed(2))
		}
	}
	slices.Sort(r.awards)
	return r
}

// randomWorld returns a random genealogy (about a tenth retail customers,
// a tenth inactive, ranks typed in at random) and random orders placed in
// August 2025, some with refunds.
func randomWorld(rng *rand.Rand) ([]refMember, []refOrder) {
	n := 10 + rng.IntN(120)
	ms := make([]refMember, n)
	for i := range ms {
		ms[i] = refMember{id: fmt.Sprintf("M%03d", i), sponsor: -1, status: hierarchy.Active}
		if i > 0 && rng.IntN(12) != 0 {
			for {
				s := rng.IntN(i)
				if !ms[s].retail {
					ms[i].sponsor = s
					break
				}
			}
		}
		if i > 0 && ms[i].sponsor >= 0 && rng.IntN(10) == 0 {
			ms[i].retail = true
			continue
		}
		if rng.IntN(10) == 0 {
			ms[i].status = hierarchy.Inactive
		}
		h := hierarchy.Rank(rng.IntN(4))
		ms[i].prev = hierarchy.Ranks{PaidAs: hierarchy.Rank(rng.IntN(int(h) + 1)), Highest: h}
	}
	var orders []refOrder
	pvs := []decimal.Decimal{decimal.RequireFromString("25"), decimal.RequireFromString("35")}
	aug := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	for i := range n * 2 {
		o := refOrder{id: fmt.Sprint(7000 + i), buyer: rng.IntN(n), placed: aug.Add(time.Duration(rng.IntN(31*24)) * time.Hour)}
		for l := range 1 + rng.IntN(2) {
			line := refLine{pv: pvs[l], qty: int64(1 + rng.IntN(12))}
			if rng.IntN(4) == 0 {
				line.refunded = int64(1 + rng.IntN(int(line.qty)))
			}
			o.lines = append(o.lines, line)
		}
		orders = append(orders, o)
	}
	return ms, orders
}

var refSKUs = []string{"VIT-C-90", "PROT-1KG"}
var refPrices = []string{"19.99", "45.50"}

func (o *refOrder) body(ms []refMember) (normalize.Order, error) {
	var items []string
	total := decimal.Zero
	for i, l := range o.lines {
		items = append(items, fmt.Sprintf(`{"line_id":"%d","platform_sku":%q,"qty":%d,"unit_price":%q}`, i+1, refSKUs[i], l.qty, refPrices[i]))
		total = total.Add(decimal.RequireFromString(refPrices[i]).Mul(decimal.NewFromInt(l.qty)))
	}
	return normalize.DecodeJSON(fmt.Appendf(nil, `{"platform":"shopify","store":"ref.example","platform_order_id":%q,
	  "order_ts":%q,"status":"paid","currency":"USD","customer_ref":%q,"items":[%s],"total":%q}`,
		o.id, o.placed.Format(time.RFC3339), ms[o.buyer].id, strings.Join(items, ","), total.StringFixed(2)))
}

func (o *refOrder) refund(i int, qty int64, ts time.Time) normalize.Refund {
	return normalize.Refund{Platform: normalize.Shopify, Store: "ref.example", OrderID: o.id, Currency: "USD",
		RefundID: fmt.Sprintf("%s-r%d-%d-%d", o.id, i, qty, ts.Unix()), TS: ts,
		Items: []normalize.RefundLine{{LineID: fmt.Sprint(i + 1), Qty: qty,
			Net: decimal.RequireFromString(refPrices[i]).Mul(decimal.NewFromInt(qty))}}}
}

func refLedger(t *testing.T, ms []refMember) (*ledger.Ledger, *hierarchy.Genealogy) {
	t.Helper()
	var g hierarchy.Genealogy
	jan := testworld.Jan
	for _, m := range ms {
		kind, sponsor := hierarchy.Distributor, ""
		if m.retail {
			kind = hierarchy.Retail
		}
		if m.sponsor >= 0 {
			sponsor = ms[m.sponsor].id
		}
		if err := g.Apply(hierarchy.Change{Op: hierarchy.OpEnroll, Member: m.id, Kind: kind, Sponsor: sponsor, Status: m.status,
			PaidAs: m.prev.PaidAs, Highest: m.prev.Highest, Effective: jan, Recorded: jan}); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := testworld.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := ledgerworld.LoadClosePlan(refPlanJSON)
	if err != nil {
		t.Fatal(err)
	}
	e, err := commission.New(cat, &g, plan)
	if err != nil {
		t.Fatal(err)
	}
	return ledger.New(ledger.NewMemory(), e), &g
}

// closeLines renders what a close computed as the reference does.
func closeLines(t *testing.T, c *commission.Closing, ms []refMember) (vols []string, awards []string) {
	t.Helper()
	for _, m := range ms {
		if m.retail {
			continue
		}
		r, ok := c.Report(m.id)
		if !ok {
			t.Fatalf("no report for %s", m.id)
		}
		vols = append(vols, fmt.Sprintf("%s PV %s GV %s OGV %s rank %d/%d", m.id, r.Volumes.PV, r.Volumes.GV, r.Volumes.OGV, r.Ranks.PaidAs, r.Ranks.Highest))
		// A leg never counts more than its share: the cap of the rank
		// reached, and in every shortfall the cap of the rank tried.
		for _, l := range r.Legs {
			if l.Counted.GreaterThan(l.Volume) {
				t.Errorf("%s: leg %s counts %s of its %s", m.id, l.Member, l.Counted, l.Volume)
			}
		}
		for _, try := range r.Trace {
			for _, f := range try.Failed {
				for _, l := range f.Capped {
					q := refPlan.ranks[slices.IndexFunc(refPlan.ranks, func(q refReq) bool { return q.rank == try.Rank })]
					req := q.gv
					if f.Requirement == "ogv" {
						req = q.ogv
					}
					if capAt := req.Mul(q.share).Truncate(6); !l.Counted.Equal(capAt) || !l.Volume.GreaterThan(capAt) {
						t.Errorf("%s rank %d: leg %q counts %s of %s, cap %s", m.id, try.Rank, l.Member, l.Counted, l.Volume, capAt)
					}
				}
			}
		}
	}
	for _, a := range c.Awards {
		awards = append(awards, a.Beneficiary+" "+a.Amount().StringFixed(2))
	}
	slices.Sort(awards)
	return vols, awards
}

func refLines(r refResult, ms []refMember) (vols []string) {
	for i, m := range ms {
		if !m.retail {
			vols = append(vols, fmt.Sprintf("%s PV %s GV %s OGV %s rank %d/%d", m.id, r.pv[i], r.gv[i], r.ogv[i], r.rank[i], r.highest[i]))
		}
	}
	return vols
}

// TestCloseDifferential closes random worlds with the ledger and with the
// reference: identical volumes, ranks and awards; closing again posts
// nothing; late refunds post only corrections, after which the two agree
// again; and after every order is refunded in full, every award slot sums
// to zero.
func TestCloseDifferential(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 14))
			ms, orders := randomWorld(rng)
			l, _ := refLedger(t, ms)
			sep := time.Date(2025, 9, 2, 0, 0, 0, 0, time.UTC)
			// Refunds of about half the refunded lines arrive before
			// the close, the others after it.
			var late [][3]int
			for oi := range orders {
				o := &orders[oi]
				body, err := o.body(ms)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := l.Post(ctx, &body, o.placed); err != nil {
					t.Fatal(err)
				}
				for li, line := range o.lines {
					if line.refunded == 0 {
						continue
					}
					if rng.IntN(2) == 0 {
						late = append(late, [3]int{oi, li, int(line.refunded)})
						o.lines[li].refunded = 0
						continue
					}
					if _, err := l.PostRefund(ctx, o.refund(li, line.refunded, o.placed.Add(time.Hour)), o.placed.Add(time.Hour)); err != nil {
						t.Fatal(err)
					}
				}
			}
			per := commission.Period{ID: "2025-08", From: time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)}
			compare := func(c *commission.Closing) {
				t.Helper()
				want := referenceClose(ms, orders, per, true)
				vols, awards := closeLines(t, c, ms)
				if diff := cmp.Diff(refLines(want, ms), vols); diff != "" {
					t.Fatalf("volumes and ranks (-reference +close):\n%s", diff)
				}
				if diff := cmp.Diff(want.awards, awards); diff != "" {
					t.Fatalf("awards (-reference +close):\n%s", diff)
				}
			}
			res, err := l.Close(ctx, "2025-08", sep)
			if err != nil {
				t.Fatal(err)
			}
			compare(res.Closing)
			again, err := l.Close(ctx, "2025-08", sep.Add(time.Hour))
			if err != nil || again.Outcome != ledger.Duplicate || len(again.Entries) != 0 {
				t.Fatalf("re-close of an unchanged period: %v %s %d entries", err, again.Outcome, len(again.Entries))
			}
			// The late refunds: the re-close posts corrections only.
			for i, lr := range late {
				o := &orders[lr[0]]
				at := sep.Add(time.Hour + time.Duration(i)*time.Minute)
				if _, err := l.PostRefund(ctx, o.refund(lr[1], int64(lr[2]), at), at); err != nil {
					t.Fatal(err)
				}
				o.lines[lr[1]].refunded = int64(lr[2])
			}
			corr, err := l.Close(ctx, "2025-08", sep.Add(48*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			compare(corr.Closing)
			for _, e := range corr.Entries {
				if e.Type == ledger.TypeAward && e.Award.Kind == commission.KindCommission && len(late) == 0 {
					t.Errorf("a re-close without late refunds posted %s", e.ID)
				}
			}
			// Refund everything: every slot of the period sums to zero.
			for oi := range orders {
				o := &orders[oi]
				for li, line := range o.lines {
					if left := line.qty - line.refunded; left > 0 {
						at := sep.Add(72 * time.Hour)
						if _, err := l.PostRefund(ctx, o.refund(li, left, at), at); err != nil {
							t.Fatal(err)
						}
						o.lines[li].refunded = line.qty
					}
				}
			}
			zero, err := l.Close(ctx, "2025-08", sep.Add(96*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			compare(zero.Closing)
			sums := map[string]decimal.Decimal{}
			err = l.Store().Scan(ctx, ledger.Filter{Types: []ledger.Type{ledger.TypeAward, ledger.TypeCarry}}, func(e *ledger.Entry) error {
				if e.Award != nil {
					k := fmt.Sprint(e.Award.Slot())
					sums[k] = sums[k].Add(e.Amount)
				} else {
					k := "carry " + e.Carry.Member
					sums[k] = sums[k].Add(e.Carry.Volume)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range sums {
				if !v.IsZero() {
					t.Errorf("after every order is refunded, slot %s sums to %s", k, v)
				}
			}
		})
	}
}
