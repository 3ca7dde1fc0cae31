package ledgertest

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/uplinehq/upline/internal/ledgerworld"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// positions renders where a post appended entries, as "stream seq"
// lines, after checking that the store holds each entry there.
func positions(t *testing.T, s ledger.Store, entries []ledger.Entry) []string {
	t.Helper()
	out := []string{}
	for _, e := range entries {
		stored, _, err := s.Stream(ctx, e.Stream)
		if err != nil {
			t.Fatal(err)
		}
		if e.Seq < 1 || e.Seq > len(stored) || stored[e.Seq-1].ID != e.ID {
			t.Errorf("entry %s is reported at %s %d; the store does not hold it there", e.ID, e.Stream, e.Seq)
		}
		out = append(out, e.Stream+" "+strconv.Itoa(e.Seq))
	}
	return out
}

// seqs returns "stream from" … "stream to".
func seqs(stream string, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, stream+" "+strconv.Itoa(i))
	}
	return out
}

func checkBalances(t *testing.T, l *ledger.Ledger, at time.Time, want ...string) {
	t.Helper()
	if d := cmp.Diff(want, ledgerworld.Balances(t, l, at)); d != "" {
		t.Errorf("balances at %s (-want +got):\n%s", at.Format(time.RFC3339), d)
	}
}

func post(t *testing.T, l *ledger.Ledger, o *normalize.Order, at time.Time, want ledger.Outcome) ledger.Result {
	t.Helper()
	r, err := l.Post(ctx, o, at)
	if err != nil {
		t.Fatalf("post %s revision %s: %v", o.Key(), o.Version.Format(time.RFC3339), err)
	}
	if r.Outcome != want {
		t.Fatalf("post %s revision %s: %s, want %s", o.Key(), o.Version.Format(time.RFC3339), r.Outcome, want)
	}
	return r
}

var far = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// mutate returns ev with its JSON field old replaced by new.
func mutate(t *testing.T, ev commission.Event, old, new string) commission.Event {
	t.Helper()
	b := ev.AppendJSON(nil)
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s not in %s", old, b)
	}
	var out commission.Event
	if err := out.UnmarshalJSON(bytes.Replace(b, []byte(old), []byte(new), 1)); err != nil {
		t.Fatal(err)
	}
	return out
}

func postEventsDuplicateAndConflict(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	calc, err := w.Engine.Calculate(&w.Life(t, "1001", "C", ledgerworld.Placed)[1], commission.Lock{Known: ledgerworld.Placed})
	if err != nil {
		t.Fatal(err)
	}
	first, err := l.PostEvents(ctx, calc.Events, ledgerworld.Placed)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Entries) != 8 || len(first.AlreadyPosted) != 0 {
		t.Fatalf("first post: %d appended, %d already posted; want 8, 0", len(first.Entries), len(first.AlreadyPosted))
	}
	if d := cmp.Diff(seqs(ledger.OrderStream(calc.Events[0].Order), 1, 8), positions(t, s, first.Entries)); d != "" {
		t.Errorf("first post: entries appended at (-want +got):\n%s", d)
	}
	again, err := l.PostEvents(ctx, append(calc.Events, calc.Events[:2]...), ledgerworld.Placed.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Entries) != 0 || len(again.AlreadyPosted) != 10 || again.AlreadyPosted[0] != calc.Events[0].ID.String() {
		t.Fatalf("second post: %d appended, already posted %v; want 0 appended and all 10 already posted", len(again.Entries), again.AlreadyPosted)
	}
	ev := calc.Events[0] // B, unilevel, line 1: 6.00
	cases := []struct {
		field, old, new string
	}{
		{"amount", `"amount":"6.00"`, `"amount":"6.01"`},
		{"beneficiary", `"beneficiary":"B"`, `"beneficiary":"A"`},
		{"paid_level", `"paid_level":1`, `"paid_level":2`},
		{"calc_snapshot", `"known":"2025-08-28T08:11:04Z"`, `"known":"2025-08-28T09:00:00Z"`},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			bad := mutate(t, ev, c.old, c.new)
			_, err := l.PostEvents(ctx, []commission.Event{calc.Events[1], bad}, ledgerworld.Placed)
			var ce *ledger.ConflictError
			if !errors.As(err, &ce) || !errors.Is(err, ledger.ErrConflict) {
				t.Fatalf("got %v, want a *ConflictError", err)
			}
			if ce.ID != ev.ID.String() || ce.Field != c.field {
				t.Errorf("conflict on %s field %s, want %s field %s", ce.ID, ce.Field, ev.ID, c.field)
			}
		})
	}
	if es, _ := mustStream(t, s, ledger.OrderStream(ev.Order)); len(es) != 8 {
		t.Errorf("%d entries after conflicts, want the 8 first posted", len(es))
	}
	checkBalances(t, l, far, "A USD 7.55", "B USD 16.30", "ROOT USD 3.02")
}

