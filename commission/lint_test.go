package commission_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/commission"
)

func TestLint(t *testing.T) {
	custom := commission.WithRuleType("bonus", func(name string, _ json.RawMessage) (commission.Rule, error) {
		return noRule{name}, nil
	})
	tests := []struct {
		name, plan string
		want       string
	}{
		{"the cap decides", planWith(`,"max_payout_share":"0.15"`,
			`{"type":"unilevel","name":"unilevel","basis":"net","rates":{"*":["0.10","0.05","0.05"]},"compression":true}`), `
plan acme version 1: the most one order can pay, on lines of any class
  unilevel (unilevel, on net): 0.1 (L1) + 0.05 (L2) + 0.05 (L3) = 0.2
  worst case: 0.2 × net
  cap: 0.15 × net (max_payout_share)
  the cap decides: at worst the rules pay 0.2 × net, more than the cap 0.15; every event of such an order is scaled down
`},
		{"the default cap, and the rates decide", planWith("",
			`{"type":"rank_differential","name":"override","basis":"net","rates_by_rank":{"1":"0.03","2":"0.05","3":"0.08"}}`), `
plan acme version 1: the most one order can pay, on lines of any class
  override (rank_differential, on net): 0.08 (the top rate, rank 3: the differentials up a chain add up to it)
  worst case: 0.08 × net
  cap: 1 × net (the default: the plan names no max_payout_share)
  the rates decide: at worst the rules pay 0.08 × net, within the cap 1
`},
		// On a kit line a rank-2 member earns 0.30 at L1 and nothing
		// below; on any other line 0.10 + 0.08 + 0.04: the kit line is
		// the worst. Rank 0 reaches L1 only; rank 2 reaches L3.
		{"the worst class, level by level over ranks and depths", planWith(`,"max_payout_share":"0.25"`,
			`{"type":"unilevel","name":"uni","basis":"net","rates":{"*":["0.10","0.05"]},
			  "rates_by_rank":{"2":{"*":["0.10","0.08","0.04"],"kit":["0.30"]}},"depth_by_rank":{"0":1,"2":3}}`), `
plan acme version 1: the most one order can pay, on lines of class kit
  uni (unilevel, on net): 0.3 (L1, rank 2)
  worst case: 0.3 × net
  cap: 0.25 × net (max_payout_share)
  the cap decides: at worst the rules pay 0.3 × net, more than the cap 0.25; every event of such an order is scaled down
`},
		// A starter kit line pays 0.20 at L1 and nothing below, any other
		// line 0.10 + 0.05 + 0.03 = 0.18: the kit line is the worst, and
		// reaches the cap exactly, which does not bind.
		{"bonuses stacked, on two bases", planWith(`,"max_payout_share":"0.60"`,
			`{"type":"unilevel","name":"uni","basis":"cv","rates":{"*":["0.10","0.05","0.03"],"starter_kit":["0.20"]}},
			 {"type":"retail_profit","name":"retail","basis":"net","rates":{"*":"0.20","device":"0.10"}},
			 {"type":"fast_start","name":"fs","basis":"net","days":30,"rates":["0.15","0","0.05"]}`), `
plan acme version 1: the most one order can pay, on lines of class starter_kit
  uni (unilevel, on cv): 0.2 (L1)
  retail (retail_profit, on net): 0.2 (the owner of the retail customer)
  fs (fast_start, on net): 0.15 (L1) + 0.05 (L3) = 0.2
  worst case: 0.4 × net + 0.2 × cv = 0.6 × net, where each line's volumes are at most its net
  cap: 0.6 × net (max_payout_share)
  the rates decide: at worst the rules pay 0.6 × net, within the cap 0.6
`},
		// Up a chain each member has its own rank: the worst fast start
		// pays L1 at rank 2's rate and L2 at rank 1's. A differential from
		// a start level pays at most its top rate, as from level 1.
		{"fast start by rank, level by level; a differential from level 2", planWith("",
			`{"type":"fast_start","name":"fsb","basis":"net","days":30,"rates_by_rank":{"1":["0.15","0.06"],"2":["0.30","0.05"]}},
			 {"type":"rank_differential","name":"ub","basis":"net","rates_by_rank":{"0":"0.04","2":"0.12"},"start_level":2,"below_start":"deduct"}`), `
plan acme version 1: the most one order can pay, on lines of any class
  fsb (fast_start, on net): 0.3 (L1, rank 2) + 0.06 (L2, rank 1) = 0.36
  ub (rank_differential, on net): 0.12 (the top rate, rank 2: the differentials up a chain add up to it)
  worst case: 0.48 × net
  cap: 1 × net (the default: the plan names no max_payout_share)
  the rates decide: at worst the rules pay 0.48 × net, within the cap 1
`},
		{"fast start by rank from a min rank", planWith("",
			`{"type":"fast_start","name":"fsb","basis":"net","days":30,"rates_by_rank":{"0":["0.50"],"1":["0.15","0.06"],"2":["0.30","0.05"]},
			  "qualify":{"statuses":["active"],"min_rank":1}}`), `
plan acme version 1: the most one order can pay, on lines of any class
  fsb (fast_start, on net): 0.3 (L1, rank 2) + 0.06 (L2, rank 1) = 0.36
  worst case: 0.36 × net
  cap: 1 × net (the default: the plan names no max_payout_share)
  the rates decide: at worst the rules pay 0.36 × net, within the cap 1
`},
		{"uncapped, with rates above one and a custom rule", planWith(`,"max_payout_share":"none"`,
			`{"type":"unilevel","name":"per_point","basis":"pv","allow_rates_above_one":true,"rates":{"*":["2","0.5"]}},
			 {"type":"bonus","name":"mine"}`), `
plan acme version 1: the most one order can pay, on lines of any class
  per_point (unilevel, on pv): 2 (L1) + 0.5 (L2) = 2.5
  mine: a custom rule; its worst case is not known and not counted
  worst case: 2.5 × pv = 2.5 × net, where each line's volumes are at most its net
  cap: none ("max_payout_share": "none"): the rates alone decide
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := commission.Lint(mustPlan(t, tt.plan, custom)).String()
			if diff := cmp.Diff(tt.want[1:], got); diff != "" {
				t.Errorf("lint (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLintReport: the report's fields carry what its text says.
func TestLintReport(t *testing.T) {
	r := commission.Lint(mustPlan(t, planWith(`,"max_payout_share":"0.5"`,
		`{"type":"unilevel","name":"uni","basis":"cv","rates":{"*":["0.10","0.05"]}},
		 {"type":"fast_start","name":"fs","basis":"net","days":30,"rates":["0.40"]}`)))
	type flat struct {
		Class, Bound, Cap       string
		Worst                   []string
		Rules                   []string
		VolumeBasis, CapDecides bool
		DefaultCap, Uncapped    bool
	}
	got := flat{Class: r.Class, Bound: r.Bound.String(), Cap: r.Cap.String(), VolumeBasis: r.VolumeBasis,
		CapDecides: r.CapDecides, DefaultCap: r.DefaultCap, Uncapped: r.Uncapped}
	for _, w := range r.Worst {
		got.Worst = append(got.Worst, w.Basis.String()+" "+w.Rate.String())
	}
	for _, w := range r.Rules {
		s := w.Rule + " " + w.Type + " " + w.Basis.String() + " " + w.Rate.String() + ":"
		for _, term := range w.Terms {
			s += " " + term.What + "=" + term.Rate.String()
		}
		got.Rules = append(got.Rules, s)
	}
	want := flat{Class: "*", Bound: "0.55", Cap: "0.5", VolumeBasis: true, CapDecides: true,
		Worst: []string{"net 0.4", "cv 0.15"},
		Rules: []string{"uni unilevel cv 0.15: L1=0.1 L2=0.05", "fs fast_start net 0.4: L1=0.4"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

// Every shipped plan loads, and lints.
func TestShippedPlansLoad(t *testing.T) {
	files, err := filepath.Glob("../testdata/scenarios/*/plan.json")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../examples/quickstart/data/plan.json")
	if len(files) < 14 {
		t.Fatalf("found %d plans, want the thirteen scenarios' and the quickstart's", len(files))
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := commission.LoadPlan(b)
			if err != nil {
				t.Fatal(err)
			}
			if r := commission.Lint(p); r.Bound.IsZero() || len(r.Rules) != len(p.Rules) {
				t.Errorf("lint %+v", r)
			}
		})
	}
}

type noRule struct{ name string }

func (r noRule) Name() string                  { return r.name }
func (noRule) Apply(*commission.Context) error { return nil }
