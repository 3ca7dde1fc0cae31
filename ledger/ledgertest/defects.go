package ledgertest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/uplinehq/upline/internal/ledgerworld"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// The cases below each reproduce a way an earlier ledger paid wrong under
// hostile delivery orders; every store inherits them.

// refundOvertakesPaidBody: an order posted while pending, a refund
// delivered on its own, then the late paid body and the updated body
// carrying the same refund. The refund must not make the paid body stale.
func refundOvertakesPaidBody(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	revs := w.Life(t, "5001", "C", ledgerworld.Placed)
	pending, paid, updated := revs[0], revs[1], revs[2]
	r1 := refundOf(&paid, revs[2].Refunds[0])
	post(t, l, &pending, ledgerworld.Placed, ledger.Posted)
	checkEvents(t, postRefund(t, l, r1, ledger.Posted))
	checkEvents(t, post(t, l, &paid, ledgerworld.Placed, ledger.Posted), "B 4.00", "A 2.00", "ROOT 0.80", "B 0.40", "B 9.10", "A 4.55", "ROOT 1.82", "B 0.60")
	checkEvents(t, post(t, l, &updated, ledgerworld.Placed, ledger.Posted))
	post(t, l, &updated, ledgerworld.Placed, ledger.Duplicate)
	postRefund(t, l, r1, ledger.Duplicate)
	checkBalances(t, l, far, "A USD 6.55", "B USD 14.10", "ROOT USD 2.62")
	reconciled(t, l, updated)
}

// refundBeforeOrder: a refund for an order the ledger has not seen waits
// for it, and is applied when the body arrives.
func refundBeforeOrder(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	revs := w.Life(t, "5002", "C", ledgerworld.Placed)
	paid := revs[1]
	r1 := refundOf(&paid, revs[2].Refunds[0])
	r := postRefund(t, l, r1, ledger.Waiting)
	if len(r.Entries) != 1 || r.Entries[0].Type != ledger.TypeRefund || r.Entries[0].Refund.RefundID != r1.RefundID {
		t.Errorf("a waiting refund appended %d entries, want its refund record", len(r.Entries))
	}
	postRefund(t, l, r1, ledger.Duplicate)
	if _, ok, err := l.Order(ctx, paid.Key()); ok || err != nil {
		t.Errorf("an order known only by its refund: ok %v, err %v; want no order", ok, err)
	}
	checkEvents(t, post(t, l, &paid, ledgerworld.Placed, ledger.Posted), "B 4.00", "A 2.00", "ROOT 0.80", "B 0.40", "B 9.10", "A 4.55", "ROOT 1.82", "B 0.60")
	checkBalances(t, l, far, "A USD 6.55", "B USD 14.10", "ROOT USD 2.62")
	reconciled(t, l, revs[2])
}

// twoReplacements: two orders both name one original as the order they
// replace. Paying both would pay the sale twice: the second is held.
func twoReplacements(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	orig := w.Life(t, "6001", "C", ledgerworld.Placed)[1]
	x1 := w.Life(t, "6001-1", "C", ledgerworld.Placed.Add(24*time.Hour))[1]
	x2 := w.Life(t, "6001-2", "C", ledgerworld.Placed.Add(48*time.Hour))[1]
	x1.ReplacesOrderID, x2.ReplacesOrderID = orig.PlatformOrderID, orig.PlatformOrderID
	post(t, l, &orig, ledgerworld.Placed, ledger.Posted)
	post(t, l, &x1, ledgerworld.Placed, ledger.Posted)
	_, err := l.Post(ctx, &x2, ledgerworld.Placed)
	var held *ledger.HeldError
	if !errors.As(err, &held) || !errors.Is(err, ledger.ErrAmbiguousReplacement) || held.Order != x2.Key() {
		t.Fatalf("a second replacement of one order: %v, want a *HeldError for %s wrapping ErrAmbiguousReplacement", err, x2.Key())
	}
	if es, v := mustStream(t, s, ledger.OrderStream(x2.Key())); v != 0 {
		t.Errorf("the held replacement appended %d entries", len(es))
	}
	checkBalances(t, l, far, "A USD 7.55", "B USD 16.30", "ROOT USD 3.02")
}

