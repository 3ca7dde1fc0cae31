package commission

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/normalize"
)

// The reference below computes each period bonus the slow, obvious way —
// in decimal, member by member, asking the tree questions afresh each
// time — so that a seeded differential test can hold the rules to it.

type refMember struct {
	up, sponsor, parent int32
	leg                 hierarchy.Leg
	active              bool
	rank                hierarchy.Rank
	vol, earned         decimal.Decimal
}

func refState(tc *testClose) []refMember {
	st := tc.st
	out := make([]refMember, st.n)
	for m := range out {
		out[m] = refMember{up: st.up[m], sponsor: st.sponsor[m], parent: st.parent[m], leg: st.leg[m],
			active: st.active[m], rank: st.rank[m], vol: decimal.New(st.pv[m], -volScale), earned: decimal.New(st.earned[m], -2)}
	}
	return out
}

func refRound(d decimal.Decimal) decimal.Decimal { return d.Round(2) } // half away from zero: half up for amounts ≥ 0

func refText(ids []string, ben, src int, level, paid int, basis, rate, amount decimal.Decimal) string {
	s := "-"
	if src >= 0 {
		s = ids[src]
	}
	return fmt.Sprintf("%s<-%s %d/%d %s x %s = %s", ids[ben], s, level, paid, basis.String(), rate.String(), amount.StringFixed(2))
}

// chain returns m's ancestors through next, nearest first.
func chain(ms []refMember, m int32, next func(refMember) int32) []int32 {
	var out []int32
	for a := next(ms[m]); a >= 0; a = next(ms[a]) {
		out = append(out, a)
	}
	return out
}

func refRate(rs []int64, byRank byRank[[]int64], r hierarchy.Rank, p int) decimal.Decimal {
	if t, ok := byRank.lookup(r); ok {
		rs = t
	}
	if p < 1 || p > len(rs) {
		return decimal.Zero
	}
	return decimal.New(rs[p-1], -rateDigits)
}

func refQualifies(q periodQualify, m refMember) bool {
	return (q.anyStatus || m.active) && m.rank >= q.minRank
}

// refLevel returns the level b is paid as on volume at x, walking from x
// through next, and whether b is paid at all.
func refLevel(ms []refMember, x, b int32, next func(refMember) int32, compression bool, pays func(a int32, p int) bool, levels int) (int, bool) {
	p := 0
	for lv, a := range chain(ms, x, next) {
		if !compression {
			p = lv + 1
		} else {
			p++
		}
		if p > levels {
			return 0, false
		}
		if !pays(a, p) {
			if compression {
				p--
			}
			if a == b {
				return 0, false
			}
			continue
		}
		if a == b {
			return p, true
		}
	}
	return 0, false
}

func refUnilevel(ms []refMember, ids []string, u *periodUnilevel) []string {
	up := func(m refMember) int32 { return m.up }
	pays := func(a int32, p int) bool {
		return refQualifies(u.qualify, ms[a]) && !refRate(u.rates, u.ratesByRank, ms[a].rank, p).IsZero()
	}
	var out []string
	for b := range ms {
		sums := map[int]decimal.Decimal{}
		counts := map[int]int{}
		for x := range ms {
			if ms[x].vol.IsZero() || (u.activeOnly && !ms[x].active) {
				continue
			}
			if p, ok := refLevel(ms, int32(x), int32(b), up, u.compression, pays, u.levels); ok {
				sums[p] = sums[p].Add(ms[x].vol)
				counts[p]++
			}
		}
		for _, p := range slices.Sorted(maps.Keys(sums)) {
			r := refRate(u.rates, u.ratesByRank, ms[b].rank, p)
			if amt := refRound(sums[p].Mul(r)); !amt.IsZero() {
				out = append(out, refText(ids, b, -1, p, p, sums[p], r, amt))
			}
		}
	}
	return out
}

func refMatching(ms []refMember, ids []string, mt *periodMatching) []string {
	sp := func(m refMember) int32 { return m.sponsor }
	pays := func(a int32, p int) bool {
		return refQualifies(mt.qualify, ms[a]) && !refRate(mt.rates, mt.ratesByRank, ms[a].rank, p).IsZero()
	}
	type key struct{ ben, src int }
	got := map[key]string{}
	for b := range ms {
		for x := range ms {
			if ms[x].earned.IsZero() {
				continue
			}
			p, ok := refLevel(ms, int32(x), int32(b), sp, mt.compression, pays, mt.levels)
			if !ok {
				continue
			}
			lv := slices.Index(chain(ms, int32(x), sp), int32(b)) + 1
			r := refRate(mt.rates, mt.ratesByRank, ms[b].rank, p)
			if amt := refRound(ms[x].earned.Mul(r)); !amt.IsZero() {
				got[key{b, x}] = refText(ids, b, x, lv, p, ms[x].earned, r, amt)
			}
		}
	}
	return sortedValues(got)
}

