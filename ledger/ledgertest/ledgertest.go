// Package ledgertest is the conformance suite every ledger.Store
// implementation runs in one call:
//
//	func TestConformance(t *testing.T) {
//		ledgertest.Run(t, ledgertest.Features{}, func(t *testing.T) ledger.Store { return newEmptyStore(t) })
//	}
//
// It checks the Store contract (atomic appends, optimistic concurrency,
// unique ids, positions that strictly increase and After that follows
// them, every typed field read back exactly, scans filtered and ordered)
// and, through a ledger.Ledger over the store, the guarantees the ledger
// builds on it: duplicate and conflicting posts, 100 goroutines posting
// one order's revisions and duplicates at once, stale bodies, refunds
// delivered on their own before, between and after their order's bodies,
// replacements (with a failed append in between), a chain of edits in
// every order, a second replacement of one order and a currency change
// held, an order that does not add up held, a timestamp-less body received
// again across a sponsor move, payout runs repeated and raced, negative
// balances after a payout, and that every member's balance equals the sum
// of its entries. Features declares what a store does beyond the contract
// (a store that can be reopened is checked through a new handle too).
//
// A store that is a ledger.Summer has its sums checked against Scan, a
// ledger.Volumer its period volumes checked against exact sums and Scan,
// a ledger.Batcher its batches checked all or nothing, a ledger.Tailer
// its tails checked against Stream, and the whole suite
// runs again with the capabilities hidden, so the ledger's queries and
// Ledger.PostAll agree on the capable and the plain path.
package ledgertest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uplinehq/upline/internal/ledgerworld"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/ledger"
)

// Run runs the suite, and the checks of what f declares. newStore must
// return a new, empty store each call.
//
// The suite runs twice: on the store as it is, and, under "Plain", on the
// store with its optional capabilities (ledger.Summer, ledger.Volumer,
// ledger.Batcher, ledger.Tailer) hidden, so that
// the ledger's answers are checked on both the capable and the plain path.
func Run(t *testing.T, f Features, newStore func(t *testing.T) ledger.Store) {
	run(t, f, newStore)
	pf := f
	if f.Reopen != nil {
		pf.Reopen = func(t *testing.T, s ledger.Store) ledger.Store { return plain{f.Reopen(t, s.(plain).Store)} }
	}
	t.Run("Plain", func(t *testing.T) {
		run(t, pf, func(t *testing.T) ledger.Store { return plain{newStore(t)} })
	})
}

func run(t *testing.T, f Features, newStore func(t *testing.T) ledger.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s ledger.Store)
	}{
		{"EveryTypeReadBack", func(t *testing.T, s ledger.Store) { everyType(t, s, f) }},
		{"AppendAndRead", appendAndRead},
		{"VersionConflict", versionConflict},
		{"DuplicateID", duplicateID},
		{"InvalidEntry", invalidEntry},
		{"Scan", scan},
		{"Sum", sum},
		{"Volumes", volumes},
		{"AppendBatch", appendBatch},
		{"StreamAfter", streamAfter},
		{"ConcurrentAppends", concurrentAppends},
		{"PostEventsDuplicateAndConflict", postEventsDuplicateAndConflict},
		{"PostLife", postLife},
		{"StaleRevision", staleRevision},
		{"RefundsCarriedForward", refundsCarriedForward},
		{"Replacement", replacement},
		{"ConcurrentPosts", concurrentPosts},
		{"PayoutTwice", payoutTwice},
		{"ConcurrentPayouts", concurrentPayouts},
		{"NegativeAfterPayout", negativeAfterPayout},
		{"BalanceIsSumOfEntries", balanceIsSumOfEntries},
		{"PositionsAndAfter", positionsAndAfter},
		{"ManyEntriesInOneAppend", manyEntries},
		{"RefundOvertakesPaidBody", refundOvertakesPaidBody},
		{"RefundBeforeOrder", refundBeforeOrder},
		{"TwoReplacementsOfOneOrder", twoReplacements},
		{"ChainOfEditsOutOfOrder", chainOutOfOrder},
		{"CurrencyChange", currencyChange},
		{"UnreconciledOrder", unreconciledOrder},
		{"RetriedAcrossSponsorMove", retriedAcrossMove},
		{"PostAll", postAll},
		{"PostAllOvertaken", postAllOvertaken},
		{"PostAllStopsAtTheFirstRefusal", postAllStops},
		{"PeriodClose", func(t *testing.T, s ledger.Store) { periodClose(t, s, f) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, newStore(t)) })
	}
}

var ctx = context.Background()

func entry(id string, member string, amount string, effective time.Time) ledger.Entry {
	return ledger.Entry{ID: id, Type: ledger.TypeAdjustment, Member: member, Currency: "USD",
		Amount: decimal.RequireFromString(amount), Effective: effective, Posted: effective.Add(time.Hour), Reason: "test " + id}
}

