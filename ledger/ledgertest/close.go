package ledgertest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
)

// periodClose closes a month on s: the close's awards (with their
// calc_snapshot), carries and close record read back as they were
// appended, through s and through a reopened handle, so closing again
// appends nothing, and closing after a late refund appends only its
// corrections.
func periodClose(t *testing.T, s ledger.Store, f Features) {
	w, _ := ledgerworld.NewCloseWorld(t, "order_period")
	l := ledger.New(s, w.Engine)
	life := w.Life(t, "8001", "C", ledgerworld.Placed) // Aug 28: PV 75 + 70; refunds Sep 2 (-25), Sep 7 (-70)
	for _, o := range life[:3] {
		if _, err := l.Post(ctx, &o, o.Version); err != nil {
			t.Fatal(err)
		}
	}
	sep := time.Date(2025, 9, 5, 0, 0, 0, 0, time.UTC)
	first, err := l.Close(ctx, "2025-08", sep)
	if err != nil || first.Outcome != ledger.Posted {
		t.Fatalf("close: %v %s", err, first.Outcome)
	}
	// C's PV is 120 (145 less the first refund): 10% of it, and 120
	// carried into September.
	if n := len(first.Entries); n != 3 || first.Entries[0].Amount.String() != "12" || first.Entries[1].Carry.Volume.String() != "120" {
		t.Fatalf("close appended %d entries: %+v", n, first.Entries)
	}
	stream := ledger.PeriodStream("ledgertest", "2025-08")
	check := func(how string, s ledger.Store) {
		t.Helper()
		back, v := mustStream(t, s, stream)
		if v != 3 || back[0].Award == nil || back[1].Carry == nil || back[2].Close == nil {
			t.Fatalf("%s: read back %d entries: %+v", how, v, back)
		}
		if got, want := string(back[0].Award.AppendJSON(nil)), string(first.Entries[0].Award.AppendJSON(nil)); got != want {
			t.Errorf("%s: award read back:\n%s\nwant\n%s", how, got, want)
		}
		if d := cmp.Diff(first.Entries[1:], back[1:], ledgerworld.Opts); d != "" {
			t.Errorf("%s: carry and close read back (-appended +read):\n%s", how, d)
		}
	}
	check("the same handle", s)
	if f.Reopen != nil {
		check("a reopened handle", f.Reopen(t, s))
	}
	again, err := l.Close(ctx, "2025-08", sep.Add(time.Hour))
	if err != nil || again.Outcome != ledger.Duplicate || len(again.Entries) != 0 {
		t.Fatalf("close again: %v %s %d entries", err, again.Outcome, len(again.Entries))
	}
	// The second refund (Sep 7) takes 70 of PV back.
	if _, err := l.Post(ctx, &life[3], life[3].Version); err != nil {
		t.Fatal(err)
	}
	corr, err := l.Close(ctx, "2025-08", sep.Add(72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(corr.Entries) != 3 || corr.Entries[0].Amount.String() != "-7" || corr.Entries[1].Carry.Volume.String() != "-70" {
		t.Fatalf("re-close after a refund: %+v", corr.Entries)
	}
	if corr.Entries[0].Award.Corrects != first.Entries[0].Award.ID {
		t.Errorf("the correction corrects %s, want %s", corr.Entries[0].Award.Corrects, first.Entries[0].Award.ID)
	}
}
