package ledger_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uplinehq/upline/internal/ledgerworld"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/internal/golden"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

var (
	sep1  = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	sep10 = time.Date(2025, 9, 10, 12, 0, 0, 0, time.UTC)
)

func mustPost(t testing.TB, l *ledger.Ledger, o *normalize.Order, at time.Time) ledger.Result {
	t.Helper()
	r, err := l.Post(ctx, o, at)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// september builds B's September: paid in August for order 1001, paid out
// on September 1, two refunds of 1001, a new order 1002, an adjustment.
func september(t *testing.T) (*ledgerworld.World, *ledger.Ledger) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(ledger.NewMemory(), w.Engine)
	a := w.Life(t, "1001", "C", ledgerworld.Placed)
	b := w.Life(t, "1002", "C", sep10)
	mustPost(t, l, &a[1], ledgerworld.Placed)
	if _, err := l.Payout(ctx, ledger.Run{ID: "2025-08", Period: ledger.Month(2025, time.August), At: sep1}); err != nil {
		t.Fatal(err)
	}
	mustPost(t, l, &a[2], a[2].Version)
	mustPost(t, l, &a[3], a[3].Version)
	mustPost(t, l, &b[1], sep10)
	if _, err := l.Adjust(ctx, ledger.Adjustment{ID: "adj-1", Member: "B", Currency: "USD", Amount: decimal.RequireFromString("-0.50"),
		Effective: sep10, Reason: "sample kit"}, sep10); err != nil {
		t.Fatal(err)
	}
	return w, l
}

func TestStatementGolden(t *testing.T) {
	_, l := september(t)
	s, err := l.Statement(ctx, "B", "USD", ledger.Month(2025, time.September))
	if err != nil {
		t.Fatal(err)
	}
	// Opening 16.30 (August), earned 15.10 + 1.20 (order 1002), clawed back
	// 2.20 + 9.70 (order 1001's refunds), adjusted −0.50, paid 16.30.
	got := []string{s.Opening.StringFixed(2), s.Earned.StringFixed(2), s.ClawedBack.StringFixed(2), s.Adjusted.StringFixed(2),
		s.Paid.StringFixed(2), s.Closing.StringFixed(2)}
	if d := cmp.Diff([]string{"16.30", "16.30", "11.90", "-0.50", "16.30", "3.90"}, got); d != "" {
		t.Errorf("opening, earned, clawed back, adjusted, paid, closing (-want +got):\n%s", d)
	}
	bal, err := l.Balance(ctx, "B", "USD", sep1.AddDate(0, 1, 0).Add(-time.Nanosecond))
	if err != nil {
		t.Fatal(err)
	}
	if !bal.Equal(s.Closing) {
		t.Errorf("closing %s, balance at the period's end %s", s.Closing, bal)
	}
	var b bytes.Buffer
	if err := s.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/golden/statement.txt", b.Bytes())
}

func TestTotals(t *testing.T) {
	w, l := september(t)
	totals, err := l.Totals(ctx, ledger.Year(2025), w.Members)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range totals {
		got = append(got, strings.Join([]string{x.Member, x.Currency, x.Earned.StringFixed(2), x.ClawedBack.StringFixed(2),
			x.Adjusted.StringFixed(2), x.Net.StringFixed(2), x.Paid.StringFixed(2)}, " "))
	}
	want := []string{
		// member currency earned clawed-back adjusted net paid
		"A USD 15.10 5.55 0.00 9.55 7.55",
		"B USD 32.60 11.90 -0.50 20.20 16.30",
		"C USD 0.00 0.00 0.00 0.00 0.00",
		"ROOT USD 6.04 2.22 0.00 3.82 3.02",
		"U USD 0.00 0.00 0.00 0.00 0.00",
		"ZERO USD 0.00 0.00 0.00 0.00 0.00",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("2025 totals (-want +got):\n%s", d)
	}
	empty, err := ledger.New(ledger.NewMemory(), nil).Totals(ctx, ledger.Year(2024), []string{"Z", "A"})
	if err != nil {
		t.Fatal(err)
	}
	if len(empty) != 2 || empty[0].Member != "A" || empty[0].Currency != "" || !empty[1].Net.IsZero() {
		t.Errorf("a year without entries: %+v, want A and Z with zeros and no currency", empty)
	}
}