func mustStream(t *testing.T, s ledger.Store, stream string) ([]ledger.Entry, int) {
	t.Helper()
	es, v, err := s.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	return es, v
}

func appendAndRead(t *testing.T, s ledger.Store) {
	if es, v := mustStream(t, s, "nothing"); len(es) != 0 || v != 0 {
		t.Fatalf("empty stream: %d entries, version %d; want none, 0", len(es), v)
	}
	w := ledgerworld.NewWorld(t)
	calc, err := w.Engine.Calculate(&w.Life(t, "9", "C", ledgerworld.Placed)[1], commission.Lock{Known: ledgerworld.Placed})
	if err != nil {
		t.Fatal(err)
	}
	ev := calc.Events[0]
	in := []ledger.Entry{
		{ID: ev.ID.String(), Type: ledger.TypeCommission, Member: ev.Beneficiary, Currency: "USD", Amount: ev.Amount(),
			Effective: ev.Effective, Posted: ledgerworld.Placed.Add(time.Minute), Order: ev.Order, Revision: ledgerworld.Placed.Add(time.Minute),
			Lock: calc.Lock, Rule: ev.Rule, Event: &ev},
		entry("adj-1", "A", "-12.345", ledgerworld.Placed),
		{ID: "hold-1", Type: ledger.TypeHold, Member: "B", Currency: "JPY", Effective: ledgerworld.Placed, Posted: ledgerworld.Placed,
			Run: "run-1", Withheld: decimal.RequireFromString("1200"), Reason: "KYC pending"},
	}
	if err := s.Append(ctx, "s1", 0, in[:1]); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, "s1", 1, in[1:]); err != nil {
		t.Fatal(err)
	}
	got, v := mustStream(t, s, "s1")
	want := make([]ledger.Entry, len(in))
	copy(want, in)
	for i := range want {
		want[i].Stream, want[i].Seq = "s1", i+1
	}
	if v != 3 {
		t.Errorf("version %d, want 3", v)
	}
	if d := cmp.Diff(want, got, ledgerworld.Opts); d != "" {
		t.Errorf("entries read back differ (-want +got):\n%s", d)
	}
	// The caller's entries are its own: changing them changes nothing stored.
	in[1].Reason = "changed"
	if got, _ := mustStream(t, s, "s1"); got[1].Reason != "test adj-1" {
		t.Errorf("the store kept a reference to the caller's entry: reason %q", got[1].Reason)
	}
	if err := s.Append(ctx, "s1", 3, nil); err != nil {
		t.Errorf("empty append at the right version: %v", err)
	}
	if _, v := mustStream(t, s, "s1"); v != 3 {
		t.Errorf("version after an empty append %d, want 3", v)
	}
}