func refDifferential(ms []refMember, ids []string, d *periodDifferential) []string {
	rate := func(m int32) decimal.Decimal {
		if !refQualifies(d.qualify, ms[m]) {
			return decimal.Zero
		}
		r, _ := d.rates.lookup(ms[m].rank)
		return decimal.New(r, -rateDigits)
	}
	breaks := func(m int32) bool {
		return d.hasBreakaway && refQualifies(d.qualify, ms[m]) && ms[m].rank >= d.breakRank
	}
	type key struct{ ben, src, kind int }
	got := map[key]string{}
	for x := range ms {
		if ms[x].vol.IsZero() {
			continue
		}
		path := chain(ms, int32(x), func(m refMember) int32 { return m.up })
		if d.includeSelf {
			path = append([]int32{int32(x)}, path...)
		} else if breaks(int32(x)) {
			continue
		}
		// u earns rate(u) less the best rate below it on the path, unless
		// a breakaway below it on the path stopped the walk.
		best, paid := decimal.Zero, 0
		for i, u := range path {
			if i > 0 && breaks(path[i-1]) {
				break
			}
			if r := rate(u); r.GreaterThan(best) {
				lv := i
				if !d.includeSelf {
					lv = i + 1
				}
				pl := paid + 1
				if lv == 0 {
					pl = 0
				}
				if amt := refRound(ms[x].vol.Mul(r.Sub(best))); !amt.IsZero() {
					got[key{int(u), x, 0}] = refText(ids, int(u), x, lv, pl, ms[x].vol, r.Sub(best), amt)
				}
				best, paid = r, paid+1
			}
		}
	}
	// Generations: a breakaway's net group is every volume whose nearest
	// breakaway at or above it is that breakaway.
	for b := range ms {
		if !breaks(int32(b)) {
			continue
		}
		net := decimal.Zero
		for x := range ms {
			near := -1
			for _, a := range append([]int32{int32(x)}, chain(ms, int32(x), func(m refMember) int32 { return m.up })...) {
				if breaks(a) {
					near = int(a)
					break
				}
			}
			if near == b {
				net = net.Add(ms[x].vol)
			}
		}
		if net.IsZero() {
			continue
		}
		g := 0
		for i, a := range chain(ms, int32(b), func(m refMember) int32 { return m.up }) {
			if !breaks(a) || g == len(d.generations) {
				continue
			}
			g++
			r := decimal.New(d.generations[g-1], -rateDigits)
			if amt := refRound(net.Mul(r)); !amt.IsZero() {
				got[key{int(a), b, 1}] = refText(ids, int(a), b, i+1, g, net, r, amt)
			}
		}
	}
	return sortedValues(got)
}

func refPool(ms []refMember, ids []string, p *periodPool) []string {
	company := decimal.Zero
	for _, m := range ms {
		company = company.Add(m.vol)
	}
	if !company.IsPositive() {
		return nil
	}
	pool := refRound(company.Mul(decimal.New(p.share, -rateDigits)))
	var who []int
	var weights []decimal.Decimal
	for m := range ms {
		if !refQualifies(p.qualify, ms[m]) {
			continue
		}
		if s, _ := p.shares.lookup(ms[m].rank); s > 0 {
			who = append(who, m)
			weights = append(weights, decimal.NewFromInt(s))
		}
	}
	if len(who) == 0 {
		return nil
	}
	parts, err := normalize.Allocate(pool, weights, 2)
	if err != nil {
		panic(err)
	}
	var out []string
	for i, m := range who {
		if parts[i].IsPositive() {
			out = append(out, refText(ids, m, -1, 0, 0, parts[i], decimal.NewFromInt(1), parts[i]))
		}
	}
	return out
}

