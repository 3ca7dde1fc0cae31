package commission_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
)

// TestPVExcludesCustomers: a member's retail customers' orders count in
// its PV by default, as in plans that define PV as "the personal product
// purchases made by the IBO and/or product sales to Preferred Customers
// and any Retail Customers the IBO has personally sponsored" (LivePure's
// glossary, "What is Product Volume (PV)?"); with "pv_excludes_customers"
// PV is the member's own purchases alone, as DirectScale's "Personal"
// volume accumulator ("only the person that purchased the product") beside
// its "Retail" one. Either way QV, CV, GV and OGV keep the customers'
// orders.
func TestPVExcludesCustomers(t *testing.T) {
	g := rankWorld(t)
	// LEADER: 150 PV, 60 of it from customers; LENA: 120, none; MIA: 100,
	// all from customers.
	cust := func(member, pv, customers string) commission.PersonalVolume {
		v := vol(member, pv)
		v.CustomerPV = decimal.RequireFromString(customers)
		return v
	}
	vols := []commission.PersonalVolume{cust("LEADER", "150", "60"), cust("LENA", "120", "0"), cust("MIA", "100", "100")}
	for _, tc := range []struct {
		option string
		want   []string // member PV QV GV rank active
	}{
		{"", []string{"LEADER 150 150 370 1 true", "LENA 120 120 120 1 true", "MIA 100 100 100 1 true"}},
		{`"pv_excludes_customers": false,`, []string{"LEADER 150 150 370 1 true", "LENA 120 120 120 1 true", "MIA 100 100 100 1 true"}},
		{`"pv_excludes_customers": true,`, []string{"LEADER 90 150 370 0 false", "LENA 120 120 120 1 true", "MIA 0 100 100 0 false"}},
	} {
		t.Run(tc.option, func(t *testing.T) {
			plan := mustPlan(t, strings.Replace(rankPlan, `"active_pv": "100",`, `"active_pv": "100", `+tc.option, 1))
			if got := plan.Period.PVExcludesCustomers; got != strings.Contains(tc.option, "true") {
				t.Fatalf("PVExcludesCustomers = %v", got)
			}
			e, err := commission.New(catalog(t), g, plan)
			if err != nil {
				t.Fatal(err)
			}
			per, _, err := e.Period("2026-03")
			if err != nil {
				t.Fatal(err)
			}
			c, err := e.ClosePeriod(&commission.PeriodInput{Period: per, Known: time.Date(2026, 4, 3, 0, 0, 0, 0, time.UTC), Volumes: vols})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range []string{"LEADER", "LENA", "MIA"} {
				r, ok := c.Report(m)
				if !ok {
					t.Fatalf("no report for %s", m)
				}
				v := r.Volumes
				got = append(got, fmt.Sprint(m, " ", v.PV, " ", v.QV, " ", v.GV, " ", r.Ranks.PaidAs, " ", v.Active))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	for _, tc := range []struct{ period, want string }{
		{`{"length": "month", "pv_excludes_customers": "yes"}`, `period.pv_excludes_customers: want true or false`},
		{`{"length": "month", "pv_exclude_customers": true}`, `period.pv_exclude_customers: unknown field; did you mean "pv_excludes_customers"?`},
	} {
		_, err := commission.LoadPlan([]byte(periodPlanHead + tc.period + `}`))
		if !errors.Is(err, commission.ErrPlan) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one saying %q", tc.period, err, tc.want)
		}
	}
}
