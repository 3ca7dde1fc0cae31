package ledger_test

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/oklog/ulid/v2"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/ledger/ledgertest"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

func TestMemoryConformance(t *testing.T) {
	ledgertest.Run(t, ledgertest.Features{}, func(*testing.T) ledger.Store { return ledger.NewMemory() })
}

// TestMemoryConformanceReopened runs the checks of a store that can be
// reopened, on a "reopened" Memory that is the same handle: it keeps the
// suite's Reopen checks themselves tested.
func TestMemoryConformanceReopened(t *testing.T) {
	reopen := func(_ *testing.T, s ledger.Store) ledger.Store { return s }
	ledgertest.Run(t, ledgertest.Features{Reopen: reopen}, func(*testing.T) ledger.Store { return ledger.NewMemory() })
}

func TestZeroMemoryConformance(t *testing.T) {
	ledgertest.Run(t, ledgertest.Features{}, func(*testing.T) ledger.Store { return new(ledger.Memory) })
}

// TestMemoryKeepsEdges appends what the conformance suite does not: an
// instant beyond what Unix nanoseconds hold, one in a fixed zone, an
// amount beyond int64, a zero amount with a scale, empty (not nil)
// slices and maps; each reads back exactly, scale and location included,
// and filters on such instants select what Filter.Match selects.
func TestMemoryKeepsEdges(t *testing.T) {
	d := decimal.RequireFromString
	far := time.Date(3000, 1, 2, 3, 4, 5, 6, time.UTC)
	zone := time.Date(2025, 5, 1, 12, 0, 0, 7, time.FixedZone("UTC+1", 3600))
	in := []ledger.Entry{
		{ID: "far", Type: ledger.TypeAdjustment, Member: "Ä", Currency: "USD", Amount: d("123456789012345678901234.5678"),
			Effective: far, Posted: zone, Withheld: decimal.New(0, 3), Reason: "r"},
		{ID: "edges", Type: ledger.TypeRevision, Effective: zone, Posted: zone,
			Body: &normalize.Order{Items: []normalize.Line{}, Refunds: []normalize.Refund{{Items: []normalize.RefundLine{}}}}},
		{ID: "run", Type: ledger.TypeRun, Effective: zone, Posted: zone,
			RunParams: &ledger.Run{ID: "x", Minimum: map[string]decimal.Decimal{}, Holds: map[string]string{}}},
		{ID: "s", Type: ledger.TypeAdjustment, Member: "Ä", Currency: "USD", Amount: d("-1.50"), Effective: ledgerworld.Jan, Posted: ledgerworld.Jan},
	}
	m := ledger.NewMemory()
	if err := m.Append(ctx, "s", 0, slices.Clone(in)); err != nil {
		t.Fatal(err)
	}
	got, _, err := m.Stream(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	exact := cmp.Options{
		cmp.Comparer(func(a, b decimal.Decimal) bool {
			return a.Equal(b) && a.Exponent() == b.Exponent() && (a == decimal.Decimal{}) == (b == decimal.Decimal{})
		}),
		cmp.Comparer(func(a, b time.Time) bool { return a == b }),
		cmpopts.IgnoreFields(ledger.Entry{}, "Stream", "Seq", "Position"),
	}
	if diff := cmp.Diff(in, got, exact); diff != "" {
		t.Errorf("read back differs (-appended +read):\n%s", diff)
	}
	for _, f := range []ledger.Filter{
		{Member: "Ä", From: time.Date(2500, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Member: "Ä", To: time.Date(2500, 1, 1, 0, 0, 0, 0, time.UTC)},
		{To: far.Add(time.Nanosecond), PostedBy: zone},
		{Currency: "EUR"},
		{Types: []ledger.Type{ledger.TypeRun, ledger.TypeRevision}, From: zone},
	} {
		var want, scanned []string
		for i := range got {
			if f.Match(&got[i]) {
				want = append(want, got[i].ID)
			}
		}
		err := m.Scan(ctx, f, func(e *ledger.Entry) error { scanned = append(scanned, e.ID); return nil })
		if err != nil || !slices.Equal(scanned, want) {
			t.Errorf("Scan %+v: %q, %v; want %q", f, scanned, err, want)
		}
	}
}

// TestMemoryKeepsAwards appends period awards that share a report and
// one without: every field reads back exactly (decimals' scales,
// instants' zones, nil and empty slices, the amount's minor digits), the
// awards that shared a report share one again.
func TestMemoryKeepsAwards(t *testing.T) {
	d := decimal.RequireFromString
	zone := time.FixedZone("UTC-5", -5*3600)
	legs := []commission.LegReport{{Member: "C", Volume: d("120.50"), Counted: d("60"), Rank: 1}, {Volume: d("0.000"), Counted: decimal.Decimal{}}}
	rep := &commission.MemberReport{PlanID: "p", PlanVersion: 3,
		Period: commission.Period{ID: "2025-08", From: time.Date(2025, 8, 1, 0, 0, 0, 0, zone), To: time.Date(2025, 9, 1, 0, 0, 0, 0, zone)},
		Known:  time.Date(2025, 9, 8, 0, 0, 0, 1, time.UTC), Member: "B",
		Volumes: commission.Volumes{PV: d("50.00"), QV: d("-1"), CV: d("123456789012345678901234.5"), Own: d("50"), GV: d("170.25"), OGV: d("170.250"),
			Enrolled: 2, Active: true},
		Ranks: hierarchy.Ranks{PaidAs: 1, Highest: 300}, Previous: hierarchy.Ranks{PaidAs: 2, Highest: 2}, RankName: "Associate", Legs: legs,
		Trace: []commission.RankTry{{Rank: 2, Name: "Senior", Failed: []commission.Shortfall{
			{Requirement: "gv", Have: d("110"), Need: d("120.0"), Capped: legs[:1]},
			{Requirement: "legs", Have: d("1"), Need: d("2"), Rank: 2, Capped: []commission.LegReport{}}}},
			{Rank: 1, Met: true, Failed: []commission.Shortfall{}}}}
	next := rep.Trace[0]
	rep.Next = &next
	bare := &commission.MemberReport{Member: "A"}
	award := func(js string, r *commission.MemberReport) *commission.Award {
		t.Helper()
		var a commission.Award
		if err := a.UnmarshalJSON([]byte(js)); err != nil {
			t.Fatal(err)
		}
		if r == nil {
			return &a
		}
		a = a.WithSnapshot(r)
		return &a
	}
	aws := []*commission.Award{
		award(`{"id":"01K3ZZ0000AWARD0000000000A","plan":"p","period":"2025-08","rule":"unilevel_volume","beneficiary":"B","source":"C",`+
			`"kind":"correction","level":1,"paid_level":1,"basis":"-25.50","rate":"0.05","amount":"-1.275","currency":"KWD",`+
			`"effective":"2025-09-08T00:00:00.000000001Z","corrects":"01K3ZZ0000AWARD0000000000B","figures":[{"name":"carried","value":"12.50"}]}`, rep),
		award(`{"id":"01K3ZZ0000AWARD0000000000C","plan":"p","period":"2025-08","rule":"matching","beneficiary":"B",`+
			`"kind":"commission","level":0,"paid_level":0,"basis":"3","rate":"0.1","amount":"0","currency":"JPY",`+
			`"effective":"2025-08-01T04:00:00Z"}`, rep),
		award(`{"id":"01K3ZZ0000AWARD0000000000D","plan":"p","period":"2025-08","rule":"pool","beneficiary":"A",`+
			`"kind":"commission","level":0,"paid_level":0,"basis":"1","rate":"0","amount":"0.00","currency":"USD",`+
			`"effective":"2025-08-01T04:00:00Z"}`, nil),
		award(`{"id":"01K3ZZ0000AWARD0000000000E","plan":"p","period":"2025-08","rule":"pool","beneficiary":"A",`+
			`"kind":"commission","level":0,"paid_level":0,"basis":"1","rate":"0","amount":"0.00","currency":"USD",`+
			`"effective":"2025-08-01T04:00:00Z"}`, bare),
	}
	aws[1].Figures = []commission.Figure{}
	aws[1].Effective = aws[1].Effective.In(zone)
	var in []ledger.Entry
	for i, a := range aws {
		e := ledger.Entry{ID: a.ID.String(), Type: ledger.TypeAward, Member: a.Beneficiary, Currency: a.Currency, Amount: a.Amount(),
			Effective: a.Effective, Posted: ledgerworld.Jan, Rule: a.Rule, Award: a}
		if i == 3 { // an entry that does not repeat its award's fields
			e.ID, e.Member, e.Currency, e.Rule = "not the award's id", "X", "EUR", ""
		}
		in = append(in, e)
	}
	m := ledger.NewMemory()
	if err := m.Append(ctx, "period p 2025-08", 0, slices.Clone(in)); err != nil {
		t.Fatal(err)
	}
	exact := cmp.Options{
		cmp.Comparer(func(a, b decimal.Decimal) bool {
			return a.Equal(b) && a.Exponent() == b.Exponent() && (a == decimal.Decimal{}) == (b == decimal.Decimal{})
		}),
		cmp.Comparer(func(a, b time.Time) bool { return a == b }),
		cmpopts.IgnoreUnexported(commission.MemberReport{}),
	}
	type fields struct {
		Award               commission.Award
		Basis, Rate, Amount decimal.Decimal
		Minor               int64
		Snapshot            *commission.MemberReport
	}
	of := func(a *commission.Award) fields {
		return fields{*a, a.Basis(), a.Rate(), a.Amount(), a.AmountMinor(), a.Snapshot()}
	}
	for round := range 2 {
		got, _, err := m.Stream(ctx, "period p 2025-08")
		if err != nil || len(got) != len(in) {
			t.Fatalf("read %d entries, %v", len(got), err)
		}
		for i := range in {
			if diff := cmp.Diff(of(in[i].Award), of(got[i].Award), exact, cmpopts.IgnoreUnexported(commission.Award{})); diff != "" {
				t.Errorf("round %d: award %d read back differs (-appended +read):\n%s", round, i, diff)
			}
		}
		if a, b := got[0].Award.Snapshot(), got[1].Award.Snapshot(); a != b || a == rep {
			t.Errorf("round %d: the awards of B read back %p and %p, want one report, not the appended %p", round, a, b, rep)
		}
	}
}

// TestMemoryAppendShares appends entries that share some of what the
// append's first entry says (posting and revision instants, lock, placing
// instant, order) and differ in the rest, and event entries that say what
// their event says or differ from it in one field: Memory writes what is
// shared once, and each entry reads back exactly, whether its stream is
// read whole or from the middle of the store.
func TestMemoryAppendShares(t *testing.T) {
	d := decimal.RequireFromString
	jan := ledgerworld.Jan
	zone := time.FixedZone("UTC+1", 3600)
	k := normalize.Key{Platform: normalize.Shopify, Store: "s", OrderID: "1"}
	other := normalize.Key{Platform: normalize.Shopify, Store: "s", OrderID: "2"}
	lock := commission.Lock{Known: jan, PlanID: "p", PlanVersion: 1}
	rev := jan.Add(time.Hour)
	ev := func(id string, member string, eff time.Time) *commission.Event {
		return &commission.Event{ID: ulid.MustParse(id), Order: k, LineID: "l", Beneficiary: member, Rule: "r",
			Kind: commission.KindCommission, Currency: "USD", Effective: eff}
	}
	in := []ledger.Entry{
		{ID: "rev", Type: ledger.TypeRevision, Effective: rev, Posted: jan, Order: k, Revision: rev, Lock: lock, Placed: jan,
			Body: &normalize.Order{PlatformOrderID: "1", Version: rev}},
		// Says what its event says, and shares all but the placing
		// instant.
		{ID: "01ARZ3NDEKTSV4RRFFQ69G5FAV", Type: ledger.TypeCommission, Member: "A", Currency: "USD", Amount: d("1.50"),
			Effective: jan, Posted: jan, Order: k, Revision: rev, Lock: lock, Rule: "r", Event: ev("01ARZ3NDEKTSV4RRFFQ69G5FAV", "A", jan)},
		// Its member is not its event's; its posting instant and lock
		// are its own.
		{ID: "01ARZ3NDEKTSV4RRFFQ69G5FAW", Type: ledger.TypeCommission, Member: "B", Currency: "USD", Amount: d("-2"),
			Effective: jan, Posted: jan.Add(time.Second), Order: k, Revision: rev, Lock: commission.Lock{Known: jan, PlanID: "p", PlanVersion: 2},
			Rule: "r", Event: ev("01ARZ3NDEKTSV4RRFFQ69G5FAW", "A", jan)},
		// Its instant is its event's in another location.
		{ID: "01ARZ3NDEKTSV4RRFFQ69G5FAX", Type: ledger.TypeCommission, Member: "A", Currency: "USD", Amount: d("3"),
			Effective: jan.In(zone), Posted: jan, Order: k, Revision: rev, Lock: lock, Rule: "r", Event: ev("01ARZ3NDEKTSV4RRFFQ69G5FAX", "A", jan)},
		// Another order, the same placing instant in another location.
		{ID: "vol", Type: ledger.TypeVolume, Member: "A", Currency: "USD", Effective: jan, Posted: jan, Order: other, Revision: rev,
			Lock: lock, Placed: jan.In(zone), Volume: &ledger.Volume{LineID: "l", PV: d("10")}},
		{ID: "adj", Type: ledger.TypeAdjustment, Member: "A", Currency: "USD", Amount: d("1"), Effective: jan, Posted: jan, Reason: "x"},
	}
	m := ledger.NewMemory()
	if err := m.Append(ctx, "before", 0, []ledger.Entry{{ID: "x", Type: ledger.TypeAdjustment, Posted: jan}}); err != nil {
		t.Fatal(err)
	}
	if err := m.Append(ctx, "s", 0, slices.Clone(in)); err != nil {
		t.Fatal(err)
	}
	exact := cmp.Options{
		cmp.Comparer(func(a, b decimal.Decimal) bool {
			return a.Equal(b) && a.Exponent() == b.Exponent() && (a == decimal.Decimal{}) == (b == decimal.Decimal{})
		}),
		cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) && a.Location() == b.Location() }),
		cmpopts.IgnoreFields(ledger.Entry{}, "Stream", "Seq", "Position"),
		cmp.AllowUnexported(commission.Event{}),
	}
	got, _, err := m.Stream(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, got, exact); diff != "" {
		t.Errorf("Stream differs (-appended +read):\n%s", diff)
	}
	// From the middle: the entries after the fourth position, read
	// without the ones before them.
	tail, err := m.After(ctx, 4, 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in[3:], tail, exact); diff != "" {
		t.Errorf("After differs (-appended +read):\n%s", diff)
	}
}

