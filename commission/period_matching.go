package commission

import "github.com/uplinehq/upline/hierarchy"

// periodMatching is the "matching" period rule: a share of what the
// period rules before it paid each member in this close, to the members
// above it in the sponsor (enroller) tree, by level, or by generation
// with compression. See the package overview, Period bonuses.
type periodMatching struct {
	name        string
	rates       []int64         // rate per paid level (generation)
	ratesByRank byRank[[]int64] // overrides rates by paid-as rank
	qualify     periodQualify
	compression bool
	levels      int
}

func (m *periodMatching) Name() string { return m.name }

func readPeriodMatching(name string, o *object, _ *PeriodPlan, rs rates) (PeriodRule, error) {
	m := &periodMatching{name: name}
	var err error
	raw, ok := o.get("rates")
	if !ok {
		return nil, o.absent("rates")
	}
	if m.rates, err = rs.list(raw, join(o.path, "rates")); err != nil {
		return nil, err
	}
	m.levels = len(m.rates)
	if raw, ok := o.get("rates_by_rank"); ok {
		if m.ratesByRank, err = readByRank(raw, join(o.path, "rates_by_rank"), rs.list); err != nil {
			return nil, err
		}
		for _, v := range m.ratesByRank.vals {
			m.levels = max(m.levels, len(v))
		}
	}
	if m.qualify, err = readPeriodQualify(o); err != nil {
		return nil, err
	}
	if m.compression, err = o.boolean("compression"); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *periodMatching) rateAt(r hierarchy.Rank, p int) int64 {
	return levelRate(m.rates, &m.ratesByRank, r, p)
}

// ApplyPeriod pays, for every member the rules before this one paid in
// this close, the members above it in the sponsor tree their rate for the
// level (without compression: the tree level; with it, each qualifying
// member takes the next generation and the others take none) on what it
// earned: one award per beneficiary and earner. What this rule pays is
// never matched again by it.
func (m *periodMatching) ApplyPeriod(c *PeriodContext) error {
	st := c.st
	earned := append([]int64(nil), st.earned...)
	h := walkSteps(st, st.sponsor, m.qualify)
	for _, x := range st.order {
		e := earned[x]
		if e == 0 {
			continue
		}
		p := 1
		for lv, a := 1, h[x].up; a >= 0 && p <= m.levels; lv, a = lv+1, h[a].up {
			if !m.compression {
				p = lv
			}
			r := int64(0)
			if h[a].ok {
				r = m.rateAt(h[a].rank, p)
			}
			if r == 0 {
				continue
			}
			if err := c.pay(a, x, lv, p, fixed{v: e, scale: int8(c.digits)}, r, nil); err != nil {
				return err
			}
			p++
		}
	}
	return nil
}
