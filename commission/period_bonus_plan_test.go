package commission

import (
	"errors"
	"testing"
)

func TestPeriodBonusPlanErrors(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"rate as a JSON number", `{"type": "unilevel_volume", "name": "u", "basis": "pv", "rates": ["0.10", 0.05]}`,
			`commission: invalid plan: period.rules[0].rates[1]: 0.05 is a JSON number; write it as a string: "0.05"`},
		{"percentage written as a whole number", `{"type": "matching", "name": "m", "rates": ["10"]}`,
			`commission: invalid plan: period.rules[0].rates[0]: "10" is more than 1 (100% of the basis): a rate is a share of the basis; write "0.10" for 10%, or set "allow_rates_above_one": true on the rule to pay 10 times the basis`},
		{"misspelt field", `{"type": "unilevel_volume", "name": "u", "basis": "pv", "rates": ["0.1"], "compresion": true}`,
			`commission: invalid plan: period.rules[0].compresion: unknown field; did you mean "compression"?`},
		{"misspelt required field", `{"type": "pool", "name": "p", "basis": "cv", "shares_by_rank": {"1": 1}, "shar": "0.01"}`,
			`commission: invalid plan: period.rules[0].shar: unknown field; did you mean "share"?`},
		{"a net basis", `{"type": "binary", "name": "b", "basis": "net", "rates_by_rank": {"0": "0.1"}}`,
			`commission: invalid plan: period.rules[0].basis: a period rule pays on volume: want pv, qv or cv`},
		{"qualify's misspelt key", `{"type": "matching", "name": "m", "rates": ["0.1"], "qualify": {"min_rnak": 2}}`,
			`commission: invalid plan: period.rules[0].qualify.min_rnak: unknown field; did you mean "min_rank"?`},
		{"a cycle without a right side", `{"type": "binary", "name": "b", "basis": "pv", "rates_by_rank": {"0": "0.1"}, "cycle": {"left": "200"}}`,
			`commission: invalid plan: period.rules[0].cycle.right: missing`},
		{"a cycle volume as a number", `{"type": "binary", "name": "b", "basis": "pv", "rates_by_rank": {"0": "0.1"}, "cycle": {"left": 200, "right": "200"}}`,
			`commission: invalid plan: period.rules[0].cycle.left: 200 is a JSON number; write it as a string: "200"`},
		{"a cap with seven places", `{"type": "binary", "name": "b", "basis": "pv", "rates_by_rank": {"0": "0.1"}, "cap_by_rank": {"0": "1.0000001"}}`,
			`commission: invalid plan: period.rules[0].cap_by_rank.0: want at most 6 decimal places`},
		{"unqualified neither flush nor carry", `{"type": "binary", "name": "b", "basis": "pv", "rates_by_rank": {"0": "0.1"}, "unqualified": "keep"}`,
			`commission: invalid plan: period.rules[0].unqualified: want flush or carry, not "keep"`},
		{"breakaway without generations", `{"type": "differential", "name": "d", "basis": "qv", "rates_by_rank": {"1": "0.1"}, "breakaway": {"min_rank": 3}}`,
			`commission: invalid plan: period.rules[0].breakaway.generations: missing`},
		{"shares as a fraction", `{"type": "pool", "name": "p", "basis": "cv", "share": "0.01", "shares_by_rank": {"1": 1.5}}`,
			`commission: invalid plan: period.rules[0].shares_by_rank.1: want an integer from 0 to 1000000`},
		{"a pool share above 1", `{"type": "pool", "name": "p", "basis": "cv", "share": "2", "shares_by_rank": {"1": 1}}`,
			`commission: invalid plan: period.rules[0].share: "2" is more than 1 (100% of the basis): a rate is a share of the basis; write "0.02" for 2%, or set "allow_rates_above_one": true on the rule to pay 2 times the basis`},
		{"rates missing", `{"type": "unilevel_volume", "name": "u", "basis": "pv"}`, `commission: invalid plan: period.rules[0].rates: missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readTestPeriodRule(tt.body)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v\nwant %s", err, tt.want)
			}
			if !errors.Is(err, ErrPlan) {
				t.Errorf("%v does not wrap ErrPlan", err)
			}
		})
	}
	// Rates above 1 are allowed when the rule says so.
	if _, err := readTestPeriodRule(`{"type": "matching", "name": "m", "allow_rates_above_one": true, "rates": ["2"]}`); err != nil {
		t.Fatal(err)
	}
}