// chainOutOfOrder: a chain of edits X ← X-1 ← X-2 (each names its direct
// parent, as Magento does) delivered in every order. However it arrives,
// X and X-1 end at zero and X-2 pays once, on X's basis (X's genealogy
// instant), as in the order the edits were made.
func chainOutOfOrder(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	perms := [][3]int{{0, 1, 2}, {2, 1, 0}, {2, 0, 1}, {1, 2, 0}, {1, 0, 2}, {0, 2, 1}}
	var platform []normalize.Order
	for n, perm := range perms {
		id := fmt.Sprint(7000 + n)
		x := w.Life(t, id, "C", ledgerworld.Placed)[1]
		x1 := w.Life(t, id+"-1", "C", ledgerworld.Placed.Add(24*time.Hour))[1]
		x2 := w.Life(t, id+"-2", "C", ledgerworld.Placed.Add(48*time.Hour))[1]
		x1.ReplacesOrderID, x2.ReplacesOrderID = x.PlatformOrderID, x1.PlatformOrderID
		x2.Items, x2.Total = x2.Items[:1], decimal.RequireFromString("59.97") // line 1 only
		chain := []normalize.Order{x, x1, x2}
		for _, i := range perm {
			if _, err := l.Post(ctx, &chain[i], ledgerworld.Placed); err != nil {
				t.Fatalf("%v: %s: %v", perm, chain[i].Key(), err)
			}
		}
		for _, i := range perm { // everything again: nothing more
			r, err := l.Post(ctx, &chain[i], ledgerworld.Placed)
			if err != nil || r.Outcome == ledger.Posted {
				t.Errorf("%v: %s again: %s, %v", perm, chain[i].Key(), r.Outcome, err)
			}
		}
		got, ok, err := l.Order(ctx, x2.Key())
		if err != nil || !ok || !got.OrderTS.Equal(x.OrderTS) {
			t.Errorf("%v: the chain's last order is read at %s (%v, %v), want X's %s", perm, got.OrderTS, ok, err, x.OrderTS)
		}
		// X-2 pays line 1 (59.97 to C): B 6.00 + 0.60, A 3.00, ROOT 1.20.
		k := decimal.NewFromInt(int64(n + 1))
		checkBalances(t, l, far, "A USD "+k.Mul(decimal.RequireFromString("3.00")).StringFixed(2),
			"B USD "+k.Mul(decimal.RequireFromString("6.60")).StringFixed(2), "ROOT USD "+k.Mul(decimal.RequireFromString("1.20")).StringFixed(2))
		platform = append(platform, x, x1, x2)
		reconciled(t, l, platform...)
	}
}

