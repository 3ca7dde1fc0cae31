package ledger_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/ledger/ledgertest"
	"github.com/uplinehq/upline/normalize"
)

// FuzzDeliveries delivers two orders' revisions in the order the input
// bytes say (each byte picks an order and a revision, repeats allowed) and
// checks that the ledger ends as if the newest revision delivered of each
// order had been delivered alone, and that reconciling against those
// revisions gives a delta of exactly 0.
func FuzzDeliveries(f *testing.F) {
	for _, seed := range [][]byte{{0, 1, 2, 3}, {3, 2, 1, 0}, {1, 1, 5, 2, 7, 0, 3}, {2, 6, 2, 6, 0}, {}} {
		f.Add(seed)
	}
	w := ledgertest.NewWorld(f)
	orders := [][]normalize.Order{w.Life(f, "1", "C", ledgertest.Placed), w.Life(f, "2", "B", ledgertest.Placed.Add(time.Hour))}
	f.Fuzz(func(t *testing.T, picks []byte) {
		if len(picks) > 64 {
			picks = picks[:64]
		}
		l := ledger.New(ledger.NewMemory(), w.Engine)
		newest := []int{-1, -1}
		for i, p := range picks {
			o, r := int(p>>2)%2, int(p)%4
			res, err := l.Post(ctx, &orders[o][r], ledgertest.Placed.Add(time.Duration(i)*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case r > newest[o]:
				if res.Outcome != ledger.Posted {
					t.Fatalf("delivery %d: revision %d of order %d after %d: %s, want posted", i, r, o, newest[o], res.Outcome)
				}
				newest[o] = r
			case r == newest[o] && res.Outcome != ledger.Duplicate, r < newest[o] && res.Outcome != ledger.Stale:
				t.Fatalf("delivery %d: revision %d of order %d after %d: %s", i, r, o, newest[o], res.Outcome)
			}
		}
		alone := ledger.New(ledger.NewMemory(), w.Engine)
		var platform []normalize.Order
		for o, r := range newest {
			if r >= 0 {
				if _, err := alone.Post(ctx, &orders[o][r], ledgertest.Placed); err != nil {
					t.Fatal(err)
				}
				platform = append(platform, orders[o][r])
			}
		}
		if d := cmp.Diff(slots(t, alone.Store()), slots(t, l.Store())); d != "" {
			t.Errorf("per-slot sums differ from the newest revisions posted alone (-want +got):\n%s", d)
		}
		if d := cmp.Diff(ledgertest.Balances(t, alone, far), ledgertest.Balances(t, l, far)); d != "" {
			t.Errorf("balances (-want +got):\n%s", d)
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