func postLife(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	revs := w.Life(t, "1001", "C", ledgerworld.Placed)
	known := ledgerworld.Placed.Add(30 * time.Second)
	wantLock := commission.Lock{Known: known, PlanID: "ledgertest", PlanVersion: 1}
	// Commissions and corrections, volumes and their corrections (one per
	// line), and each post's revision record.
	counts := []int{1, 11, 6, 6}
	for i := range revs {
		r := post(t, l, &revs[i], known.Add(time.Duration(i)*time.Hour), ledger.Posted)
		if len(r.Entries) != counts[i] || !r.Revision.Equal(revs[i].Version) || r.Lock != wantLock {
			t.Errorf("revision %d: %d entries, revision %s, lock %+v; want %d, %s, %+v", i, len(r.Entries), r.Revision, r.Lock,
				counts[i], revs[i].Version, wantLock)
		}
	}
	if es, v := mustStream(t, s, ledger.OrderStream(revs[0].Key())); v != 24 || es[0].Type != ledger.TypeRevision || es[23].Seq != 24 || es[23].Type != ledger.TypeRevision {
		t.Errorf("stream at version %d, want 24 starting and ending with a revision record", v)
	}
	post(t, l, &revs[3], far, ledger.Duplicate)
	for i := range 3 {
		r := post(t, l, &revs[i], far, ledger.Stale)
		if !r.Newest.Equal(revs[3].Version) {
			t.Errorf("stale revision %d: newest %s, want %s", i, r.Newest, revs[3].Version)
		}
	}
	checkBalances(t, l, revs[1].Version, "A USD 7.55", "B USD 16.30", "ROOT USD 3.02")
	checkBalances(t, l, revs[2].Version.Add(-time.Nanosecond), "A USD 7.55", "B USD 16.30", "ROOT USD 3.02")
	checkBalances(t, l, revs[2].Version, "A USD 6.55", "B USD 14.10", "ROOT USD 2.62")
	checkBalances(t, l, far, "A USD 2.00", "B USD 4.40", "ROOT USD 0.80")
}

func staleRevision(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	revs := w.Life(t, "1001", "C", ledgerworld.Placed)
	r := post(t, l, &revs[2], ledgerworld.Placed, ledger.Posted)
	if len(r.Entries) != 11 {
		t.Errorf("newest-so-far revision first: %d entries, want its 8 commissions, 2 volumes and its revision record", len(r.Entries))
	}
	for _, i := range []int{1, 0} {
		post(t, l, &revs[i], ledgerworld.Placed, ledger.Stale)
	}
	post(t, l, &revs[2], ledgerworld.Placed, ledger.Duplicate)
	checkBalances(t, l, far, "A USD 6.55", "B USD 14.10", "ROOT USD 2.62")
	post(t, l, &revs[3], ledgerworld.Placed, ledger.Posted)
	post(t, l, &revs[1], ledgerworld.Placed, ledger.Stale)
	checkBalances(t, l, far, "A USD 2.00", "B USD 4.40", "ROOT USD 0.80")
	if es, v := mustStream(t, s, ledger.OrderStream(revs[0].Key())); v != 17 {
		t.Errorf("%d entries, want 17: stale and duplicate revisions append nothing", len(es))
	}
}