// currencyChange: a revision in another currency than the order was
// posted in. The ledger cannot tell which is right, so it pays neither:
// the order goes to zero and every later delivery of it is held. In either
// delivery order the result is the same.
func currencyChange(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	for n, cur := range []string{"EUR", "JPY"} {
		revs := w.Life(t, fmt.Sprint(8000+n), "C", ledgerworld.Placed)
		usd := revs[1]
		other := usd
		other.Currency, other.Version = cur, usd.Version.Add(time.Hour)
		if cur == "JPY" {
			other.Items = []normalize.Line{usd.Items[0]}
			other.Items[0].UnitPrice, other.Items[0].Gross, other.Items[0].Net = decimal.New(2000, 0), decimal.New(6000, 0), decimal.New(6000, 0)
			other.Total = decimal.New(6000, 0)
		}
		first, second := usd, other
		if n == 1 {
			first, second = other, usd // the other currency first, the USD body late
		}
		post(t, l, &first, ledgerworld.Placed, ledger.Posted)
		r, err := l.Post(ctx, &second, ledgerworld.Placed)
		if !errors.Is(err, ledger.ErrCurrencyChanged) {
			t.Fatalf("%s: a revision in another currency: %v, want ErrCurrencyChanged", cur, err)
		}
		if last := r.Entries[len(r.Entries)-1]; last.Type != ledger.TypeFrozen || last.Currency != first.Currency {
			t.Errorf("%s: last entry %s in %s, want the frozen record in %s", cur, last.Type, last.Currency, first.Currency)
		}
		for _, o := range []*normalize.Order{&first, &second, &revs[3]} {
			if _, err := l.Post(ctx, o, ledgerworld.Placed); !errors.Is(err, ledger.ErrCurrencyChanged) {
				t.Errorf("%s: a frozen order's delivery: %v, want ErrCurrencyChanged", cur, err)
			}
		}
		if _, err := l.PostRefund(ctx, refundOf(&usd, revs[3].Refunds[0]), ledgerworld.Placed); !errors.Is(err, ledger.ErrCurrencyChanged) {
			t.Errorf("%s: a frozen order's refund: %v, want ErrCurrencyChanged", cur, err)
		}
	}
	// The JPY body came first and was paid in JPY until the USD body
	// arrived: its slots are zero too.
	checkBalances(t, l, far, "A JPY 0.00", "A USD 0.00", "B JPY 0.00", "B USD 0.00", "ROOT JPY 0.00", "ROOT USD 0.00")
}

// unreconciledOrder: an order whose total disagrees with its parts is
// held before anything of it is posted.
func unreconciledOrder(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	o := w.Life(t, "9001", "C", ledgerworld.Placed)[1]
	o.Total = o.Total.Add(decimal.New(1, -2))
	_, err := l.Post(ctx, &o, ledgerworld.Placed)
	var held *ledger.HeldError
	if !errors.As(err, &held) || !errors.Is(err, normalize.ErrUnreconciled) {
		t.Fatalf("an order that does not add up: %v, want a *HeldError wrapping normalize.ErrUnreconciled", err)
	}
	if es, v := mustStream(t, s, ledger.OrderStream(o.Key())); v != 0 {
		t.Errorf("the held order appended %d entries", len(es))
	}
}

// retriedAcrossMove: a body without a timestamp of its own (the referral
// webhook: its instants are the receive time) received before and after
// its credited member moves to another sponsor. The retry is a duplicate,
// and a changed body is still read at the first instant: the commission
// does not move.
func retriedAcrossMove(t *testing.T, s ledger.Store) {
	move := ledgerworld.Placed.Add(12 * time.Hour)
	engine, err := buildEngine(func(g *hierarchy.Genealogy) error {
		for _, m := range [][2]string{{"ROOT", ""}, {"A", "ROOT"}, {"B", "ROOT"}, {"M", "B"}} {
			if err := g.Apply(hierarchy.Change{Op: hierarchy.OpEnroll, Member: m[0], Kind: hierarchy.Distributor, Sponsor: m[1],
				Status: hierarchy.Active, PaidAs: 1, Highest: 1, Effective: ledgerworld.Jan, Recorded: ledgerworld.Jan}); err != nil {
				return err
			}
		}
		return g.Apply(hierarchy.Change{Op: hierarchy.OpSponsor, Member: "M", Sponsor: "A", Effective: move, Recorded: ledgerworld.Jan})
	})
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(s, engine)
	w := &ledgerworld.World{Engine: engine}
	before := w.Life(t, "R-1", "M", move.Add(-time.Minute))[1]
	before.Version = before.OrderTS
	after := before
	after.OrderTS, after.Version = move.Add(time.Minute), move.Add(time.Minute)
	post(t, l, &before, ledgerworld.Placed, ledger.Posted)
	post(t, l, &after, ledgerworld.Placed, ledger.Duplicate)
	changed := after
	changed.DistributorRef = "M" // the same member, a body that differs
	changed.CustomerRef = "buyer-1"
	r := post(t, l, &changed, ledgerworld.Placed, ledger.Posted)
	if at := r.Calculation.Snapshot.At; !at.Equal(before.OrderTS) {
		t.Errorf("a later body of the order is read at %s, want the first body's %s", at, before.OrderTS)
	}
	// M's sponsor at the first receipt was B: B 15.10 + 1.20 (cv), ROOT 7.55;
	// after the move it would have been A.
	checkBalances(t, l, far, "B USD 16.30", "ROOT USD 7.55")
}

