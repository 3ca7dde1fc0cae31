package ledger_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

func closeWorld(t *testing.T, refunds string) (*ledger.Ledger, *ledgerworld.World, *hierarchy.Genealogy) {
	t.Helper()
	w, g := ledgerworld.NewCloseWorld(t, refunds)
	return ledger.New(ledger.NewMemory(), w.Engine), w, g
}

// awardLines renders a close's entries: "type member amount rule".
func entryLines(es []ledger.Entry) []string {
	var out []string
	for i := range es {
		e := &es[i]
		switch e.Type {
		case ledger.TypeAward:
			out = append(out, fmt.Sprintf("award %s %s %s %s %s", e.Award.Kind, e.Member, e.Amount.StringFixed(2), e.Award.Basis(), e.Effective.Format(time.RFC3339)))
		case ledger.TypeCarry:
			out = append(out, fmt.Sprintf("carry %s %s", e.Member, e.Carry.Volume))
		case ledger.TypeClose:
			out = append(out, "close "+e.Close.Period+" known "+e.Close.Known.Format(time.RFC3339))
		default:
			out = append(out, e.Type.String())
		}
	}
	return out
}

func TestClose(t *testing.T) {
	l, w, g := closeWorld(t, "order_period")
	life := w.Life(t, "9001", "C", ledgerworld.Placed) // Aug 28: PV 75 + 70; refunds Sep 2 (-25), Sep 7 (-70)
	for _, o := range life[:3] {
		if _, err := l.Post(ctx, &o, o.Version); err != nil {
			t.Fatal(err)
		}
	}
	sep := func(d int) time.Time { return time.Date(2025, 9, d, 0, 0, 0, 0, time.UTC) }
	if _, err := l.Close(ctx, "2025-08", sep(3)); !errors.Is(err, ledger.ErrPeriodOpen) {
		t.Fatalf("close before the grace: err = %v, want ErrPeriodOpen", err)
	}
	res, err := l.Close(ctx, "2025-08", sep(5))
	if err != nil {
		t.Fatal(err)
	}
	// The refund of Sep 2 counts in August, the order's period: PV 120.
	want := []string{
		"award commission C 12.00 120 2025-08-01T00:00:00Z",
		"carry C 120",
		"close 2025-08 known 2025-09-05T00:00:00Z",
	}
	if res.Outcome != ledger.Posted || !cmp.Equal(want, entryLines(res.Entries)) {
		t.Fatalf("first close: %s %s", res.Outcome, cmp.Diff(want, entryLines(res.Entries)))
	}
	var ranks []string
	for _, c := range res.RankChanges {
		ranks = append(ranks, fmt.Sprintf("%s %d/%d from %s", c.Member, c.PaidAs, c.Highest, c.Effective.Format(time.RFC3339)))
		if err := g.Apply(c); err != nil {
			t.Fatal(err)
		}
	}
	// C qualifies rank 1 on PV 120; rank 2 needs GV 100 with at most 60
	// from one leg, and C has no legs: its own volume is not capped.
	// Everyone else had rank 1 typed in and qualifies for nothing.
	wantRanks := []string{"ROOT 0/1 from 2025-09-01T00:00:00Z", "A 0/1 from 2025-09-01T00:00:00Z", "B 0/1 from 2025-09-01T00:00:00Z",
		"C 2/2 from 2025-09-01T00:00:00Z", "ZERO 0/1 from 2025-09-01T00:00:00Z", "U 0/1 from 2025-09-01T00:00:00Z"}
	if diff := cmp.Diff(wantRanks, ranks); diff != "" {
		t.Fatalf("rank changes (-want +got):\n%s", diff)
	}
	if bal := balanceOf(t, l, "C"); bal != "12.00" {
		t.Errorf("C's balance = %s, want 12 (the award)", bal)
	}

	again, err := l.Close(ctx, "2025-08", sep(6))
	if err != nil || again.Outcome != ledger.Duplicate || len(again.Entries) != 0 || len(again.RankChanges) != 0 {
		t.Fatalf("close again: %v %s %v, rank changes %v", err, again.Outcome, entryLines(again.Entries), again.RankChanges)
	}

	// The second refund (Sep 7) takes line 2 back: August's PV is 50.
	if _, err := l.Post(ctx, &life[3], life[3].Version); err != nil {
		t.Fatal(err)
	}
	before := len(storeEntries(t, l))
	pre, err := l.Preview(ctx, "2025-08", sep(8))
	if err != nil {
		t.Fatal(err)
	}
	if len(pre.Awards) != 1 || pre.Awards[0].Amount().String() != "5" || len(storeEntries(t, l)) != before {
		t.Fatalf("preview: %v awards, store grew %d", pre.Awards, len(storeEntries(t, l))-before)
	}
	corr, err := l.Close(ctx, "2025-08", sep(8))
	if err != nil {
		t.Fatal(err)
	}
	want = []string{
		"award correction C -7.00 50 2025-09-08T00:00:00Z",
		"carry C -70",
		"close 2025-08 known 2025-09-08T00:00:00Z",
	}
	if diff := cmp.Diff(want, entryLines(corr.Entries)); diff != "" {
		t.Fatalf("re-close after a late refund (-want +got):\n%s", diff)
	}
	// Awards read back from their JSON write the same JSON, corrections
	// and calc_snapshots included.
	for _, e := range append(res.Entries[:1:1], corr.Entries[0]) {
		b := e.Award.AppendJSON(nil)
		var back commission.Award
		if err := back.UnmarshalJSON(b); err != nil {
			t.Fatal(err)
		}
		if got := back.AppendJSON(nil); string(got) != string(b) {
			t.Fatalf("award JSON round trip:\n%s\n%s", b, got)
		}
	}
	if corr.Entries[0].Award.Corrects != res.Entries[0].Award.ID {
		t.Errorf("the correction corrects %s, want %s", corr.Entries[0].Award.Corrects, res.Entries[0].Award.ID)
	}
	var rc []string
	for _, c := range corr.RankChanges {
		rc = append(rc, fmt.Sprintf("%s %d/%d", c.Member, c.PaidAs, c.Highest))
	}
	// PV 50 still makes rank 1; rank 2 needs GV 100. The re-close
	// corrects the highest rank too: rank 2 was reached only on volume
	// since refunded, so it was never reached.
	if diff := cmp.Diff([]string{"C 1/1"}, rc); diff != "" {
		t.Fatalf("rank changes after the refund (-want +got):\n%s", diff)
	}

	// September starts from August's carry: C's 50.
	sepRes, err := l.Close(ctx, "2025-09", time.Date(2025, 10, 4, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"award commission C 5.00 50 2025-09-01T00:00:00Z", "close 2025-09 known 2025-10-04T00:00:00Z"}
	if diff := cmp.Diff(want, entryLines(sepRes.Entries)); diff != "" {
		t.Fatalf("September (-want +got):\n%s", diff)
	}
}

func TestCloseRefundsInRefundPeriod(t *testing.T) {
	l, w, _ := closeWorld(t, "refund_period")
	life := w.Life(t, "9002", "C", ledgerworld.Placed)
	for _, o := range life {
		if _, err := l.Post(ctx, &o, o.Version); err != nil {
			t.Fatal(err)
		}
	}
	aug, err := l.Preview(ctx, "2025-08", far)
	if err != nil {
		t.Fatal(err)
	}
	sep, err := l.Preview(ctx, "2025-09", far)
	if err != nil {
		t.Fatal(err)
	}
	ra, _ := aug.Report("C")
	rs, _ := sep.Report("C")
	if ra.Volumes.PV.String() != "145" || rs.Volumes.PV.String() != "-95" {
		t.Fatalf("PV in August %s, in September %s; want 145 and -95", ra.Volumes.PV, rs.Volumes.PV)
	}
}

func storeEntries(t *testing.T, l *ledger.Ledger) []ledger.Entry {
	t.Helper()
	es, err := l.Store().After(ctx, 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

var _ = normalize.Shopify