func concurrentPosts(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	revs := w.Life(t, "1001", "C", ledgerworld.Placed)
	var wg sync.WaitGroup
	results := make(chan ledger.Result, 200)
	errs := make(chan error, 200)
	for g := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 1 + g%3 // some goroutines deliver their revision two or three times
			for range n {
				r, err := l.Post(ctx, &revs[(g*7)%len(revs)], ledgerworld.Placed.Add(time.Duration(g)*time.Second))
				if err != nil {
					errs <- err
					return
				}
				results <- r
			}
		}()
	}
	wg.Wait()
	close(results)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	posted := 0
	for r := range results {
		if r.Outcome == ledger.Posted {
			posted++
		}
	}
	es, _ := mustStream(t, s, ledger.OrderStream(revs[0].Key()))
	type slotRev struct {
		slot string
		rev  time.Time
	}
	seen := make(map[string]bool)
	once := make(map[slotRev]bool)
	sums := make(map[string]decimal.Decimal)
	for _, e := range es {
		if seen[e.ID] {
			t.Errorf("entry %s appears twice", e.ID)
		}
		seen[e.ID] = true
		if e.Event == nil {
			continue
		}
		slot := fmt.Sprint(e.Event.LineID, " ", e.Rule, " ", e.Member, " ", e.Event.Level)
		if k := (slotRev{slot, e.Revision}); once[k] {
			t.Errorf("slot %s corrected twice for revision %s", slot, e.Revision)
		} else {
			once[k] = true
		}
		sums[slot] = sums[slot].Add(e.Amount)
	}
	if posted < 1 || posted > len(revs) {
		t.Errorf("%d posts appended, want between 1 and %d", posted, len(revs))
	}
	want := map[string]string{
		"1 unilevel B 1": "4.00", "1 unilevel A 2": "2.00", "1 unilevel ROOT 3": "0.80", "1 cv_bonus B 1": "0.40",
	}
	got := make(map[string]string)
	for k, v := range sums {
		if !v.IsZero() { // line 2's slots sum to zero, or were never posted when the last revision came first
			got[k] = v.StringFixed(2)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("per-slot sums (-want +got):\n%s", d)
	}
	checkBalances(t, l, far, "A USD 2.00", "B USD 4.40", "ROOT USD 0.80")
	rec, err := l.Reconcile(ctx, ledger.Month(2025, time.August), revs, far)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Share != "0" || rec.Matched != 1 {
		t.Errorf("reconciliation: share %s, %d matched; want 0, 1", rec.Share, rec.Matched)
	}
}

func payments(ps []ledger.Payment) []string {
	out := []string{}
	for _, p := range ps {
		s := p.Member + " " + p.Currency + " " + p.Amount.StringFixed(2)
		if p.Reason != "" {
			s += " (" + p.Reason + ")"
		}
		out = append(out, s)
	}
	return out
}

