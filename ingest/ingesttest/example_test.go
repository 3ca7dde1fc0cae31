package ingesttest_test

import (
	"fmt"
	"testing"

	"github.com/uplinehq/upline/ingest/ingesttest"
)

// Run a folder of scenario directories from your own test; go test -update
// (with an -update flag of your own) or Update(true) writes the golden files.
func ExampleRunAll() {
	testPlan := func(t *testing.T) {
		ingesttest.RunAll(t, "testdata/scenarios")
	}
	_ = testPlan // in your code: func TestPlan(t *testing.T) { ... }
}

// Play a scenario and read what each delivery posted, to assert amounts of
// your own beside the golden file.
func ExamplePlay() {
	steps, err := ingesttest.Play("../../testdata/scenarios/doterra-fast-start")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range steps {
		fmt.Println(s.File, s.Outcome)
		for i := range s.Events {
			e := &s.Events[i]
			fmt.Println("  ", e.Beneficiary, e.Rule, "level", e.Level, e.Basis(), "PV ×", e.Rate(), "=", e.Amount().StringFixed(2), e.Currency)
		}
	}
	// Output:
	// 01-order-132pv.json posted
	//    LISA fast_start level 1 132 PV × 0.2 = 26.40 USD
	// 02-order-78pv.json posted
	//    LISA fast_start level 1 78 PV × 0.2 = 15.60 USD
	// 03-order-147pv.json posted
	//    LISA fast_start level 1 147 PV × 0.2 = 29.40 USD
	// 04-order-day-61.json unchanged
}