// TestMemoryRefusedIDsLeaveNoTrace appends batches refused for a
// duplicate id, the duplicate last (the ids before it were taken in the
// store's id set, and must be given back), then the same ids without the
// duplicate: they append, and an id refused before is refused after.
func TestMemoryRefusedIDsLeaveNoTrace(t *testing.T) {
	entries := func(ids ...string) []ledger.Entry {
		out := make([]ledger.Entry, len(ids))
		for i, id := range ids {
			out[i] = ledger.Entry{ID: id, Type: ledger.TypeAdjustment, Member: "A", Currency: "USD", Posted: ledgerworld.Jan}
		}
		return out
	}
	many := make([]string, 300) // more than the set's first table holds
	for i := range many {
		many[i] = "id " + strconv.Itoa(i)
	}
	m := ledger.NewMemory()
	for _, c := range []struct {
		stream string
		ids    []string
		err    string
	}{
		{"s", []string{"a", "b", "c", "a"}, "ledger: duplicate entry id: a twice in one append"},
		{"s", append(slices.Clone(many), "id 7"), "ledger: duplicate entry id: id 7 twice in one append"},
		{"s", []string{"a", "b", "c"}, ""},
		{"t", append(slices.Clone(many), "b"), "ledger: duplicate entry id: b"},
		{"t", many, ""},
		{"u", []string{"d", "id 299"}, "ledger: duplicate entry id: id 299"},
		{"u", []string{"d"}, ""},
	} {
		err := m.Append(ctx, c.stream, 0, entries(c.ids...))
		if got := fmt.Sprint(err); c.err == "" && err != nil || c.err != "" && got != c.err {
			t.Fatalf("append %d ids to %s: %v; want %q", len(c.ids), c.stream, err, c.err)
		}
	}
	for stream, want := range map[string]int{"s": 3, "t": 300, "u": 1} {
		if es, v, err := m.Stream(ctx, stream); err != nil || v != want || len(es) != want {
			t.Errorf("stream %s: %d entries, version %d, %v; want %d", stream, len(es), v, err, want)
		}
	}
}

