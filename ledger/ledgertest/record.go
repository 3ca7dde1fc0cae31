package ledgertest

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/uplinehq/upline/internal/ledgerworld"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// Features declares what a store does beyond the Store contract, so that
// Run checks that too (as watermill's tests.Features does for a pub/sub).
// The zero Features declares nothing.
type Features struct {
	// Reopen returns a new handle on the entries s holds — a new
	// connection pool on the same database, say — for a store that keeps
	// entries beyond one handle. Run then checks that every typed field
	// reads back exactly through the new handle, positions included. Nil
	// for a store whose entries live and die with its handle (Memory).
	Reopen func(t *testing.T, s ledger.Store) ledger.Store
}

// everyType appends one entry of every type, each typed field set with
// values a store must keep exactly — amounts with 0, 2 and 3 minor digits
// and more, an order id above 2^53, nanosecond instants — and reads them
// back through Stream, Scan and After, and through a reopened handle when
// the store can be reopened.
// periodAward is a period award as commission writes it, with a
// correction's fields and a calc_snapshot that explains a leg cap.
const periodAward = `{"id":"01K3ZZ0000AWARD0000000000A","plan":"ledgertest","period":"2025-08","rule":"unilevel_volume",` +
	`"beneficiary":"B","source":"C","kind":"correction","level":1,"paid_level":1,"basis":"-25.5","rate":"0.05",` +
	`"amount":"-1.28","currency":"USD","effective":"2025-09-08T00:00:00.000000001Z","corrects":"01K3ZZ0000AWARD0000000000B",` +
	`"figures":[{"name":"carried","value":"12.5"}],"calc_snapshot":{"plan":{"id":"ledgertest","version":1},` +
	`"period":{"id":"2025-08","from":"2025-08-01T00:00:00Z","to":"2025-09-01T00:00:00Z"},"known":"2025-09-08T00:00:00.000000001Z",` +
	`"member":"B","volumes":{"pv":"50","qv":"50","cv":"40","own":"50","gv":"170","ogv":"170","enrolled":1,"active":true},` +
	`"ranks":{"paid_as":1,"highest":2},"previous":{"paid_as":2,"highest":2},"rank_name":"Associate",` +
	`"legs":[{"member":"C","volume":"120","counted":"60","rank":1}],` +
	`"trace":[{"rank":2,"name":"Senior","met":false,"failed":[{"requirement":"gv","have":"110","need":"120","capped":[{"member":"C","volume":"120","counted":"60","rank":1}]}]},{"rank":1,"met":true}],` +
	`"next":{"rank":2,"name":"Senior","met":false,"failed":[{"requirement":"gv","have":"110","need":"120","capped":[{"member":"C","volume":"120","counted":"60","rank":1}]}]}}}`

