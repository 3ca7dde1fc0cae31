package commission

import (
	"fmt"
	"testing"
)

// samsLine is the unilevel line of the compression example in Global MLM
// Software's "Compression by Design" (see
// testdata/scenarios/period-unilevel-compression/README.md): qualified is
// 100 PV; Kat, at 90, is not.
func samsLine() []pm {
	return []pm{
		{id: "SAM", active: true},
		{id: "KAT", up: "SAM", vol: "90"},
		{id: "ROBIN", up: "KAT", active: true, vol: "120"},
		{id: "JOSEPH", up: "ROBIN", active: true, vol: "160"},
		{id: "NIA", up: "JOSEPH", active: true, vol: "110"},
		{id: "OMAR", up: "NIA", active: true, vol: "105"},
	}
}

func TestPeriodUnilevel(t *testing.T) {
	const rates = `"basis": "pv", "rates": ["0.10", "0.05", "0.03"], "active_volume_only": true`
	tests := []periodCase{
		{"published: compression fills three levels past Kat", `{"type": "unilevel_volume", "name": "ul", ` + rates + `, "compression": true}`,
			samsLine(), "SAM", []string{
				"SAM<-- 1/1 120 x 0.1 = 12.00",
				"SAM<-- 2/2 160 x 0.05 = 8.00",
				"SAM<-- 3/3 110 x 0.03 = 3.30"}},
		{"published: without compression Kat's level is unpaid", `{"type": "unilevel_volume", "name": "ul", ` + rates + `}`,
			samsLine(), "SAM", []string{
				"SAM<-- 2/2 120 x 0.05 = 6.00",
				"SAM<-- 3/3 160 x 0.03 = 4.80"}},
		{"every member's compressed levels", `{"type": "unilevel_volume", "name": "ul", ` + rates + `, "compression": true}`,
			samsLine(), "", []string{
				"SAM<-- 1/1 120 x 0.1 = 12.00",
				"SAM<-- 2/2 160 x 0.05 = 8.00",
				"SAM<-- 3/3 110 x 0.03 = 3.30",
				"ROBIN<-- 1/1 160 x 0.1 = 16.00",
				"ROBIN<-- 2/2 110 x 0.05 = 5.50",
				"ROBIN<-- 3/3 105 x 0.03 = 3.15",
				"JOSEPH<-- 1/1 110 x 0.1 = 11.00",
				"JOSEPH<-- 2/2 105 x 0.05 = 5.25",
				"NIA<-- 1/1 105 x 0.1 = 10.50"}},
		{"an inactive member's volume pays when active_volume_only is off", `{"type": "unilevel_volume", "name": "ul", "basis": "pv", "rates": ["0.10"], "compression": true}`,
			samsLine()[:2], "", []string{"SAM<-- 1/1 90 x 0.1 = 9.00"}},
		{"rates and depth by paid-as rank; a level sums its members, rounded once", `{"type": "unilevel_volume", "name": "ul", "basis": "pv",
			"rates": ["0.01"], "rates_by_rank": {"2": ["0.05", "0.025"]}, "compression": true}`,
			[]pm{
				{id: "TOP", active: true, rank: 2},
				{id: "MID", up: "TOP", active: true, rank: 0, vol: "0.3"},
				{id: "A", up: "MID", active: true, vol: "10.10"},
				{id: "B", up: "MID", active: true, vol: "20.10"},
			}, "", []string{
				"TOP<-- 1/1 0.3 x 0.05 = 0.02",
				"TOP<-- 2/2 30.2 x 0.025 = 0.76",
				"MID<-- 1/1 30.2 x 0.01 = 0.30"}},
		{"min_rank: an unqualified upline is compressed away", `{"type": "unilevel_volume", "name": "ul", "basis": "pv",
			"rates": ["0.10", "0.05"], "compression": true, "qualify": {"min_rank": 1}}`,
			[]pm{
				{id: "TOP", active: true, rank: 1},
				{id: "MID", up: "TOP", active: true},
				{id: "A", up: "MID", active: true, vol: "100"},
			}, "", []string{"TOP<-- 1/1 100 x 0.1 = 10.00"}},
		{"refunds counted in the period beyond its sales claw back", `{"type": "unilevel_volume", "name": "ul", "basis": "pv", "rates": ["0.10"]}`,
			[]pm{{id: "TOP", active: true}, {id: "A", up: "TOP", active: true, vol: "-50"}}, "", []string{"TOP<-- 1/1 -50 x 0.1 = -5.00"}},
		{"qualify active false pays an inactive upline", `{"type": "unilevel_volume", "name": "ul", "basis": "pv",
			"rates": ["0.10"], "qualify": {"active": false}}`,
			[]pm{{id: "TOP"}, {id: "A", up: "TOP", active: true, vol: "100"}}, "", []string{"TOP<-- 1/1 100 x 0.1 = 10.00"}},
	}
	runPeriodCases(t, tests)
}

// TestULSums checks that the map kept when the flat arrays would be too
// large sums and orders exactly as they do.
func TestULSums(t *testing.T) {
	run := func(maxFlat int) []string {
		s := newULSums(5, 3, maxFlat)
		for _, c := range []struct {
			ben int32
			p   int
			v   int64
		}{{4, 2, 7}, {1, 3, 5}, {4, 2, 3}, {0, 1, 1}, {1, 1, 2}} {
			s.add(c.ben, c.p, c.v)
		}
		var out []string
		s.each(func(ben int32, p int, v int64, n int32) error {
			out = append(out, fmt.Sprint(ben, p, v, n))
			return nil
		})
		return out
	}
	want := []string{"0 1 1 1", "1 1 2 1", "1 3 5 1", "4 2 10 2"}
	checkAwards(t, run(15), want)
	checkAwards(t, run(14), want)
}
