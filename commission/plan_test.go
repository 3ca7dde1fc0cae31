package commission_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
)

// TestPlanErrors: each mistake is refused with its exact message, naming
// the JSON path.
func TestPlanErrors(t *testing.T) {
	uni0 := func(fields string) string {
		return planWith("", `{"type":"unilevel","name":"u","basis":"cv",`+fields+`}`)
	}
	uni := func(rates string) string {
		return planWith("", `{"type":"unilevel","name":"u","basis":"cv","rates":{"*":`+rates+`}}`)
	}
	diff := func(fields string) string {
		return planWith("", `{"type":"rank_differential","name":"o","basis":"net","rates_by_rank":{"1":"0.1"}`+fields+`}`)
	}
	fast := func(fields string) string {
		return planWith("", `{"type":"fast_start","name":"f","basis":"net","days":30,`+fields+`}`)
	}
	tests := []struct{ name, body, msg string }{
		{"not an object", `[]`, "commission: invalid plan: want a JSON object"},
		{"missing id", `{"version":1}`, "commission: invalid plan: id: missing"},
		{"bad version", `{"id":"p","version":0}`, "commission: invalid plan: version: want an integer from 1 to 2147483647"},
		{"bad instant", `{"id":"p","version":1,"effective_from":"soon"}`, "commission: invalid plan: effective_from: want an RFC 3339 instant"},
		{"rounding", `{"id":"p","version":1,"effective_from":"2025-01-01T00:00:00Z","currency_rounding":"up","rules":[]}`,
			`commission: invalid plan: currency_rounding: want half_up or half_even, not "up"`},
		{"unknown top field", `{"id":"p","version":1,"effective_from":"2025-01-01T00:00:00Z","rules":[],"zz":1}`,
			"commission: invalid plan: zz: unknown field"},
		{"invalid UTF-8", "{\"id\":\"p\xff\",\"version\":1}", "commission: invalid plan: id: invalid UTF-8 (byte 0xff) in a string"},
		{"duplicate key", `{"id":"p","version":1,"version":2}`, `commission: invalid plan: version: duplicate key "version"`},
		{"duplicate key in a rule", uni(`["0.1"],"*":["0.9"]`),
			`commission: invalid plan: rules[0].rates.*: duplicate key "*"`},
		{"case-variant key beside the key", `{"id":"p","version":1,"effective_from":"2025-01-01T00:00:00Z","rules":[],"Version":2}`,
			`commission: invalid plan: Version: key "Version" is not "version": keys must match exactly, case included`},
		{"case-variant key instead of the key", `{"ID":"p","version":1}`,
			`commission: invalid plan: ID: key "ID" is not "id": keys must match exactly, case included`},
		{"bad rate path", planWith("", `{"type":"retail_profit","name":"r","basis":"net","rates":{"*":"0.2"}},
			{"type":"unilevel","name":"u","basis":"cv","rates":{"*":["0.1","0.05",true]}}`),
			"commission: invalid plan: rules[1].rates.*[2]: want a rate from 0 to 1000 with at most 9 decimal places, as a string"},
		{"negative rate", uni(`["0.1","0.05","-1"]`),
			"commission: invalid plan: rules[0].rates.*[2]: want a rate from 0 to 1000 with at most 9 decimal places, as a string"},
		{"unknown rule field", planWith("", `{"type":"unilevel","name":"u","basis":"cv","rates":{"*":["0.1"]},"zz":true}`),
			"commission: invalid plan: rules[0].zz: unknown field"},
		{"unknown type", planWith("", `{"type":"binary","name":"b"}`), `commission: invalid plan: rules[0].type: unknown rule type "binary"`},
		{"duplicate name", planWith("", `{"type":"retail_profit","name":"r","basis":"net","rates":{"*":"0.2"}},{"type":"retail_profit","name":"r","basis":"net","rates":{"*":"0.2"}}`),
			`commission: invalid plan: rules[1].name: two rules named "r"`},
		{"bad basis", planWith("", `{"type":"retail_profit","name":"r","basis":"gv","rates":{"*":"0.2"}}`),
			`commission: invalid plan: rules[0].basis: want net, pv, qv or cv, not "gv"`},
		{"bad status", planWith("", `{"type":"retail_profit","name":"r","basis":"net","rates":{"*":"0.2"},"qualify":{"statuses":["gold"]}}`),
			"commission: invalid plan: rules[0].qualify.statuses[0]: want active, inactive, suspended or terminated"},
		{"bad rank key", planWith("", `{"type":"rank_differential","name":"o","basis":"net","rates_by_rank":{"01":"0.1"}}`),
			"commission: invalid plan: rules[0].rates_by_rank.01: want a rank from 0 to 65535"},
		{"rollup with compression", planWith("", `{"type":"unilevel","name":"u","basis":"cv","rates":{"*":["0.1"]},"compression":true,"unpaid":"rollup"}`),
			"commission: invalid plan: rules[0].unpaid: rollup applies only without compression"},
		{"fast start days", planWith("", `{"type":"fast_start","name":"f","basis":"net","days":0,"rates":["0.1"]}`),
			"commission: invalid plan: rules[0].days: want an integer from 1 to 36500"},
		{"depth", planWith("", `{"type":"unilevel","name":"u","basis":"cv","rates":{"*":["0.1"]},"depth_by_rank":{"0":-1}}`),
			"commission: invalid plan: rules[0].depth_by_rank.0: want an integer from 0 to 1000"},

		// A rank differential from a start level; fast-start rates by rank.
		{"start level below 1", diff(`,"start_level":0,"below_start":"ignore"`),
			"commission: invalid plan: rules[0].start_level: want an integer from 1 to 1000"},
		{"start level above the most levels", diff(`,"start_level":1001,"below_start":"ignore"`),
			"commission: invalid plan: rules[0].start_level: want an integer from 1 to 1000"},
		{"start level without below_start", diff(`,"start_level":2`),
			`commission: invalid plan: rules[0].below_start: missing: with start_level 2, want "deduct" (the rates of the members below level 2 count as paid) or "ignore" (they are passed over)`},
		{"below_start unknown", diff(`,"start_level":2,"below_start":"skip"`),
			`commission: invalid plan: rules[0].below_start: want deduct or ignore, not "skip"`},
		{"below_start without a start level", diff(`,"below_start":"deduct"`),
			"commission: invalid plan: rules[0].below_start: applies only with a start_level above 1"},
		{"below_start with start level 1", diff(`,"start_level":1,"below_start":"deduct"`),
			"commission: invalid plan: rules[0].below_start: applies only with a start_level above 1"},
		{"include_self with a start level", diff(`,"include_self":true,"start_level":3,"below_start":"deduct"`),
			"commission: invalid plan: rules[0].start_level: include_self pays level 0, below a start_level of 3: want one or the other"},
		{"misspelt start level", diff(`,"start_levle":2`),
			`commission: invalid plan: rules[0].start_levle: unknown field; did you mean "start_level"?`},
		{"fast start rates and rates by rank", fast(`"rates":["0.1"],"rates_by_rank":{"1":["0.2"]}`),
			`commission: invalid plan: rules[0].rates_by_rank: want "rates" (the same for every rank) or "rates_by_rank", not both`},
		{"fast start with neither", fast(`"rats":["0.1"]`),
			`commission: invalid plan: rules[0].rats: unknown field; did you mean "rates"?`},
		{"fast start with a misspelt rates by rank", fast(`"rates_by_rnak":{"1":["0.2"]}`),
			`commission: invalid plan: rules[0].rates_by_rnak: unknown field; did you mean "rates_by_rank"?`},
		{"fast start with no rates at all", fast(`"qualify":{"statuses":["active"]}`),
			`commission: invalid plan: rules[0].rates: missing: want "rates" or "rates_by_rank"`},
		{"fast start rates by rank with no rank", fast(`"rates_by_rank":{}`),
			"commission: invalid plan: rules[0].rates_by_rank: no rank: want a list of rates for at least one rank"},
		{"fast start rates by a rank that is not one", fast(`"rates_by_rank":{"manager":["0.3"]}`),
			"commission: invalid plan: rules[0].rates_by_rank.manager: want a rank from 0 to 65535"},
		{"fast start rates by rank not a list", fast(`"rates_by_rank":{"2":"0.3"}`),
			"commission: invalid plan: rules[0].rates_by_rank.2: want an array"},
		{"fast start rate by rank as a JSON number", fast(`"rates_by_rank":{"2":[30,"0.05"]}`),
			`commission: invalid plan: rules[0].rates_by_rank.2[0]: 30 is a JSON number; write it as a string: "0.30" for 30%, or "30" for 30 times the basis, which needs "allow_rates_above_one": true on the rule`},
		{"fast start rate by rank above one", fast(`"rates_by_rank":{"2":["0.30","5"]}`),
			`commission: invalid plan: rules[0].rates_by_rank.2[1]: "5" is more than 1 (100% of the basis): a rate is a share of the basis; write "0.05" for 5%, or set "allow_rates_above_one": true on the rule to pay 5 times the basis`},

		// Misspelt keys: the nearest field the object accepts.
		{"misspelt required rates", uni0(`"rate":{"*":["0.1"]}`),
			`commission: invalid plan: rules[0].rate: unknown field; did you mean "rates"?`},
		{"misspelt required effective_from", `{"id":"p","version":1,"efective_from":"2025-01-01T00:00:00Z","rules":[]}`,
			`commission: invalid plan: efective_from: unknown field; did you mean "effective_from"?`},
		{"misspelt required type", planWith("", `{"typ":"unilevel","name":"u"}`),
			`commission: invalid plan: rules[0].typ: unknown field; did you mean "type"?`},
		{"swapped letters in a required key", planWith("", `{"type":"fast_start","name":"f","basis":"net","dyas":30,"rates":["0.1"]}`),
			`commission: invalid plan: rules[0].dyas: unknown field; did you mean "days"?`},
		{"misspelt optional key", uni0(`"rates":{"*":["0.1"]},"compresion":true`),
			`commission: invalid plan: rules[0].compresion: unknown field; did you mean "compression"?`},
		{"misspelt opt-in", uni0(`"rates":{"*":["0.1"]},"allow_rate_above_one":true`),
			`commission: invalid plan: rules[0].allow_rate_above_one: unknown field; did you mean "allow_rates_above_one"?`},
		{"misspelt required rules", `{"id":"p","version":1,"effective_from":"2025-01-01T00:00:00Z","rule":[]}`,
			`commission: invalid plan: rule: unknown field; did you mean "rules"?`},
		{"misspelt top key", planWith(`,"max_payout_shares":"0.5"`, ""),
			`commission: invalid plan: max_payout_shares: unknown field; did you mean "max_payout_share"?`},
		{"misspelt qualify key", uni0(`"rates":{"*":["0.1"]},"qualify":{"min_rnak":1}`),
			`commission: invalid plan: rules[0].qualify.min_rnak: unknown field; did you mean "min_rank"?`},
		{"only fields of the rule's own type are suggested", planWith("", `{"type":"rank_differential","name":"o","basis":"net","rates_by_rank":{"1":"0.1"},"depth_by_rnk":{"1":2}}`),
			`commission: invalid plan: rules[0].depth_by_rnk: unknown field`},
		{"a field already there is not suggested", uni0(`"rates":{"*":["0.1"]},"rate":{"*":["0.1"]}`),
			`commission: invalid plan: rules[0].rate: unknown field`},
		{"too far to be a misspelling", uni0(`"rats_by_level":{"*":["0.1"]}`),
			`commission: invalid plan: rules[0].rates: missing`},

		// Rates written as JSON numbers: the plan, [10, 5, 2].
		{"percentage as a JSON number", uni(`[10, 5, 2]`),
			`commission: invalid plan: rules[0].rates.*[0]: 10 is a JSON number; write it as a string: "0.10" for 10%, or "10" for 10 times the basis, which needs "allow_rates_above_one": true on the rule`},
		{"a share as a JSON number", uni(`["0.10", 0.05]`),
			`commission: invalid plan: rules[0].rates.*[1]: 0.05 is a JSON number; write it as a string: "0.05"`},
		{"a fractional percentage as a JSON number", uni(`[12.5]`),
			`commission: invalid plan: rules[0].rates.*[0]: 12.5 is a JSON number; write it as a string: "0.125" for 12.5%, or "12.5" for 12.5 times the basis, which needs "allow_rates_above_one": true on the rule`},
		{"1 as a JSON number", uni(`[1]`),
			`commission: invalid plan: rules[0].rates.*[0]: 1 is a JSON number; write it as a string: "0.01" for 1%, or "1" for the whole basis`},
		{"a JSON number where rates above one are allowed", planWith("", `{"type":"unilevel","name":"u","basis":"pv","allow_rates_above_one":true,"rates":{"*":[2]}}`),
			`commission: invalid plan: rules[0].rates.*[0]: 2 is a JSON number; write it as a string: "0.02" for 2%, or "2" for 2 times the basis`},
		{"retail rate as a JSON number", planWith("", `{"type":"retail_profit","name":"r","basis":"net","rates":{"*":20}}`),
			`commission: invalid plan: rules[0].rates.*: 20 is a JSON number; write it as a string: "0.20" for 20%, or "20" for 20 times the basis, which needs "allow_rates_above_one": true on the rule`},
		{"override rate as a JSON number", planWith("", `{"type":"rank_differential","name":"o","basis":"net","rates_by_rank":{"2":0.04}}`),
			`commission: invalid plan: rules[0].rates_by_rank.2: 0.04 is a JSON number; write it as a string: "0.04"`},
		{"fast start rate as a JSON number", planWith("", `{"type":"fast_start","name":"f","basis":"net","days":30,"rates":["0.25",5]}`),
			`commission: invalid plan: rules[0].rates[1]: 5 is a JSON number; write it as a string: "0.05" for 5%, or "5" for 5 times the basis, which needs "allow_rates_above_one": true on the rule`},

		// Rates above 1 (100% of the basis) need the rule's opt-in.
		{"percentage as a string", uni(`["10", "5", "2"]`),
			`commission: invalid plan: rules[0].rates.*[0]: "10" is more than 1 (100% of the basis): a rate is a share of the basis; write "0.10" for 10%, or set "allow_rates_above_one": true on the rule to pay 10 times the basis`},
		{"a rate by rank above one", planWith("", `{"type":"unilevel","name":"u","basis":"cv","rates":{"*":["0.1"]},"rates_by_rank":{"3":{"*":["0.1","1.5"]}}}`),
			`commission: invalid plan: rules[0].rates_by_rank.3.*[1]: "1.5" is more than 1 (100% of the basis): a rate is a share of the basis; write "0.015" for 1.5%, or set "allow_rates_above_one": true on the rule to pay 1.5 times the basis`},
		{"override above one", planWith("", `{"type":"rank_differential","name":"o","basis":"net","rates_by_rank":{"2":"4"}}`),
			`commission: invalid plan: rules[0].rates_by_rank.2: "4" is more than 1 (100% of the basis): a rate is a share of the basis; write "0.04" for 4%, or set "allow_rates_above_one": true on the rule to pay 4 times the basis`},
		{"opt-in that is not a boolean", planWith("", `{"type":"unilevel","name":"u","basis":"pv","allow_rates_above_one":"yes","rates":{"*":["2"]}}`),
			`commission: invalid plan: rules[0].allow_rates_above_one: want true or false`},
		{"above the absolute limit even with the opt-in", planWith("", `{"type":"unilevel","name":"u","basis":"pv","allow_rates_above_one":true,"rates":{"*":["1000.5"]}}`),
			"commission: invalid plan: rules[0].rates.*[0]: want a rate from 0 to 1000 with at most 9 decimal places, as a string"},

		// The cap.
		{"cap above one", planWith(`,"max_payout_share":"1.5"`, ""),
			`commission: invalid plan: max_payout_share: want a share above 0 and at most 1 with at most 9 decimal places, as a string, or "none"`},
		{"cap of zero", planWith(`,"max_payout_share":"0"`, ""),
			`commission: invalid plan: max_payout_share: want a share above 0 and at most 1 with at most 9 decimal places, as a string, or "none"`},
		{"cap as a JSON number", planWith(`,"max_payout_share":0.45`, ""),
			`commission: invalid plan: max_payout_share: 0.45 is a JSON number; write it as a string: "0.45"`},
		{"cap as a percentage number", planWith(`,"max_payout_share":45`, ""),
			`commission: invalid plan: max_payout_share: 45 is a JSON number; write it as a string: "0.45" for 45%`},
		{"cap as a percentage string", planWith(`,"max_payout_share":"45"`, ""),
			`commission: invalid plan: max_payout_share: want a share above 0 and at most 1 with at most 9 decimal places, as a string, or "none"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := commission.LoadPlan([]byte(tt.body))
			if !errors.Is(err, commission.ErrPlan) {
				t.Fatalf("err = %v, want ErrPlan", err)
			}
			var ce *commission.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %T, want *commission.Error", err)
			}
			if err.Error() != tt.msg {
				t.Errorf("err:\n got %s\nwant %s", err, tt.msg)
			}
		})
	}
}

// TestCap: a plan that names no cap is capped at its order's net (share
// 1); "none" is the only way to have no cap; a rate above 1 pays only with
// the rule's opt-in.
func TestCap(t *testing.T) {
	double := `{"type":"unilevel","name":"uni","basis":"net","allow_rates_above_one":true,"rates":{"*":["2"]}}`
	tenth := `{"type":"unilevel","name":"uni","basis":"net","rates":{"*":["0.10"]}}`
	tests := []struct {
		name, plan string
		uncapped   bool
		share      string
		want       []string
		capAmt     string
		capped     bool
	}{
		{"the default cap binds on a rate above one", planWith("", double), false, "0",
			[]string{"1 uni D L1 P1 39x2=39.00"}, "39", true},
		{"the default cap does not bind on a usual plan", planWith("", tenth), false, "0",
			[]string{"1 uni D L1 P1 39x0.1=3.90"}, "39", false},
		{"none: no cap", planWith(`,"max_payout_share":"none"`, double), true, "0",
			[]string{"1 uni D L1 P1 39x2=78.00"}, "0", false},
		{"a stated cap", planWith(`,"max_payout_share":"0.5"`, double), false, "0.5",
			[]string{"1 uni D L1 P1 39x2=19.50"}, "19.5", true},
	}
	g, cat := tree(t), catalog(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustPlan(t, tt.plan)
			if p.Uncapped != tt.uncapped || p.MaxPayoutShare.String() != tt.share {
				t.Fatalf("plan: Uncapped %v MaxPayoutShare %s, want %v %s", p.Uncapped, p.MaxPayoutShare, tt.uncapped, tt.share)
			}
			e, err := commission.New(cat, g, p)
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
			if calc.Cap().String() != tt.capAmt || calc.Capped != tt.capped {
				t.Errorf("cap %s capped %v, want %s %v", calc.Cap(), calc.Capped, tt.capAmt, tt.capped)
			}
		})
	}
}

// TestPlanCapInGo: a plan built in Go states a cap, takes the default or
// says Uncapped, never two of them.
func TestPlanCapInGo(t *testing.T) {
	g, cat := tree(t), catalog(t)
	from := jan
	for _, tt := range []struct {
		name string
		p    commission.Plan
		msg  string
	}{
		{"default", commission.Plan{ID: "p", Version: 1, EffectiveFrom: from}, ""},
		{"uncapped", commission.Plan{ID: "p", Version: 1, EffectiveFrom: from, Uncapped: true}, ""},
		{"a share and uncapped", commission.Plan{ID: "p", Version: 1, EffectiveFrom: from, Uncapped: true, MaxPayoutShare: decimal.RequireFromString("0.4")},
			"commission: invalid plan: max_payout_share: a share and Uncapped: want one or the other"},
		{"a share above one", commission.Plan{ID: "p", Version: 1, EffectiveFrom: from, MaxPayoutShare: decimal.RequireFromString("1.01")},
			"commission: invalid plan: max_payout_share: want a share above 0 and at most 1 with at most 9 decimal places"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := commission.New(cat, g, &tt.p)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.msg {
				t.Errorf("err = %q, want %q", got, tt.msg)
			}
		})
	}
}
