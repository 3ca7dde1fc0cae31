package ledger_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// TestReviewConcurrentChain: the chain A ← B ← C (B replaces A, C replaces
// B), each body delivered ten times by 30 goroutines at once. Posted one
// after the other, C ends on A's basis (placed when A was). Concurrently,
// C sometimes ends on B's or its own basis: B's post marks A replaced by
// B, then loses the race for its own stream to C (which, seeing B unposted,
// posted on its own basis and marked B); B's retry goes to adoptLink,
// which finds A marked by B and returns without rebasing C.
func TestReviewConcurrentChain(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	p := ledgerworld.Placed
	a := w.Life(t, "CC-A", "C", p)[1]
	b := w.Life(t, "CC-B", "C", p.Add(time.Hour))[1]
	c := w.Life(t, "CC-C", "C", p.Add(2*time.Hour))[1]
	b.ReplacesOrderID, c.ReplacesOrderID = "CC-A", "CC-B"
	at := p.Add(72 * time.Hour)
	seq := ledger.New(ledger.NewMemory(), w.Engine)
	for _, o := range []normalize.Order{a, b, c} {
		if _, err := seq.Post(reviewCtx, &o, at); err != nil {
			t.Fatal(err)
		}
	}
	end := p.AddDate(1, 0, 0)
	want := ledgerworld.Balances(t, seq, end)
	orders := []normalize.Order{a, b, c}
	for round := range 200 {
		l := ledger.New(ledger.NewMemory(), w.Engine)
		var wg sync.WaitGroup
		for g := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o := orders[(g+round)%3]
				if _, err := l.Post(reviewCtx, &o, at); err != nil {
					t.Errorf("round %d: %s: %v", round, o.PlatformOrderID, err)
				}
			}()
		}
		wg.Wait()
		if d := cmp.Diff(want, ledgerworld.Balances(t, l, end)); d != "" {
			t.Fatalf("round %d (-seq +concurrent):\n%s", round, d)
		}
		got, _, _ := l.Order(reviewCtx, c.Key())
		if !got.OrderTS.Equal(p) {
			t.Fatalf("round %d: C placed at %s", round, got.OrderTS)
		}
	}
}

// TestReviewLinkStoppedBeforeItsOwnAppend is TestReviewConcurrentChain's
// interleaving made deterministic: A posted; B's post marks A replaced by
// B and fails on its own stream; C is posted (B unposted: C on its own
// basis, B marked by C); B delivered again is Stale without rebasing C,
// and so are A and C delivered again. In order, C is placed when A was.
func TestReviewLinkStoppedBeforeItsOwnAppend(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	p := ledgerworld.Placed
	a := w.Life(t, "LS-A", "C", p)[1]
	b := w.Life(t, "LS-B", "C", p.Add(time.Hour))[1]
	c := w.Life(t, "LS-C", "C", p.Add(2*time.Hour))[1]
	b.ReplacesOrderID, c.ReplacesOrderID = "LS-A", "LS-B"
	at := p.Add(72 * time.Hour)
	store := &reviewFailing{Memory: ledger.NewMemory(), stream: ledger.OrderStream(b.Key())}
	l := ledger.New(store, w.Engine)
	if _, err := l.Post(reviewCtx, &a, at); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Post(reviewCtx, &b, at); !errors.Is(err, errInjected) {
		t.Fatalf("B: %v, want the injected failure", err)
	}
	for _, o := range []normalize.Order{c, b, a, c, b} {
		res, err := l.Post(reviewCtx, &o, at)
		t.Logf("%s: %v %v", o.PlatformOrderID, res.Outcome, err)
	}
	got, _, err := l.Order(reviewCtx, c.Key())
	if err != nil || !got.OrderTS.Equal(p) {
		t.Errorf("C is placed at %s (%v), want %s (A's, as in order)", got.OrderTS, err, p)
	}
}