func checkPayout(t *testing.T, r ledger.PayoutResult, paid, held, below, negative []string) {
	t.Helper()
	got := [][]string{payments(r.Paid), payments(r.Held), payments(r.BelowMinimum), payments(r.Negative)}
	want := [][]string{paid, held, below, negative}
	for i := range want {
		if want[i] == nil {
			want[i] = []string{}
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("payout %s: paid, held, below minimum, negative (-want +got):\n%s", r.Run, d)
	}
}

var sep15 = time.Date(2025, 9, 15, 0, 0, 0, 0, time.UTC)

func augustRun(id string) ledger.Run {
	return ledger.Run{ID: id, Period: ledger.Month(2025, time.August), At: sep15,
		Minimum: map[string]decimal.Decimal{"USD": decimal.RequireFromString("5.00")},
		Holds:   map[string]string{"A": "KYC pending"}}
}

func payoutTwice(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	revs := w.Life(t, "1001", "C", ledgerworld.Placed)
	post(t, l, &revs[1], ledgerworld.Placed, ledger.Posted)
	first, err := l.Payout(ctx, augustRun("2025-08"))
	if err != nil {
		t.Fatal(err)
	}
	if first.AlreadyRun || len(first.Entries) != 3 {
		t.Errorf("first run: already run %v, %d entries; want false, 3 (run, payout, hold)", first.AlreadyRun, len(first.Entries))
	}
	checkPayout(t, first, []string{"B USD 16.30"}, []string{"A USD 7.55 (KYC pending)"}, []string{"ROOT USD 3.02"}, nil)
	checkBalances(t, l, far, "A USD 7.55", "B USD 0.00", "ROOT USD 3.02")

	again, err := l.Payout(ctx, augustRun("2025-08"))
	if err != nil {
		t.Fatal(err)
	}
	if !again.AlreadyRun || len(again.Entries) != 0 {
		t.Errorf("second run: already run %v, %d entries; want true, 0", again.AlreadyRun, len(again.Entries))
	}
	checkPayout(t, again, []string{"B USD 16.30"}, []string{"A USD 7.55 (KYC pending)"}, nil, nil)
	checkBalances(t, l, far, "A USD 7.55", "B USD 0.00", "ROOT USD 3.02")

	for field, r := range map[string]ledger.Run{
		"holds":   {ID: "2025-08", Period: ledger.Month(2025, time.August), At: sep15, Minimum: augustRun("").Minimum},
		"minimum": {ID: "2025-08", Period: ledger.Month(2025, time.August), At: sep15, Holds: augustRun("").Holds},
		"at":      {ID: "2025-08", Period: ledger.Month(2025, time.August), At: sep15.Add(time.Hour), Minimum: augustRun("").Minimum, Holds: augustRun("").Holds},
		"period":  {ID: "2025-08", Period: ledger.Month(2025, time.July), At: sep15, Minimum: augustRun("").Minimum, Holds: augustRun("").Holds},
	} {
		_, err := l.Payout(ctx, r)
		var ce *ledger.ConflictError
		if !errors.As(err, &ce) || ce.Field != field || ce.ID != "2025-08" {
			t.Errorf("run id reused with other %s: %v, want a *ConflictError on %s", field, err, field)
		}
	}
	// Once the hold is lifted, a new run pays what was held.
	lifted := augustRun("2025-08b")
	lifted.Holds = nil
	r, err := l.Payout(ctx, lifted)
	if err != nil {
		t.Fatal(err)
	}
	checkPayout(t, r, []string{"A USD 7.55"}, nil, []string{"ROOT USD 3.02"}, nil)
	checkBalances(t, l, far, "A USD 0.00", "B USD 0.00", "ROOT USD 3.02")
	// Each run id, found again after later runs, reports its own
	// payments and holds, none of another run's.
	for _, c := range []struct {
		r          ledger.Run
		paid, held []string
	}{
		{augustRun("2025-08"), []string{"B USD 16.30"}, []string{"A USD 7.55 (KYC pending)"}},
		{lifted, []string{"A USD 7.55"}, nil},
	} {
		again, err := l.Payout(ctx, c.r)
		if err != nil {
			t.Fatal(err)
		}
		if !again.AlreadyRun || len(again.Entries) != 0 {
			t.Errorf("run %s again: already run %v, %d entries; want true, 0", c.r.ID, again.AlreadyRun, len(again.Entries))
		}
		checkPayout(t, again, c.paid, c.held, nil, nil)
	}
	checkBalances(t, l, far, "A USD 0.00", "B USD 0.00", "ROOT USD 3.02")
	if _, err := l.Payout(ctx, ledger.Run{ID: "early", Period: ledger.Month(2025, time.August), At: ledgerworld.Placed}); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("a run before its period ends: %v, want ErrInvalid", err)
	}
}

func concurrentPayouts(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	revs := w.Life(t, "1001", "C", ledgerworld.Placed)
	post(t, l, &revs[1], ledgerworld.Placed, ledger.Posted)
	var wg sync.WaitGroup
	res := make([]ledger.PayoutResult, 10)
	errs := make([]error, 10)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i], errs[i] = l.Payout(ctx, ledger.Run{ID: fmt.Sprint("race-", i%5), Period: ledger.Month(2025, time.August), At: sep15})
		}()
	}
	wg.Wait()
	paying := 0
	for i := range res {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if len(res[i].Paid) > 0 && !res[i].AlreadyRun {
			paying++
		}
	}
	if paying != 1 {
		t.Errorf("%d runs paid, want exactly 1", paying)
	}
	// Runs with one id report the same payments, whether they recorded
	// the run or found it recorded after losing a race to it.
	for i := range res {
		if j := i % 5; j != i {
			if d := cmp.Diff(res[j].Paid, res[i].Paid, ledgerworld.Opts); d != "" {
				t.Errorf("runs %d and %d (run id %s) report different payments (-%d +%d):\n%s", j, i, res[i].Run, j, i, d)
			}
		}
	}
	checkBalances(t, l, far, "A USD 0.00", "B USD 0.00", "ROOT USD 0.00")
	es, _ := mustStream(t, s, ledger.PayoutStream)
	if runs := countType(es, ledger.TypeRun); runs != 5 {
		t.Errorf("%d runs recorded, want 5 (one per id)", runs)
	}
}

