package ingesttest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/ingest/ingesttest"
	"github.com/uplinehq/upline/internal/golden"
	"github.com/uplinehq/upline/normalize"
)

const scenarios = "../../testdata/scenarios"

// TestScenarios plays every scenario under testdata/scenarios
// against its golden files. go test -update rewrites them: read the diff
// and each scenario's README before accepting.
func TestScenarios(t *testing.T) {
	ingesttest.RunAll(t, scenarios, ingesttest.Update(golden.Updating()))
}

// TestDoterraFastStart checks the doTERRA scenario against the amounts the
// published example states, independently of the golden file: Lisa earns
// 20 % of the PV of each of Megan's three orders in her first 60 days,
// $26.40, $15.60 and $29.40, $71.40 in all, and nothing else is paid.
func TestDoterraFastStart(t *testing.T) {
	steps, err := ingesttest.Play(filepath.Join(scenarios, "doterra-fast-start"))
	if err != nil {
		t.Fatal(err)
	}
	type payment struct {
		Order, Beneficiary, Rule, Amount string
		Level                            int
		Kind                             commission.Kind
	}
	var got []payment
	total := int64(0)
	for _, s := range steps {
		for i := range s.Events {
			e := &s.Events[i]
			got = append(got, payment{e.Order.OrderID, e.Beneficiary, e.Rule, e.Amount().StringFixed(2), e.Level, e.Kind})
			total += e.AmountMinor()
		}
	}
	want := []payment{
		{"7001", "LISA", "fast_start", "26.40", 1, commission.KindCommission},
		{"7002", "LISA", "fast_start", "15.60", 1, commission.KindCommission},
		{"7003", "LISA", "fast_start", "29.40", 1, commission.KindCommission},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("payments differ from doTERRA's example (-want +got):\n%s", diff)
	}
	if total != 7140 {
		t.Errorf("Lisa earned %d cents, the example says $71.40", total)
	}
}

// TestPublishedExamples checks the scenarios reproduced from published
// plans against the amounts their documents state (or compute by hand from
// the documents' rates, as each README shows), independently of the golden
// files.
func TestPublishedExamples(t *testing.T) {
	type payment struct{ Order, Beneficiary, Rule, Amount string }
	tests := []struct {
		scenario string
		want     []payment
	}{
		// Be Infinity's UB Example 3: "$96" and "$576".
		{"be-infinity-unilevel-differential", []payment{
			{"8001", "USER", "unilevel_bonus", "96.00"},
			{"8002", "USER", "unilevel_bonus", "576.00"}}},
		// Purium's Infinity Bonus: 2% of 100 BV to a Green Diamond past
		// level 8, 4% to a Blue Diamond with none below.
		{"purium-infinity-bonus", []payment{
			{"9001", "C04", "infinity_gd", "2.00"}, {"9001", "C00", "infinity_bd", "2.00"},
			{"9002", "C04", "infinity_gd", "2.00"}, {"9002", "C00", "infinity_bd", "2.00"},
			{"9003", "C00", "infinity_gd", "2.00"}, {"9003", "C00", "infinity_bd", "2.00"}}},
		// Unicity's Fast Start: Jr. Manager 15% / 3%, Manager 30% / 5%,
		// of 100 PV.
		{"unicity-fast-start", []payment{
			{"6001", "JR", "fast_start", "15.00"}, {"6001", "SPONSOR", "fast_start", "5.00"},
			{"6002", "MGR", "fast_start", "30.00"}, {"6002", "JR", "fast_start", "3.00"},
			{"6003", "SPONSOR", "fast_start", "5.00"}}},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			steps, err := ingesttest.Play(filepath.Join(scenarios, tt.scenario))
			if err != nil {
				t.Fatal(err)
			}
			var got []payment
			for _, s := range steps {
				for i := range s.Events {
					e := &s.Events[i]
					if e.Kind != commission.KindCommission {
						t.Errorf("order %s: a %s event", e.Order.OrderID, e.Kind)
					}
					got = append(got, payment{e.Order.OrderID, e.Beneficiary, e.Rule, e.Amount().StringFixed(2)})
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("payments differ from the published plan (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStaleRevisionPostsNothing delivers the lifecycle scenario's stale
// revision straight to the engine after the steps before it: whatever the
// player decides, Corrections itself must post nothing for a revision older
// than a correction already posted.
func TestStaleRevisionPostsNothing(t *testing.T) {
	dir := filepath.Join(scenarios, "lifecycle")
	s, err := ingesttest.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	steps, err := s.Play()
	if err != nil {
		t.Fatal(err)
	}
	var posted []commission.Event
	for _, st := range steps {
		if st.File == "08-order-stale.json" {
			if st.Outcome != ingesttest.Stale {
				t.Errorf("step %s: outcome %s, want %s", st.File, st.Outcome, ingesttest.Stale)
			}
			break
		}
		posted = append(posted, st.Events...)
	}
	body, err := os.ReadFile(filepath.Join(dir, "steps", "08-order-stale.json"))
	if err != nil {
		t.Fatal(err)
	}
	stale, err := normalize.DecodeJSON(body)
	if err != nil {
		t.Fatal(err)
	}
	lock, ok := commission.LockFrom(posted)
	if !ok {
		t.Fatal("no lock in the posted events")
	}
	calc, err := s.Engine.Calculate(&stale, lock)
	if err != nil {
		t.Fatal(err)
	}
	if len(calc.Events) == 0 {
		t.Fatal("the stale revision pays nothing: the test proves nothing")
	}
	if c := commission.Corrections(posted, calc.Events, stale.Version); len(c) != 0 {
		t.Errorf("Corrections posted %d events for a stale revision:\n%s", len(c), commission.MarshalEvents(c))
	}
}

// TestLifecycleOutcomes pins what each delivery of the lifecycle did.
func TestLifecycleOutcomes(t *testing.T) {
	steps, err := ingesttest.Play(filepath.Join(scenarios, "lifecycle"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	sum := int64(0)
	for _, s := range steps {
		got[s.File] = string(s.Outcome)
		for i := range s.Events {
			sum += s.Events[i].AmountMinor()
		}
	}
	want := map[string]string{
		"01-shopify-order.json":                   "posted",
		"02-shopify-order-duplicate.json":         "unchanged",
		"03-shopify-refund.json":                  "posted",
		"04-shopify-refund-second.json":           "posted",
		"05-shopify-refund-second-duplicate.json": "unchanged",
		"06-shopify-order-late-retry.json":        "unchanged", // the body of step 01 again: refunds do not make a body stale
		"07-order-edit.json":                      "posted",
		"08-order-stale.json":                     "stale",
		"09-order-cancelled.json":                 "posted",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if sum != 0 {
		t.Errorf("after the cancellation the order's events sum to %d cents, want 0", sum)
	}
}
