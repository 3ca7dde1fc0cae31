package commission

// periodMatching is the "matching" period rule: a share of what the
// period rules before it paid each member in this close, to the members
// above it in the sponsor (enroller) tree, by level, or by generation
// with compression. See the package overview, Period bonuses.
type periodMatching struct {
	name string
	levelWalk
}

func (m *periodMatching) Name() string { return m.name }

func readPeriodMatching(name string, o *object, _ *PeriodPlan, rs rates) (PeriodRule, error) {
	w, err := readLevelWalk(o, rs)
	if err != nil {
		return nil, err
	}
	return &periodMatching{name: name, levelWalk: w}, nil
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
		err := m.walk(h, x, func(a int32, lv, p int) error {
			return c.pay(a, x, lv, p, fixed{v: e, scale: int8(c.digits)}, m.rateAt(h[a].rank, p), nil)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
