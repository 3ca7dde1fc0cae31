package commission

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/uplinehq/upline/hierarchy"
)

// carries returns a close's carry-out as "MEMBER left|right volume".
func (tc *testClose) carries() []string {
	var out []string
	for k, v := range tc.st.carryOut {
		side := "left"
		if k.leg == hierarchy.Right {
			side = "right"
		}
		out = append(out, fmt.Sprintf("%s %s %s", tc.ids[k.member], side, volumeDecimal(v)))
	}
	slices.Sort(out)
	return out
}

// betfin is the binary example of Betfin's affiliate manual
// (testdata/scenarios/period-binary/README.md): you placed A left and B
// right; A placed C and D; B placed E.
func betfin(period2 bool) []pm {
	ms := []pm{
		{id: "YOU", active: true},
		{id: "A", up: "YOU", parent: "YOU", leg: hierarchy.Left, active: true, vol: "100000"},
		{id: "B", up: "YOU", parent: "YOU", leg: hierarchy.Right, active: true, vol: "10000"},
		{id: "C", up: "A", parent: "A", leg: hierarchy.Left, active: true, vol: "10000"},
		{id: "D", up: "A", parent: "A", leg: hierarchy.Right, active: true, vol: "50000"},
		{id: "E", up: "B", parent: "B", leg: hierarchy.Left, active: true, vol: "90000"},
	}
	if period2 {
		for i := range ms {
			ms[i].vol = ""
		}
		ms = append(ms, pm{id: "F", up: "B", parent: "B", leg: hierarchy.Right, active: true, vol: "100000"})
	}
	return ms
}

func TestPeriodBinaryCarriesForward(t *testing.T) {
	rule := loadPeriodRule(t, `{"type": "binary", "name": "binary", "basis": "pv", "rates_by_rank": {"0": "0.08"}}`)
	p1 := newTestClose(t, betfin(false))
	got := onlyFor(p1.apply(t, rule), "YOU")
	// Published: 8% of the weaker right leg's 100,000; 60,000 left over.
	checkAwards(t, got, []string{"YOU<-- 0/0 100000 x 0.08 = 8000.00"})
	checkAwards(t, p1.carries(), []string{"A right 40000", "B left 90000", "YOU left 60000"})

	p2 := newTestClose(t, betfin(true))
	p2.st.carryIn = maps.Clone(p1.st.carryOut)
	got = onlyFor(p2.apply(t, rule), "YOU")
	// Published: the carried 60,000 is now the weaker leg: 4,800; 40,000
	// right carries on.
	checkAwards(t, got, []string{"YOU<-- 0/0 60000 x 0.08 = 4800.00"})
	checkAwards(t, p2.carries(), []string{"A right 40000", "B right 10000", "YOU right 40000"})
}

