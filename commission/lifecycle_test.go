package commission_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/normalize"
)

// TestCorrections walks one order through its lifecycle with exact amounts.
// Plan: unilevel on net, 10% to level 1 and 5% to level 2, compression on;
// E's upline is D (level 1), C (inactive, skipped), B (level 3, paid 2).
func TestCorrections(t *testing.T) {
	g, cat := tree(t), catalog(t)
	e, err := commission.New(cat, g, mustPlan(t, planWith("", `{"type":"unilevel","name":"uni","basis":"net","rates":{"*":["0.10","0.05"]},"compression":true}`)))
	if err != nil {
		t.Fatal(err)
	}
	o := mustOrder(t, withRefs(`"distributor_ref":"E",`)) // line 1: 2 × 19.50 = 39.00
	first, err := e.Calculate(&o, commission.Lock{Known: known})
	if err != nil {
		t.Fatal(err)
	}
	posted := first.Events
	if diff := cmp.Diff([]string{"1 uni D L1 P1 39x0.1=3.90", "1 uni B L3 P2 39x0.05=1.95"}, eventLines(posted)); diff != "" {
		t.Fatal(diff)
	}
	calc := func(o normalize.Order) []commission.Event {
		t.Helper()
		lock, ok := commission.LockFrom(posted)
		if !ok || lock != first.Lock {
			t.Fatalf("lock from posted events %+v, want %+v", lock, first.Lock)
		}
		c, err := e.Calculate(&o, lock)
		if err != nil {
			t.Fatal(err)
		}
		return c.Events
	}
	step := func(name string, o normalize.Order, want []string) {
		t.Helper()
		corr := commission.Corrections(posted, calc(o), o.Version)
		if diff := cmp.Diff(want, eventLines(corr)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
		for i := range corr {
			if corr[i].Kind == commission.KindCorrection {
				if corr[i].Corrects != posted[0].ID && corr[i].Corrects != posted[1].ID {
					t.Errorf("%s: correction %s corrects %s, not an original", name, corr[i].ID, corr[i].Corrects)
				}
				if !corr[i].Effective.Equal(o.Version) {
					t.Errorf("%s: effective %s, want %s", name, corr[i].Effective, o.Version)
				}
			}
		}
		posted = append(posted, corr...)
	}

	step("duplicate delivery", o, nil)

	// Refund 13.33 of line 1: net 25.67 → 2.567 → 2.57 and 1.2835 → 1.28.
	r1 := normalize.Refund{RefundID: "r1", TS: time.Date(2025, 9, 2, 10, 0, 0, 0, time.UTC),
		Items: []normalize.RefundLine{{LineID: "1", Qty: 0, Net: decimal.RequireFromString("13.33")}}}
	o1, err := o.ApplyRefund(r1)
	if err != nil {
		t.Fatal(err)
	}
	o1.Status = normalize.StatusPartiallyRefunded
	step("partial refund", o1, []string{"1 uni D L1 P1 25.67x0.1=-1.33 correction", "1 uni B L3 P2 25.67x0.05=-0.67 correction"})
	step("the same refund again", o1, nil)

	// A second refund of 25.66 leaves 0.01: 0.001 → 0.00 and 0.0005 → 0.00.
	r2 := normalize.Refund{RefundID: "r2", TS: time.Date(2025, 9, 3, 10, 0, 0, 0, time.UTC),
		Items: []normalize.RefundLine{{LineID: "1", Qty: 0, Net: decimal.RequireFromString("25.66")}}}
	o2, err := o1.ApplyRefund(r2)
	if err != nil {
		t.Fatal(err)
	}
	o2.Status = normalize.StatusPartiallyRefunded
	step("second partial refund claws back exactly the rest", o2, []string{"1 uni D L1 P1 0x0.1=-2.57 correction", "1 uni B L3 P2 0x0.05=-1.28 correction"})

	stale := o1
	if got := commission.Corrections(posted, calc(stale), stale.Version); len(got) != 0 {
		t.Errorf("a stale revision posted %v", eventLines(got))
	}
	for slot, v := range sumBySlot(posted) {
		if v != 0 {
			t.Errorf("slot %s holds %d after everything was refunded", slot, v)
		}
	}
}

func TestCorrectionsCancelAndEdit(t *testing.T) {
	g, cat := tree(t), catalog(t)
	e, err := commission.New(cat, g, mustPlan(t, planWith("", `{"type":"unilevel","name":"uni","basis":"net","rates":{"*":["0.10"]}}`)))
	if err != nil {
		t.Fatal(err)
	}
	o := mustOrder(t, withRefs(`"distributor_ref":"E",`))
	c0, err := e.Calculate(&o, commission.Lock{Known: known})
	if err != nil {
		t.Fatal(err)
	}

	cancelled := o
	cancelled.Status = normalize.StatusCancelled
	cancelled.Version = o.Version.Add(time.Hour)
	c1, err := e.Calculate(&cancelled, c0.Lock)
	if err != nil {
		t.Fatal(err)
	}
	corr := commission.Corrections(c0.Events, c1.Events, cancelled.Version)
	if diff := cmp.Diff([]string{"1 uni D L1 P1 0x0.1=-3.90 correction"}, eventLines(corr)); diff != "" {
		t.Errorf("cancel:\n%s", diff)
	}

	// An edit moves the sale to a new line: line 1 is refunded and line 3
	// appears. Line 1's slot is clawed back, line 3's is a new commission.
	edited := mustOrder(t, `{"platform":"shopify","store":"acme.myshopify.com","platform_order_id":"1001",
		"version":"2025-08-29T00:00:00Z","order_ts":"2025-08-28T08:11:04Z","status":"paid","currency":"USD","distributor_ref":"E",
		"items":[{"line_id":"3","platform_sku":"VIT-C-90","qty":1,"unit_price":"50.00"}],"total":"50.00"}`)
	c2, err := e.Calculate(&edited, c0.Lock)
	if err != nil {
		t.Fatal(err)
	}
	corr = commission.Corrections(c0.Events, c2.Events, edited.Version)
	if diff := cmp.Diff([]string{"3 uni D L1 P1 50x0.1=5.00", "1 uni D L1 P1 0x0.1=-3.90 correction"}, eventLines(corr)); diff != "" {
		t.Errorf("edit:\n%s", diff)
	}
	if corr[0].ID != c2.Events[0].ID || corr[1].Corrects != c0.Events[0].ID {
		t.Errorf("ids: new slot %s (want %s), correction corrects %s (want %s)", corr[0].ID, c2.Events[0].ID, corr[1].Corrects, c0.Events[0].ID)
	}
}

// TestLock: a later plan version or genealogy change does not touch an
// order already calculated.
func TestLock(t *testing.T) {
	g, cat := tree(t), catalog(t)
	v1 := mustPlan(t, planWith("", `{"type":"unilevel","name":"uni","basis":"net","rates":{"*":["0.10"]}}`))
	v2 := mustPlan(t, `{"id":"acme","version":2,"effective_from":"2025-08-01T00:00:00Z","rules":[{"type":"unilevel","name":"uni","basis":"net","rates":{"*":["0.20"]}}]}`)
	e, err := commission.New(cat, g, v2, v1)
	if err != nil {
		t.Fatal(err)
	}
	o := mustOrder(t, withRefs(`"distributor_ref":"E",`))
	first, err := e.Calculate(&o, commission.Lock{Known: known})
	if err != nil {
		t.Fatal(err)
	}
	if first.Lock.PlanVersion != 2 || eventLines(first.Events)[0] != "1 uni D L1 P1 39x0.2=7.80" {
		t.Fatalf("version in force at OrderTS not applied: %+v %v", first.Lock, eventLines(first.Events))
	}
	// D moves under A, recorded after the lock's knowledge instant: the
	// locked recalculation does not see it.
	if err := g.ChangeSponsor("E", "A", time.Date(2025, 8, 12, 0, 0, 0, 0, time.UTC), known.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	again, err := e.Calculate(&o, first.Lock)
	if err != nil {
		t.Fatal(err)
	}
	if string(commission.MarshalEvents(again.Events)) != string(commission.MarshalEvents(first.Events)) {
		t.Errorf("locked recalculation differs")
	}
	_, err = e.Calculate(&o, commission.Lock{Known: known, PlanID: "acme", PlanVersion: 9})
	if err == nil {
		t.Error("unknown locked version accepted")
	}
}

func TestEventJSONRoundTrip(t *testing.T) {
	g, cat := tree(t), catalog(t)
	e, err := commission.New(cat, g, mustPlan(t, planWith("", `{"type":"unilevel","name":"uni","basis":"cv","rates":{"*":["0.10","0.05"]},"compression":true}`)))
	if err != nil {
		t.Fatal(err)
	}
	o := mustOrder(t, `{"platform":"shopify","store":"acme.myshopify.com","platform_order_id":"1002","order_ts":"2025-08-28T08:11:04Z",
		"status":"paid","currency":"USD","customer_ref":"E",
		"items":[{"line_id":"1","platform_sku":"KIT-STARTER-001","qty":1,"unit_price":"99.00"}],"total":"99.00"}`)
	calc, err := e.Calculate(&o, commission.Lock{Known: known})
	if err != nil {
		t.Fatal(err)
	}
	body := commission.MarshalEvents(calc.Events)
	goldenCheck(t, "testdata/golden/kit_events.jsonl", body)
	var back []commission.Event
	for _, line := range splitLines(body) {
		var ev commission.Event
		if err := ev.UnmarshalJSON(line); err != nil {
			t.Fatal(err)
		}
		back = append(back, ev)
	}
	if got := commission.MarshalEvents(back); string(got) != string(body) {
		t.Errorf("round trip differs:\n%s\n%s", got, body)
	}
	if lock, ok := commission.LockFrom(back); !ok || lock != calc.Lock {
		t.Errorf("LockFrom decoded events = %+v, want %+v", lock, calc.Lock)
	}
}

// TestStaleRevisions: revision 1 pays; revision 3 changes nothing and so
// posts nothing; then revision 2 (a refund) arrives late. Only the caller
// knows revision 3 was posted: Revise, told so, refuses revision 2 as
// stale. A revision older than one the posted events record (revision 0)
// is stale for Corrections too.
func TestStaleRevisions(t *testing.T) {
	g, cat := tree(t), catalog(t)
	e, err := commission.New(cat, g, mustPlan(t, planWith("", `{"type":"unilevel","name":"uni","basis":"net","rates":{"*":["0.10"]}}`)))
	if err != nil {
		t.Fatal(err)
	}
	at := func(day int) time.Time { return time.Date(2025, 9, day, 0, 0, 0, 0, time.UTC) }
	o1 := mustOrder(t, withRefs(`"distributor_ref":"E",`))
	o1.Version = at(1)
	first, err := e.Calculate(&o1, commission.Lock{Known: known})
	if err != nil {
		t.Fatal(err)
	}
	posted, err := commission.Revise(nil, first.Events, o1.Version, time.Time{})
	if err != nil || len(posted) != 1 {
		t.Fatalf("first post: %v, %d events", err, len(posted))
	}
	calc := func(o normalize.Order) []commission.Event {
		t.Helper()
		c, err := e.Calculate(&o, first.Lock)
		if err != nil {
			t.Fatal(err)
		}
		return c.Events
	}
	o3 := o1
	o3.Version = at(3)
	if got, err := commission.Revise(posted, calc(o3), o3.Version, o1.Version); err != nil || len(got) != 0 {
		t.Fatalf("revision 3 changes nothing: %v, %v", eventLines(got), err)
	}
	newest := o3.Version // what the caller must remember: posted shows nothing of it

	o2, err := o1.ApplyRefund(normalize.Refund{RefundID: "r", TS: at(2),
		Items: []normalize.RefundLine{{LineID: "1", Qty: 1, Net: decimal.RequireFromString("19.50")}}})
	if err != nil {
		t.Fatal(err)
	}
	o2.Status = normalize.StatusPartiallyRefunded
	if !o2.Version.Equal(at(2)) {
		t.Fatalf("revision 2 is at %s", o2.Version)
	}
	want2 := []string{"1 uni D L1 P1 19.5x0.1=-1.95 correction"}
	if diff := cmp.Diff(want2, eventLines(commission.Corrections(posted, calc(o2), o2.Version))); diff != "" {
		t.Errorf("Corrections cannot see revision 3 (-want +got):\n%s", diff)
	}
	got, err := commission.Revise(posted, calc(o2), o2.Version, newest)
	if !errors.Is(err, commission.ErrStale) || got != nil {
		t.Fatalf("Revise(revision 2 after 3) = %v, %v; want ErrStale", eventLines(got), err)
	}
	var ce *commission.Error
	if !errors.As(err, &ce) || ce.Order != o1.Key() {
		t.Errorf("error %v does not name the order", err)
	}
	if got, err := commission.Revise(posted, calc(o3), o3.Version, newest); err != nil || len(got) != 0 {
		t.Errorf("revision 3 again: %v, %v; want nothing", eventLines(got), err)
	}

	// Revision 0, older than the revision the posted commission records.
	o0 := o2
	o0.Version = at(1).Add(-time.Hour)
	if got := commission.Corrections(posted, calc(o0), o0.Version); len(got) != 0 {
		t.Errorf("Corrections posted %v for a revision older than the posted commission's", eventLines(got))
	}
	if _, err := commission.Revise(posted, calc(o0), o0.Version, time.Time{}); !errors.Is(err, commission.ErrStale) {
		t.Errorf("Revise(revision 0) = %v, want ErrStale", err)
	}
}