func countType(es []ledger.Entry, typ ledger.Type) int {
	n := 0
	for _, e := range es {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func negativeAfterPayout(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	revs := w.Life(t, "1001", "C", ledgerworld.Placed)
	post(t, l, &revs[1], ledgerworld.Placed, ledger.Posted)
	aug, err := l.Payout(ctx, ledger.Run{ID: "2025-08", Period: ledger.Month(2025, time.August), At: sep15.Add(-14 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	checkPayout(t, aug, []string{"A USD 7.55", "B USD 16.30", "ROOT USD 3.02"}, nil, nil, nil)
	post(t, l, &revs[2], sep15, ledger.Posted)
	post(t, l, &revs[3], sep15, ledger.Posted)
	checkBalances(t, l, far, "A USD -5.55", "B USD -11.90", "ROOT USD -2.22")

	oct := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	sepRun, err := l.Payout(ctx, ledger.Run{ID: "2025-09", Period: ledger.Month(2025, time.September), At: oct})
	if err != nil {
		t.Fatal(err)
	}
	checkPayout(t, sepRun, nil, nil, nil, []string{"A USD -5.55", "B USD -11.90", "ROOT USD -2.22"})
	if len(sepRun.Entries) != 1 {
		t.Errorf("a run with only negative balances appended %d entries, want its run entry", len(sepRun.Entries))
	}
	// Later earnings cover the carried balance before anything is paid.
	next := w.Life(t, "1002", "C", oct.Add(24*time.Hour))
	post(t, l, &next[1], oct.Add(24*time.Hour), ledger.Posted)
	octRun, err := l.Payout(ctx, ledger.Run{ID: "2025-10", Period: ledger.Month(2025, time.October), At: oct.AddDate(0, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	checkPayout(t, octRun, []string{"A USD 2.00", "B USD 4.40", "ROOT USD 0.80"}, nil, nil, nil)
	checkBalances(t, l, far, "A USD 0.00", "B USD 0.00", "ROOT USD 0.00")
}

func balanceIsSumOfEntries(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	var all [][]normalize.Order
	for i, ref := range []string{"C", "B", "A", "U"} {
		all = append(all, w.Life(t, fmt.Sprint(2000+i), ref, ledgerworld.Placed.Add(time.Duration(i)*time.Hour)))
	}
	for _, revs := range all {
		post(t, l, &revs[1], ledgerworld.Placed, ledger.Posted)
	}
	if _, err := l.Payout(ctx, ledger.Run{ID: "aug", Period: ledger.Month(2025, time.August), At: sep15,
		Minimum: map[string]decimal.Decimal{"USD": decimal.RequireFromString("10")}}); err != nil {
		t.Fatal(err)
	}
	for _, revs := range all {
		post(t, l, &revs[3], sep15.Add(time.Hour), ledger.Posted)
	}
	for _, at := range []time.Time{ledgerworld.Placed, sep15, far} {
		bs, err := l.Balances(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range bs {
			sum := decimal.Zero
			err := s.Scan(ctx, ledger.Filter{Member: b.Member, Currency: b.Currency}, func(e *ledger.Entry) error {
				if !e.Effective.After(at) {
					sum = sum.Add(e.Amount)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			one, err := l.Balance(ctx, b.Member, b.Currency, at)
			if err != nil {
				t.Fatal(err)
			}
			if !sum.Equal(b.Amount) || !one.Equal(b.Amount) {
				t.Errorf("%s %s at %s: ledgerworld.Balances %s, Balance %s, sum of entries %s", b.Member, b.Currency, at, b.Amount, one, sum)
			}
		}
	}
	// Paid in August: A 7.55 + 16.30, B 16.30, ROOT 3.02 + 7.55 + 16.30 + 16.30; earned after the refunds:
	// A 2.00 + 4.40, B 4.40, ROOT 0.80 + 2.00 + 4.40 + 4.40.
	checkBalances(t, l, far, "A USD -17.45", "B USD -11.90", "ROOT USD -31.57")
}