func TestReconcileGolden(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(ledger.NewMemory(), w.Engine)
	life := func(id, ref string, h int) []normalize.Order {
		return w.Life(t, id, ref, ledgerworld.Placed.Add(time.Duration(h)*time.Hour))
	}
	matched, missing, behind, extra := life("1001", "C", 0), life("1002", "B", 1), life("1003", "C", 2), life("1004", "A", 3)
	held := life("1005", "NOBODY", 4)
	mustPost(t, l, &matched[3], sep10)
	mustPost(t, l, &behind[1], sep10) // the refunds' webhooks never arrived
	mustPost(t, l, &extra[1], sep10)  // the platform no longer lists it
	platform := []normalize.Order{matched[1], matched[3], missing[3], behind[3], held[1]}
	r, err := l.Reconcile(ctx, ledger.Month(2025, time.August), platform, sep10)
	if err != nil {
		t.Fatal(err)
	}
	if r.Orders != 4 || r.Matched != 1 || len(r.Missing) != 1 || len(r.Extra) != 1 || len(r.Differing) != 1 || len(r.Held) != 1 {
		t.Errorf("orders %d, matched %d, missing %d, extra %d, differing %d, held %d; want 4, 1, 1, 1, 1, 1",
			r.Orders, r.Matched, len(r.Missing), len(r.Extra), len(r.Differing), len(r.Held))
	}
	js, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/golden/reconciliation.json", append(js, '\n'))
	var b bytes.Buffer
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/golden/reconciliation.txt", b.Bytes())

	// Posting what was missing and behind, and the platform listing the
	// extra order again, brings the delta to exactly zero.
	mustPost(t, l, &missing[3], sep10)
	mustPost(t, l, &behind[3], sep10)
	r, err = l.Reconcile(ctx, ledger.Month(2025, time.August), append(platform[:4], extra[1]), sep10)
	if err != nil {
		t.Fatal(err)
	}
	if r.Share != "0" || r.Matched != 4 || len(r.Held) != 0 {
		t.Errorf("after catching up: share %s, %d matched, %d held; want 0, 4, 0", r.Share, r.Matched, len(r.Held))
	}
}

func TestHeld(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(ledger.NewMemory(), w.Engine)
	unattributed := w.Life(t, "7001", "NOBODY", ledgerworld.Placed)[1]
	unknownSKU := w.Life(t, "7002", "C", ledgerworld.Placed)[1]
	unknownSKU.Items[1].PlatformSKU = "NOT-IN-CATALOG"
	for _, c := range []struct {
		name  string
		order normalize.Order
		cause error
	}{
		{"unattributed", unattributed, commission.ErrUnattributed},
		{"unknown SKU", unknownSKU, sku.ErrUnknownSKU},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := l.Post(ctx, &c.order, ledgerworld.Placed)
			var he *ledger.HeldError
			if !errors.As(err, &he) || !errors.Is(err, ledger.ErrHeld) || !errors.Is(err, c.cause) {
				t.Fatalf("got %v, want a *HeldError wrapping %v", err, c.cause)
			}
			if he.Order != c.order.Key() || !he.Revision.Equal(c.order.Version) {
				t.Errorf("held %s revision %s, want %s revision %s", he.Order, he.Revision, c.order.Key(), c.order.Version)
			}
			if es, v, _ := l.Store().Stream(ctx, ledger.OrderStream(c.order.Key())); v != 0 {
				t.Errorf("held order has %d entries, want none", len(es))
			}
		})
	}
}

func TestAdjust(t *testing.T) {
	l := ledger.New(ledger.NewMemory(), nil)
	a := ledger.Adjustment{ID: "w-1", Member: "B", Currency: "USD", Amount: decimal.RequireFromString("11.90"), Effective: sep10, Reason: "write-off approved by finance"}
	for i, want := range []bool{false, true} {
		already, err := l.Adjust(ctx, a, sep10.Add(time.Duration(i)*time.Hour))
		if err != nil || already != want {
			t.Fatalf("adjust #%d: already %v, err %v; want %v, nil", i+1, already, err, want)
		}
	}
	b := a
	b.Amount = decimal.RequireFromString("11.91")
	var ce *ledger.ConflictError
	if _, err := l.Adjust(ctx, b, sep10); !errors.As(err, &ce) || ce.Field != "amount" || ce.Posted != "11.9" || ce.Given != "11.91" {
		t.Errorf("same id, other amount: %v, want a conflict on amount", err)
	}
	for name, bad := range map[string]ledger.Adjustment{
		"sub-cent": {ID: "w-2", Member: "B", Currency: "USD", Amount: decimal.RequireFromString("0.001"), Reason: "x"},
		"no id":    {Member: "B", Currency: "USD", Amount: decimal.RequireFromString("1"), Reason: "x"},
		"currency": {ID: "w-3", Member: "B", Currency: "XXX1", Amount: decimal.RequireFromString("1"), Reason: "x"},
	} {
		if _, err := l.Adjust(ctx, bad, sep10); !errors.Is(err, ledger.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if got, _ := l.Balance(ctx, "B", "USD", sep10); got.StringFixed(2) != "11.90" {
		t.Errorf("balance %s, want 11.90", got)
	}
}