// refundOf returns r as delivered on its own for order o.
func refundOf(o *normalize.Order, r normalize.Refund) normalize.Refund {
	r.Platform, r.Store, r.OrderID, r.Currency = o.Platform, o.Store, o.PlatformOrderID, o.Currency
	return r
}

// manyEntries: one append of many entries, all checked for duplicates.
func manyEntries(t *testing.T, s ledger.Store) {
	const n = 20000
	es := make([]ledger.Entry, n)
	for i := range es {
		es[i] = entry(fmt.Sprint("many-", i), "A", "0.01", ledgerworld.Jan)
	}
	dup := append(es[:n:n], entry("many-7", "A", "0.01", ledgerworld.Jan))
	if err := s.Append(ctx, "many", 0, dup); !errors.Is(err, ledger.ErrDuplicateID) {
		t.Errorf("%d entries with one id twice: %v, want ErrDuplicateID", n+1, err)
	}
	if err := s.Append(ctx, "many", 0, es); err != nil {
		t.Fatal(err)
	}
	if _, v := mustStream(t, s, "many"); v != n {
		t.Errorf("version %d, want %d", v, n)
	}
}

// positions: every entry gets a position that strictly increases in the
// order appends commit, and After reads what is new after one.
func positionsAndAfter(t *testing.T, s ledger.Store) {
	var appended []ledger.Entry
	add := func(stream string, v int, ids ...string) {
		t.Helper()
		var es []ledger.Entry
		for _, id := range ids {
			es = append(es, entry(id, "A", "1", ledgerworld.Jan))
		}
		if err := s.Append(ctx, stream, v, es); err != nil {
			t.Fatal(err)
		}
		for i, e := range es {
			if e.Stream != stream || e.Seq != v+i+1 || e.Position <= 0 {
				t.Errorf("entry %s: Append set stream %q, seq %d, position %d; want %q, %d, a position", e.ID, e.Stream, e.Seq, e.Position, stream, v+i+1)
			}
		}
		appended = append(appended, es...)
	}
	add("p", 0, "p1", "p2")
	add("q", 0, "q1")
	add("p", 2, "p3")
	add("q", 1, "q2", "q3")
	for i := 1; i < len(appended); i++ {
		if appended[i].Position <= appended[i-1].Position {
			t.Errorf("position of %s (%d) not after %s's (%d)", appended[i].ID, appended[i].Position, appended[i-1].ID, appended[i-1].Position)
		}
	}
	read := func(after int64, limit int) string {
		t.Helper()
		es, err := s.After(ctx, after, limit)
		if err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, e := range es {
			out += fmt.Sprintf("%s@%d ", e.ID, e.Seq)
		}
		return out
	}
	if got, want := read(0, 100), "p1@1 p2@2 q1@1 p3@3 q2@2 q3@3 "; got != want {
		t.Errorf("After(0): %s, want %s", got, want)
	}
	if got, want := read(appended[2].Position, 2), "p3@3 q2@2 "; got != want {
		t.Errorf("After(q1's position, 2): %s, want %s", got, want)
	}
	if got := read(appended[5].Position, 10); got != "" {
		t.Errorf("After the last position: %s, want nothing", got)
	}
	stored, _ := mustStream(t, s, "q")
	if stored[2].Position != appended[5].Position {
		t.Errorf("stored q3 at position %d, Append reported %d", stored[2].Position, appended[5].Position)
	}
}

// buildEngine is ledgerworld.World's catalog and plan over the genealogy build makes.
func buildEngine(build func(g *hierarchy.Genealogy) error) (*commission.Engine, error) {
	var g hierarchy.Genealogy
	if err := build(&g); err != nil {
		return nil, err
	}
	return ledgerworld.EngineOver(&g)
}
