package commission_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/commission"
)

// TestRankDifferentialIncludeSelf is Amway's performance bonus at order
// time: a member earns its own bonus percentage on its own volume
// ("level 0"), and each upline earns only the difference between its
// percentage and the highest one already paid below it. Published plan:
// the Amway Sales & Marketing Plan's performance bonus schedule
// (3% at 200 PV, 6% at 600 PV, 9% at 1,200 PV, … 21% at 10,000 PV;
// https://amway-estonia.com/en/business-opportunity/amway-sales-marketing-plan/understanding-the-plan),
// and how the differential nets out: "the performance bonus equals 12
// percent of business volume … this amount must be reduced by the dollar
// amount of bonuses owed to downline distributors" (Lopez v.
// Commissioner, T.C. Memo 2003, describing Amway's schedule;
// https://law.onecle.com/tax/2003/lopez8.tcm.wpd04.html). Paid-as ranks
// 1, 2, 3 stand for the 3%, 6% and 9% steps.
//
// E (rank 1) buys 39.00 of VIT-C-90 (the gift card earns nothing). With
// include_self E earns 3% of its own 39.00 = 1.17 at level 0; D (rank 1)
// and B (rank 1) have nothing above 3% to earn; C is inactive; A (rank
// 2) earns 6% − 3% = 1.17 and ROOT (rank 3) 9% − 6% = 1.17: 9% of 39.00
// in all. Without it the same 9% goes to D, A and ROOT.
func TestRankDifferentialIncludeSelf(t *testing.T) {
	const rates = `"rates_by_rank":{"1":"0.03","2":"0.06","3":"0.09"}`
	tests := []struct {
		name, rule string
		want       []string
	}{
		{"level 0: own rate on own purchase, differences above",
			`{"type":"rank_differential","name":"pb","basis":"net",` + rates + `,"include_self":true}`,
			[]string{"1 pb E L0 P0 39x0.03=1.17", "1 pb A L4 P1 39x0.03=1.17", "1 pb ROOT L5 P2 39x0.03=1.17"}},
		{"without it the sponsor earns the first step",
			`{"type":"rank_differential","name":"pb","basis":"net",` + rates + `}`,
			[]string{"1 pb D L1 P1 39x0.03=1.17", "1 pb A L4 P2 39x0.03=1.17", "1 pb ROOT L5 P3 39x0.03=1.17"}},
		{"an unqualified member earns nothing on its own purchase; the differential starts above it",
			`{"type":"rank_differential","name":"pb","basis":"net",` + rates + `,"include_self":true,"qualify":{"statuses":["active"],"min_rank":2}}`,
			[]string{"1 pb A L4 P1 39x0.06=2.34", "1 pb ROOT L5 P2 39x0.03=1.17"}},
	}
	g, cat := tree(t), catalog(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := commission.New(cat, g, mustPlan(t, planWith("", tt.rule)))
			if err != nil {
				t.Fatal(err)
			}
			o := mustOrder(t, withRefs(`"distributor_ref":"E",`))
			calc, err := e.Calculate(&o, commission.Lock{Known: known})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, eventLines(calc.Events)); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}
