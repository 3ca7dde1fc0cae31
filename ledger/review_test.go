package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

var reviewCtx = context.Background()

// oneSale is what World's paid revision credited to C pays.
var oneSale = []string{"A USD 7.55", "B USD 16.30", "ROOT USD 3.02"}

func reviewPaid(t *testing.T, w *ledgerworld.World, id string) normalize.Order {
	t.Helper()
	return w.Life(t, id, "C", ledgerworld.Placed)[1]
}

// TestReviewReplacementCycle: two orders that name each other as the order
// they replace (A replaces B, B replaces A) are one sale at most, never
// zero: the second post should be held (or the first keep paying), and no
// later delivery should fail with an error that is not a HeldError (which
// ingest turns into "the store failed, try again" forever).
func TestReviewReplacementCycle(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(ledger.NewMemory(), w.Engine)
	a, b := reviewPaid(t, w, "CYC-A"), reviewPaid(t, w, "CYC-B")
	a.ReplacesOrderID, b.ReplacesOrderID = "CYC-B", "CYC-A"
	at := ledgerworld.Placed.Add(time.Hour)
	for i, o := range []normalize.Order{a, b, a, b} {
		res, err := l.Post(reviewCtx, &o, at)
		var held *ledger.HeldError
		if err != nil && !errors.As(err, &held) {
			t.Errorf("delivery %d (%s): %v — not a HeldError, so a caller retries it forever", i, o.PlatformOrderID, err)
		}
		t.Logf("delivery %d (%s): %v %v", i, o.PlatformOrderID, res.Outcome, err)
	}
	if d := cmp.Diff(oneSale, ledgerworld.Balances(t, l, ledgerworld.Placed.AddDate(1, 0, 0))); d != "" {
		t.Errorf("a cycle of two replacements should pay one sale (-want +got):\n%s", d)
	}
}

// reviewFailing wraps Memory and fails the append to one stream once.
type reviewFailing struct {
	*ledger.Memory
	mu     sync.Mutex
	stream string
	failed bool
}

var errInjected = errors.New("injected store failure")

func (f *reviewFailing) Append(ctx context.Context, stream string, v int, es []ledger.Entry) error {
	f.mu.Lock()
	if stream == f.stream && !f.failed {
		f.failed = true
		f.mu.Unlock()
		return errInjected
	}
	f.mu.Unlock()
	return f.Memory.Append(ctx, stream, v, es)
}

// TestReviewReplacementStoppedMidway: ledger/doc.go says "Each append is
// atomic: should the process stop between two, the next delivery of any
// order of the chain completes the work." Post the original A; post its
// replacement B with the append to B's own stream failing (after A was
// zeroed and marked); deliver A again: the sale should be paid once. It is
// paid by nobody — A is Stale and B was never posted.
func TestReviewReplacementStoppedMidway(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	a, b := reviewPaid(t, w, "MID-A"), reviewPaid(t, w, "MID-B")
	b.ReplacesOrderID = "MID-A"
	store := &reviewFailing{Memory: ledger.NewMemory(), stream: ledger.OrderStream(b.Key())}
	l := ledger.New(store, w.Engine)
	at := ledgerworld.Placed.Add(time.Hour)
	if _, err := l.Post(reviewCtx, &a, at); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Post(reviewCtx, &b, at); !errors.Is(err, errInjected) {
		t.Fatalf("posting B: %v, want the injected failure", err)
	}
	// A is zero and marked: until B's body arrives again the sale pays
	// nothing — never twice — and A's delivery cannot post B, whose body
	// the ledger does not hold.
	if res, err := l.Post(reviewCtx, &a, at); err != nil || res.Outcome != ledger.Stale {
		t.Fatalf("A again: %s, %v; want stale", res.Outcome, err)
	}
	zero := []string{"A USD 0.00", "B USD 0.00", "ROOT USD 0.00"}
	if d := cmp.Diff(zero, ledgerworld.Balances(t, l, ledgerworld.Placed.AddDate(1, 0, 0))); d != "" {
		t.Errorf("before B's next delivery (-want +got):\n%s", d)
	}
	if res, err := l.Post(reviewCtx, &b, at); err != nil || res.Outcome != ledger.Posted {
		t.Fatalf("B again: %s, %v; want posted", res.Outcome, err)
	}
	if d := cmp.Diff(oneSale, ledgerworld.Balances(t, l, ledgerworld.Placed.AddDate(1, 0, 0))); d != "" {
		t.Errorf("after B's next delivery the sale should be paid once (-want +got):\n%s", d)
	}
}

