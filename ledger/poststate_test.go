package ledger_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// TestPostKeptStateMatchesRead posts one life of many revisions twice:
// through one Ledger, which keeps each order's state from one post to the
// next and reads only what was appended since, and through a new Ledger
// for every delivery, which reads every stream whole. Both stores must
// hold the same entries, in the same order, with the same outcomes on the
// way: revisions that change every slot, duplicates, stale bodies, refunds
// delivered on their own, and writes by the other ledger in between.
func TestPostKeptStateMatchesRead(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	life := w.Life(t, "1", "C", ledgerworld.Placed)
	paid, refunded := life[1], life[3]
	kept, fresh := ledger.NewMemory(), ledger.NewMemory()
	l := ledger.New(kept, w.Engine)
	other := ledger.New(kept, w.Engine) // another writer on the same store
	var outcomes [2][]string
	deliver := func(i int, k int, post func(l *ledger.Ledger) (ledger.Result, error)) {
		for j, l := range []*ledger.Ledger{l, ledger.New(fresh, w.Engine)} {
			if j == 0 && k%7 == 3 {
				l = other
			}
			r, err := post(l)
			if err != nil {
				t.Fatalf("delivery %d: %v", i, err)
			}
			outcomes[j] = append(outcomes[j], r.Outcome.String()+" "+strconv.Itoa(len(r.Entries)))
		}
	}
	i := 0
	for k := 1; k <= 40; k++ {
		for _, id := range []string{"1", "2"} {
			o := paid
			if k%5 == 4 {
				o = refunded
			}
			o.PlatformOrderID = id
			o.Version = ledgerworld.Placed.Add(time.Duration(k) * time.Minute)
			if k%2 == 0 {
				o.Status = normalize.StatusPending
			}
			if k%9 == 8 {
				o.Version = o.Version.Add(-3 * time.Minute) // stale
			}
			at := o.Version
			i++
			deliver(i, k, func(l *ledger.Ledger) (ledger.Result, error) { return l.Post(ctx, &o, at) })
			i++
			deliver(i, k, func(l *ledger.Ledger) (ledger.Result, error) { return l.Post(ctx, &o, at) }) // again
			if k%18 == 5 {
				r := normalize.Refund{Platform: o.Platform, Store: o.Store, OrderID: id, Currency: "USD",
					RefundID: "sep-" + strconv.Itoa(k), TS: o.Version.Add(time.Second),
					Items: []normalize.RefundLine{{LineID: "1", Qty: 1, Net: decimal.RequireFromString("19.99")}}}
				i++
				deliver(i, k, func(l *ledger.Ledger) (ledger.Result, error) { return l.PostRefund(ctx, r, at) })
			}
		}
	}
	if d := cmp.Diff(outcomes[1], outcomes[0]); d != "" {
		t.Errorf("outcomes differ (-whole reads +kept state):\n%s", d)
	}
	sameEntries(t, fresh, kept, 300)
}

// sameEntries fails t unless stores fresh (every post read its stream
// whole) and kept (posts kept their orders' states) hold the same
// entries, at least `least` of them: a test whose deliveries revise too
// little proves nothing.
func sameEntries(t *testing.T, fresh, kept ledger.Store, least int) {
	t.Helper()
	all := func(s ledger.Store) []ledger.Entry {
		es, err := s.After(ctx, 0, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	want, got := all(fresh), all(kept)
	if len(want) < least {
		t.Fatalf("only %d entries: the deliveries do not revise much", len(want))
	}
	if d := cmp.Diff(want, got, ledgerworld.Opts); d != "" {
		t.Errorf("entries differ (-whole reads +kept state):\n%s", d)
	}
}
