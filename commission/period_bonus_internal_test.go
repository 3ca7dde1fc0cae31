package commission

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
)

// pm is one member of a hand-built period state: its group-tree parent
// (also its sponsor unless sponsor is set), its placement, whether it is
// active, its paid-as rank, its own volume and what rules before paid it.
type pm struct {
	id, up, sponsor, parent string
	leg                     hierarchy.Leg
	active                  bool
	rank                    hierarchy.Rank
	vol, earned             string
}

// testClose holds a period state built by hand, to apply one period rule
// to it without a genealogy, a ledger or a close.
type testClose struct {
	st  *periodState
	ids []string
	idx map[string]int32
}

func newTestClose(t *testing.T, ms []pm) *testClose {
	t.Helper()
	n := len(ms)
	tc := &testClose{idx: make(map[string]int32, n)}
	for i, m := range ms {
		tc.idx[m.id] = int32(i)
		tc.ids = append(tc.ids, m.id)
	}
	ref := func(id string) int32 {
		if id == "" {
			return -1
		}
		i, ok := tc.idx[id]
		if !ok {
			t.Fatalf("unknown member %q", id)
		}
		return i
	}
	st := &periodState{n: n, in: make([]bool, n), up: make([]int32, n), sponsor: make([]int32, n),
		parent: make([]int32, n), leg: make([]hierarchy.Leg, n), active: make([]bool, n),
		pv: make([]int64, n), rank: make([]hierarchy.Rank, n), earned: make([]int64, n)}
	for i, m := range ms {
		st.in[i] = true
		st.up[i] = ref(m.up)
		st.sponsor[i] = st.up[i]
		if m.sponsor != "" {
			st.sponsor[i] = ref(m.sponsor)
		}
		st.parent[i], st.leg[i] = ref(m.parent), m.leg
		st.active[i], st.rank[i] = m.active, m.rank
		if m.vol != "" {
			st.pv[i], _ = volumeFixed(decimal.RequireFromString(m.vol))
		}
		if m.earned != "" {
			st.earned[i] = decimal.RequireFromString(m.earned).Shift(2).IntPart()
		}
	}
	st.qv, st.cv, st.own = st.pv, st.pv, st.pv
	// children before parents: deepest first.
	depth := func(m int32) int {
		d := 0
		for a := st.up[m]; a >= 0; a = st.up[a] {
			d++
		}
		return d
	}
	for i := range n {
		st.order = append(st.order, int32(i))
	}
	slices.SortStableFunc(st.order, func(a, b int32) int { return depth(b) - depth(a) })
	tc.st = st
	return tc
}

// apply applies rule to the state, in USD, rounding half up, and returns
// its awards as text: "BEN<-SRC L/P basis x rate = amount".
func (tc *testClose) apply(t *testing.T, rule PeriodRule) []string {
	t.Helper()
	tc.st.awards = nil
	c := &PeriodContext{plan: &Plan{Rounding: HalfUp}, pp: &PeriodPlan{Rules: []PeriodRule{rule}}, digits: 2, st: tc.st}
	if err := rule.ApplyPeriod(c); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range tc.st.awards {
		src := "-"
		if a.src >= 0 {
			src = tc.ids[a.src]
		}
		out = append(out, fmt.Sprintf("%s<-%s %d/%d %s x %s = %s", tc.ids[a.ben], src, a.level, a.paidLevel,
			decimal.New(a.basis, -int32(a.basisScale)).String(), decimal.New(a.rate, -rateDigits).String(),
			decimal.New(a.amount, -2).StringFixed(2)))
	}
	return out
}

// loadPeriodRule reads one period rule from its JSON object.
func loadPeriodRule(t *testing.T, body string) PeriodRule {
	t.Helper()
	r, err := readTestPeriodRule(body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func readTestPeriodRule(body string) (PeriodRule, error) {
	o, err := readObject([]byte(body), "period.rules[0]")
	if err != nil {
		return nil, err
	}
	typ, err := o.str("type", true)
	if err != nil {
		return nil, err
	}
	rt, ok := periodBuiltin[typ]
	if !ok {
		return nil, fmt.Errorf("unknown type %q", typ)
	}
	o.fields = slices.Concat(periodRuleFields, rt.fields)
	name, err := o.str("name", true)
	if err != nil {
		return nil, err
	}
	rs, err := readRatesOption(o)
	if err != nil {
		return nil, err
	}
	r, err := rt.read(name, o, &PeriodPlan{}, rs)
	if err != nil {
		return nil, err
	}
	return r, o.done()
}

func onlyFor(awards []string, ben string) []string {
	var out []string
	for _, a := range awards {
		if strings.HasPrefix(a, ben+"<-") {
			out = append(out, a)
		}
	}
	return out
}

func checkAwards(t *testing.T, got, want []string) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("awards (-want +got):\n%s", d)
	}
}

// periodCase is one table test of a period rule: the rule's JSON, the
// period, and the awards it must make (only ben's, when ben is set).
type periodCase struct {
	name, rule string
	members    []pm
	ben        string
	want       []string
}

func runPeriodCases(t *testing.T, tests []periodCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := newTestClose(t, tt.members)
			got := tc.apply(t, loadPeriodRule(t, tt.rule))
			if tt.ben != "" {
				got = onlyFor(got, tt.ben)
			}
			checkAwards(t, got, tt.want)
		})
	}
}

// randomCarryIn gives about a third of the members a random carry on
// each binary leg, in whole volume units below limit.
func randomCarryIn(r *rand.Rand, tc *testClose, limit int64) map[carryKey]int64 {
	in := map[carryKey]int64{}
	for m := range tc.ids {
		if r.IntN(3) == 0 {
			in[carryKey{"binary", int32(m), hierarchy.Left}] = r.Int64N(limit) * 1_000_000
			in[carryKey{"binary", int32(m), hierarchy.Right}] = r.Int64N(limit) * 1_000_000
		}
	}
	tc.st.carryIn = in
	return maps.Clone(in)
}