func versionConflict(t *testing.T, s ledger.Store) {
	if err := s.Append(ctx, "s", 0, []ledger.Entry{entry("a", "A", "1", ledgerworld.Jan)}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []int{0, 2, -1} {
		err := s.Append(ctx, "s", v, []ledger.Entry{entry(fmt.Sprint("b", v), "A", "1", ledgerworld.Jan)})
		if !errors.Is(err, ledger.ErrVersionConflict) {
			t.Errorf("append at version %d of a stream at 1: %v, want ErrVersionConflict", v, err)
		}
	}
	if err := s.Append(ctx, "other", 1, []ledger.Entry{entry("c", "A", "1", ledgerworld.Jan)}); !errors.Is(err, ledger.ErrVersionConflict) {
		t.Errorf("append at version 1 of a new stream: %v, want ErrVersionConflict", err)
	}
	if es, v := mustStream(t, s, "s"); len(es) != 1 || v != 1 {
		t.Errorf("after refused appends: %d entries, version %d; want 1, 1", len(es), v)
	}
	if es, _ := mustStream(t, s, "other"); len(es) != 0 {
		t.Errorf("refused append to a new stream stored %d entries", len(es))
	}
}

func duplicateID(t *testing.T, s ledger.Store) {
	if err := s.Append(ctx, "s", 0, []ledger.Entry{entry("a", "A", "1", ledgerworld.Jan)}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		stream  string
		version int
		entries []ledger.Entry
	}{
		{"same entry again", "s", 1, []ledger.Entry{entry("a", "A", "1", ledgerworld.Jan)}},
		{"same id, other content", "s", 1, []ledger.Entry{entry("a", "B", "2", ledgerworld.Jan)}},
		{"same id in another stream", "t", 0, []ledger.Entry{entry("a", "A", "1", ledgerworld.Jan)}},
		{"twice in one append, after a new one", "t", 0, []ledger.Entry{entry("x", "A", "1", ledgerworld.Jan), entry("y", "A", "1", ledgerworld.Jan), entry("y", "A", "1", ledgerworld.Jan)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := s.Append(ctx, c.stream, c.version, c.entries); !errors.Is(err, ledger.ErrDuplicateID) {
				t.Errorf("got %v, want ErrDuplicateID", err)
			}
		})
	}
	if es, v := mustStream(t, s, "t"); len(es) != 0 || v != 0 {
		t.Errorf("refused appends stored %d entries in t (version %d): appends must be atomic", len(es), v)
	}
	if err := s.Append(ctx, "t", 0, []ledger.Entry{entry("x", "A", "1", ledgerworld.Jan)}); err != nil {
		t.Errorf("x was never stored, appending it: %v", err)
	}
}

func invalidEntry(t *testing.T, s ledger.Store) {
	for name, e := range map[string]ledger.Entry{
		"no id":   {Type: ledger.TypeAdjustment, Member: "A"},
		"no type": {ID: "z", Member: "A"},
	} {
		if err := s.Append(ctx, "s", 0, []ledger.Entry{e}); !errors.Is(err, ledger.ErrInvalidEntry) {
			t.Errorf("%s: %v, want ErrInvalidEntry", name, err)
		}
	}
}

func scan(t *testing.T, s ledger.Store) {
	aug := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	sep := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	add := func(stream string, v int, es ...ledger.Entry) {
		t.Helper()
		if err := s.Append(ctx, stream, v, es); err != nil {
			t.Fatal(err)
		}
	}
	eur := entry("e1", "A", "5", aug)
	eur.Currency = "EUR"
	pay := entry("p1", "B", "-3", sep)
	pay.Type, pay.Run = ledger.TypePayout, "r1"
	add("z", 0, entry("z1", "A", "1", aug.Add(-time.Nanosecond)), entry("z2", "B", "2", aug))
	add("b", 0, entry("b1", "A", "3", sep.Add(-time.Nanosecond)), eur)
	add("z", 2, pay)
	add("b", 2, entry("b3", "A", "4", sep))

	ids := func(f ledger.Filter) string {
		t.Helper()
		var out []string
		if err := s.Scan(ctx, f, func(e *ledger.Entry) error {
			out = append(out, fmt.Sprintf("%s:%s#%d", e.ID, e.Stream, e.Seq))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		name string
		f    ledger.Filter
		want string
	}{
		{"all, by stream then seq", ledger.Filter{}, "b1:b#1 e1:b#2 b3:b#3 z1:z#1 z2:z#2 p1:z#3"},
		{"member", ledger.Filter{Member: "A"}, "b1:b#1 e1:b#2 b3:b#3 z1:z#1"},
		{"currency", ledger.Filter{Currency: "EUR"}, "e1:b#2"},
		{"type", ledger.Filter{Types: []ledger.Type{ledger.TypePayout, ledger.TypeCommission}}, "p1:z#3"},
		{"effective in August, half-open", ledger.Filter{From: aug, To: sep}, "b1:b#1 e1:b#2 z2:z#2"},
		{"effective before August", ledger.Filter{To: aug}, "z1:z#1"},
		{"effective from September", ledger.Filter{From: sep}, "b3:b#3 p1:z#3"},
		{"posted by", ledger.Filter{PostedBy: aug.Add(time.Hour)}, "e1:b#2 z1:z#1 z2:z#2"},
		{"member and period", ledger.Filter{Member: "B", From: aug, To: sep.Add(time.Nanosecond)}, "z2:z#2 p1:z#3"},
		{"run", ledger.Filter{Run: "r1"}, "p1:z#3"},
		{"run and member", ledger.Filter{Run: "r1", Member: "B"}, "p1:z#3"},
		{"run and another member", ledger.Filter{Run: "r1", Member: "A"}, ""},
		{"another run", ledger.Filter{Run: "r"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ids(c.f); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
	stop := errors.New("stop")
	n := 0
	err := s.Scan(ctx, ledger.Filter{}, func(*ledger.Entry) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("fn's error: Scan returned %v after %d calls, want stop after 1", err, n)
	}
}

func concurrentAppends(t *testing.T, s ledger.Store) {
	const writers, each = 20, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				e := entry(fmt.Sprintf("w%d-%d", w, i), "A", "0.01", ledgerworld.Jan)
				for {
					_, v, err := s.Stream(ctx, "hot")
					if err != nil {
						errs <- err
						return
					}
					err = s.Append(ctx, "hot", v, []ledger.Entry{e})
					if err == nil {
						break
					}
					if !errors.Is(err, ledger.ErrVersionConflict) {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	es, v := mustStream(t, s, "hot")
	if v != writers*each || len(es) != writers*each {
		t.Fatalf("%d entries, version %d; want %d", len(es), v, writers*each)
	}
	seen := make(map[string]bool)
	for i, e := range es {
		if e.Seq != i+1 || seen[e.ID] {
			t.Fatalf("entry %d: seq %d, id %s (seen before: %v)", i, e.Seq, e.ID, seen[e.ID])
		}
		seen[e.ID] = true
	}
}