// TestReviewConcurrentPostAndRefunds: 50 goroutines post one order's
// bodies and its refunds (delivered on their own) at once, some racing
// with the order's first post; the ledger ends as the sequential posts end.
func TestReviewConcurrentPostAndRefunds(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	revs := w.Life(t, "RACE", "C", ledgerworld.Placed)
	var refunds []normalize.Refund
	for _, r := range revs[3].Refunds {
		r.Platform, r.Store, r.OrderID, r.Currency = revs[3].Platform, revs[3].Store, revs[3].PlatformOrderID, "USD"
		refunds = append(refunds, r)
	}
	at := ledgerworld.Placed.Add(time.Hour)
	seq := ledger.New(ledger.NewMemory(), w.Engine)
	for i := range revs {
		if _, err := seq.Post(reviewCtx, &revs[i], at); err != nil {
			t.Fatal(err)
		}
	}
	want := ledgerworld.Balances(t, seq, ledgerworld.Placed.AddDate(1, 0, 0))
	for round := range 20 {
		l := ledger.New(ledger.NewMemory(), w.Engine)
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for g := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				switch k := g % 6; {
				case k < 4:
					o := revs[k]
					_, err = l.Post(reviewCtx, &o, at)
				default:
					_, err = l.PostRefund(reviewCtx, refunds[k-4], at)
				}
				if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: %v", round, err)
		}
		if d := cmp.Diff(want, ledgerworld.Balances(t, l, ledgerworld.Placed.AddDate(1, 0, 0))); d != "" {
			t.Fatalf("round %d: balances (-sequential +concurrent):\n%s", round, d)
		}
	}
}

var _ = fmt.Sprint
var _ = strings.Join
var _ = decimal.Zero

// TestReviewRebaseStoppedMidway: replace.go's rebase says "Should this
// fail, what was appended before stands: a later delivery of any order of
// the chain tries again." Chain A ← B ← C (B replaces A, C replaces B).
// Deliver A, then C (B is marked replaced by C, C posted on its own
// basis), then the late link B with the append to C's stream failing (A
// was zeroed and marked first). Deliver A, B and C again: C should end on
// the basis the chain starts from — A's OrderTS, as when the edits arrive
// in order — but no delivery tries the rebase again.
func TestReviewRebaseStoppedMidway(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	p := ledgerworld.Placed
	a := w.Life(t, "RB-A", "C", p)[1]
	b := w.Life(t, "RB-B", "C", p.Add(24*time.Hour))[1]
	c := w.Life(t, "RB-C", "C", p.Add(48*time.Hour))[1]
	b.ReplacesOrderID, c.ReplacesOrderID = "RB-A", "RB-B"
	at := p.Add(72 * time.Hour)

	inOrder := ledger.New(ledger.NewMemory(), w.Engine)
	for _, o := range []normalize.Order{a, b, c} {
		if _, err := inOrder.Post(reviewCtx, &o, at); err != nil {
			t.Fatal(err)
		}
	}
	want, _, err := inOrder.Order(reviewCtx, c.Key())
	if err != nil || !want.OrderTS.Equal(p) {
		t.Fatalf("in order, C is placed at %s (%v), want %s", want.OrderTS, err, p)
	}

	store := &reviewFailing{Memory: ledger.NewMemory(), stream: ledger.OrderStream(c.Key()), failed: true}
	l := ledger.New(store, w.Engine)
	for _, o := range []normalize.Order{a, c} {
		if _, err := l.Post(reviewCtx, &o, at); err != nil {
			t.Fatal(err)
		}
	}
	store.mu.Lock()
	store.failed = false // the next append to C's stream fails
	store.mu.Unlock()
	if _, err := l.Post(reviewCtx, &b, at); !errors.Is(err, errInjected) {
		t.Fatalf("posting B: %v, want the injected failure", err)
	}
	for _, o := range []normalize.Order{a, b, c, b} {
		res, err := l.Post(reviewCtx, &o, at)
		t.Logf("%s again: %v %v", o.PlatformOrderID, res.Outcome, err)
	}
	got, _, err := l.Order(reviewCtx, c.Key())
	if err != nil || !got.OrderTS.Equal(p) {
		t.Errorf("after every order of the chain was delivered again, C is placed at %s (%v), want %s (A's)", got.OrderTS, err, p)
	}
}

