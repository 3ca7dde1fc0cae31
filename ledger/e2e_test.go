package ledger_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/uplinehq/upline/internal/ledgerworld"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

var ctx = context.Background()

var far = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// separately returns what a platform delivers for World.Life's order id, in
// version order, when refunds arrive as their own webhooks and order bodies
// leave their lines out:
//
//	0 pending
//	1 paid
//	2 refund r1 applied to the paid body
//	3 refund r2 applied to the paid body (r1 missing: the handler kept the paid body)
//	4 a body updated an hour after r2, partially refunded, listing both refunds by amount only
//
// Posted in any order, they must end as Life's last revision: both refunds.
func separately(t testing.TB, w *ledgerworld.World, id, ref string, placed time.Time) []normalize.Order {
	t.Helper()
	life := w.Life(t, id, ref, placed)
	paid, r1, r2 := life[1], life[3].Refunds[0], life[3].Refunds[1]
	alone, err := paid.ApplyRefund(r2)
	if err != nil {
		t.Fatal(err)
	}
	alone.Status = normalize.StatusPartiallyRefunded
	later := paid
	later.Status = normalize.StatusPartiallyRefunded
	later.Version = r2.TS.Add(time.Hour)
	later.Refunds = []normalize.Refund{
		{RefundID: r1.RefundID, TS: r1.TS, Amount: decimal.RequireFromString("19.99")},
		{RefundID: r2.RefundID, TS: r2.TS, Amount: decimal.RequireFromString("91.00")},
	}
	return []normalize.Order{life[0], paid, life[2], alone, later}
}

// history returns n orders' deliveries, oldest first per order:
// separately's, and for every fifth order a cancellation of the last body.
func history(t testing.TB, w *ledgerworld.World, n int) [][]normalize.Order {
	refs := []string{"C", "B", "A", "U"}
	var out [][]normalize.Order
	for i := range n {
		revs := separately(t, w, fmt.Sprint(5000+i), refs[i%len(refs)], ledgerworld.Placed.Add(time.Duration(i)*time.Hour))
		if i%5 == 0 {
			c := revs[len(revs)-1]
			c.Status = normalize.StatusCancelled
			c.Version = c.Version.Add(48 * time.Hour)
			revs = append(revs, c)
		}
		out = append(out, revs)
	}
	return out
}

