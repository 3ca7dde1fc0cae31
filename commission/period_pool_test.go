package commission

import (
	"fmt"
	"testing"

	"github.com/uplinehq/upline/hierarchy"
)

// mmlmMembers is the Global Bonus example of MMLM's docs
// (testdata/scenarios/period-pool/README.md): company volume 5,000,000;
// 5 Platinum (1 point), 3 Emerald (2), 2 Diamond (3).
func mmlmMembers() []pm {
	ms := []pm{{id: "CO", vol: "5000000"}}
	for i, r := range []hierarchy.Rank{1, 1, 1, 1, 1, 2, 2, 2, 3, 3} {
		ms = append(ms, pm{id: fmt.Sprintf("Q%02d", i+1), up: "CO", active: true, rank: r})
	}
	return ms
}

func TestPeriodPool(t *testing.T) {
	const pool = `{"type": "pool", "name": "global", "basis": "pv", "share": "0.02", "shares_by_rank": {"1": 1, "2": 2, "3": 3}}`
	tests := []struct {
		name, rule string
		members    []pm
		want       []string
	}{
		// The document prints 5,882 / 11,764 / 17,646: truncated, and
		// 17,646 is wrong under any rounding (100,000 / 17 × 3 =
		// 17,647.06). Asserted: the exact split to the cent.
		{"published, corrected: 100,000 over 17 shares", pool, mmlmMembers(), []string{
			"Q01<-- 0/0 5882.35 x 1 = 5882.35", "Q02<-- 0/0 5882.35 x 1 = 5882.35", "Q03<-- 0/0 5882.35 x 1 = 5882.35",
			"Q04<-- 0/0 5882.35 x 1 = 5882.35", "Q05<-- 0/0 5882.35 x 1 = 5882.35",
			"Q06<-- 0/0 11764.71 x 1 = 11764.71", "Q07<-- 0/0 11764.71 x 1 = 11764.71", "Q08<-- 0/0 11764.71 x 1 = 11764.71",
			"Q09<-- 0/0 17647.06 x 1 = 17647.06", "Q10<-- 0/0 17647.06 x 1 = 17647.06"}},
		{"the cents left go to the largest remainders, ties to the lower member", `{"type": "pool", "name": "p", "basis": "pv", "share": "0.01", "shares_by_rank": {"1": 1}}`,
			[]pm{{id: "A", rank: 1, active: true, vol: "100"}, {id: "B", rank: 1, active: true}, {id: "C", rank: 1, active: true}}, []string{
				"A<-- 0/0 0.34 x 1 = 0.34", "B<-- 0/0 0.33 x 1 = 0.33", "C<-- 0/0 0.33 x 1 = 0.33"}},
		{"the pool is rounded once, half up", `{"type": "pool", "name": "p", "basis": "pv", "share": "0.005", "shares_by_rank": {"1": 1}}`,
			[]pm{{id: "A", rank: 1, active: true, vol: "1.01"}}, []string{"A<-- 0/0 0.01 x 1 = 0.01"}},
		{"inactive and unranked members take no share", `{"type": "pool", "name": "p", "basis": "pv", "share": "0.10", "shares_by_rank": {"2": 1}}`,
			[]pm{{id: "A", rank: 2, vol: "100"}, {id: "B", rank: 1, active: true}, {id: "C", rank: 3, active: true}}, []string{
				"C<-- 0/0 10 x 1 = 10.00"}},
		{"no qualifier pays nothing", pool, []pm{{id: "A", vol: "100"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := newTestClose(t, tt.members)
			checkAwards(t, tc.apply(t, loadPeriodRule(t, tt.rule)), tt.want)
		})
	}
}

func TestAllocateMinor(t *testing.T) {
	parts, sum := allocateMinor(10_000_000, []int64{1, 1, 1, 1, 1, 2, 2, 2, 3, 3})
	if sum != 17 || fmt.Sprint(parts) != "[588235 588235 588235 588235 588235 1176471 1176471 1176471 1764706 1764706]" {
		t.Fatalf("got %v %d", parts, sum)
	}
	var total int64
	for _, p := range parts {
		total += p
	}
	if total != 10_000_000 {
		t.Fatalf("parts sum to %d", total)
	}
}
