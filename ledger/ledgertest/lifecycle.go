package ledgertest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/uplinehq/upline/internal/ledgerworld"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

func checkEvents(t *testing.T, r ledger.Result, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if d := cmp.Diff(want, ledgerworld.Amounts(r)); d != "" {
		t.Errorf("events appended (-want +got):\n%s", d)
	}
}

func reconciled(t *testing.T, l *ledger.Ledger, platform ...normalize.Order) {
	t.Helper()
	rec, err := l.Reconcile(ctx, ledger.Year(2025), platform, far)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Share != "0" || rec.Matched != rec.Orders || len(rec.Held) != 0 {
		t.Errorf("reconciliation: share %s, %d of %d matched, %d held", rec.Share, rec.Matched, rec.Orders, len(rec.Held))
	}
}

// refundsCarriedForward delivers refunds on their own (PostRefund), then
// order bodies that leave their lines out: an amount-only summary, an
// older body, or nothing. A refund applies to every body of its order.
func refundsCarriedForward(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	revs := w.Life(t, "3001", "C", ledgerworld.Placed)
	paid, r1, r2 := revs[1], revs[3].Refunds[0], revs[3].Refunds[1]
	for _, r := range []*normalize.Refund{&r1, &r2} {
		r.Platform, r.Store, r.OrderID, r.Currency = paid.Platform, paid.Store, paid.PlatformOrderID, paid.Currency
	}
	post(t, l, &paid, ledgerworld.Placed, ledger.Posted)
	r := postRefund(t, l, r1, ledger.Posted)
	checkEvents(t, r, "B -2.00", "A -1.00", "ROOT -0.40", "B -0.20")
	if !r.Revision.Equal(r1.TS) {
		t.Errorf("refund's revision instant %s, want its own %s", r.Revision, r1.TS)
	}
	postRefund(t, l, r1, ledger.Duplicate)

	// A body updated after the refund lists it by amount only.
	summary := paid
	summary.Version = r1.TS.Add(time.Hour)
	summary.Status = normalize.StatusPartiallyRefunded
	summary.Refunds = []normalize.Refund{{RefundID: r1.RefundID, TS: r1.TS, Amount: decimal.RequireFromString("19.99")}}
	r = post(t, l, &summary, ledgerworld.Placed, ledger.Posted)
	checkEvents(t, r)
	if len(r.Entries) != 1 || r.Entries[0].Type != ledger.TypeRevision {
		t.Errorf("a body that changes nothing appended %d entries, want its revision record", len(r.Entries))
	}
	post(t, l, &summary, ledgerworld.Placed, ledger.Duplicate)
	// The paid body again, older: stale.
	post(t, l, &paid, ledgerworld.Placed, ledger.Stale)

	// The second refund, at the newest body's own version: posted one
	// nanosecond after the newest revision instant.
	r2.TS = summary.Version
	r = postRefund(t, l, r2, ledger.Posted)
	checkEvents(t, r, "B -9.10", "A -4.55", "ROOT -1.82", "B -0.60")
	if want := summary.Version.Add(time.Nanosecond); !r.Revision.Equal(want) {
		t.Errorf("revision instant %s, want %s", r.Revision, want)
	}
	post(t, l, &summary, ledgerworld.Placed, ledger.Duplicate) // the newest body: its version is still the order's
	checkBalances(t, l, far, "A USD 2.00", "B USD 4.40", "ROOT USD 0.80")

	// The store gives the merged order back exactly.
	got, _, err := l.Order(ctx, paid.Key())
	if err != nil {
		t.Fatal(err)
	}
	want, err := summary.ApplyRefund(r1)
	if err == nil {
		want, err = want.ApplyRefund(r2)
	}
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got, ledgerworld.Opts); d != "" {
		t.Errorf("the ledger's order (-want +got):\n%s", d)
	}
	reconciled(t, l, summary)
}

// postRefund posts a refund and checks its outcome.
func postRefund(t *testing.T, l *ledger.Ledger, r normalize.Refund, want ledger.Outcome) ledger.Result {
	t.Helper()
	res, err := l.PostRefund(ctx, r, r.TS)
	if err != nil {
		t.Fatalf("refund %s: %v", r.RefundID, err)
	}
	if res.Outcome != want {
		t.Fatalf("refund %s: %s, want %s", r.RefundID, res.Outcome, want)
	}
	return res
}

var errStopped = errors.New("ledgertest: the process stopped")

// stopping is a store whose next append to stream fails once.
type stopping struct {
	ledger.Store
	stream string
	armed  bool
}