// refBinary returns the awards and the carries ("M left v").
func refBinary(ms []refMember, ids []string, b *periodBinary, carryIn map[carryKey]int64) ([]string, []string) {
	// under reports whether x is in the placement subtree of c.
	under := func(x, c int32) bool {
		for a := x; a >= 0; a = ms[a].parent {
			if a == c {
				return true
			}
		}
		return false
	}
	var awards, carries []string
	vd := func(v int64) decimal.Decimal { return decimal.New(v, -volScale) }
	for m := range ms {
		var side [2]decimal.Decimal
		for k := range ms {
			c := int32(k)
			if ms[c].parent != int32(m) || (ms[c].leg != hierarchy.Left && ms[c].leg != hierarchy.Right) {
				continue
			}
			for x := range ms {
				if under(int32(x), c) {
					side[ms[c].leg-1] = side[ms[c].leg-1].Add(ms[x].vol)
				}
			}
		}
		l := side[0].Add(vd(carryIn[carryKey{"binary", int32(m), hierarchy.Left}]))
		r := side[1].Add(vd(carryIn[carryKey{"binary", int32(m), hierarchy.Right}]))
		rv, _ := b.rates.lookup(ms[m].rank)
		if !refQualifies(b.qualify, ms[m]) || rv == 0 {
			if b.keepUnqualified {
				carries = append(carries, refCarry(ids[m], l, r, b)...)
			}
			continue
		}
		var ml, mr, basis decimal.Decimal
		if !l.IsPositive() || !r.IsPositive() {
			// nothing pairs
		} else if b.cycleL > 0 {
			cl, cr := vd(b.cycleL), vd(b.cycleR)
			n := decimal.Min(l.Div(cl).Floor(), r.Div(cr).Floor())
			ml, mr, basis = n.Mul(cl), n.Mul(cr), n.Mul(decimal.Min(cl, cr))
		} else {
			ml = decimal.Min(l, r)
			mr, basis = ml, ml
		}
		carries = append(carries, refCarry(ids[m], l.Sub(ml), r.Sub(mr), b)...)
		rate := decimal.New(rv, -rateDigits)
		amt := refRound(basis.Mul(rate))
		if b.hasCap {
			cv, _ := b.caps.lookup(ms[m].rank)
			if c := vd(cv); amt.GreaterThan(c) {
				if c.IsPositive() {
					awards = append(awards, refText(ids, m, -1, 0, 0, c, decimal.NewFromInt(1), c))
				}
				continue
			}
		}
		if !amt.IsZero() {
			awards = append(awards, refText(ids, m, -1, 0, 0, basis, rate, amt))
		}
	}
	slices.Sort(carries)
	return awards, carries
}

func refCarry(id string, l, r decimal.Decimal, b *periodBinary) []string {
	var out []string
	for _, s := range []struct {
		name string
		v    decimal.Decimal
	}{{"left", l}, {"right", r}} {
		v := s.v
		if b.maxCarry > 0 {
			v = decimal.Min(v, decimal.New(b.maxCarry, -volScale))
		}
		if !v.IsZero() {
			out = append(out, fmt.Sprintf("%s %s %s", id, s.name, v.String()))
		}
	}
	return out
}

func sortedValues[K comparable](m map[K]string) []string {
	out := slices.Collect(maps.Values(m))
	slices.Sort(out)
	return out
}

// TestPeriodBonusesMatchReference plays every period bonus over random
// periods and compares its awards (and the binary's carries) with the
// reference's, award for award.
func TestPeriodBonusesMatchReference(t *testing.T) {
	rules := append(slices.Clone(propertyRules),
		`{"type": "unilevel_volume", "name": "ul", "basis": "pv", "rates": ["0.07", "0.05", "0.03", "0.01"], "active_volume_only": true, "qualify": {"min_rank": 1}}`,
		`{"type": "differential", "name": "diff", "basis": "pv", "rates_by_rank": {"0": "0.02", "1": "0.05", "3": "0.11"}, "breakaway": {"min_rank": 2, "generations": ["0.03"]}}`,
		`{"type": "matching", "name": "match", "rates": ["0.20", "0.10", "0.05"], "rates_by_rank": {"3": ["0.25"]}}`,
		`{"type": "binary", "name": "binary", "basis": "pv", "rates_by_rank": {"1": "0.10"}, "unqualified": "carry", "qualify": {"min_rank": 1}}`,
	)
	for seed := uint64(1); seed <= 150; seed++ {
		r := rand.New(rand.NewPCG(seed, 15))
		ms := randomMembers(r, 1+r.IntN(40))
		for _, body := range rules {
			rule := loadPeriodRule(t, body)
			tc := newTestClose(t, ms)
			carryIn := randomCarryIn(r, tc, 800)
			ref := refState(tc)
			got := tc.apply(t, rule)
			var want, wantCarry []string
			switch x := rule.(type) {
			case *periodUnilevel:
				want = refUnilevel(ref, tc.ids, x)
			case *periodMatching:
				want, got = refMatching(ref, tc.ids, x), sortedCopy(got)
			case *periodDifferential:
				want, got = refDifferential(ref, tc.ids, x), sortedCopy(got)
			case *periodPool:
				want = refPool(ref, tc.ids, x)
			case *periodBinary:
				want, wantCarry = refBinary(ref, tc.ids, x, carryIn)
				if d := cmp.Diff(wantCarry, tc.carries()); d != "" {
					t.Fatalf("seed %d %s: carries (-reference +rule):\n%s", seed, body, d)
				}
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("seed %d %s: awards (-reference +rule):\n%s", seed, body, d)
			}
		}
	}
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
