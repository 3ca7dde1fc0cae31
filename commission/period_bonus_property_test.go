package commission

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/uplinehq/upline/hierarchy"
)

// randomMembers builds a random period: a sponsor tree, a binary
// placement tree (each member on a free leg of an earlier one), random
// activity, ranks, volumes and earnings.
func randomMembers(r *rand.Rand, n int) []pm {
	ms := make([]pm, n)
	free := [][2]bool{}
	for i := range ms {
		m := pm{id: fmt.Sprintf("M%04d", i), active: r.IntN(4) > 0, rank: hierarchy.Rank(r.IntN(4))}
		if r.IntN(3) > 0 {
			m.vol = fmt.Sprintf("%d.%02d", r.IntN(500), r.IntN(100))
			if r.IntN(8) == 0 {
				// A period where refunds counted in it exceed its sales.
				m.vol = "-" + m.vol
			}
		}
		if r.IntN(2) == 0 {
			m.earned = fmt.Sprintf("%d.%02d", r.IntN(300), r.IntN(100))
			if r.IntN(8) == 0 {
				m.earned = "-" + m.earned
			}
		}
		if i > 0 {
			m.up = ms[r.IntN(i)].id
			for {
				p := r.IntN(i)
				if leg := r.IntN(2); !free[p][leg] {
					free[p][leg] = true
					m.parent, m.leg = ms[p].id, hierarchy.Leg(leg+1)
					break
				}
			}
		}
		free = append(free, [2]bool{})
		ms[i] = m
	}
	return ms
}

var propertyRules = []string{
	`{"type": "unilevel_volume", "name": "ul", "basis": "pv", "rates": ["0.10", "0.05", "0.03"], "rates_by_rank": {"2": ["0.12", "0.06", "0.04", "0.02"]}, "compression": true}`,
	`{"type": "differential", "name": "diff", "basis": "pv", "include_self": true, "rates_by_rank": {"1": "0.05", "2": "0.10", "3": "0.15"}, "breakaway": {"min_rank": 3, "generations": ["0.02", "0.01"]}}`,
	`{"type": "matching", "name": "match", "rates": ["0.10", "0.05"], "compression": true, "qualify": {"min_rank": 1}}`,
	`{"type": "pool", "name": "pool", "basis": "pv", "share": "0.03", "shares_by_rank": {"1": 1, "2": 2, "3": 5}}`,
	`{"type": "binary", "name": "binary", "basis": "pv", "cycle": {"left": "100", "right": "50"}, "rates_by_rank": {"0": "0.10", "2": "0.15"}, "cap_by_rank": {"0": "20", "2": "45.50"}, "max_carry": "900"}`,
}

// TestPeriodBonusProperties applies every period bonus to random periods
// and checks what must hold whatever the tree: the same state pays and
// carries the same again (a re-close finds nothing to correct); a binary
// never pays beyond its cap and never carries more than max_carry, nor
// anything when flushed; a pool's parts sum to the pool.
func TestPeriodBonusProperties(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 14))
		ms := randomMembers(r, 1+r.IntN(60))
		for _, body := range propertyRules {
			rule := loadPeriodRule(t, body)
			tc := newTestClose(t, ms)
			// Random carry-in for the binary.
			carryIn := randomCarryIn(r, tc, 2000)
			earned := slices.Clone(tc.st.earned)
			first := tc.apply(t, rule)
			awards := slices.Clone(tc.st.awards)
			out := maps.Clone(tc.st.carryOut)

			again := newTestClose(t, ms)
			again.st.carryIn = carryIn
			if d := cmp.Diff(first, again.apply(t, rule)); d != "" {
				t.Fatalf("seed %d %s: applied again (-first +again):\n%s", seed, rule.Name(), d)
			}
			if !maps.Equal(out, again.st.carryOut) {
				t.Fatalf("seed %d %s: carries differ", seed, rule.Name())
			}
			switch b := rule.(type) {
			case *periodBinary:
				checkBinary(t, seed, tc, b, awards, out)
			case *periodPool:
				var sum int64
				for _, a := range awards {
					sum += a.amount
				}
				var company int64
				for _, v := range tc.st.pv {
					company += v
				}
				pool, _ := mulRound(fixed{v: company, scale: volScale}, b.share, 2, HalfUp)
				if len(awards) > 0 && sum != pool {
					t.Fatalf("seed %d: pool parts sum to %d, pool %d", seed, sum, pool)
				}
			case *periodMatching:
				for _, a := range awards {
					if a.basis != earned[a.src] {
						t.Fatalf("seed %d: matched %d, earner earned %d before", seed, a.basis, earned[a.src])
					}
				}
			}
		}
	}
}

func checkBinary(t *testing.T, seed uint64, tc *testClose, b *periodBinary, awards []award, out map[carryKey]int64) {
	t.Helper()
	paid := map[int32]bool{}
	for _, a := range awards {
		capV, _ := b.caps.lookup(tc.st.rank[a.ben])
		capMinor, _ := rescale(fixed{v: capV, scale: b.capScale}, 2)
		if a.amount > capMinor {
			t.Fatalf("seed %d: %s paid %d above its cap %d", seed, tc.ids[a.ben], a.amount, capMinor)
		}
		if paid[a.ben] {
			t.Fatalf("seed %d: %s paid twice", seed, tc.ids[a.ben])
		}
		paid[a.ben] = true
	}
	for k, v := range out {
		// A deficit (refunds counted in the period) may carry; no more
		// than max_carry may.
		if v > b.maxCarry {
			t.Fatalf("seed %d: %s carries %d", seed, tc.ids[k.member], v)
		}
		if !tc.st.active[k.member] {
			t.Fatalf("seed %d: inactive %s carries %d", seed, tc.ids[k.member], v)
		}
	}
}
