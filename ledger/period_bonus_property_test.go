package ledger_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/testworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// bonusRules are the five built-in period bonuses, as a plan's
// "period" holds them; BenchmarkCloseLines closes with them too. The
// unilevel is named volume_unilevel, apart from the order-time unilevel
// of the plans it joins there.
const bonusRules = `"rules": [
   {"type": "unilevel_volume", "name": "volume_unilevel", "basis": "pv", "rates": ["0.05", "0.03"], "rates_by_rank": {"2": ["0.06", "0.04", "0.02"]}, "compression": true},
   {"type": "differential", "name": "differential", "basis": "cv", "include_self": true, "rates_by_rank": {"1": "0.03", "2": "0.07"}, "breakaway": {"min_rank": 2, "generations": ["0.01"]}},
   {"type": "binary", "name": "binary", "basis": "pv", "cycle": {"left": "50", "right": "50"}, "rates_by_rank": {"0": "0.10", "2": "0.12"},
    "cap_by_rank": {"0": "5", "1": "7.50", "2": "12"}, "max_carry": "400"},
   {"type": "matching", "name": "matching", "rates": ["0.10", "0.05"], "compression": true},
   {"type": "pool", "name": "pool", "basis": "cv", "share": "0.02", "shares_by_rank": {"1": 1, "2": 3}}]`

// bonusPlan applies every built-in period bonus; the binary's caps are
// what TestPeriodBonusesThroughTheLedger holds it to.
const bonusPlan = `{"id": "bonuses", "version": 1, "effective_from": "2025-01-01T00:00:00Z", "rules": [],
 "period": {"length": "month", "grace": "72h", "currency": "USD", "active_pv": "25",
  "ranks": [{"rank": 1, "pv": "25"}, {"rank": 2, "pv": "50", "gv": "150", "max_leg_share": "0.6"}],
  ` + bonusRules + `}}`

var binaryCap = map[hierarchy.Rank]int64{0: 500, 1: 750, 2: 1200}

// TestPeriodBonusesThroughTheLedger closes random months with every
// built-in period bonus through ledger.Close and checks what must hold
// whatever the tree and orders: a binary never pays beyond its cap;
// closing again unchanged appends nothing; once every order is refunded
// in full, the re-close's corrections bring every award slot and every
// carry slot of the period back to zero.
func TestPeriodBonusesThroughTheLedger(t *testing.T) {
	jan := testworld.Jan
	for seed := uint64(1); seed <= 25; seed++ {
		r := rand.New(rand.NewPCG(seed, 1414))
		var g hierarchy.Genealogy
		n := 2 + r.IntN(30)
		free := map[string][2]bool{}
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("M%02d", i)
			c := hierarchy.Change{Op: hierarchy.OpEnroll, Member: ids[i], Kind: hierarchy.Distributor, Status: hierarchy.Active,
				Effective: jan, Recorded: jan}
			if r.IntN(6) == 0 {
				c.Status = hierarchy.Inactive
			}
			if i > 0 {
				c.Sponsor = ids[r.IntN(i)]
				for {
					p, leg := ids[r.IntN(i)], r.IntN(2)
					if f := free[p]; !f[leg] {
						f[leg] = true
						free[p] = f
						c.Parent, c.Leg = p, hierarchy.Leg(leg+1)
						break
					}
				}
			}
			if err := g.Apply(c); err != nil {
				t.Fatal(err)
			}
		}
		cat, err := testworld.Catalog()
		if err != nil {
			t.Fatal(err)
		}
		plan, err := commission.LoadPlan([]byte(bonusPlan))
		if err != nil {
			t.Fatal(err)
		}
		e, err := commission.New(cat, &g, plan)
		if err != nil {
			t.Fatal(err)
		}
		l := ledger.New(ledger.NewMemory(), e)
		aug := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
		var orders []normalize.Order
		for k := range 1 + r.IntN(3*n) {
			placed := aug.Add(time.Duration(r.IntN(30*24)) * time.Hour)
			o := normalize.Order{Platform: normalize.Shopify, Store: "bonuses.example.com", PlatformOrderID: strconv.Itoa(5000 + k),
				Version: placed, OrderTS: placed, Status: normalize.StatusPaid, Currency: "USD", DistributorRef: ids[r.IntN(n)]}
			net := decimal.Zero
			for j := range 1 + r.IntN(2) {
				sku, price := "VIT-C-90", decimal.New(1999, -2)
				if r.IntN(2) == 0 {
					sku, price = "PROT-1KG", decimal.New(4550, -2)
				}
				qty := int64(1 + r.IntN(4))
				v := price.Mul(decimal.NewFromInt(qty))
				o.Items = append(o.Items, normalize.Line{LineID: strconv.Itoa(j + 1), PlatformSKU: sku, Qty: qty, UnitPrice: price, Gross: v, Net: v})
				net = net.Add(v)
			}
			o.Total = net
			if _, err := l.Post(ctx, &o, o.Version); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			orders = append(orders, o)
		}
		sep := func(d int) time.Time { return time.Date(2025, 9, d, 0, 0, 0, 0, time.UTC) }
		first, err := l.Close(ctx, "2025-08", sep(5))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for _, a := range first.Closing.Awards {
			if a.Rule == "binary" && a.AmountMinor() > binaryCap[a.Snapshot().Ranks.PaidAs] {
				t.Fatalf("seed %d: %s's binary pays %s above its cap", seed, a.Beneficiary, a.Amount())
			}
		}
		again, err := l.Close(ctx, "2025-08", sep(6))
		if err != nil || again.Outcome != ledger.Duplicate || len(again.Entries) != 0 {
			t.Fatalf("seed %d: close again: %v %s, %d entries", seed, err, again.Outcome, len(again.Entries))
		}
		for _, o := range orders {
			var lines []normalize.RefundLine
			for _, it := range o.Items {
				lines = append(lines, normalize.RefundLine{LineID: it.LineID, Qty: it.Qty, Net: it.Net})
			}
			back, err := o.ApplyRefund(normalize.Refund{RefundID: o.PlatformOrderID + "-r", TS: sep(6), Items: lines})
			if err != nil {
				t.Fatal(err)
			}
			back.Status = normalize.StatusRefunded
			if _, err := l.Post(ctx, &back, back.Version); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		}
		if _, err := l.Close(ctx, "2025-08", sep(8)); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		awards := map[commission.AwardSlot]decimal.Decimal{}
		carries := map[string]decimal.Decimal{}
		for _, en := range storeEntries(t, l) {
			switch {
			case en.Award != nil:
				awards[en.Award.Slot()] = awards[en.Award.Slot()].Add(en.Award.Amount())
			case en.Carry != nil:
				k := fmt.Sprint(en.Carry.Rule, en.Carry.Member, en.Carry.Leg)
				carries[k] = carries[k].Add(en.Carry.Volume)
			}
		}
		for s, v := range awards {
			if !v.IsZero() {
				t.Fatalf("seed %d: after every refund, award slot %+v sums to %s", seed, s, v)
			}
		}
		for k, v := range carries {
			if !v.IsZero() {
				t.Fatalf("seed %d: after every refund, carry %s sums to %s", seed, k, v)
			}
		}
		if testing.Verbose() {
			t.Logf("seed %d: %d members, %d orders, %d award slots", seed, n, len(orders), len(awards))
		}
		if len(awards) == 0 {
			t.Logf("seed %d: no award at all", seed)
		}
	}
}
