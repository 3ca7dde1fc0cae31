package ledger_test

import (
	"slices"
	"testing"
	"time"

	"github.com/uplinehq/upline/internal/ledgerworld"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// FuzzDeliveries delivers two orders' deliveries (see separately: order
// bodies, refunds delivered on their own, a later body listing the refunds
// by amount only) in the order the input bytes say, each byte picking an
// order and a delivery, repeats allowed. It checks that no delivery fails,
// that a delivery seen before appends nothing, that the ledger ends as if
// the same deliveries had arrived in version order, and that reconciling
// against the newest delivery of each order gives a delta of exactly 0.
func FuzzDeliveries(f *testing.F) {
	for _, seed := range [][]byte{{0, 1, 2, 3, 4}, {4, 3, 2, 1, 0}, {1, 1, 5, 2, 7, 0, 3}, {2, 6, 2, 6, 0}, {1, 4, 3, 2}, {3, 1, 2}, {0x11, 0x14, 0x01, 0x13, 0x12, 0x03, 0x04}, {}} {
		f.Add(seed)
	}
	w := ledgerworld.NewWorld(f)
	orders := [][]normalize.Order{
		separately(f, w, "1", "C", ledgerworld.Placed),
		separately(f, w, "2", "B", ledgerworld.Placed.Add(time.Hour)),
	}
	n := len(orders[0])
	f.Fuzz(func(t *testing.T, picks []byte) {
		if len(picks) > 64 {
			picks = picks[:64]
		}
		l := ledger.New(ledger.NewMemory(), w.Engine)
		delivered := [2][]bool{make([]bool, n), make([]bool, n)}
		for i, p := range picks {
			o, r := int(p>>4)%2, int(p&0xf)%n
			res, err := l.Post(ctx, &orders[o][r], ledgerworld.Placed.Add(time.Duration(i)*time.Second))
			if err != nil {
				t.Fatalf("delivery %d (order %d, %d): %v", i, o, r, err)
			}
			if delivered[o][r] && (res.Outcome == ledger.Posted || len(res.Entries) > 0) {
				t.Fatalf("delivery %d (order %d, %d) again: %s, %d entries", i, o, r, res.Outcome, len(res.Entries))
			}
			delivered[o][r] = true
		}
		inOrder := ledger.New(ledger.NewMemory(), w.Engine)
		var platform []normalize.Order
		for o := range orders {
			newest := -1
			for r := range n { // deliveries are in version order
				if delivered[o][r] {
					if _, err := inOrder.Post(ctx, &orders[o][r], ledgerworld.Placed); err != nil {
						t.Fatal(err)
					}
					newest = r
				}
			}
			if newest >= 0 {
				platform = append(platform, orders[o][newest])
			}
		}
		if d := cmp.Diff(slots(t, inOrder.Store()), slots(t, l.Store())); d != "" {
			t.Errorf("per-slot sums differ from the same deliveries in version order (-want +got):\n%s", d)
		}
		if d := cmp.Diff(ledgerworld.Balances(t, inOrder, far), ledgerworld.Balances(t, l, far)); d != "" {
			t.Errorf("balances (-want +got):\n%s", d)
		}
		for _, o := range platform {
			want, _, err := inOrder.Order(ctx, o.Key())
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := l.Order(ctx, o.Key())
			if err != nil {
				t.Fatal(err)
			}
			ids := func(o normalize.Order) []string {
				var out []string
				for _, r := range o.Refunds {
					if len(r.Items) > 0 {
						out = append(out, r.RefundID)
					}
				}
				slices.Sort(out)
				return out
			}
			if d := cmp.Diff(ids(want), ids(got)); d != "" {
				t.Errorf("order %s: refunds with lines (-want +got):\n%s", o.Key(), d)
			}
		}
		rec, err := l.Reconcile(ctx, ledger.Year(2025), platform, far)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Share != "0" || rec.Matched != len(platform) {
			t.Errorf("reconciliation share %s, %d of %d matched", rec.Share, rec.Matched, len(platform))
		}
	})
}