// TestReviewReplacementPaidTwiceInAPeriod: a Magento edit made in the month
// after the original was placed. In order: the original A (placed 31
// January) is posted; its replacement B (created 2 February) brings A to
// zero and is posted on A's basis. B's commissions are effective when A
// was placed (31 January), but A's zeroing is effective at B's revision
// instant (2 February). January's payout run, made after both posts, pays
// the sale twice; February claws one back (a negative balance when the
// member earns nothing more).
func TestReviewReplacementPaidTwiceInAPeriod(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	jan31 := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	a := w.Life(t, "PP-A", "C", jan31)[1]
	b := w.Life(t, "PP-B", "C", jan31.AddDate(0, 0, 2))[1]
	b.ReplacesOrderID = "PP-A"
	l := ledger.New(ledger.NewMemory(), w.Engine)
	for _, o := range []normalize.Order{a, b} {
		if _, err := l.Post(reviewCtx, &o, jan31.AddDate(0, 0, 3)); err != nil {
			t.Fatal(err)
		}
	}
	run, err := l.Payout(reviewCtx, ledger.Run{ID: "2026-01", Period: ledger.Month(2026, time.January), At: jan31.AddDate(0, 0, 5)})
	if err != nil {
		t.Fatal(err)
	}
	var paid []string
	for _, p := range run.Paid {
		paid = append(paid, p.Member+" "+p.Currency+" "+p.Amount.StringFixed(2))
	}
	if d := cmp.Diff(oneSale, paid); d != "" {
		t.Errorf("January's run pays the edited sale (-once +paid):\n%s", d)
	}
}

// TestReviewSameVersionOtherBodyWithRefund: ledger/doc.go, step 2: "The
// same Version as the newest but different: calculated, and a
// *ConflictError unless it pays the same." A body with the newest body's
// Version that credits another member is refused — unless it also brings a
// refund with lines the ledger lacks: then it is Posted, and the order's
// commissions move to the other member's upline.
func TestReviewSameVersionOtherBodyWithRefund(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	revs := w.Life(t, "SV", "C", ledgerworld.Placed)
	l := ledger.New(ledger.NewMemory(), w.Engine)
	at := ledgerworld.Placed.Add(time.Hour)
	if _, err := l.Post(reviewCtx, &revs[1], at); err != nil {
		t.Fatal(err)
	}
	other := revs[1]
	other.DistributorRef = "B"
	if _, err := l.Post(reviewCtx, &other, at); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("same version, another member: %v, want a conflict", err)
	}
	withRefund := revs[2] // line 1's refund, with lines
	withRefund.Version = revs[1].Version
	withRefund.DistributorRef = "B"
	res, err := l.Post(reviewCtx, &withRefund, at)
	if !errors.Is(err, ledger.ErrConflict) {
		t.Errorf("same version, another member, and a refund: %v %v, want a conflict (entries: %v)", res.Outcome, err, ledgerworld.Amounts(res))
	}
}