func TestPeriodBinary(t *testing.T) {
	beInfinity := []pm{
		{id: "M", active: true, rank: 3},
		{id: "L", up: "M", parent: "M", leg: hierarchy.Left, vol: "1800"},
		{id: "R", up: "M", parent: "M", leg: hierarchy.Right, vol: "20800"},
	}
	const cycles = `"basis": "pv", "cycle": {"left": "200", "right": "200"}, "rates_by_rank": {"3": "0.10"}`
	tests := []struct {
		name, rule string
		members    []pm
		want       []string
		carry      []string
	}{
		// Be Infinity's BB example 3: 9 cycles of 200 on the 1,800 left
		// at $20 a cycle (10 % of 200) is $180.
		{"published: nine cycles", `{"type": "binary", "name": "b", ` + cycles + `}`, beInfinity,
			[]string{"M<-- 0/0 1800 x 0.1 = 180.00"}, []string{"M right 19000"}},
		{"a cap pays exactly the cap and still uses the volume", `{"type": "binary", "name": "b", ` + cycles + `, "cap_by_rank": {"3": "150.00"}}`, beInfinity,
			[]string{"M<-- 0/0 150 x 1 = 150.00"}, []string{"M right 19000"}},
		{"a cap above the amount changes nothing", `{"type": "binary", "name": "b", ` + cycles + `, "cap_by_rank": {"3": "180"}}`, beInfinity,
			[]string{"M<-- 0/0 1800 x 0.1 = 180.00"}, []string{"M right 19000"}},
		{"a rank below every cap is capped at zero", `{"type": "binary", "name": "b", ` + cycles + `, "cap_by_rank": {"4": "1000"}}`, beInfinity,
			nil, []string{"M right 19000"}},
		{"max_carry flushes the strong leg above it", `{"type": "binary", "name": "b", ` + cycles + `, "max_carry": "5000"}`, beInfinity,
			[]string{"M<-- 0/0 1800 x 0.1 = 180.00"}, []string{"M right 5000"}},
		{"a cycle's remainder carries", `{"type": "binary", "name": "b", "basis": "pv", "cycle": {"left": "300", "right": "300"}, "rates_by_rank": {"0": "0.10"}}`,
			[]pm{{id: "M", active: true}, {id: "L", parent: "M", leg: hierarchy.Left, vol: "1200"}, {id: "R", parent: "M", leg: hierarchy.Right, vol: "1000"}},
			[]string{"M<-- 0/0 900 x 0.1 = 90.00"}, []string{"M left 300", "M right 100"}},
		{"uneven cycles pay on the smaller side's cycle volume", `{"type": "binary", "name": "b", "basis": "pv", "cycle": {"left": "100", "right": "200"}, "rates_by_rank": {"0": "0.10"}}`,
			[]pm{{id: "M", active: true}, {id: "L", parent: "M", leg: hierarchy.Left, vol: "350"}, {id: "R", parent: "M", leg: hierarchy.Right, vol: "500"}},
			[]string{"M<-- 0/0 200 x 0.1 = 20.00"}, []string{"M left 150", "M right 100"}},
		{"a side in deficit pairs nothing and carries the deficit", `{"type": "binary", "name": "b", "basis": "pv", "rates_by_rank": {"0": "0.10"}}`,
			[]pm{{id: "M", active: true}, {id: "L", parent: "M", leg: hierarchy.Left, vol: "-100"}, {id: "R", parent: "M", leg: hierarchy.Right, vol: "50"}},
			nil, []string{"M left -100", "M right 50"}},
		{"an inactive member is flushed", `{"type": "binary", "name": "b", "basis": "pv", "rates_by_rank": {"0": "0.10"}}`,
			[]pm{{id: "M"}, {id: "L", parent: "M", leg: hierarchy.Left, vol: "100"}, {id: "R", parent: "M", leg: hierarchy.Right, vol: "50"}},
			nil, nil},
		{"unqualified carry keeps the volume, pays nothing", `{"type": "binary", "name": "b", "basis": "pv", "rates_by_rank": {"0": "0.10"}, "unqualified": "carry"}`,
			[]pm{{id: "M"}, {id: "L", parent: "M", leg: hierarchy.Left, vol: "100"}, {id: "R", parent: "M", leg: hierarchy.Right, vol: "50"}},
			nil, []string{"M left 100", "M right 50"}},
		{"volume rolls up the placement tree, not the group tree", `{"type": "binary", "name": "b", "basis": "pv", "rates_by_rank": {"0": "0.10"}}`,
			[]pm{{id: "M", active: true}, {id: "L", parent: "M", leg: hierarchy.Left}, {id: "R", parent: "M", leg: hierarchy.Right, vol: "40"},
				{id: "X", up: "M", parent: "L", leg: hierarchy.Right, vol: "70"}},
			[]string{"M<-- 0/0 40 x 0.1 = 4.00"}, []string{"M left 30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := newTestClose(t, tt.members)
			checkAwards(t, onlyFor(tc.apply(t, loadPeriodRule(t, tt.rule)), "M"), tt.want)
			checkAwards(t, tc.carries(), tt.carry)
		})
	}
}
