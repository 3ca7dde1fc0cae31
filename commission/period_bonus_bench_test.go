package commission

import (
	"math/rand/v2"
	"testing"

	"github.com/uplinehq/upline/hierarchy"
)

// syntheticState is a period of n members: a random sponsor (and group)
// tree of average depth ~ln n, a complete binary placement tree, 3 in 4
// members active, ranks 0-3 and own volumes 0-500.
func syntheticState(n int) *periodState {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	st := &periodState{n: n, in: make([]bool, n), up: make([]int32, n), sponsor: make([]int32, n),
		parent: make([]int32, n), leg: make([]hierarchy.Leg, n), active: make([]bool, n),
		pv: make([]int64, n), rank: make([]hierarchy.Rank, n), earned: make([]int64, n)}
	depth := make([]int32, n)
	for i := range n {
		st.in[i] = true
		st.up[i], st.parent[i] = -1, -1
		if i > 0 {
			st.up[i] = int32(r.IntN(i))
			depth[i] = depth[st.up[i]] + 1
			st.parent[i], st.leg[i] = int32((i-1)/2), hierarchy.Leg((i-1)%2+1)
		}
		st.sponsor[i] = st.up[i]
		st.active[i] = r.IntN(4) > 0
		st.rank[i] = hierarchy.Rank(r.IntN(4))
		st.pv[i] = int64(r.IntN(500)) * 1_000_000
		st.earned[i] = int64(r.IntN(10_000))
	}
	st.qv, st.cv, st.own = st.pv, st.pv, st.pv
	// Children before parents: by depth, deepest first.
	maxD := int32(0)
	for _, d := range depth {
		maxD = max(maxD, d)
	}
	count := make([]int32, maxD+2)
	for _, d := range depth {
		count[maxD-d+1]++
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	st.order = make([]int32, n)
	for i, d := range depth {
		st.order[count[maxD-d]] = int32(i)
		count[maxD-d]++
	}
	st.carryIn = map[carryKey]int64{}
	return st
}

// BenchmarkPeriodBonuses applies each built-in period bonus to a
// synthetic period of 1M members (propertyRules' plans); ns/op is one
// rule over the whole period.
func BenchmarkPeriodBonuses(b *testing.B) {
	const n = 1_000_000
	st := syntheticState(n)
	earned := append([]int64(nil), st.earned...)
	for _, body := range propertyRules {
		rule, err := readTestPeriodRule(body)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(rule.Name(), func(b *testing.B) {
			b.ReportAllocs()
			c := &PeriodContext{plan: &Plan{Rounding: HalfUp}, pp: &PeriodPlan{Rules: []PeriodRule{rule}}, digits: 2, st: st}
			var awards int
			for b.Loop() {
				st.awards, st.carryOut = st.awards[:0], nil
				copy(st.earned, earned)
				if err := rule.ApplyPeriod(c); err != nil {
					b.Fatal(err)
				}
				awards = len(st.awards)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/member")
			b.ReportMetric(float64(awards), "awards")
		})
	}
}