// TestMemoryStreamReadAgain reads a stream the store keeps decoded: a
// caller changing what it read changes nothing stored, and an append
// is seen.
func TestMemoryStreamReadAgain(t *testing.T) {
	m := ledger.NewMemory()
	e := ledger.Entry{ID: "a", Type: ledger.TypeAdjustment, Member: "A", Currency: "USD", Amount: decimal.RequireFromString("1.50"),
		Effective: ledgerworld.Jan, Posted: ledgerworld.Jan}
	if err := m.Append(ctx, "s", 0, []ledger.Entry{e}); err != nil {
		t.Fatal(err)
	}
	first, _, _ := m.Stream(ctx, "s")
	first[0].Member = "changed"
	e.ID = "b"
	if err := m.Append(ctx, "s", 1, []ledger.Entry{e}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, v, err := m.Stream(ctx, "s")
		if err != nil || v != 2 || len(got) != 2 || got[0].Member != "A" || got[0].ID != "a" || got[1].ID != "b" {
			t.Fatalf("Stream: %+v, version %d, %v; want a and b, members A", got, v, err)
		}
		got[1].ID = "changed"
	}
}

// TestMemoryKnowsEveryField fails when a type Memory writes field by
// field gains or loses a field: Memory's record (memcodec.go) must then
// write and read it too, or it would drop it silently.
func TestMemoryKnowsEveryField(t *testing.T) {
	for _, c := range []struct {
		t reflect.Type
		n int
	}{
		{reflect.TypeFor[ledger.Entry](), 27}, {reflect.TypeFor[ledger.Volume](), 7}, {reflect.TypeFor[ledger.Run](), 5},
		{reflect.TypeFor[ledger.Close](), 6}, {reflect.TypeFor[commission.Carry](), 4},
		{reflect.TypeFor[commission.Event](), 19}, {reflect.TypeFor[commission.CalcSnapshot](), 12},
		{reflect.TypeFor[commission.Link](), 5}, {reflect.TypeFor[commission.LineRef](), 5}, {reflect.TypeFor[commission.Cap](), 4},
		{reflect.TypeFor[commission.Lock](), 3}, {reflect.TypeFor[normalize.Order](), 20}, {reflect.TypeFor[normalize.Line](), 12},
		{reflect.TypeFor[normalize.Refund](), 10}, {reflect.TypeFor[normalize.RefundLine](), 4}, {reflect.TypeFor[normalize.Key](), 3},
		{reflect.TypeFor[sku.Ref](), 2}, {reflect.TypeFor[commission.Award](), 19}, {reflect.TypeFor[commission.Figure](), 2},
		{reflect.TypeFor[commission.MemberReport](), 15}, {reflect.TypeFor[commission.Period](), 3}, {reflect.TypeFor[commission.Volumes](), 8},
		{reflect.TypeFor[hierarchy.Ranks](), 2}, {reflect.TypeFor[commission.LegReport](), 4}, {reflect.TypeFor[commission.RankTry](), 4},
		{reflect.TypeFor[commission.Shortfall](), 5},
	} {
		if got := c.t.NumField(); got != c.n {
			t.Errorf("%s has %d fields, Memory's record knows %d: write and read the change in ledger/memcodec.go, then update this count", c.t, got, c.n)
		}
	}
}