// slots renders every order's non-zero per-slot sums, sorted.
func slots(t testing.TB, s ledger.Store) []string {
	sums := make(map[string]decimal.Decimal)
	err := s.Scan(ctx, ledger.Filter{Types: []ledger.Type{ledger.TypeCommission, ledger.TypeCorrection}}, func(e *ledger.Entry) error {
		k := fmt.Sprint(e.Order.OrderID, " line ", e.Event.LineID, " ", e.Rule, " ", e.Member, " L", e.Event.Level)
		sums[k] = sums[k].Add(e.Amount)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for k, v := range sums {
		if !v.IsZero() {
			out = append(out, k+" "+v.StringFixed(2))
		}
	}
	slices.Sort(out)
	return out
}

func TestShuffledDeliveriesEqualInOrder(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	orders := history(t, w, 40)

	ref := ledger.New(ledger.NewMemory(), w.Engine)
	at := ledgerworld.Placed
	var newest []normalize.Order
	for _, revs := range orders {
		for i := range revs {
			if _, err := ref.Post(ctx, &revs[i], at); err != nil {
				t.Fatal(err)
			}
		}
		newest = append(newest, revs[len(revs)-1])
	}
	wantSlots := slots(t, ref.Store())
	// Posted in order, the deliveries end where Life's last revision (both
	// refunds with their lines), or its cancellation, posted alone ends.
	alone := ledger.New(ledger.NewMemory(), w.Engine)
	for i, revs := range orders {
		last := w.Life(t, fmt.Sprint(5000+i), revs[0].DistributorRef, revs[0].OrderTS)[3]
		if i%5 == 0 {
			last.Status = normalize.StatusCancelled
		}
		if _, err := alone.Post(ctx, &last, at); err != nil {
			t.Fatal(err)
		}
	}
	if d := cmp.Diff(slots(t, alone.Store()), wantSlots); d != "" {
		t.Fatalf("in-order deliveries differ from the last revisions posted alone (-alone +in order):\n%s", d)
	}
	wantBalances := ledgerworld.Balances(t, ref, far)
	wantTotals, err := ref.Totals(ctx, ledger.Year(2025), w.Members)
	if err != nil {
		t.Fatal(err)
	}
	if len(wantSlots) == 0 || len(wantBalances) != 3 {
		t.Fatalf("reference ledger: %d slots, balances %v", len(wantSlots), wantBalances)
	}

	for _, seed := range []uint64{1, 2, 3, 42, 2025} {
		for _, concurrent := range []bool{false, true} {
			t.Run(fmt.Sprintf("seed %d concurrent %v", seed, concurrent), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
				var deliveries []*normalize.Order
				for _, revs := range orders {
					for i := range revs {
						for range 1 + rng.IntN(3) { // at least once, up to three times
							deliveries = append(deliveries, &revs[i])
						}
					}
				}
				rng.Shuffle(len(deliveries), func(i, j int) { deliveries[i], deliveries[j] = deliveries[j], deliveries[i] })
				l := ledger.New(ledger.NewMemory(), w.Engine)
				outcomes := make(map[ledger.Outcome]int)
				var mu sync.Mutex
				deliver := func(o *normalize.Order) {
					r, err := l.Post(ctx, o, at)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					outcomes[r.Outcome]++
					mu.Unlock()
				}
				if concurrent {
					var wg sync.WaitGroup
					work := make(chan *normalize.Order)
					for range 8 {
						wg.Add(1)
						go func() {
							defer wg.Done()
							for o := range work {
								deliver(o)
							}
						}()
					}
					for _, o := range deliveries {
						work <- o
					}
					close(work)
					wg.Wait()
				} else {
					for _, o := range deliveries {
						deliver(o)
					}
				}
				if outcomes[ledger.Duplicate] == 0 || outcomes[ledger.Stale] == 0 {
					t.Errorf("outcomes %v: the stream should have had duplicates and stale revisions", outcomes)
				}
				if d := cmp.Diff(wantSlots, slots(t, l.Store())); d != "" {
					t.Errorf("per-slot sums differ from in-order delivery (-want +got):\n%s", d)
				}
				if d := cmp.Diff(wantBalances, ledgerworld.Balances(t, l, far)); d != "" {
					t.Errorf("balances differ (-want +got):\n%s", d)
				}
				totals, err := l.Totals(ctx, ledger.Year(2025), w.Members)
				if err != nil {
					t.Fatal(err)
				}
				// Totals split earned and clawed back by how the history was
				// delivered; their net must agree.
				for i := range totals {
					if totals[i].Member != wantTotals[i].Member || !totals[i].Net.Equal(wantTotals[i].Net) {
						t.Errorf("total %d: %s net %s, want %s net %s", i, totals[i].Member, totals[i].Net, wantTotals[i].Member, wantTotals[i].Net)
					}
				}
				rec, err := l.Reconcile(ctx, ledger.Year(2025), newest, far)
				if err != nil {
					t.Fatal(err)
				}
				if rec.Share != "0" || rec.Matched != len(orders) || len(rec.Missing)+len(rec.Extra)+len(rec.Differing)+len(rec.Held) != 0 {
					t.Errorf("reconciliation: share %s, %d of %d matched, %d missing, %d extra, %d differing, %d held",
						rec.Share, rec.Matched, len(orders), len(rec.Missing), len(rec.Extra), len(rec.Differing), len(rec.Held))
				}
			})
		}
	}
}
