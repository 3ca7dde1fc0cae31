package postgres_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// delivery is one webhook delivery: an order body or a refund on its own.
type delivery struct {
	body   *normalize.Order
	refund *normalize.Refund
}

// postAt is when every delivery is posted, so that runs in any order
// record the same instants.
var postAt = ledgerworld.Placed.Add(60 * 24 * time.Hour)

// deliveries returns the deliveries of n orders in the order a clean run
// posts them: each order's four bodies by version, and its second refund
// again on its own, after the body that lists it.
func deliveries(w *ledgerworld.World, n int) ([]delivery, error) {
	refs := []string{"C", "B", "A"}
	var out []delivery
	for i := range n {
		revs, err := w.Revisions(fmt.Sprint(7_000_000_000_000_000+i), refs[i%len(refs)], ledgerworld.Placed.Add(time.Duration(i)*time.Minute))
		if err != nil {
			return nil, err
		}
		for j := range revs {
			out = append(out, delivery{body: &revs[j]})
		}
		r := revs[3].Refunds[1]
		r.Platform, r.Store, r.OrderID, r.Currency = revs[3].Platform, revs[3].Store, revs[3].PlatformOrderID, revs[3].Currency
		out = append(out, delivery{refund: &r})
	}
	return out, nil
}

// shuffled returns ds in a random order, with a tenth of them twice.
func shuffled(ds []delivery, seed uint64) []delivery {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := slices.Clone(ds)
	for range len(ds) / 10 {
		out = append(out, ds[rng.IntN(len(ds))])
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func deliver(l *ledger.Ledger, d delivery) (ledger.Result, error) {
	if d.body != nil {
		return l.Post(ctx, d.body, postAt)
	}
	return l.PostRefund(ctx, *d.refund, postAt)
}

// outcome is what a run leaves in a ledger, in a form to compare.
type outcome struct {
	Balances []string
	// Slots are the non-zero sums of every slot's events, "order line rule
	// beneficiary level amount" lines, sorted.
	Slots []string
	// Reconciled reports the reconciliation of the orders' newest bodies.
	Orders, Matched, Missing, Extra, Differing, Held int
}

func outcomeOf(t *testing.T, l *ledger.Ledger, ds []delivery) outcome {
	t.Helper()
	o := outcome{Balances: ledgerworld.Balances(t, l, postAt.Add(24*time.Hour))}
	type slot struct {
		order, line, comp, rule, who string
		level                        int
	}
	sums := map[slot]decimal.Decimal{}
	err := l.Store().Scan(ctx, ledger.Filter{Types: []ledger.Type{ledger.TypeCommission, ledger.TypeCorrection}}, func(e *ledger.Entry) error {
		s := e.Event.Slot()
		k := slot{s.Order.String(), s.LineID, s.Component, s.Rule, s.Beneficiary, s.Level}
		sums[k] = sums[k].Add(e.Amount)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range sums {
		// A slot paid and taken back in full sums to zero, the same as a
		// slot never paid, which it is when the final body came first.
		if v.IsZero() {
			continue
		}
		o.Slots = append(o.Slots, fmt.Sprintf("%s %s %s %s %s %d %s", k.order, k.line, k.comp, k.rule, k.who, k.level, v.StringFixed(2)))
	}
	slices.SortFunc(o.Slots, cmp.Compare)
	var bodies []normalize.Order
	for _, d := range ds {
		if d.body != nil {
			bodies = append(bodies, *d.body)
		}
	}
	r, err := l.Reconcile(ctx, ledger.Period{From: ledgerworld.Jan, To: postAt.AddDate(1, 0, 0)}, bodies, postAt)
	if err != nil {
		t.Fatal(err)
	}
	o.Orders, o.Matched, o.Missing, o.Extra, o.Differing, o.Held = r.Orders, r.Matched, len(r.Missing), len(r.Extra), len(r.Differing), len(r.Held)
	return o
}

// cleanOutcome posts ds once each, in order, on a Memory store.
func cleanOutcome(t *testing.T, w *ledgerworld.World, ds []delivery) outcome {
	t.Helper()
	l := ledger.New(ledger.NewMemory(), w.Engine)
	for _, d := range ds {
		if _, err := deliver(l, d); err != nil {
			t.Fatal(err)
		}
	}
	o := outcomeOf(t, l, ds)
	if o.Matched != o.Orders || o.Orders == 0 || len(o.Slots) == 0 {
		t.Fatalf("the clean run does not reconcile: %+v", o)
	}
	return o
}