func (s *stopping) Append(ctx context.Context, stream string, v int, es []ledger.Entry) error {
	if s.armed && stream == s.stream {
		s.armed = false
		return fmt.Errorf("append to %s: %w", stream, errStopped)
	}
	return s.Store.Append(ctx, stream, v, es)
}

// replacement posts an order, then an edit that replaces it (a new order
// id naming it in ReplacesOrderID, placed a day later, one line fewer):
// the original ends at zero, the replacement pays once, with the original's
// lock, and the original's later deliveries are stale. The process stops
// once between the two appends; the redelivery completes the post.
func replacement(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	st := &stopping{Store: s}
	l := ledger.New(st, w.Engine)
	orig := w.Life(t, "4001", "C", ledgerworld.Placed)[1]
	cancelled := orig
	cancelled.Status, cancelled.Version = normalize.StatusCancelled, orig.Version.Add(24*time.Hour)
	edit := w.Life(t, "4001-1", "C", ledgerworld.Placed.Add(24*time.Hour))[1]
	edit.ReplacesOrderID = orig.PlatformOrderID
	edit.Items = edit.Items[:1] // line 1 only: 59.97
	edit.Total = decimal.RequireFromString("59.97")
	if err := normalize.Validate(&edit); err != nil {
		t.Fatal(err)
	}

	first := post(t, l, &orig, ledgerworld.Placed, ledger.Posted)
	// 8 commissions, 2 volumes and a record.
	if d := cmp.Diff(seqs(ledger.OrderStream(orig.Key()), 1, 11), positions(t, s, first.Entries)); d != "" {
		t.Errorf("original: entries appended at (-want +got):\n%s", d)
	}
	st.stream, st.armed = ledger.OrderStream(edit.Key()), true
	if _, err := l.Post(ctx, &edit, ledgerworld.Placed.Add(48*time.Hour)); !errors.Is(err, errStopped) {
		t.Fatalf("post with the store stopping: %v", err)
	}
	// The original is at zero already; nothing of the replacement is posted.
	checkBalances(t, l, far, "A USD 0.00", "B USD 0.00", "ROOT USD 0.00")
	post(t, l, &orig, ledgerworld.Placed, ledger.Stale)

	r := post(t, l, &edit, ledgerworld.Placed.Add(48*time.Hour), ledger.Posted)
	checkEvents(t, r, "B 6.00", "A 3.00", "ROOT 1.20", "B 0.60")
	if r.Lock != first.Lock || r.Replaced != (normalize.Key{}) {
		t.Errorf("replacement: lock %+v, replaced %v; want the original's lock %+v and nothing replaced again", r.Lock, r.Replaced, first.Lock)
	}
	post(t, l, &edit, ledgerworld.Placed.Add(72*time.Hour), ledger.Duplicate)
	if c := post(t, l, &cancelled, ledgerworld.Placed, ledger.Stale); c.ReplacedBy != edit.Key() {
		t.Errorf("cancelled original: replaced by %v, want %v", c.ReplacedBy, edit.Key())
	}
	checkBalances(t, l, far, "A USD 3.00", "B USD 6.60", "ROOT USD 1.20")
	got, _, err := l.Order(ctx, edit.Key())
	if err != nil || !got.OrderTS.Equal(orig.OrderTS) {
		t.Errorf("the replacement is recorded placed at %s (%v), want the original's %s", got.OrderTS, err, orig.OrderTS)
	}
	reconciled(t, l, cancelled, edit)

	// A replacement whose original was never posted: the original, arriving
	// late, is stale.
	orig2 := w.Life(t, "4002", "B", ledgerworld.Placed)[1]
	edit2 := w.Life(t, "4002-1", "B", ledgerworld.Placed.Add(time.Hour))[1]
	edit2.ReplacesOrderID = orig2.PlatformOrderID
	r = post(t, l, &edit2, ledgerworld.Placed, ledger.Posted)
	if r.Replaced != orig2.Key() {
		t.Errorf("replacement of an order never posted: replaced %v, want %v", r.Replaced, orig2.Key())
	}
	// The original's marker, then 6 commissions, 2 volumes and a record.
	want := append(seqs(ledger.OrderStream(orig2.Key()), 1, 1), seqs(ledger.OrderStream(edit2.Key()), 1, 9)...)
	if d := cmp.Diff(want, positions(t, s, r.Entries)); d != "" {
		t.Errorf("replacement of an order never posted: entries appended at (-want +got):\n%s", d)
	}
	post(t, l, &orig2, ledgerworld.Placed, ledger.Stale)
	checkBalances(t, l, far, "A USD 19.30", "B USD 6.60", "ROOT USD 8.75")
	reconciled(t, l, cancelled, edit, orig2, edit2)
}