func everyType(t *testing.T, s ledger.Store, f Features) {
	w := ledgerworld.NewWorld(t)
	revs := w.Life(t, "9007199254740993", "C", ledgerworld.Placed)
	body := revs[3]
	body.Version = body.Version.Add(123456789 * time.Nanosecond)
	calc, err := w.Engine.Calculate(&body, commission.Lock{Known: ledgerworld.Placed})
	if err != nil {
		t.Fatal(err)
	}
	ev := calc.Events[0]
	key := body.Key()
	rev := body.Version
	d := decimal.RequireFromString
	refund := refundOf(&body, body.Refunds[0])
	refund.Items = slices.Clone(refund.Items) // not the body's
	lock := calc.Lock
	run := ledger.Run{ID: "2025-09", Period: ledger.Month(2025, time.September), At: time.Date(2025, 10, 1, 0, 0, 0, 1, time.UTC),
		Minimum: map[string]decimal.Decimal{"USD": d("25.00"), "KWD": d("10.000")}, Holds: map[string]string{"B": "KYC pending"}}
	in := []ledger.Entry{
		{ID: ev.ID.String(), Type: ledger.TypeCommission, Member: ev.Beneficiary, Currency: "USD", Amount: ev.Amount(),
			Effective: ev.Effective, Posted: rev, Order: key, Revision: rev, Lock: lock, Rule: ev.Rule, Event: &ev},
		{ID: "volume 1", Type: ledger.TypeVolume, Member: "C", Currency: "USD", Effective: ledgerworld.Placed, Posted: rev, Order: key,
			Revision: rev, Lock: lock, Volume: &ledger.Volume{LineID: "1", Component: "VITC", Customer: "RC", PV: d("50"), QV: d("-25.5"), CV: d("40.125"), Net: d("39.98")}},
		{ID: "revision 1", Type: ledger.TypeRevision, Effective: rev, Posted: rev, Order: key, Revision: rev, Lock: lock, Placed: ledgerworld.Placed, Body: &body},
		{ID: "refund 1", Type: ledger.TypeRefund, Effective: rev, Posted: rev, Order: key, Revision: rev, Lock: lock, Refund: &refund},
		{ID: "replaced 1", Type: ledger.TypeReplaced, Effective: rev, Posted: rev, Order: key, Revision: rev, Lock: lock,
			ReplacedBy: normalize.Key{Platform: normalize.Magento, Store: "https://m.example.com", OrderID: "000000021-1"}},
		{ID: "frozen 1", Type: ledger.TypeFrozen, Currency: "KWD", Effective: rev, Posted: rev, Order: key, Revision: rev, Lock: lock, Reason: "a revision in JPY"},
		{ID: "run 1", Type: ledger.TypeRun, Effective: run.At, Posted: run.At, Run: run.ID, RunParams: &run},
		{ID: "payout 1", Type: ledger.TypePayout, Member: "A", Currency: "KWD", Amount: d("-1.005"), Effective: run.At, Posted: run.At, Run: run.ID},
		{ID: "hold 1", Type: ledger.TypeHold, Member: "B", Currency: "JPY", Effective: run.At, Posted: run.At, Run: run.ID, Withheld: d("1200"), Reason: "KYC pending"},
		{ID: "adjustment 1", Type: ledger.TypeAdjustment, Member: "A", Currency: "USD", Amount: d("-12.345"), Effective: ledgerworld.Placed, Posted: rev, Reason: "goodwill"},
	}
	// A period close's award (with its calc_snapshot), carry and record.
	var award commission.Award
	if err := award.UnmarshalJSON([]byte(periodAward)); err != nil {
		t.Fatal(err)
	}
	aug := ledger.Month(2025, time.August)
	in = append(in,
		// A volume entry of the member's own purchase: no Customer, as
		// every volume entry written before they named one.
		ledger.Entry{ID: "volume 2", Type: ledger.TypeVolume, Member: "C", Currency: "USD", Effective: ledgerworld.Placed, Posted: rev, Order: key,
			Revision: rev, Lock: lock, Volume: &ledger.Volume{LineID: "2", PV: d("10"), QV: d("10"), CV: d("10"), Net: d("9.99")}},
		ledger.Entry{ID: award.ID.String(), Type: ledger.TypeAward, Member: award.Beneficiary, Currency: award.Currency,
			Amount: award.Amount(), Effective: award.Effective, Posted: run.At, Revision: run.At, Rule: award.Rule, Award: &award},
		ledger.Entry{ID: "carry 1", Type: ledger.TypeCarry, Member: "C", Effective: aug.To, Posted: run.At, Revision: run.At, Rule: "binary",
			Carry: &commission.Carry{Rule: "binary", Member: "C", Leg: 2, Volume: d("-120.5")}},
		ledger.Entry{ID: "close 1", Type: ledger.TypeClose, Effective: aug.To, Posted: run.At, Revision: run.At,
			Close: &ledger.Close{Plan: "ledgertest", Version: 1, Period: "2025-08", From: aug.From, To: aug.To, Known: run.At}})
	if err := s.Append(ctx, "every", 0, in); err != nil {
		t.Fatal(err)
	}
	check := func(how string, s ledger.Store) {
		t.Helper()
		got, _ := mustStream(t, s, "every")
		if d := cmp.Diff(in, got, ledgerworld.Opts); d != "" {
			t.Errorf("%s: Stream read back differs (-appended +read):\n%s", how, d)
		}
		var scanned []ledger.Entry
		if err := s.Scan(ctx, ledger.Filter{}, func(e *ledger.Entry) error { scanned = append(scanned, *e); return nil }); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(in, scanned, ledgerworld.Opts); d != "" {
			t.Errorf("%s: Scan read back differs (-appended +read):\n%s", how, d)
		}
		after, err := s.After(ctx, 0, len(in)+1)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(in, after, ledgerworld.Opts); d != "" {
			t.Errorf("%s: After read back differs (-appended +read):\n%s", how, d)
		}
	}
	check("the same handle", s)
	// What was appended is the store's: changing the caller's values
	// deep inside changes nothing stored.
	want := make([]ledger.Entry, len(in))
	copy(want, in)
	bodyCopy, refundCopy, runCopy := body, refund, run
	bodyCopy.Items, refundCopy.Items = slices.Clone(body.Items), slices.Clone(refund.Items)
	runCopy.Minimum, runCopy.Holds = maps.Clone(run.Minimum), maps.Clone(run.Holds)
	want[2].Body, want[3].Refund, want[6].RunParams = &bodyCopy, &refundCopy, &runCopy
	body.Items[0].Qty, refund.Items[0].Qty = 99, 99
	run.Minimum["USD"], run.Holds["B"] = d("0"), "changed"
	in = want
	if f.Reopen != nil {
		check("a reopened handle", f.Reopen(t, s))
	}
}
